import { asList } from '../engine';
import type { PolicyRule } from '../types';

export const ecrRules: PolicyRule[] = [
  {
    id: 'CKV_AWS_51',
    title: 'ECR repository tags are immutable',
    resourceTypes: ['aws_ecr_repository'],
    check(repository) {
      return repository.config.image_tag_mutability === 'IMMUTABLE'
        ? undefined
        : `image_tag_mutability is ${String(repository.config.image_tag_mutability ?? 'MUTABLE (default)')}`;
    },
  },
  {
    id: 'CKV_AWS_163',
    title: 'ECR repository scans images on push',
    resourceTypes: ['aws_ecr_repository'],
    check(repository) {
      return asList(repository.config.image_scanning_configuration).some(
        (c) => c.scan_on_push === true,
      )
        ? undefined
        : 'scan_on_push is not true';
    },
  },
  {
    id: 'CKV_AWS_136',
    title: 'ECR repository is encrypted with a customer-managed KMS key',
    resourceTypes: ['aws_ecr_repository'],
    check(repository) {
      return asList(repository.config.encryption_configuration).some(
        (c) => c.encryption_type === 'KMS' && typeof c.kms_key === 'string' && c.kms_key !== '',
      )
        ? undefined
        : 'encryption_configuration is not KMS with a kms_key';
    },
  },
  {
    id: 'HP_ECR_1',
    title: 'ECR repository has a lifecycle policy that expires images',
    resourceTypes: ['aws_ecr_repository'],
    check(repository, stack) {
      const policies = stack.referencing('aws_ecr_lifecycle_policy', repository.address);
      if (policies.length === 0) return 'no aws_ecr_lifecycle_policy';
      const expires = policies.some((policy) => {
        try {
          const parsed = JSON.parse(String(policy.config.policy)) as {
            rules?: { action?: { type?: string } }[];
          };
          return (parsed.rules ?? []).some((rule) => rule.action?.type === 'expire');
        } catch {
          return false;
        }
      });
      return expires ? undefined : 'lifecycle policy has no readable expire rule';
    },
  },
];
