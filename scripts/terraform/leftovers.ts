/**
 * After `destroy`: asks the emulator, through the AWS SDK, whether anything of the stack is still
 * there. Every resource instance of the applied state is probed by its id, ARN or name with the
 * service's own describe/get call (`PROBES`); resources that live and die with a parent (a bucket's
 * policy, a role's attachment) are probed through that parent. Then a tag sweep (Resource Groups
 * Tagging API, every region of the stack) looks for anything carrying the stack's default tags.
 * A type without a probe is reported, never silently passed.
 */
import { DescribeCertificateCommand } from '@aws-sdk/client-acm';
import {
  DeleteScraperCommand,
  DescribeAlertManagerDefinitionCommand,
  DescribeScraperCommand,
  DescribeWorkspaceCommand,
} from '@aws-sdk/client-amp';
import { DescribeAlarmsCommand, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeLogGroupsCommand,
  DescribeQueryDefinitionsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeAddressesCommand,
  DescribeFlowLogsCommand,
  DescribeInternetGatewaysCommand,
  DescribeLaunchTemplatesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import {
  DescribeAccessEntryCommand,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  DescribePodIdentityAssociationCommand,
} from '@aws-sdk/client-eks';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetRoleCommand,
} from '@aws-sdk/client-iam';
import { DescribeKeyCommand, ListAliasesCommand } from '@aws-sdk/client-kms';
import {
  DescribeDBInstancesCommand,
  DescribeDBParameterGroupsCommand,
  DescribeDBSubnetGroupsCommand,
} from '@aws-sdk/client-rds';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  GetHealthCheckCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { GetLoggingConfigurationCommand, GetWebACLCommand } from '@aws-sdk/client-wafv2';
import type { EmulatorClients, RegionClients } from './aws-clients';
import type { StateResource } from './stack-run';

type Values = Record<string, unknown>;
/** Resolves true when the resource still exists. */
export type Probe = (clients: RegionClients, values: Values) => Promise<boolean>;

const str = (values: Values, key: string): string => {
  const value = values[key];
  if (typeof value !== 'string' || value === '') throw new Error(`state has no "${key}"`);
  return value;
};

/** True for the "it does not exist" answers of the AWS APIs (and moto's variants of them). */
export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.$metadata?.httpStatusCode === 404 ||
    /NotFound|NoSuch|NonexistentItem|does not exist|not found/i.test(
      `${e.name ?? ''} ${e.message ?? ''}`,
    )
  );
}

/** Runs a describe call: false when the API says the object does not exist. */
async function exists(call: () => Promise<boolean>): Promise<boolean> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

const through =
  (parent: string, map: (values: Values) => Values): Probe =>
  (clients, values) =>
    (PROBES[parent] as Probe)(clients, map(values));

