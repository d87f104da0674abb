import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import {
  Gp3StorageClass,
  type Gp3StorageClassProps,
} from '../../../modules/cluster/gp3-storage-class';
import { onlyResource, synthConstructs } from '../../helpers/synth';

function synth(props?: Gp3StorageClassProps) {
  return synthConstructs((scope) => new Gp3StorageClass(scope, 'gp3', props));
}

describe('Gp3StorageClass', () => {
  it('is the default, encrypted gp3 class of the EBS CSI driver, bound on first consumer', () => {
    const { synthesized, json } = synth();
    expect(synthesized).toHaveResource(StorageClassV1);
    expect(onlyResource(json, 'kubernetes_storage_class_v1')).toMatchObject({
      metadata: {
        name: 'gp3',
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      storage_provisioner: 'ebs.csi.aws.com',
      volume_binding_mode: 'WaitForFirstConsumer',
      allow_volume_expansion: true,
      reclaim_policy: 'Delete',
      parameters: { type: 'gp3', encrypted: 'true' },
    });
  });

  it('uses no explicit key by default and the given customer-managed key when set', () => {
    const plain = onlyResource(synth().json, 'kubernetes_storage_class_v1');
    expect(plain.parameters).not.toHaveProperty('kmsKeyId');
    const arn = 'arn:aws:kms:eu-west-1:123456789012:key/abc';
    const { json } = synth({ kmsKeyArn: arn, reclaimPolicy: 'Retain', isDefault: false });
    expect(onlyResource(json, 'kubernetes_storage_class_v1')).toMatchObject({
      parameters: { kmsKeyId: arn, encrypted: 'true' },
      reclaim_policy: 'Retain',
      metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } },
    });
  });
});
