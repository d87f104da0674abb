import { Construct } from 'constructs';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { EncryptedLogGroup } from '../core/encrypted-log-group';
import { cidrSubnet, parseCidr } from '../core/ipv4';
import { cloudWatchLogsGrant, KmsKey } from '../core/kms-key';
import { NameLimits, resourceName } from '../core/naming';
import { awsAccount } from '../core/aws-account';

export type NatMode = 'single' | 'per-az';

export interface NetworkProps {
  /** `<project>-<env>`, e.g. `hello-prod`; prefixes every name. */
  readonly namePrefix: string;
  /** VPC IPv4 CIDR, prefix length /16 to /24 (e.g. `10.20.0.0/16`). */
  readonly cidr: string;
  /**
   * Availability zone names (1 to 4, e.g. `['eu-west-1a', 'eu-west-1b']`). Passed in rather than
   * looked up so synth needs no AWS credentials and subnet numbering never shifts under us.
   */
  readonly availabilityZones: string[];
  /**
   * `per-az`: one NAT gateway per AZ, so losing an AZ never cuts egress of the others.
   * `single`: one NAT gateway shared by all AZs (cheaper; fine for dev).
   * Default: 'per-az'.
   */
  readonly natMode?: NatMode;
  /** EKS cluster name, for the `kubernetes.io/cluster/<name> = shared` subnet tag. */
  readonly clusterName: string;
  /** Days to keep VPC flow logs (a CloudWatch-allowed value). Default: 365. */
  readonly flowLogRetentionDays?: number;
  /**
   * KMS key ARN for the flow log group. Default: a dedicated key whose policy lets CloudWatch
   * Logs use it only for this VPC's flow log group.
   */
  readonly flowLogKmsKeyArn?: string;
}

/** Subnet tiers in the order their blocks are carved from the VPC CIDR. */
type Tier = 'public' | 'private' | 'database';

/**
 * Fixed carving plan with room for 4 AZs whatever the configured count, so adding an AZ later never
 * renumbers existing subnets. Private (workload) subnets get half of the VPC because EKS pods take
 * VPC addresses; public and database subnets get a quarter each. For a /16: private /19 (8,192
 * addresses), public /20, database /20. For a /24: private /27, public /28, database /28 (AWS's
 * smallest subnet).
 */
const CARVING: Record<Tier, { newBits: number; firstNetNum: number }> = {
  private: { newBits: 3, firstNetNum: 0 },
  public: { newBits: 4, firstNetNum: 8 },
  database: { newBits: 4, firstNetNum: 12 },
};
const MAX_AZS = 4;

/** The CIDR of a tier's subnet in the AZ at `azIndex`; exported so stacks and tests can reason about it. */
export function subnetCidr(vpcCidr: string, tier: Tier, azIndex: number): string {
  const plan = CARVING[tier];
  return cidrSubnet(vpcCidr, plan.newBits, plan.firstNetNum + azIndex);
}

function validate(props: NetworkProps): void {
  const { prefixLength } = parseCidr(props.cidr);
  if (prefixLength < 16 || prefixLength > 24) {
    throw new Error(`Network: VPC CIDR ${props.cidr} must be between /16 and /24`);
  }
  const azs = props.availabilityZones;
  if (azs.length < 1 || azs.length > MAX_AZS) {
    throw new Error(`Network: between 1 and ${MAX_AZS} availability zones, got ${azs.length}`);
  }
  if (new Set(azs).size !== azs.length) {
    throw new Error(`Network: duplicate availability zones in ${azs.join(', ')}`);
  }
}

/**
 * A three-tier VPC: public subnets (load balancers, NAT), private subnets (EKS nodes and pods) and
 * isolated database subnets (no route to the internet at all), with flow logs and a locked-down
 * default security group. The default network ACL is left as AWS creates it (allow all): security
 * groups are the filtering layer here, and NACL rules duplicated per subnet tier add outage risk
 * without adding much protection.
 */