export const PROBES: Record<string, Probe> = {
  // --- EC2 / VPC ----------------------------------------------------------------------------
  aws_vpc: (c, v) =>
    exists(
      async () =>
        ((await c.ec2.send(new DescribeVpcsCommand({ VpcIds: [str(v, 'id')] }))).Vpcs ?? [])
          .length > 0,
    ),
  aws_subnet: (c, v) =>
    exists(
      async () =>
        (
          (await c.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [str(v, 'id')] }))).Subnets ??
          []
        ).length > 0,
    ),
  aws_internet_gateway: (c, v) =>
    exists(
      async () =>
        (
          (
            await c.ec2.send(
              new DescribeInternetGatewaysCommand({ InternetGatewayIds: [str(v, 'id')] }),
            )
          ).InternetGateways ?? []
        ).length > 0,
    ),
  aws_nat_gateway: (c, v) =>
    exists(async () =>
      (
        (await c.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [str(v, 'id')] })))
          .NatGateways ?? []
      ).some((g) => g.State !== 'deleted' && g.State !== 'deleting'),
    ),
  aws_eip: (c, v) =>
    exists(
      async () =>
        (
          (await c.ec2.send(new DescribeAddressesCommand({ AllocationIds: [str(v, 'id')] })))
            .Addresses ?? []
        ).length > 0,
    ),
  aws_route_table: (c, v) =>
    exists(
      async () =>
        (
          (await c.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [str(v, 'id')] })))
            .RouteTables ?? []
        ).length > 0,
    ),
  aws_security_group: (c, v) =>
    exists(
      async () =>
        (
          (await c.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [str(v, 'id')] })))
            .SecurityGroups ?? []
        ).length > 0,
    ),
  aws_vpc_security_group_ingress_rule: (c, v) =>
    exists(
      async () =>
        (
          (
            await c.ec2.send(
              new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [str(v, 'id')] }),
            )
          ).SecurityGroupRules ?? []
        ).length > 0,
    ),
  aws_vpc_endpoint: (c, v) =>
    exists(async () =>
      (
        (await c.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [str(v, 'id')] })))
          .VpcEndpoints ?? []
      ).some((e) => !['deleted', 'deleting'].includes(String(e.State).toLowerCase())),
    ),
  aws_flow_log: (c, v) =>
    exists(
      async () =>
        (
          (await c.ec2.send(new DescribeFlowLogsCommand({ FlowLogIds: [str(v, 'id')] })))
            .FlowLogs ?? []
        ).length > 0,
    ),
  aws_launch_template: (c, v) =>
    exists(
      async () =>
        (
          (
            await c.ec2.send(
              new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [str(v, 'id')] }),
            )
          ).LaunchTemplates ?? []
        ).length > 0,
    ),
  aws_vpc_security_group_egress_rule: (c, v) =>
    (PROBES.aws_vpc_security_group_ingress_rule as Probe)(c, v),
  aws_default_security_group: through('aws_vpc', (v) => ({ id: v.vpc_id })),
  aws_route: through('aws_route_table', (v) => ({ id: v.route_table_id })),
  aws_route_table_association: through('aws_route_table', (v) => ({ id: v.route_table_id })),

  // --- S3 -----------------------------------------------------------------------------------
  aws_s3_bucket: (c, v) =>
    exists(async () => {
      await c.s3.send(new HeadBucketCommand({ Bucket: str(v, 'bucket') }));
      return true;
    }),
  aws_s3_bucket_policy: through('aws_s3_bucket', (v) => ({ bucket: v.bucket })),
  aws_s3_bucket_versioning: through('aws_s3_bucket', (v) => ({ bucket: v.bucket })),
  aws_s3_bucket_public_access_block: through('aws_s3_bucket', (v) => ({ bucket: v.bucket })),
  aws_s3_bucket_ownership_controls: through('aws_s3_bucket', (v) => ({ bucket: v.bucket })),
  aws_s3_bucket_lifecycle_configuration: through('aws_s3_bucket', (v) => ({ bucket: v.bucket })),
  aws_s3_bucket_server_side_encryption_configuration: through('aws_s3_bucket', (v) => ({
    bucket: v.bucket,
  })),

  // --- KMS ----------------------------------------------------------------------------------
  aws_kms_key: (c, v) =>
    exists(async () => {
      const key = await c.kms.send(new DescribeKeyCommand({ KeyId: str(v, 'key_id') }));
      return !['PendingDeletion', 'PendingReplicaDeletion'].includes(
        String(key.KeyMetadata?.KeyState),
      );
    }),
  aws_kms_alias: (c, v) =>
    exists(async () => {
      const aliases = await c.kms.send(new ListAliasesCommand({}));
      return (aliases.Aliases ?? []).some((a) => a.AliasName === str(v, 'name'));
    }),
  aws_kms_grant: through('aws_kms_key', (v) => ({ key_id: v.key_id })),

  // --- IAM ----------------------------------------------------------------------------------
  aws_iam_role: (c, v) =>
    exists(async () => {
      await c.iam.send(new GetRoleCommand({ RoleName: str(v, 'name') }));
      return true;
    }),
  aws_iam_role_policy: through('aws_iam_role', (v) => ({ name: v.role })),
  aws_iam_role_policy_attachment: through('aws_iam_role', (v) => ({ name: v.role })),
  aws_iam_policy: (c, v) =>
    exists(async () => {
      await c.iam.send(new GetPolicyCommand({ PolicyArn: str(v, 'arn') }));
      return true;
    }),
  aws_iam_openid_connect_provider: (c, v) =>
    exists(async () => {
      await c.iam.send(
        new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: str(v, 'arn') }),
      );
      return true;
    }),

  // --- ECR, CloudWatch, SNS -----------------------------------------------------------------
  aws_ecr_repository: (c, v) =>
    exists(async () => {
      await c.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [str(v, 'name')] }));
      return true;
    }),
  aws_ecr_lifecycle_policy: through('aws_ecr_repository', (v) => ({ name: v.repository })),
  aws_cloudwatch_log_group: (c, v) =>
    exists(async () => {
      const name = str(v, 'name');
      const groups = await c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
      return (groups.logGroups ?? []).some((g) => g.logGroupName === name);
    }),
  aws_cloudwatch_metric_alarm: (c, v) =>
    exists(async () => {
      const alarms = await c.cloudwatch.send(
        new DescribeAlarmsCommand({ AlarmNames: [str(v, 'alarm_name')] }),
      );
      return (alarms.MetricAlarms ?? []).length > 0;
    }),
  aws_cloudwatch_dashboard: (c, v) =>
    exists(async () => {
      await c.cloudwatch.send(new GetDashboardCommand({ DashboardName: str(v, 'dashboard_name') }));
      return true;
    }),
  aws_sns_topic: (c, v) =>
    exists(async () => {
      await c.sns.send(new GetTopicAttributesCommand({ TopicArn: str(v, 'arn') }));
      return true;
    }),
  aws_sns_topic_policy: through('aws_sns_topic', (v) => ({ arn: v.arn })),
  aws_sns_topic_subscription: through('aws_sns_topic', (v) => ({ arn: v.topic_arn })),

  // --- EKS, RDS, ELB, ACM, Route 53, WAF, AMP ----------------------------------------------
  aws_eks_cluster: (c, v) =>
    exists(async () => {
      await c.eks.send(new DescribeClusterCommand({ name: str(v, 'name') }));
      return true;
    }),
  aws_eks_node_group: (c, v) =>
    exists(async () => {
      await c.eks.send(
        new DescribeNodegroupCommand({
          clusterName: str(v, 'cluster_name'),
          nodegroupName: str(v, 'node_group_name'),
        }),
      );
      return true;
    }),
  aws_db_instance: (c, v) =>
    exists(async () => {
      const found = await c.rds.send(
        new DescribeDBInstancesCommand({ DBInstanceIdentifier: str(v, 'identifier') }),
      );
      return (found.DBInstances ?? []).some((db) => db.DBInstanceStatus !== 'deleting');
    }),
  aws_db_subnet_group: (c, v) =>
    exists(async () => {
      const name = str(v, 'name');
      const found = await c.rds.send(
        new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: name }),
      );
      return (found.DBSubnetGroups ?? []).some((g) => g.DBSubnetGroupName === name);
    }),
  aws_db_parameter_group: (c, v) =>
    exists(async () => {
      const name = str(v, 'name');
      // moto answers an unknown name with an empty list rather than DBParameterGroupNotFound.
      const found = await c.rds.send(
        new DescribeDBParameterGroupsCommand({ DBParameterGroupName: name }),
      );
      return (found.DBParameterGroups ?? []).some((g) => g.DBParameterGroupName === name);
    }),
  aws_lb: (c, v) =>
    exists(async () => {
      await c.elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [str(v, 'arn')] }));
      return true;
    }),
  aws_lb_listener: through('aws_lb', (v) => ({ arn: v.load_balancer_arn })),
  aws_lb_target_group: (c, v) =>
    exists(async () => {
      await c.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [str(v, 'arn')] }));
      return true;
    }),
  aws_acm_certificate: (c, v) =>
    exists(async () => {
      await c.acm.send(new DescribeCertificateCommand({ CertificateArn: str(v, 'arn') }));
      return true;
    }),
  aws_acm_certificate_validation: through('aws_acm_certificate', (v) => ({
    arn: v.certificate_arn,
  })),
  aws_route53_record: (c, v) =>
    exists(async () => {
      const name = `${str(v, 'fqdn').replace(/\.$/, '')}.`;
      const type = str(v, 'type');
      const sets = await c.route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: str(v, 'zone_id'),
          StartRecordName: name,
          StartRecordType: type as never,
          MaxItems: 1,
        }),
      );
      return (sets.ResourceRecordSets ?? []).some((r) => r.Name === name && r.Type === type);
    }),
  aws_route53_health_check: (c, v) =>
    exists(async () => {
      await c.route53.send(new GetHealthCheckCommand({ HealthCheckId: str(v, 'id') }));
      return true;
    }),
  aws_route53_zone: (c, v) =>
    exists(async () => {
      await c.route53.send(new GetHostedZoneCommand({ Id: str(v, 'zone_id') }));
      return true;
    }),
  aws_wafv2_web_acl: (c, v) =>
    exists(async () => {
      await c.wafv2.send(
        new GetWebACLCommand({
          Name: str(v, 'name'),
          Scope: str(v, 'scope') as never,
          Id: str(v, 'id'),
        }),
      );
      return true;
    }),
  aws_wafv2_web_acl_association: through('aws_lb', (v) => ({ arn: v.resource_arn })),
  aws_wafv2_web_acl_logging_configuration: (c, v) =>
    exists(async () => {
      await c.wafv2.send(
        new GetLoggingConfigurationCommand({ ResourceArn: str(v, 'resource_arn') }),
      );
      return true;
    }),
  aws_prometheus_workspace: (c, v) =>
    exists(async () => {
      const found = await c.amp.send(new DescribeWorkspaceCommand({ workspaceId: str(v, 'id') }));
      return !['DELETING'].includes(String(found.workspace?.status?.statusCode));
    }),
  aws_prometheus_rule_group_namespace: through('aws_prometheus_workspace', (v) => ({
    id: v.workspace_id,
  })),
  aws_prometheus_alert_manager_definition: (c, v) =>
    exists(async () => {
      await c.amp.send(
        new DescribeAlertManagerDefinitionCommand({ workspaceId: str(v, 'workspace_id') }),
      );
      return true;
    }),
  aws_prometheus_scraper: (c, v) =>
    exists(async () => {
      await c.amp.send(new DescribeScraperCommand({ scraperId: str(v, 'id') }));
      return true;
    }),
  // --- EKS (what moto_launcher.py adds) ------------------------------------------------------
  aws_eks_addon: (c, v) =>
    exists(async () => {
      await c.eks.send(
        new DescribeAddonCommand({
          clusterName: str(v, 'cluster_name'),
          addonName: str(v, 'addon_name'),
        }),
      );
      return true;
    }),
  aws_eks_access_entry: (c, v) =>
    exists(async () => {
      await c.eks.send(
        new DescribeAccessEntryCommand({
          clusterName: str(v, 'cluster_name'),
          principalArn: str(v, 'principal_arn'),
        }),
      );
      return true;
    }),
  // An association lives and dies with its access entry (and that with the cluster).
  aws_eks_access_policy_association: through('aws_eks_access_entry', (v) => v),
  aws_eks_pod_identity_association: (c, v) =>
    exists(async () => {
      await c.eks.send(
        new DescribePodIdentityAssociationCommand({
          clusterName: str(v, 'cluster_name'),
          associationId: str(v, 'association_id'),
        }),
      );
      return true;
    }),
  aws_cloudwatch_query_definition: (c, v) =>
    exists(async () => {
      const found = await c.logs.send(
        new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: str(v, 'name') }),
      );
      const id = str(v, 'query_definition_id');
      return (found.queryDefinitions ?? []).some((d) => d.queryDefinitionId === id);
    }),
};

