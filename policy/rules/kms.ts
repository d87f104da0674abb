import { notApplicable } from '../engine';
import type { PolicyRule } from '../types';
import { hasWildcardPrincipal, policyStatements } from './iam';

export const kmsRules: PolicyRule[] = [
  {
    id: 'CKV_AWS_7',
    title: 'KMS key rotation is enabled',
    resourceTypes: ['aws_kms_key'],
    check(key) {
      // Only symmetric encryption keys can rotate; Checkov skips the others too.
      const spec = key.config.customer_master_key_spec ?? 'SYMMETRIC_DEFAULT';
      if (spec !== 'SYMMETRIC_DEFAULT') {
        return notApplicable(`${String(spec)} keys cannot rotate automatically`);
      }
      return key.config.enable_key_rotation === true
        ? undefined
        : 'enable_key_rotation is not true';
    },
  },
  {
    id: 'CKV_AWS_33',
    title: 'KMS key policy does not grant access to a wildcard (*) principal',
    resourceTypes: ['aws_kms_key'],
    check(key, stack) {
      // No policy means the default key policy: the account root only.
      if (key.config.policy === undefined) return undefined;
      const statements = policyStatements(key.config.policy, stack);
      if (!statements) return 'key policy cannot be read statically';
      return statements.some((s) => s.effect === 'Allow' && hasWildcardPrincipal(s))
        ? 'key policy allows principal "*"'
        : undefined;
    },
  },
];
