import type { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import type { EnvironmentConfig, ProjectConfig } from '../config';
import { Network } from '../modules/network';
import type { BackendContext } from './backend';
import { availabilityZones, clusterName, envPrefix } from './names';
import { ProjectStack, standardTags } from './project-stack';

export interface InfraStackProps {
  readonly config: ProjectConfig;
  readonly env: EnvironmentConfig;
  readonly backendContext: BackendContext;
}

/**
 * `<env>-infra`: everything AWS-side of one environment: network, DNS and TLS, the EKS cluster,
 * the database, the load balancer and monitoring. Its public attributes are what the workloads
 * stack reads (cdktf turns them into outputs and remote-state lookups).
 */
export class InfraStack extends ProjectStack {
  public readonly network: Network;
  public readonly clusterName: string;

  constructor(scope: Construct, id: string, props: InfraStackProps) {
    const { config, env } = props;
    super(scope, id, {
      backend: env.backend,
      backendContext: props.backendContext,
      region: env.region,
      accountId: env.accountId,
      tags: standardTags(config.name, env.name, config.repository, env.tags),
    });
    const prefix = envPrefix(config, env);
    this.clusterName = clusterName(config, env);

    this.network = new Network(this, 'network', {
      namePrefix: prefix,
      cidr: env.network.vpcCidr,
      availabilityZones: availabilityZones(env),
      natMode: env.network.natMode,
      clusterName: this.clusterName,
      flowLogRetentionDays: env.monitoring.logRetentionDays,
    });

    new TerraformOutput(this, 'vpc_id', { value: this.network.vpcId });
  }
}