/** Deletes a resource through the SDK (the `delete-outside-terraform` gaps). */
export type Deleter = (clients: RegionClients, values: Values) => Promise<void>;

export const SDK_DELETERS: Record<string, Deleter> = {
  aws_prometheus_scraper: async (c, v) => {
    await c.amp.send(new DeleteScraperCommand({ scraperId: str(v, 'id') }));
  },
};

export interface LeftoverReport {
  /** `address (type)` of every resource that is still there. */
  readonly left: string[];
  /** Resource types of the state that no probe covers. */
  readonly unprobed: string[];
  readonly probed: number;
  /** ARNs the tag sweep found. */
  readonly tagged: string[];
  /** What destroy leaves on purpose (a database's final snapshot and retained backups). */
  readonly kept: string[];
}

/** Region of a state instance: its provider alias's region, else the stack's default. */
export function regionOf(
  resource: StateResource,
  aliasRegions: Record<string, string>,
  fallback: string,
): string {
  const alias = /\]\.([A-Za-z0-9_-]+)$/.exec(resource.provider)?.[1];
  return (alias && aliasRegions[alias]) || fallback;
}

export async function findLeftovers(
  resources: readonly StateResource[],
  clients: EmulatorClients,
  regions: { default: string; aliases: Record<string, string> },
  tags: Record<string, string>,
): Promise<LeftoverReport> {
  const unprobed = new Set(resources.filter((r) => !PROBES[r.type]).map((r) => r.type));
  const probedResources = resources.filter((r) => PROBES[r.type]);
  const probed = probedResources.length;
  // A few probes at a time: each is one small request, and the emulator serves them in threads.
  const answers: Array<string | undefined> = new Array<string | undefined>(probed);
  let next = 0;
  const worker = async () => {
    while (next < probed) {
      const index = next;
      next += 1;
      const resource = probedResources[index] as StateResource;
      const region = regionOf(resource, regions.aliases, regions.default);
      try {
        const there = await (PROBES[resource.type] as Probe)(
          clients.region(region),
          resource.values,
        );
        answers[index] = there ? resource.address : undefined;
      } catch (error) {
        answers[index] = `${resource.address} (probe failed: ${(error as Error).message})`;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const left = answers.filter((a): a is string => a !== undefined);

  const tagged: string[] = [];
  const kept: string[] = [];
  const finalSnapshots = resources
    .filter((r) => r.type === 'aws_db_instance' && r.values.skip_final_snapshot !== true)
    .map((r) => String(r.values.final_snapshot_identifier ?? ''))
    .filter(Boolean);
  // `delete_automated_backups = false` keeps the automated backups (moto: `rds:<id>-<date>`).
  const retainedBackups = resources
    .filter((r) => r.type === 'aws_db_instance' && r.values.delete_automated_backups === false)
    .map((r) => String(r.values.identifier ?? ''))
    .filter(Boolean);
  const tagFilters = Object.entries(tags).map(([Key, value]) => ({ Key, Values: [value] }));
  for (const region of new Set([regions.default, ...Object.values(regions.aliases)])) {
    const c = clients.region(region);
    let token: string | undefined;
    do {
      const page = await c.tagging.send(
        new GetResourcesCommand({ TagFilters: tagFilters, PaginationToken: token }),
      );
      for (const mapping of page.ResourceTagMappingList ?? []) {
        const arn = mapping.ResourceARN ?? '';
        if (finalSnapshots.some((id) => arn.endsWith(`:snapshot:${id}`))) kept.push(arn);
        else if (retainedBackups.some((id) => arn.includes(`:snapshot:rds:${id}-`))) kept.push(arn);
        else if (await stillThere(c, arn)) tagged.push(arn);
      }
      token = page.PaginationToken || undefined;
    } while (token);
  }
  return { left, unprobed: [...unprobed].sort(), probed, tagged, kept };
}

/** The tag index also lists what is on its way out (keys pending deletion, deleted NATs). */
async function stillThere(c: RegionClients, arn: string): Promise<boolean> {
  if (/^arn:[^:]+:kms:/.test(arn)) {
    return (PROBES.aws_kms_key as Probe)(c, { key_id: arn });
  }
  const natGateway = /:natgateway\/(nat-[\w]+)$/.exec(arn);
  if (natGateway) return (PROBES.aws_nat_gateway as Probe)(c, { id: natGateway[1] });
  return true;
}
