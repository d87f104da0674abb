import { Construct } from 'constructs';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';

export interface Gp3StorageClassProps {
  /** StorageClass name. Default: `gp3`. */
  readonly name?: string;
  /**
   * Customer-managed KMS key ARN for the volumes. Default: not set, so EBS uses the account's
   * `aws/ebs` key. When set, the EBS CSI driver's IAM role must be allowed to use the key
   * (kms:CreateGrant, kms:Decrypt, kms:GenerateDataKeyWithoutPlaintext, kms:DescribeKey).
   */
  readonly kmsKeyArn?: string;
  /** Mark as the cluster's default class. Default: true. */
  readonly isDefault?: boolean;
  /**
   * What happens to the EBS volume when its claim is deleted. Default: `Delete` (volumes do not
   * outlive the dev database that claimed them; durable data lives in RDS). Use `Retain` to keep
   * volumes for manual recovery.
   */
  readonly reclaimPolicy?: 'Delete' | 'Retain';
}

/**
 * An encrypted gp3 StorageClass served by the EBS CSI driver. Volumes are created only when a
 * pod is scheduled (`WaitForFirstConsumer`), so they land in that pod's availability zone, and
 * they can be grown in place.
 */
export class Gp3StorageClass extends Construct {
  /** StorageClass name, for `storageClassName` / chart values. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: Gp3StorageClassProps = {}) {
    super(scope, id);
    const storageClass = new StorageClassV1(this, 'storage-class', {
      metadata: {
        name: props.name ?? 'gp3',
        annotations: {
          'storageclass.kubernetes.io/is-default-class': String(props.isDefault ?? true),
        },
      },
      storageProvisioner: 'ebs.csi.aws.com',
      reclaimPolicy: props.reclaimPolicy ?? 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      parameters: {
        type: 'gp3',
        encrypted: 'true',
        'csi.storage.k8s.io/fstype': 'ext4',
        ...(props.kmsKeyArn ? { kmsKeyId: props.kmsKeyArn } : {}),
      },
    });
    this.name = storageClass.metadata.name;
  }
}
