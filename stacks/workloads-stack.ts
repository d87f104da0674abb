import type { Construct } from 'constructs';
import { Fn, TerraformOutput, TerraformVariable } from 'cdktf';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import type { EnvironmentConfig, ProjectConfig } from '../config';
import { PodSecurityNamespace } from '../modules/cluster/pod-security-namespace';
import { AppServiceAccount } from '../modules/app/app-service-account';
import { AppRelease } from '../modules/app/app-release';
import {
  buildAppValues,
  type AppDatabase,
  type AppValuesInput,
  type NetworkPolicyPeer,
} from '../modules/app/app-values';
import { CloudNativePg } from '../modules/data/cloudnative-pg';
import { Gp3StorageClass } from '../modules/cluster/gp3-storage-class';
import { TerraformReaderRbac } from '../modules/cluster/terraform-reader-rbac';
import { ingressEndpoint } from '../modules/edge/ingress-endpoint';
import { subnetCidr } from '../modules/network/network';
import { NginxIngress } from '../modules/edge/nginx-ingress';
import type { BackendContext } from './backend';
import type { InfraStack } from './infra-stack';
import {
  APP_NAME,
  APP_SERVICE_ACCOUNT,
  availabilityZones,
  CNPG_OPERATOR_NAMESPACE,
  ecrRepositoryName,
  envPrefix,
  INGRESS_NAMESPACE,
  RDS_CA_BUNDLE_PATH,
} from './names';
import { environmentStackProps, ProjectStack } from './project-stack';

export interface WorkloadsStackProps {
  readonly config: ProjectConfig;
  readonly env: EnvironmentConfig;
  readonly backendContext: BackendContext;
  /** The environment's infra stack; everything read from it becomes a cross-stack reference. */
  readonly infra: InfraStack;
}

/**
 * `<env>-workloads`: what runs inside the cluster. Its Kubernetes and Helm providers are
 * configured from the infra stack's outputs, never from resources of the same plan (a provider
 * configured from a resource being replaced breaks that plan), and authenticate with
 * `aws eks get-token` at each call, because a token from a data source expires mid-apply.
 */
export class WorkloadsStack extends ProjectStack {
  /** Terraform variable `image_tag`: CI sets it to the commit SHA (`TF_VAR_image_tag`). */
  public readonly imageTag: TerraformVariable;

