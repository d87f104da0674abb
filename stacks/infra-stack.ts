import type { Construct } from 'constructs';
import type { EnvironmentConfig, ProjectConfig } from '../config';
import { DnsZone } from '../modules/network/dns-zone';
import {
  clusterComponentVersions,
  type ClusterComponentVersions,
} from '../config/kubernetes-versions';
import { ClusterAutoscalerIdentity } from '../modules/cluster/cluster-autoscaler-identity';
import { EksCluster } from '../modules/cluster/eks-cluster';
import { clusterAutoscalerDiscoveryTags } from '../modules/cluster/eks-node-group';
import { GithubRunner } from '../modules/cluster/github-runner';
import { TERRAFORM_READER_GROUP } from '../modules/cluster/terraform-reader-rbac';
import { ingressEndpoint } from '../modules/edge/ingress-endpoint';
import { LoadBalancer } from '../modules/edge/load-balancer';
import { Network } from '../modules/network/network';
import { RdsPostgres } from '../modules/data/rds-postgres';
import { TlsCertificate } from '../modules/network/tls-certificate';
import { AlarmTopic } from '../modules/observability/alarm-topic';
import { ContainerObservability } from '../modules/observability/container-observability';
import { LogInsightsQueries } from '../modules/observability/log-insights-queries';
import { ManagedPrometheus } from '../modules/observability/managed-prometheus';
import { metricCatalog } from '../modules/observability/metric-catalog';
import { Route53HealthCheck } from '../modules/observability/route53-health-check';
import { ServiceAlarms } from '../modules/observability/service-alarms';
import { ServiceDashboard } from '../modules/observability/service-dashboard';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { BackendContext } from './backend';
import {
  APP_NAME,
  availabilityZones,
  ciRunnerProjectName,
  clusterName,
  envPrefix,
  githubRoleNames,
} from './names';
import { environmentStackProps, ProjectStack, standardTags } from './project-stack';

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
  /** `db-...` DbiResourceId: the API's `rds-db:connect` permission names it. */
  readonly instanceResourceId: string;
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
  /** Add-on and autoscaler versions pinned for the cluster's Kubernetes version. */
  public readonly componentVersions: ClusterComponentVersions;
  /** Where the Cluster Autoscaler's Pod Identity is bound (the workloads stack installs it). */
  public readonly clusterAutoscaler: ClusterAutoscalerIdentity;
  public readonly loadBalancer: LoadBalancer;
  public readonly certificateArn: string;
  public readonly zoneId: string;
  /** The CodeBuild-hosted GitHub Actions runner, when `ci.runner.type` is `codebuild`. */
  public readonly ciRunner?: GithubRunner;
  /** Present in `rds` database mode. */
  public readonly database?: RdsConnection;
  private databaseInstanceId?: string;

  constructor(scope: Construct, id: string, props: InfraStackProps) {
    const { config, env } = props;
    super(scope, id, environmentStackProps(config, env, props.backendContext));
    const tags = standardTags(config.name, env.name, config.repository, env.tags);
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

    // This environment's deploy role (and only it, of the CI roles) administers the cluster
    // through an access entry, so a plan from another principal never replaces the cluster's
    // admin (no cluster-creator shortcut). The role that plans main may read it: drift checks and
    // the plan shown before the deploy gate refresh the workloads stack with it.
    const githubRoles = githubRoleNames(config);
    const versions = clusterComponentVersions(env.eks.kubernetesVersion);
    // loadConfig rejects a version without a row; this guards callers that skip it.
    if (!versions) throw new Error(`no pinned add-on versions for ${env.eks.kubernetesVersion}`);
    this.componentVersions = versions;
    this.cluster = new EksCluster(this, 'eks', {
      clusterName: name,
      kubernetesVersion: env.eks.kubernetesVersion,
      supportType: env.eks.allowExtendedSupport ? 'EXTENDED' : 'STANDARD',
      addonVersions: versions.addons,
      subnetIds: this.network.privateSubnetIds,
      endpointPublicAccessCidrs: env.eks.publicAccessCidrs,
      adminPrincipalArns: [this.roleArn(githubRoles.deploy(env)), ...env.eks.adminRoleArns],
      viewerPrincipals: [
        {
          principalArn: this.roleArn(githubRoles.planMain),
          kubernetesGroups: [TERRAFORM_READER_GROUP],
        },
      ],
      nodeGroups: env.eks.nodeGroups,
      logRetentionDays: env.monitoring.logRetentionDays,
      deletionProtection: env.eks.deletionProtection,
    });
    this.clusterAutoscaler = new ClusterAutoscalerIdentity(this, 'cluster-autoscaler', {
      namePrefix: prefix,
      clusterName: this.cluster.clusterName,
      discoveryTags: clusterAutoscalerDiscoveryTags(name),
    });

    // CI jobs that must reach this cluster's API run inside the VPC when hosted runners cannot.
    if (env.ci.runner.type === 'codebuild') {
      this.ciRunner = new GithubRunner(this, 'github-runner', {
        projectName: ciRunnerProjectName(config, env),
        repository: config.repository,
        connectionArn: env.ci.runner.connectionArn,
        vpcId: this.network.vpcId,
        subnetIds: this.network.privateSubnetIds,
        clusterSecurityGroupId: this.cluster.clusterSecurityGroupId,
        computeType: env.ci.runner.computeType,
        image: env.ci.runner.image,
        logRetentionDays: env.monitoring.logRetentionDays,
      });
    }

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
        deleteAutomatedBackups: env.database.deleteAutomatedBackups,
        performanceInsights: env.database.performanceInsights,
        monitoringIntervalSeconds: env.database.monitoringIntervalSeconds,
        logRetentionDays: env.monitoring.logRetentionDays,
      });
      this.databaseInstanceId = db.instanceIdentifier;
      this.database = {
        host: db.endpoint,
        port: db.port,
        databaseName: db.databaseName,
        secretArn: db.masterSecretArn,
        secretKmsKeyArn: db.secretKmsKeyArn,
        instanceResourceId: db.instanceResourceId,
      };
    }

    this.addMonitoring(env, prefix, tags, name);
  }

  /**
   * Logs, metrics, alarms, dashboard and health checks. Alarms and the dashboard draw from one
   * metric catalog, so what is graphed is exactly what pages.
   */
  private addMonitoring(
    env: EnvironmentConfig,
    prefix: string,
    tags: Record<string, string>,
    cluster: string,
  ): void {
    const { monitoring } = env;
    const topic = new AlarmTopic(this, 'alarm-topic', {
      namePrefix: prefix,
      alarmEmails: monitoring.alarmEmails,
      allowManagedPrometheus: monitoring.managedPrometheus,
    });

    const observability = new ContainerObservability(this, 'container-observability', {
      namePrefix: prefix,
      clusterName: this.cluster.clusterName,
      logRetentionDays: monitoring.logRetentionDays,
      addonVersion: this.componentVersions.addons['amazon-cloudwatch-observability'],
      dependsOn: this.cluster.computeReady,
    });
    new LogInsightsQueries(this, 'log-queries', {
      namePrefix: prefix,
      logGroupName: observability.applicationLogGroupName,
      namespace: env.app.namespace,
    });

    // Route 53 health-check metrics exist only in us-east-1; its alarm (and topic) live there.
    const usEast1 = new AwsProvider(this, 'aws-us-east-1', {
      alias: 'us_east_1',
      region: 'us-east-1',
      allowedAccountIds: env.accountId ? [env.accountId] : undefined,
      defaultTags: [{ tags }],
    });
    const healthCheck = new Route53HealthCheck(this, 'health-check', {
      namePrefix: prefix,
      appHost: env.dns.appHost,
      provider: usEast1,
      alarmEmails: monitoring.alarmEmails,
    });

    const catalog = metricCatalog({
      albArnSuffix: this.loadBalancer.albArnSuffix,
      targetGroupArnSuffix: this.loadBalancer.targetGroupArnSuffix,
      clusterName: cluster,
      appNamespace: env.app.namespace,
      appWorkloadName: APP_NAME,
      rdsInstanceId: this.databaseInstanceId,
      healthCheckId: healthCheck.healthCheckId,
    });
    const { thresholds } = monitoring;
    const alarms = new ServiceAlarms(this, 'alarms', {
      namePrefix: prefix,
      catalog,
      alarmTopicArn: topic.topicArn,
      alb5xxThreshold: thresholds.alb5xxCount,
      target5xxThreshold: thresholds.target5xxCount,
      targetP99Seconds: thresholds.targetP99Seconds,
      rdsCpuPercent: thresholds.rdsCpuPercent,
      rdsFreeStorageBytes: thresholds.rdsFreeStorageGiB * 1024 ** 3,
      rdsFreeMemoryBytes: thresholds.rdsFreeableMemoryMiB * 1024 ** 2,
      rdsMaxConnections: thresholds.rdsConnections,
      podRestartThreshold: thresholds.podRestarts,
      nodeCpuPercent: thresholds.nodeCpuPercent,
    });
    new ServiceDashboard(this, 'dashboard', {
      namePrefix: prefix,
      catalog,
      alarmArns: alarms.alarmArns,
      region: env.region,
    });

    if (monitoring.managedPrometheus) {
      new ManagedPrometheus(this, 'prometheus', {
        namePrefix: prefix,
        clusterArn: this.cluster.clusterArn,
        clusterName: this.cluster.clusterName,
        subnetIds: this.network.privateSubnetIds,
        securityGroupIds: [this.cluster.clusterSecurityGroupId],
        alarmTopicArn: topic.topicArn,
        appNamespace: env.app.namespace,
        appName: APP_NAME,
        targetP99Seconds: thresholds.targetP99Seconds,
      });
    }
  }
}
