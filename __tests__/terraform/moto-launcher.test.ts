/**
 * The APIs moto_launcher.py adds to moto, driven through the AWS SDK against a real launcher
 * process: each resource is created, read back as the AWS provider reads it, and gone after
 * delete (404), and the EKS cluster and node group are backed by real EC2 and Auto Scaling
 * resources; the fields moto drops or garbles (RDS, launch templates, the cluster CA) read back. Skipped (one line) where no Python with moto is installed, unless CI=true.
 */
import {
  CreateAlertManagerDefinitionCommand,
  CreateScraperCommand,
  CreateWorkspaceCommand,
  DeleteAlertManagerDefinitionCommand,
  DeleteScraperCommand,
  DescribeAlertManagerDefinitionCommand,
  DescribeScraperCommand,
  DescribeWorkspaceCommand,
} from '@aws-sdk/client-amp';
import {
  DeleteQueryDefinitionCommand,
  DescribeQueryDefinitionsCommand,
  PutQueryDefinitionCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateLaunchTemplateCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  CreateAddonCommand,
  CreateClusterCommand,
  CreateNodegroupCommand,
  CreatePodIdentityAssociationCommand,
  DeleteAccessEntryCommand,
  DeleteAddonCommand,
  DeleteClusterCommand,
  DeleteNodegroupCommand,
  DeletePodIdentityAssociationCommand,
  DescribeAccessEntryCommand,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  DescribePodIdentityAssociationCommand,
  ListAssociatedAccessPoliciesCommand,
} from '@aws-sdk/client-eks';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import {
  CreateDBInstanceCommand,
  CreateDBParameterGroupCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  ModifyDBParameterGroupCommand,
} from '@aws-sdk/client-rds';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorClients, type RegionClients } from '../../scripts/terraform/aws-clients';
import { startMoto, type Emulator } from '../../scripts/terraform/moto';
import { findMotoPython } from '../../scripts/terraform/prerequisites';

const python = findMotoPython();
if (!python && process.env.CI === 'true') throw new Error('CI=true and no Python with moto');
if (!python) console.log('moto-launcher tests skipped: no Python with moto');

async function notFound(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    return (error as { name: string }).name;
  }
  return 'found';
}

