import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { KmsKey as AwsKmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Network, type NetworkProps } from '../../../modules/network/network';
import { cidrContains, cidrsOverlap } from '../../../modules/core/ipv4';
import { resourcesOf, synthConstructs } from '../../helpers/synth';
import type { TerraformJson } from '../../../policy/types';

const dev: NetworkProps = {
  namePrefix: 'hello-dev',
  cidr: '10.10.0.0/16',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  natMode: 'single',
  clusterName: 'hello-dev',
  flowLogRetentionDays: 30,
};
const prod: NetworkProps = {
  namePrefix: 'hello-prod',
  cidr: '10.30.0.0/16',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  clusterName: 'hello-prod',
};

function synth(props: NetworkProps) {
  return synthConstructs((scope) => new Network(scope, 'network', props));
}

type Resource = Record<string, unknown>;
const list = (json: TerraformJson, type: string): Resource[] =>
  Object.values(resourcesOf(json, type));
const subnetsNamed = (json: TerraformJson, tier: string): Resource[] =>
  Object.entries(resourcesOf(json, 'aws_subnet'))
    .filter(([name]) => name.startsWith(`network_${tier}-`))
    .map(([, config]) => config);

describe('Network', () => {
  it('creates a VPC with DNS support and a locked-down default security group', () => {
    const { synthesized, json } = synth(prod);
    expect(synthesized).toHaveResourceWithProperties(Vpc, {
      cidr_block: '10.30.0.0/16',
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
    expect(synthesized).toHaveResource(DefaultSecurityGroup);
    const sg = list(json, 'aws_default_security_group')[0];
    expect(sg?.ingress).toBeUndefined();
    expect(sg?.egress).toBeUndefined();
  });

  it.each([
    ['dev (2 AZ, single NAT)', dev, { subnets: 6, nats: 1, routes: 3, privateTables: 2 }],
    ['prod (3 AZ, NAT per AZ)', prod, { subnets: 9, nats: 3, routes: 4, privateTables: 3 }],
  ])('%s has the right number of subnets, NATs and routes', (_name, props, expected) => {
    const { json } = synth(props);
    expect(list(json, 'aws_subnet')).toHaveLength(expected.subnets);
    expect(list(json, 'aws_nat_gateway')).toHaveLength(expected.nats);
    expect(list(json, 'aws_eip')).toHaveLength(expected.nats);
    expect(list(json, 'aws_route')).toHaveLength(expected.routes);
    // public + one per AZ (private) + database
    expect(list(json, 'aws_route_table')).toHaveLength(expected.privateTables + 2);
    expect(list(json, 'aws_route_table_association')).toHaveLength(expected.subnets);
    expect(list(json, 'aws_internet_gateway')).toHaveLength(1);
  });

  it('routes every private AZ through the single NAT in dev and its own NAT in prod', () => {
    const natTargets = (json: TerraformJson) =>
      list(json, 'aws_route')
        .map((route) => route.nat_gateway_id)
        .filter((id): id is string => typeof id === 'string');
    expect(new Set(natTargets(synth(dev).json)).size).toBe(1);
    expect(natTargets(synth(dev).json)).toHaveLength(2);
    expect(new Set(natTargets(synth(prod).json)).size).toBe(3);
  });

  it('sends only the public table to the internet gateway and gives database subnets no default route', () => {
    const { json } = synth(prod);
    const routes = list(json, 'aws_route');
    const igwRoutes = routes.filter((route) =>
      String(route.gateway_id).includes('aws_internet_gateway'),
    );
    expect(igwRoutes).toHaveLength(1);
    expect(String(igwRoutes[0]?.route_table_id)).toContain('public-rt');
    expect(routes.some((route) => String(route.route_table_id).includes('database-rt'))).toBe(
      false,
    );
  });

  it.each([
    ['dev', dev],
    ['prod', prod],
  ])('%s subnet CIDRs lie inside the VPC and never overlap', (_name, props) => {
    const cidrs = list(synth(props).json, 'aws_subnet').map((subnet) => String(subnet.cidr_block));
    // Public, private and database subnets in each zone.
    expect(cidrs).toHaveLength(3 * props.availabilityZones.length);
    for (const cidr of cidrs) expect(cidrContains(props.cidr, cidr)).toBe(true);
    for (const [i, a] of cidrs.entries()) {
      for (const b of cidrs.slice(i + 1)) expect(cidrsOverlap(a, b), `${a} vs ${b}`).toBe(false);
    }
  });

  it('carves the documented sizes from a /16 and still fits a /24', () => {
    const cidrs = (props: NetworkProps) =>
      list(synth(props).json, 'aws_subnet').map((subnet) => String(subnet.cidr_block));
    expect(cidrs(prod)).toEqual(
      expect.arrayContaining(['10.30.0.0/19', '10.30.128.0/20', '10.30.192.0/20']),
    );
    const small = cidrs({ ...prod, cidr: '192.168.4.0/24' });
    expect(small.sort()).toEqual(
      [
        '192.168.4.0/27',
        '192.168.4.32/27',
        '192.168.4.64/27',
        '192.168.4.128/28',
        '192.168.4.144/28',
        '192.168.4.160/28',
        '192.168.4.192/28',
        '192.168.4.208/28',
        '192.168.4.224/28',
      ].sort(),
    );
  });

  it('never maps public IPs on launch and tags subnets for load balancers and EKS', () => {
    const { json } = synth(prod);
    const subnets = list(json, 'aws_subnet');
    expect(subnets).toHaveLength(9);
    expect(subnets.every((subnet) => subnet.map_public_ip_on_launch === false)).toBe(true);
    const tagged = (key: string) =>
      subnets.filter((subnet) => (subnet.tags as Record<string, string>)[key] !== undefined);
    expect(tagged('kubernetes.io/role/elb')).toHaveLength(3);
    expect(tagged('kubernetes.io/role/internal-elb')).toHaveLength(3);
    expect(tagged('kubernetes.io/cluster/hello-prod')).toHaveLength(6);
    expect(
      tagged('kubernetes.io/role/elb').every((subnet) =>
        String((subnet.tags as Record<string, string>).Name).startsWith('hello-prod-public-'),
      ),
    ).toBe(true);
    const database = subnetsNamed(json, 'database');
    expect(database).toHaveLength(3);
    expect(database.every((s) => Object.keys(s.tags as object).length === 1)).toBe(true);
  });

  it('puts the database subnets in a DB subnet group', () => {
    const { synthesized, json } = synth(dev);
    expect(synthesized).toHaveResourceWithProperties(DbSubnetGroup, { name: 'hello-dev-db' });
    const group = list(json, 'aws_db_subnet_group')[0];
    expect(group?.subnet_ids).toHaveLength(2);
    expect(JSON.stringify(group?.subnet_ids)).toContain('database-');
  });

  it('attaches an S3 gateway endpoint to the private and database route tables only', () => {
    const { synthesized, json } = synth(prod);
    expect(synthesized).toHaveResourceWithProperties(VpcEndpoint, { vpc_endpoint_type: 'Gateway' });
    const endpoint = list(json, 'aws_vpc_endpoint')[0];
    const tables = endpoint?.route_table_ids as string[];
    expect(tables).toHaveLength(4);
    expect(tables.some((id) => id.includes('public'))).toBe(false);
    expect(String(endpoint?.service_name)).toMatch(/^com\.amazonaws\.\$\{.*\}\.s3$/);
  });

  it('logs all traffic to a KMS-encrypted log group through a scoped role', () => {
    const { synthesized, json } = synth(prod);
    expect(synthesized).toHaveResourceWithProperties(FlowLog, {
      traffic_type: 'ALL',
      log_destination_type: 'cloud-watch-logs',
    });
    const group = list(json, 'aws_cloudwatch_log_group')[0];
    expect(group).toMatchObject({ name: '/aws/vpc/hello-prod/flow-logs', retention_in_days: 365 });
    expect(String(group?.kms_key_id)).toContain('aws_kms_key');
    expect(synthesized).toHaveResourceWithProperties(AwsKmsKey, { enable_key_rotation: true });

    const docs = json.data?.aws_iam_policy_document ?? {};
    const trust = Object.entries(docs).find(([name]) => name.includes('flow-log-trust'))?.[1];
    expect(JSON.stringify(trust)).toContain('vpc-flow-logs.amazonaws.com');
    expect(JSON.stringify(trust)).toContain('aws:SourceAccount');
    const permissions = Object.entries(docs).find(([name]) =>
      name.includes('flow-log-permissions'),
    )?.[1];
    const statement = (permissions?.statement as Resource[])[0];
    expect(statement?.resources).toHaveLength(2);
    expect(JSON.stringify(statement?.resources)).not.toContain('"*"');
  });

  it('uses a caller-provided key and retention instead of creating a key', () => {
    const { json } = synth({
      ...dev,
      flowLogKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/abc',
    });
    expect(list(json, 'aws_kms_key')).toHaveLength(0);
    expect(list(json, 'aws_cloudwatch_log_group')[0]).toMatchObject({
      kms_key_id: 'arn:aws:kms:eu-west-1:111122223333:key/abc',
      retention_in_days: 30,
    });
  });

  it.each([
    ['a /15 VPC', { cidr: '10.0.0.0/15' }, /between \/16 and \/24/],
    ['a /25 VPC', { cidr: '10.0.0.0/25' }, /between \/16 and \/24/],
    ['no AZ', { availabilityZones: [] }, /between 1 and 4/],
    ['five AZs', { availabilityZones: ['a', 'b', 'c', 'd', 'e'] }, /between 1 and 4/],
    ['duplicate AZs', { availabilityZones: ['eu-west-1a', 'eu-west-1a'] }, /duplicate/],
  ])('rejects %s', (_name, override, message) => {
    expect(() => synth({ ...prod, ...override })).toThrow(message);
  });
});