export class Network extends Construct {
  public readonly vpcId: string;
  public readonly vpcCidr: string;
  public readonly publicSubnetIds: string[];
  public readonly privateSubnetIds: string[];
  public readonly databaseSubnetIds: string[];
  public readonly dbSubnetGroupName: string;
  /** One per AZ, in AZ order; interface/gateway endpoints added later attach here. */
  public readonly privateRouteTableIds: string[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    validate(props);
    const prefix = props.namePrefix;
    const natMode = props.natMode ?? 'per-az';
    const clusterTag = `kubernetes.io/cluster/${props.clusterName}`;
    const { region } = awsAccount(this);

    const vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidr,
      // Both are needed for EKS private endpoint resolution and VPC endpoints' private DNS.
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: prefix },
    });

    // With no ingress/egress blocks Terraform removes every rule of the default group, so anything
    // accidentally launched without its own security group can talk to nothing (CKV2_AWS_12).
    new DefaultSecurityGroup(this, 'default-security-group', {
      vpcId: vpc.id,
      tags: { Name: `${prefix}-default-deny-all` },
    });

    const makeSubnets = (tier: Tier, extraTags: Record<string, string>): Subnet[] =>
      props.availabilityZones.map(
        (az, index) =>
          new Subnet(this, `${tier}-${index}`, {
            vpcId: vpc.id,
            availabilityZone: az,
            cidrBlock: subnetCidr(props.cidr, tier, index),
            // Nothing here needs a public IP on its own: the ALB and NAT gateways get theirs
            // explicitly (CKV_AWS_130).
            mapPublicIpOnLaunch: false,
            tags: { Name: `${prefix}-${tier}-${az}`, ...extraTags },
          }),
      );
    const publicSubnets = makeSubnets('public', {
      'kubernetes.io/role/elb': '1',
      [clusterTag]: 'shared',
    });
    const privateSubnets = makeSubnets('private', {
      'kubernetes.io/role/internal-elb': '1',
      [clusterTag]: 'shared',
    });
    const databaseSubnets = makeSubnets('database', {});

    const igw = new InternetGateway(this, 'igw', { vpcId: vpc.id, tags: { Name: prefix } });

    const publicRouteTable = new RouteTable(this, 'public-rt', {
      vpcId: vpc.id,
      tags: { Name: `${prefix}-public` },
    });
    new Route(this, 'public-default-route', {
      routeTableId: publicRouteTable.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw.id,
    });
    publicSubnets.forEach(
      (subnet, index) =>
        new RouteTableAssociation(this, `public-rta-${index}`, {
          subnetId: subnet.id,
          routeTableId: publicRouteTable.id,
        }),
    );

    const natCount = natMode === 'per-az' ? publicSubnets.length : 1;
    const natGateways = publicSubnets.slice(0, natCount).map((subnet, index) => {
      const eip = new Eip(this, `nat-eip-${index}`, {
        domain: 'vpc',
        tags: { Name: `${prefix}-nat-${props.availabilityZones[index]}` },
        dependsOn: [igw],
      });
      return new NatGateway(this, `nat-${index}`, {
        allocationId: eip.allocationId,
        subnetId: subnet.id,
        tags: { Name: `${prefix}-nat-${props.availabilityZones[index]}` },
        dependsOn: [igw],
      });
    });

    // One private route table per AZ in both NAT modes, so switching modes only changes routes.
    const privateRouteTables = privateSubnets.map((subnet, index) => {
      const table = new RouteTable(this, `private-rt-${index}`, {
        vpcId: vpc.id,
        tags: { Name: `${prefix}-private-${props.availabilityZones[index]}` },
      });
      const nat = natGateways[natMode === 'per-az' ? index : 0];
      if (!nat) throw new Error('Network: no NAT gateway for a private route table');
      new Route(this, `private-default-route-${index}`, {
        routeTableId: table.id,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: nat.id,
      });
      new RouteTableAssociation(this, `private-rta-${index}`, {
        subnetId: subnet.id,
        routeTableId: table.id,
      });
      return table;
    });

    // Databases never reach or get reached from the internet: their table only has the local route.
    const databaseRouteTable = new RouteTable(this, 'database-rt', {
      vpcId: vpc.id,
      tags: { Name: `${prefix}-database` },
    });
    databaseSubnets.forEach(
      (subnet, index) =>
        new RouteTableAssociation(this, `database-rta-${index}`, {
          subnetId: subnet.id,
          routeTableId: databaseRouteTable.id,
        }),
    );

    const dbSubnetGroup = new DbSubnetGroup(this, 'db-subnet-group', {
      name: resourceName(prefix, 'db', NameLimits.rdsIdentifier),
      description: `Database subnets of ${prefix}`,
      subnetIds: databaseSubnets.map((subnet) => subnet.id),
    });

    // S3 traffic (ECR image layers, backups) stays on the AWS network and skips NAT charges.
    new VpcEndpoint(this, 's3-endpoint', {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: [...privateRouteTables.map((table) => table.id), databaseRouteTable.id],
      tags: { Name: `${prefix}-s3` },
    });

    this.addFlowLogs(props, vpc);

    this.vpcId = vpc.id;
    this.vpcCidr = vpc.cidrBlock;
    this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
    this.privateSubnetIds = privateSubnets.map((subnet) => subnet.id);
    this.databaseSubnetIds = databaseSubnets.map((subnet) => subnet.id);
    this.dbSubnetGroupName = dbSubnetGroup.name;
    this.privateRouteTableIds = privateRouteTables.map((table) => table.id);
  }

  /** All traffic (accepted and rejected) to an encrypted log group, delivered by a scoped role. */
  private addFlowLogs(props: NetworkProps, vpc: Vpc): void {
    const prefix = props.namePrefix;
    const { accountId, partition, region } = awsAccount(this);
    const logGroupName = `/aws/vpc/${prefix}/flow-logs`;
    const logGroupArn = `arn:${partition}:logs:${region}:${accountId}:log-group:${logGroupName}`;

    const kmsKeyArn =
      props.flowLogKmsKeyArn ??
      new KmsKey(this, 'flow-log-key', {
        alias: `${prefix}-vpc-flow-logs`,
        description: `Encrypts the VPC flow logs of ${prefix}`,
        serviceGrants: [cloudWatchLogsGrant(region, logGroupArn)],
      }).arn;

    const logGroup = new EncryptedLogGroup(this, 'flow-log-group', {
      name: logGroupName,
      kmsKeyArn,
      retentionInDays: props.flowLogRetentionDays ?? 365,
    });

    const trust = new DataAwsIamPolicyDocument(this, 'flow-log-trust', {
      statement: [
        {
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['vpc-flow-logs.amazonaws.com'] }],
          // Confused-deputy guard: only flow logs of this account may use the role.
          condition: [
            { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
            {
              test: 'ArnLike',
              variable: 'aws:SourceArn',
              values: [`arn:${partition}:ec2:${region}:${accountId}:vpc-flow-log/*`],
            },
          ],
        },
      ],
    });
    const role = new IamRole(this, 'flow-log-role', {
      name: resourceName(prefix, 'vpc-flow-logs', NameLimits.iamRoleName),
      assumeRolePolicy: trust.json,
      maxSessionDuration: 3600,
    });
    const permissions = new DataAwsIamPolicyDocument(this, 'flow-log-permissions', {
      statement: [
        {
          sid: 'WriteThisLogGroupOnly',
          effect: 'Allow',
          actions: [
            'logs:CreateLogStream',
            'logs:PutLogEvents',
            'logs:DescribeLogGroups',
            'logs:DescribeLogStreams',
          ],
          resources: [logGroup.arn, `${logGroup.arn}:*`],
        },
      ],
    });
    new IamRolePolicy(this, 'flow-log-role-policy', {
      name: 'deliver-flow-logs',
      role: role.id,
      policy: permissions.json,
    });

    new FlowLog(this, 'flow-log', {
      vpcId: vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      // One-minute aggregation makes incident timelines usable; the cost difference is small.
      maxAggregationInterval: 60,
      tags: { Name: prefix },
    });
  }
}