// A real emulator answers each call over HTTP: generous limits for a shared, loaded machine.
describe.skipIf(!python)('moto_launcher.py', { timeout: 120_000 }, () => {
  let moto: Emulator;
  let clients: EmulatorClients;
  let aws: RegionClients;

  beforeAll(async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'moto-launcher-')), 'moto.log');
    moto = await startMoto(python as string, log, { managedPolicies: false });
    clients = new EmulatorClients(moto.endpoint);
    aws = clients.region('eu-west-1');
  }, 120_000);

  afterAll(async () => {
    clients?.destroy();
    await moto?.stop();
  });

  it('answers the Logs query definition calls', async () => {
    const { queryDefinitionId } = await aws.logs.send(
      new PutQueryDefinitionCommand({
        name: 'app/errors',
        queryString: 'fields @message',
        logGroupNames: ['g'],
      }),
    );
    const listed = await aws.logs.send(
      new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: 'app/' }),
    );
    expect(listed.queryDefinitions).toMatchObject([
      {
        queryDefinitionId,
        name: 'app/errors',
        queryString: 'fields @message',
        logGroupNames: ['g'],
      },
    ]);
    await aws.logs.send(new DeleteQueryDefinitionCommand({ queryDefinitionId }));
    const after = await aws.logs.send(new DescribeQueryDefinitionsCommand({}));
    expect(after.queryDefinitions).toEqual([]);
  });

  it('backs EKS clusters, node groups, add-ons and access entries with state', async () => {
    const vpc = (await aws.ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!;
    const subnets = await Promise.all(
      ['a', 'b'].map(async (zone, i) => {
        const subnet = await aws.ec2.send(
          new CreateSubnetCommand({
            VpcId: vpc.VpcId,
            CidrBlock: `10.1.${i}.0/24`,
            AvailabilityZone: `eu-west-1${zone}`,
          }),
        );
        return subnet.Subnet!.SubnetId!;
      }),
    );
    const role = await aws.iam.send(
      new CreateRoleCommand({ RoleName: 'eks', AssumeRolePolicyDocument: '{}' }),
    );
    const roleArn = role.Role!.Arn!;
    await aws.eks.send(
      new CreateClusterCommand({
        name: 'c1',
        roleArn,
        resourcesVpcConfig: { subnetIds: subnets },
        accessConfig: {
          authenticationMode: 'API',
          bootstrapClusterCreatorAdminPermissions: false,
        },
        upgradePolicy: { supportType: 'STANDARD' },
      }),
    );
    const { cluster } = await aws.eks.send(new DescribeClusterCommand({ name: 'c1' }));
    expect(cluster?.accessConfig).toEqual({
      authenticationMode: 'API',
      bootstrapClusterCreatorAdminPermissions: false,
    });
    expect(cluster?.upgradePolicy).toEqual({ supportType: 'STANDARD' });
    const ca = Buffer.from(cluster?.certificateAuthority?.data ?? '', 'base64').toString('utf8');
    expect(new X509Certificate(ca).ca).toBe(true);
    const groupId = cluster?.resourcesVpcConfig?.clusterSecurityGroupId;
    expect(cluster?.resourcesVpcConfig?.vpcId).toBe(vpc.VpcId);
    const groups = await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId!] }));
    expect(groups.SecurityGroups?.[0]?.VpcId).toBe(vpc.VpcId);

    const template = await aws.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'nodes',
        LaunchTemplateData: { InstanceType: 't3.large' },
      }),
    );
    await aws.eks.send(
      new CreateNodegroupCommand({
        clusterName: 'c1',
        nodegroupName: 'general',
        nodeRole: roleArn,
        subnets,
        launchTemplate: { id: template.LaunchTemplate!.LaunchTemplateId, version: '1' },
        scalingConfig: { minSize: 2, maxSize: 3, desiredSize: 2 },
      }),
    );
    const { nodegroup } = await aws.eks.send(
      new DescribeNodegroupCommand({ clusterName: 'c1', nodegroupName: 'general' }),
    );
    expect(nodegroup?.resources?.autoScalingGroups?.[0]?.name).toMatch(/^eks-general-/);
    expect(nodegroup?.remoteAccess).toBeUndefined();
    expect(nodegroup?.updateConfig).toEqual({ maxUnavailable: 1 });

    const { addon } = await aws.eks.send(
      new CreateAddonCommand({
        clusterName: 'c1',
        addonName: 'aws-ebs-csi-driver',
        addonVersion: 'v1.64.0-eksbuild.1',
        podIdentityAssociations: [{ serviceAccount: 'ebs-csi-controller-sa', roleArn }],
      }),
    );
    const described = await aws.eks.send(
      new DescribeAddonCommand({ clusterName: 'c1', addonName: 'aws-ebs-csi-driver' }),
    );
    expect(described.addon).toMatchObject({ status: 'ACTIVE', addonVersion: 'v1.64.0-eksbuild.1' });
    const associationId = addon!.podIdentityAssociations![0]!.split('/')[2];
    const association = await aws.eks.send(
      new DescribePodIdentityAssociationCommand({ clusterName: 'c1', associationId }),
    );
    expect(association.association).toMatchObject({
      namespace: 'kube-system',
      serviceAccount: 'ebs-csi-controller-sa',
      roleArn,
    });
    const own = await aws.eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'c1',
        namespace: 'cluster-autoscaler',
        serviceAccount: 'cluster-autoscaler',
        roleArn,
      }),
    );

    const principalArn = 'arn:aws:iam::123456789012:role/github-deploy';
    await aws.eks.send(
      new CreateAccessEntryCommand({ clusterName: 'c1', principalArn, kubernetesGroups: ['g'] }),
    );
    await aws.eks.send(
      new AssociateAccessPolicyCommand({
        clusterName: 'c1',
        principalArn,
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
        accessScope: { type: 'cluster' },
      }),
    );
    const entry = await aws.eks.send(
      new DescribeAccessEntryCommand({ clusterName: 'c1', principalArn }),
    );
    expect(entry.accessEntry).toMatchObject({ type: 'STANDARD', kubernetesGroups: ['g'] });
    const policies = await aws.eks.send(
      new ListAssociatedAccessPoliciesCommand({ clusterName: 'c1', principalArn }),
    );
    expect(policies.associatedAccessPolicies).toMatchObject([
      {
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
        accessScope: { type: 'cluster' },
      },
    ]);

    await aws.eks.send(new DeleteAccessEntryCommand({ clusterName: 'c1', principalArn }));
    await aws.eks.send(
      new DeletePodIdentityAssociationCommand({
        clusterName: 'c1',
        associationId: own.association!.associationId,
      }),
    );
    await aws.eks.send(
      new DeleteAddonCommand({ clusterName: 'c1', addonName: 'aws-ebs-csi-driver' }),
    );
    await aws.eks.send(new DeleteNodegroupCommand({ clusterName: 'c1', nodegroupName: 'general' }));
    await aws.eks.send(new DeleteClusterCommand({ name: 'c1' }));
    expect(
      await notFound(
        aws.eks.send(new DescribeAccessEntryCommand({ clusterName: 'c1', principalArn })),
      ),
    ).toBe('ResourceNotFoundException');
    expect(
      await notFound(
        aws.eks.send(
          new DescribeAddonCommand({ clusterName: 'c1', addonName: 'aws-ebs-csi-driver' }),
        ),
      ),
    ).toBe('ResourceNotFoundException');
    expect(
      await notFound(aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId!] }))),
    ).not.toBe('found');
  });

  it('keeps what RDS and EC2 launch templates are given, as AWS reads it back', async () => {
    const template = await aws.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'tagged',
        LaunchTemplateData: {
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'a', Value: 'b' }] }],
        },
        TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'x', Value: 'y' }] }],
      }),
    );
    const versions = await aws.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: template.LaunchTemplate!.LaunchTemplateId,
      }),
    );
    expect(versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.TagSpecifications).toEqual([
      { ResourceType: 'instance', Tags: [{ Key: 'a', Value: 'b' }] },
    ]);

    await aws.rds.send(
      new CreateDBParameterGroupCommand({
        DBParameterGroupName: 'pg',
        DBParameterGroupFamily: 'postgres16',
        Description: 'd',
      }),
    );
    await aws.rds.send(
      new ModifyDBParameterGroupCommand({
        DBParameterGroupName: 'pg',
        Parameters: [
          {
            ParameterName: 'log_min_duration_statement',
            ParameterValue: '500',
            ApplyMethod: 'immediate',
          },
        ],
      }),
    );
    const parameters = await aws.rds.send(
      new DescribeDBParametersCommand({ DBParameterGroupName: 'pg' }),
    );
    expect(parameters.Parameters).toMatchObject([
      { ParameterName: 'log_min_duration_statement', ParameterValue: '500', Source: 'user' },
    ]);
    await aws.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'db1',
        DBInstanceClass: 'db.t4g.micro',
        Engine: 'postgres',
        MasterUsername: 'app',
        MasterUserPassword: 'password1',
        AllocatedStorage: 20,
        MonitoringInterval: 60,
        MonitoringRoleArn: 'arn:aws:iam::123456789012:role/monitoring',
        EnablePerformanceInsights: true,
        PerformanceInsightsKMSKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k',
      }),
    );
    const { DBInstances } = await aws.rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'db1' }),
    );
    expect(DBInstances?.[0]).toMatchObject({
      MonitoringInterval: 60,
      MonitoringRoleArn: 'arn:aws:iam::123456789012:role/monitoring',
      PerformanceInsightsEnabled: true,
      PerformanceInsightsKMSKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k',
      PerformanceInsightsRetentionPeriod: 7,
    });
  });

  it('keeps Managed Prometheus keys, alert manager definitions and scrapers', async () => {
    const kmsKeyArn = 'arn:aws:kms:eu-west-1:123456789012:key/k';
    const { workspaceId, arn } = await aws.amp.send(
      new CreateWorkspaceCommand({ alias: 'w', kmsKeyArn }),
    );
    const workspace = await aws.amp.send(new DescribeWorkspaceCommand({ workspaceId }));
    expect(workspace.workspace?.kmsKeyArn).toBe(kmsKeyArn);

    const definition = 'alertmanager_config: |\n  route:\n    receiver: sns\n';
    await aws.amp.send(
      new CreateAlertManagerDefinitionCommand({
        workspaceId,
        data: new TextEncoder().encode(definition),
      }),
    );
    const read = await aws.amp.send(new DescribeAlertManagerDefinitionCommand({ workspaceId }));
    expect(new TextDecoder().decode(read.alertManagerDefinition?.data)).toBe(definition);
    await aws.amp.send(new DeleteAlertManagerDefinitionCommand({ workspaceId }));
    expect(
      await notFound(aws.amp.send(new DescribeAlertManagerDefinitionCommand({ workspaceId }))),
    ).toBe('ResourceNotFoundException');

    const { scraperId } = await aws.amp.send(
      new CreateScraperCommand({
        alias: 's',
        scrapeConfiguration: { configurationBlob: new TextEncoder().encode('global: {}\n') },
        source: {
          eksConfiguration: {
            clusterArn: 'arn:aws:eks:eu-west-1:123456789012:cluster/c1',
            subnetIds: ['subnet-1'],
            securityGroupIds: ['sg-1'],
          },
        },
        destination: { ampConfiguration: { workspaceArn: arn } },
      }),
    );
    const scraper = await aws.amp.send(new DescribeScraperCommand({ scraperId }));
    expect(scraper.scraper?.status?.statusCode).toBe('ACTIVE');
    expect(scraper.scraper?.source?.eksConfiguration?.securityGroupIds).toEqual(['sg-1']);
    await aws.amp.send(new DeleteScraperCommand({ scraperId }));
    expect(await notFound(aws.amp.send(new DescribeScraperCommand({ scraperId })))).toBe(
      'ResourceNotFoundException',
    );
  });
});
