import type { Construct } from 'constructs';
import type { EnvironmentConfig, ProjectConfig } from '../config';
import { DnsZone } from '../modules/dns-zone';
import { EksCluster } from '../modules/eks-cluster';
import { ingressEndpoint } from '../modules/ingress-endpoint';
import { LoadBalancer } from '../modules/load-balancer';
import { Network } from '../modules/network';
import { RdsPostgres } from '../modules/rds-postgres';
import { TlsCertificate } from '../modules/tls-certificate';
import type { BackendContext } from './backend';
import { availabilityZones, clusterName, envPrefix, githubRoleNames } from './names';
import { ProjectStack, standardTags } from './project-stack';

export interface InfraStackProps {
  readonly config: ProjectConfig;
  readonly env: EnvironmentConfig;
  readonly backendContext: BackendContext;
}

/** What the workloads stack needs to reach the database in `rds` mode. */
export interface RdsConnection {
  readonly host: string;
  readonly port: number;
  readonly databaseName: string;
  readonly secretArn: string;
  readonly secretKmsKeyArn: string;
}

/**
 * `<env>-infra`: everything AWS-side of one environment: network, DNS and TLS, the EKS cluster,
 * the database, the load balancer and monitoring. Its public attributes are what the workloads
 * stack reads (cdktf turns them into outputs and remote-state lookups).
 */
export class InfraStack extends ProjectStack {
  public readonly env: EnvironmentConfig;
  public readonly network: Network;
  public readonly cluster: EksCluster;
  public readonly loadBalancer: LoadBalancer;
  public readonly certificateArn: string;
  public readonly zoneId: string;
  /** Present in `rds` database mode. */
  public readonly database?: RdsConnection;

  constructor(scope: Construct, id: string, props: InfraStackProps) {
    const { config, env } = props;
    super(scope, id, {
      backend: env.backend,
      backendContext: props.backendContext,
      region: env.region,
      accountId: env.accountId,
      tags: standardTags(config.name, env.name, config.repository, env.tags),
      deployBoundaryPrefix: config.name,
    });
    this.env = env;
    const prefix = envPrefix(config, env);
    const name = clusterName(config, env);

    this.network = new Network(this, 'network', {
      namePrefix: prefix,
      cidr: env.network.vpcCidr,
      availabilityZones: availabilityZones(env),
      natMode: env.network.natMode,
      clusterName: name,
      flowLogRetentionDays: env.monitoring.logRetentionDays,
    });

    const zone = new DnsZone(this, 'dns', {
      domainName: env.dns.domainName,
      mode: env.dns.hostedZone,
    });
    this.zoneId = zone.zoneId;
    this.certificateArn = new TlsCertificate(this, 'tls', {
      domainName: env.dns.appHost,
      subjectAlternativeNames: env.dns.subjectAlternativeNames,
      zoneId: zone.zoneId,
    }).certificateArn;

    // The bootstrap deploy role administers every cluster through an access entry, so a plan from
    // another principal never replaces the cluster's admin (no cluster-creator shortcut).
    const deployRoleArn = this.roleArn(githubRoleNames(config).deploy);
    this.cluster = new EksCluster(this, 'eks', {
      clusterName: name,
      kubernetesVersion: env.eks.kubernetesVersion,
      subnetIds: this.network.privateSubnetIds,
      endpointPublicAccessCidrs: env.eks.publicAccessCidrs,
      adminPrincipalArns: [deployRoleArn, ...env.eks.adminRoleArns],
      nodeGroups: env.eks.nodeGroups,
      logRetentionDays: env.monitoring.logRetentionDays,
      deletionProtection: env.eks.deletionProtection,
    });

    // Users → Route 53 → ALB :443 → NGINX ingress NodePort on the nodes (installed by the workloads
    // stack on the same port and health path, both derived from ingress.nodePort).
    this.loadBalancer = new LoadBalancer(this, 'alb', {
      namePrefix: prefix,
      vpcId: this.network.vpcId,
      publicSubnetIds: this.network.publicSubnetIds,
      certificateArn: this.certificateArn,
      ingress: ingressEndpoint(env.ingress.nodePort),
      nodeSecurityGroupId: this.cluster.nodeSecurityGroupId,
      nodeGroupAsgNames: this.cluster.nodeGroupAsgNames,
      zoneId: zone.zoneId,
      hostName: env.dns.appHost,
      deletionProtection: env.loadBalancer.deletionProtection,
      enableWaf: env.loadBalancer.waf,
      accessLogRetentionDays: env.loadBalancer.accessLogRetentionDays,
      wafLogRetentionDays: env.monitoring.logRetentionDays,
      dualStack: env.loadBalancer.dualStack,
    });

    if (env.database.mode === 'rds') {
      const db = new RdsPostgres(this, 'database', {
        identifier: `${prefix}-postgres`,
        engineMajorVersion: env.database.engineMajorVersion,
        instanceClass: env.database.instanceClass,
        allocatedStorageGiB: env.database.allocatedStorageGiB,
        maxAllocatedStorageGiB: env.database.maxAllocatedStorageGiB,
        dbSubnetGroupName: this.network.dbSubnetGroupName,
        vpcId: this.network.vpcId,
        allowedSecurityGroupIds: [this.cluster.nodeSecurityGroupId],
        databaseName: env.database.databaseName,
        multiAz: env.database.multiAz,
        deletionProtection: env.database.deletionProtection,
        backupRetentionDays: env.database.backupRetentionDays,
        skipFinalSnapshot: env.database.skipFinalSnapshot,
        performanceInsights: env.database.performanceInsights,
        monitoringIntervalSeconds: env.database.monitoringIntervalSeconds,
        logRetentionDays: env.monitoring.logRetentionDays,
      });
      this.database = {
        host: db.endpoint,
        port: db.port,
        databaseName: db.databaseName,
        secretArn: db.masterSecretArn,
        secretKmsKeyArn: db.secretKmsKeyArn,
      };
    }
  }
}
