import type { Construct, IConstruct } from 'constructs';
import { DeployedImageMarker, EcrRepository } from './account/ecr-repository';
import { GithubOidc } from './account/github-oidc';
import { ServiceLinkedRole } from './account/service-linked-role';
import { StateBucket } from './account/state-bucket';
import { AppRelease } from './app/app-release';
import { AppServiceAccount } from './app/app-service-account';
import { ClusterAutoscaler } from './cluster/cluster-autoscaler';
import { GithubRunner } from './cluster/github-runner';
import { TerraformReaderRbac } from './cluster/terraform-reader-rbac';
import { ClusterAutoscalerIdentity } from './cluster/cluster-autoscaler-identity';
import { EksCluster } from './cluster/eks-cluster';
import { EksManagedNodeGroup } from './cluster/eks-node-group';
import { Gp3StorageClass } from './cluster/gp3-storage-class';
import { PodSecurityNamespace } from './cluster/pod-security-namespace';
import { EncryptedLogGroup } from './core/encrypted-log-group';
import { KmsKey } from './core/kms-key';
import { CloudNativePg } from './data/cloudnative-pg';
import { RdsPostgres } from './data/rds-postgres';
import { LoadBalancer } from './edge/load-balancer';
import { NginxIngress } from './edge/nginx-ingress';
import { WebAcl } from './edge/web-acl';
import { DnsZone } from './network/dns-zone';
import { Network } from './network/network';
import { TlsCertificate } from './network/tls-certificate';
import { AlarmTopic } from './observability/alarm-topic';
import { ContainerObservability } from './observability/container-observability';
import { LogInsightsQueries } from './observability/log-insights-queries';
import { ManagedPrometheus } from './observability/managed-prometheus';
import { Route53HealthCheck } from './observability/route53-health-check';
import { ServiceAlarms } from './observability/service-alarms';
import { ServiceDashboard } from './observability/service-dashboard';
import { TfcAwsOidc } from './tfc/tfc-aws-oidc';
import { TfcWorkspaces } from './tfc/tfc-workspaces';

/** The folders under modules/, one concern each; the diagram and docs/ group by them too. */
export const MODULE_DOMAINS = [
  'core',
  'network',
  'edge',
  'cluster',
  'data',
  'app',
  'observability',
  'account',
  'tfc',
] as const;
export type ModuleDomain = (typeof MODULE_DOMAINS)[number];

type ModuleClass = abstract new (...args: never[]) => Construct;

/**
 * Each module class and the folder it lives in. A test walks modules/ and fails when a construct
 * class is missing here or listed under another folder, so this cannot drift from the tree.
 */
export const DOMAIN_OF_MODULE: ReadonlyMap<ModuleClass, ModuleDomain> = new Map<
  ModuleClass,
  ModuleDomain
>([
  [DeployedImageMarker, 'account'],
  [EcrRepository, 'account'],
  [GithubOidc, 'account'],
  [ServiceLinkedRole, 'account'],
  [StateBucket, 'account'],
  [AppRelease, 'app'],
  [AppServiceAccount, 'app'],
  [ClusterAutoscaler, 'cluster'],
  [GithubRunner, 'cluster'],
  [TerraformReaderRbac, 'cluster'],
  [ClusterAutoscalerIdentity, 'cluster'],
  [EksCluster, 'cluster'],
  [EksManagedNodeGroup, 'cluster'],
  [Gp3StorageClass, 'cluster'],
  [PodSecurityNamespace, 'cluster'],
  [EncryptedLogGroup, 'core'],
  [KmsKey, 'core'],
  [CloudNativePg, 'data'],
  [RdsPostgres, 'data'],
  [LoadBalancer, 'edge'],
  [NginxIngress, 'edge'],
  [WebAcl, 'edge'],
  [DnsZone, 'network'],
  [Network, 'network'],
  [TlsCertificate, 'network'],
  [AlarmTopic, 'observability'],
  [ContainerObservability, 'observability'],
  [LogInsightsQueries, 'observability'],
  [ManagedPrometheus, 'observability'],
  [Route53HealthCheck, 'observability'],
  [ServiceAlarms, 'observability'],
  [ServiceDashboard, 'observability'],
  [TfcAwsOidc, 'tfc'],
  [TfcWorkspaces, 'tfc'],
]);

/** The domain of a module instance, or undefined for anything that is not a module. */
export function moduleDomainOf(construct: IConstruct): ModuleDomain | undefined {
  return DOMAIN_OF_MODULE.get(construct.constructor as ModuleClass);
}