  constructor(scope: Construct, id: string, props: WorkloadsStackProps) {
    const { config, env, infra } = props;
    super(scope, id, environmentStackProps(config, env, props.backendContext));
    const prefix = envPrefix(config, env);

    const cluster = {
      host: infra.cluster.endpoint,
      clusterCaCertificate: Fn.base64decode(infra.cluster.certificateAuthorityData),
    };
    const getToken = {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'aws',
      args: [
        'eks',
        'get-token',
        '--cluster-name',
        infra.cluster.clusterName,
        '--region',
        env.region,
      ],
    };
    new KubernetesProvider(this, 'kubernetes', { ...cluster, exec: [getToken] });
    new HelmProvider(this, 'helm', { kubernetes: { ...cluster, exec: getToken } });

    this.imageTag = new TerraformVariable(this, 'image_tag', {
      type: 'string',
      default: env.app.imageTag,
      description: 'Tag of the API image in ECR to deploy; CI sets it to the commit SHA.',
      nullable: false,
    });

    // Read by the plan and drift workflows (plan with the tag actually deployed) and the smoke test.
    new TerraformOutput(this, 'image-tag-output', {
      value: this.imageTag.stringValue,
    }).overrideLogicalId('image_tag');
    new TerraformOutput(this, 'app_host', { value: env.dns.appHost, staticId: true });

    const namespace = new PodSecurityNamespace(this, 'namespace', { name: env.app.namespace });
    const storageClass = new Gp3StorageClass(this, 'storage-class', {
      kmsKeyArn: infra.cluster.ebsKmsKeyArn,
    });

    // The F5 controller binds :80 with NET_BIND_SERVICE, which `restricted` forbids adding.
    const ingressNamespace = new PodSecurityNamespace(this, 'ingress-namespace', {
      name: INGRESS_NAMESPACE,
      podSecurityLevel: 'baseline',
    });
    const nginx = new NginxIngress(this, 'ingress-controller', {
      namespace: ingressNamespace.name,
      ingress: ingressEndpoint(env.ingress.nodePort),
      vpcCidr: env.network.vpcCidr,
    });

    const serviceAccount = new AppServiceAccount(this, 'service-account', {
      namePrefix: prefix,
      name: APP_SERVICE_ACCOUNT,
      namespace: namespace.name,
      clusterName: infra.cluster.clusterName,
      database: infra.database
        ? { secretArn: infra.database.secretArn, kmsKeyArn: infra.database.secretKmsKeyArn }
        : undefined,
    });

    // Namespaces holding Helm releases: the read-only CI role (plans of main, drift) may read
    // their release Secrets, nothing else (see TerraformReaderRbac).
    const releaseNamespaces = [
      { id: 'app', name: namespace.name },
      { id: 'ingress', name: ingressNamespace.name },
    ];

    let database: AppDatabase;
    const dependsOn = [nginx.release];
    if (infra.database) {
      database = {
        mode: 'rds',
        host: infra.database.host,
        port: `${infra.database.port}`,
        name: infra.database.databaseName,
        secretArn: infra.database.secretArn,
        sslMode: 'verify-full',
        sslRootCertFile: RDS_CA_BUNDLE_PATH,
        region: env.region,
      };
    } else {
      if (env.database.mode !== 'in-cluster')
        throw new Error(`${env.name}: rds mode without an RDS instance`);
      const operatorNamespace = new PodSecurityNamespace(this, 'cnpg-namespace', {
        name: CNPG_OPERATOR_NAMESPACE,
      });
      const postgres = new CloudNativePg(this, 'postgres', {
        operatorNamespace: operatorNamespace.name,
        namespace: namespace.name,
        clusterName: `${APP_NAME}-db`,
        storageClass: storageClass.name,
        instances: env.database.instances,
        storageSize: `${env.database.storageGiB}Gi`,
      });
      dependsOn.push(postgres.release);
      releaseNamespaces.push({ id: 'cnpg', name: operatorNamespace.name });
      database = {
        mode: 'in-cluster',
        secretName: postgres.appSecretName,
        secretKey: postgres.appSecretKey,
      };
    }

    new TerraformReaderRbac(this, 'terraform-reader', { releaseNamespaces });

    // The managed Prometheus scraper reaches pods from its ENIs in the private subnets, not from
    // a pod, so the NetworkPolicy admits those subnets (and only them) to /metrics.
    const metricsScrapeFrom: NetworkPolicyPeer[] = env.monitoring.managedPrometheus
      ? availabilityZones(env).map((_zone, index) => ({
          ipBlock: { cidr: subnetCidr(env.network.vpcCidr, 'private', index) },
        }))
      : [];
    new AppRelease(this, 'app', {
      namespace: namespace.name,
      dependsOn,
      values: buildAppValues({
        applicationName: APP_NAME,
        imageRepository: `${this.accountId}.dkr.ecr.${config.bootstrap.region}.amazonaws.com/${ecrRepositoryName(config)}`,
        imageTag: this.imageTag.stringValue,
        host: env.dns.appHost,
        serviceAccountName: serviceAccount.name,
        database,
        ingressController: { namespace: nginx.namespace, podLabels: nginx.podLabels },
        ingressClassName: nginx.ingressClassName,
        ...appReleaseSettings(env),
        prometheus: { operator: env.monitoring.prometheusOperator },
        metricsScrapeFrom,
        otel: env.monitoring.otelEndpoint
          ? { endpoint: env.monitoring.otelEndpoint, serviceName: APP_NAME }
          : undefined,
      }),
    });
  }
}

/** What the environment config decides about the API release (its defaults live in the schema). */
export function appReleaseSettings(
  env: EnvironmentConfig,
): Pick<
  AppValuesInput,
  | 'autoscaling'
  | 'resources'
  | 'drainDelaySeconds'
  | 'terminationGracePeriodSeconds'
  | 'logLevel'
  | 'timezone'
> {
  return {
    autoscaling: { minReplicas: env.app.replicas.min, maxReplicas: env.app.replicas.max },
    resources: env.app.resources,
    drainDelaySeconds: env.app.drainDelaySeconds,
    terminationGracePeriodSeconds: env.app.terminationGracePeriodSeconds,
    logLevel: env.app.logLevel,
    timezone: env.app.timezone,
  };
}
