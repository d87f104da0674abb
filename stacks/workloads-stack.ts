import type { Construct } from 'constructs';
import { Fn, TerraformOutput, TerraformVariable, type ITerraformDependable } from 'cdktf';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import type { EnvironmentConfig, ProjectConfig } from '../config';
import { DeployedImageMarker } from '../modules/account/ecr-repository';
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
import { ClusterAutoscaler } from '../modules/cluster/cluster-autoscaler';
import { clusterAutoscalerDiscoveryTags } from '../modules/cluster/eks-node-group';
import { Gp3StorageClass } from '../modules/cluster/gp3-storage-class';
import { TerraformReaderRbac } from '../modules/cluster/terraform-reader-rbac';
import { ingressEndpoint } from '../modules/edge/ingress-endpoint';
import { subnetCidr } from '../modules/network/network';
import { NginxIngress } from '../modules/edge/nginx-ingress';
import type { BackendContext } from './backend';
import type { InfraStack } from './infra-stack';
import {
  APP_DATABASE_USER,
  APP_NAME,
  APP_SERVICE_ACCOUNT,
  availabilityZones,
  clusterName,
  CNPG_OPERATOR_NAMESPACE,
  ecrRepositoryName,
  envPrefix,
  INGRESS_NAMESPACE,
  MIGRATION_SERVICE_ACCOUNT,
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

    // No default: a tag the immutable repository never received would end in ImagePullBackOff
    // mid-rollout, so a missing or malformed tag stops the plan instead.
    this.imageTag = new TerraformVariable(this, 'image_tag', {
      type: 'string',
      description:
        'Tag of the API image in ECR to deploy: the 40-character commit SHA CI built (or a release version like 1.4.2). CI sets it; by hand: TF_VAR_image_tag=<commit sha>.',
      nullable: false,
      validation: [
        {
          condition: `\${can(regex("${IMAGE_TAG_PATTERN}", var.image_tag))}`,
          errorMessage:
            'image_tag must be the 40-character commit SHA of an image CI pushed to ECR (or a release version like 1.4.2): set TF_VAR_image_tag=$(git rev-parse HEAD) for a commit on main.',
        },
      ],
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

    // Its Pod Identity association and role live in the infra stack, applied before this one.
    const literalClusterName = clusterName(config, env);
    const autoscalerNamespace = new PodSecurityNamespace(this, 'cluster-autoscaler-namespace', {
      name: infra.clusterAutoscaler.namespace,
    });
    new ClusterAutoscaler(this, 'cluster-autoscaler', {
      clusterName: literalClusterName,
      region: env.region,
      discoveryTags: clusterAutoscalerDiscoveryTags(literalClusterName),
      imageTag: infra.componentVersions.clusterAutoscalerImageTag,
      kubernetesVersion: env.eks.kubernetesVersion,
      namespace: autoscalerNamespace.name,
      serviceAccountName: infra.clusterAutoscaler.serviceAccountName,
    });

    // rds mode: the API may only log in as its own database role (IAM authentication); the
    // migration Job alone may read the master secret. In in-cluster mode neither needs AWS.
    const serviceAccount = new AppServiceAccount(this, 'service-account', {
      namePrefix: prefix,
      name: APP_SERVICE_ACCOUNT,
      namespace: namespace.name,
      clusterName: infra.cluster.clusterName,
      databaseIamUser: infra.database
        ? { instanceResourceId: infra.database.instanceResourceId, username: APP_DATABASE_USER }
        : undefined,
    });
    const migrationServiceAccount = new AppServiceAccount(this, 'migration-service-account', {
      namePrefix: prefix,
      name: MIGRATION_SERVICE_ACCOUNT,
      namespace: namespace.name,
      clusterName: infra.cluster.clusterName,
      databaseSecret: infra.database
        ? { secretArn: infra.database.secretArn, kmsKeyArn: infra.database.secretKmsKeyArn }
        : undefined,
    });

    // Marks the image as this environment's before the rollout, so ECR's lifecycle policy keeps
    // it; fails the apply early when the tag was never pushed.
    const imageMarker = new DeployedImageMarker(this, 'deployed-image', {
      repositoryName: ecrRepositoryName(config),
      region: config.bootstrap.region,
      environment: env.name,
      imageTag: this.imageTag.stringValue,
    });

    // Namespaces holding Helm releases: the read-only CI role (plans of main, drift) may read
    // their release Secrets, nothing else (see TerraformReaderRbac).
    const releaseNamespaces = [
      { id: 'app', name: namespace.name },
      { id: 'ingress', name: ingressNamespace.name },
      { id: 'cluster-autoscaler', name: autoscalerNamespace.name },
    ];

    let database: AppDatabase;
    // The migration hook and the API pods need their Pod Identity credentials from the start,
    // and the image must be marked as this environment's before it rolls out.
    const dependsOn: ITerraformDependable[] = [
      nginx.release,
      imageMarker.resource,
      ...serviceAccount.ready,
      ...migrationServiceAccount.ready,
    ];
    if (infra.database) {
      database = {
        mode: 'rds',
        host: infra.database.host,
        port: `${infra.database.port}`,
        name: infra.database.databaseName,
        user: APP_DATABASE_USER,
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
      // The pre-install migration hook and the pods read AWS credentials through Pod Identity:
      // created before their association (or its role's policy) they get none, or too few.
      dependsOn,
      values: buildAppValues({
        applicationName: APP_NAME,
        imageRepository: `${this.accountId}.dkr.ecr.${config.bootstrap.region}.amazonaws.com/${ecrRepositoryName(config)}`,
        imageTag: this.imageTag.stringValue,
        host: env.dns.appHost,
        serviceAccountName: serviceAccount.name,
        migrationServiceAccountName: migrationServiceAccount.name,
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

/**
 * The commit SHA CI tags images with, or a release version (see .github/workflows/deploy.yml).
 * `[.]` rather than a backslash: the pattern sits in an HCL string, where `\.` is not an escape.
 */
export const IMAGE_TAG_PATTERN = '^([0-9a-f]{40}|[0-9]+[.][0-9]+[.][0-9]+)$';

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
