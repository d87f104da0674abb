import { CloudNativePg, type CloudNativePgProps } from '../../../modules/data/cloudnative-pg';
import { resourcesOf, synthConstructs } from '../../helpers/synth';

const dev: CloudNativePgProps = {
  operatorNamespace: 'cnpg-system',
  namespace: 'sample-app',
  clusterName: 'hello-db',
  storageClass: 'gp3',
};

type Values = Record<string, unknown> & {
  cluster: Record<string, unknown>;
  backups: Record<string, unknown>;
};

function synth(props: CloudNativePgProps) {
  let module: CloudNativePg | undefined;
  const { json } = synthConstructs((scope) => {
    module = new CloudNativePg(scope, 'db', props);
  });
  const releases = Object.values(resourcesOf(json, 'helm_release'));
  const byChart = (chart: string) => {
    const release = releases.find((r) => r.chart === chart);
    if (!release) throw new Error(`no ${chart} release`);
    return release;
  };
  const operator = byChart('cloudnative-pg');
  const cluster = byChart('cluster');
  const values = JSON.parse((cluster.values as string[])[0] ?? '{}') as Values;
  return { json, operator, cluster, values, module: module as CloudNativePg };
}

describe('CloudNativePg', () => {
  it('installs the pinned operator chart, then the cluster chart after it', () => {
    const { operator, cluster } = synth(dev);
    expect(operator).toMatchObject({
      repository: 'https://cloudnative-pg.github.io/charts',
      version: '0.28.2',
      namespace: 'cnpg-system',
      wait: true,
      atomic: true,
    });
    expect(cluster).toMatchObject({
      repository: 'https://cloudnative-pg.github.io/charts',
      version: '0.6.0',
      namespace: 'sample-app',
      name: 'hello-db',
    });
    expect(cluster.depends_on).toEqual([expect.stringMatching(/^helm_release\.db_operator_/)]);
    // The operator's manager container is bounded in CPU and memory.
    expect(JSON.parse((operator.values as string[])[0] ?? '{}')).toMatchObject({
      resources: {
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '500m', memory: '256Mi' },
      },
    });
  });

  it('dev: one instance on the gp3 class, no superuser, no PDB, backups off', () => {
    const { values } = synth(dev);
    expect(values.fullnameOverride).toBe('hello-db');
    expect(values.cluster).toMatchObject({
      instances: 1,
      storage: { storageClass: 'gp3', size: '10Gi' },
      initdb: { database: 'app', owner: 'app' },
      enableSuperuserAccess: false,
      enablePDB: false,
    });
    expect(values.backups).toEqual({ enabled: false });
  });

  it('several instances get a PDB; backups go to S3 with the pod role, never a key secret', () => {
    const { values } = synth({
      ...dev,
      instances: 3,
      backups: { bucket: 'hello-backups', region: 'eu-west-1' },
    });
    expect(values.cluster.enablePDB).toBe(true);
    expect(values.backups).toMatchObject({
      enabled: true,
      provider: 's3',
      s3: { bucket: 'hello-backups', region: 'eu-west-1', inheritFromIAMRole: true },
      secret: { create: false },
      retentionPolicy: '30d',
    });
    expect(JSON.stringify(values.backups)).not.toMatch(/accessKey|secretKey/);
  });

  it('names the secret the API reads and never puts a password in Terraform', () => {
    const { module, json } = synth(dev);
    expect(module.appSecretName).toBe('hello-db-app');
    expect(module.appSecretKey).toBe('uri');
    expect(module.host).toBe('hello-db-rw.sample-app.svc');
    expect(JSON.stringify(json)).not.toMatch(/password/i);
    expect(resourcesOf(json, 'kubernetes_secret_v1')).toEqual({});
  });

  it('rejects a cluster without instances', () => {
    expect(() => synth({ ...dev, instances: 0 })).toThrow(/instances/);
  });
});
