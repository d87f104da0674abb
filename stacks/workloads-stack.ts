import type { Construct } from 'constructs';
import { Fn, TerraformVariable } from 'cdktf';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import type { EnvironmentConfig, ProjectConfig } from '../config';
import { AppNamespace } from '../modules/app-namespace';
import { AppServiceAccount } from '../modules/app-service-account';
import { Gp3StorageClass } from '../modules/gp3-storage-class';
import type { BackendContext } from './backend';
import type { InfraStack } from './infra-stack';
import { envPrefix } from './names';
import { ProjectStack, standardTags } from './project-stack';

export interface WorkloadsStackProps {
  readonly config: ProjectConfig;
  readonly env: EnvironmentConfig;
  readonly backendContext: BackendContext;
  /** The environment's infra stack; everything read from it becomes a cross-stack reference. */
  readonly infra: InfraStack;
}

/** The API's Kubernetes ServiceAccount (and the IAM role it is bound to). */
export const APP_SERVICE_ACCOUNT = 'hello-api';

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
    super(scope, id, {
      backend: env.backend,
      backendContext: props.backendContext,
      region: env.region,
      accountId: env.accountId,
      tags: standardTags(config.name, env.name, config.repository, env.tags),
      deployBoundaryPrefix: config.name,
    });
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

    const namespace = new AppNamespace(this, 'namespace', { name: env.app.namespace });
    new Gp3StorageClass(this, 'storage-class', { kmsKeyArn: infra.cluster.ebsKmsKeyArn });

    new AppServiceAccount(this, 'service-account', {
      namePrefix: prefix,
      name: APP_SERVICE_ACCOUNT,
      namespace: namespace.name,
      clusterName: infra.cluster.clusterName,
      database: infra.database
        ? { secretArn: infra.database.secretArn, kmsKeyArn: infra.database.secretKmsKeyArn }
        : undefined,
    });
  }
}
