import { Construct } from 'constructs';
import { AutoscalingAttachment } from '@cdktf/provider-aws/lib/autoscaling-attachment';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import type { IngressEndpoint } from './ingress-endpoint';
import { NameLimits, resourceName } from '../core/naming';
import { WebAcl } from './web-acl';
import { applyBucketBaseline, tlsOnlyStatements } from '../core/bucket-hardening';
import { awsAccount } from '../core/aws-account';

/** Tag value that marks a bucket as an ELB access-log bucket (SSE-S3 is the only option there). */
export const ELB_ACCESS_LOGS_DATA_CLASS = 'elb-access-logs';

export interface LoadBalancerProps {
  /** `<project>-<env>`, e.g. `hello-prod`. */
  readonly namePrefix: string;
  readonly vpcId: string;
  /** Public subnets (one per AZ) the internet-facing ALB lives in. */
  readonly publicSubnetIds: string[];
  /** Validated ACM certificate for `hostName` (use the validation's certificate ARN). */
  readonly certificateArn: string;
  /** Where the NGINX ingress controller listens: the target port and health path. */
  readonly ingress: IngressEndpoint;
  /** Security group of the EKS nodes; the ALB gets access to the NodePort on it. */
  readonly nodeSecurityGroupId: string;
  /** Auto scaling groups of the node groups; each one is attached to the target group. */
  readonly nodeGroupAsgNames: string[];
  /** Route 53 hosted zone of `hostName`. */
  readonly zoneId: string;
  /** Fully qualified app host name, e.g. `api.example.com`. */
  readonly hostName: string;
  /**
   * Refuse deletion of the ALB. Default: true. When false (dev) the access-log bucket is also
   * force-destroyable, so the environment can be torn down in one step.
   */
  readonly deletionProtection?: boolean;
  /** Attach a WAFv2 web ACL with AWS managed rules and a rate limit. Default: true. */
  readonly enableWaf?: boolean;
  /** Days to keep access logs. Default: 90. */
  readonly accessLogRetentionDays?: number;
  /** Days to keep WAF logs (CloudWatch). Default: 365, like every other log group. */
  readonly wafLogRetentionDays?: number;
  /** Serve IPv6 too (dual-stack ALB, AAAA record, ::/0 ingress). Default: false. */
  readonly dualStack?: boolean;
  /** TLS policy of the HTTPS listener. Default: `ELBSecurityPolicy-TLS13-1-2-2021-06` (TLS 1.2/1.3). */
  readonly sslPolicy?: string;
}

/**
 * The public HTTPS entry: an internet-facing ALB (TLS with the ACM certificate, HTTP redirected
 * to HTTPS, invalid headers dropped, access logs in a dedicated bucket, optional WAF) forwarding
 * to the NGINX ingress controller's NodePort on every node, plus the DNS alias for the app host.
 */
export class LoadBalancer extends Construct {
  public readonly albArn: string;
  /** `app/<name>/<id>`, the `LoadBalancer` dimension of CloudWatch metrics. */
  public readonly albArnSuffix: string;
  public readonly albDnsName: string;
  public readonly albZoneId: string;
  public readonly targetGroupArn: string;
  /** `targetgroup/<name>/<id>`, the `TargetGroup` dimension of CloudWatch metrics. */
  public readonly targetGroupArnSuffix: string;
  public readonly securityGroupId: string;
  public readonly accessLogBucketName: string;
  /** Set when `enableWaf` is true. */
  public readonly webAclArn?: string;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const { nodePort, healthPath } = props.ingress;
    const dualStack = props.dualStack ?? false;
    const deletionProtection = props.deletionProtection ?? true;
    const accountId = awsAccount(this).accountId;

    // --- Access-log bucket ------------------------------------------------------------------
    const bucket = new S3Bucket(this, 'access-logs', {
      // A prefix keeps the globally unique name from colliding with other accounts.
      bucketPrefix: `${resourceName(props.namePrefix, 'alb-logs', 36)}-`,
      forceDestroy: !deletionProtection,
      tags: { DataClass: ELB_ACCESS_LOGS_DATA_CLASS },
    });
    const publicAccessBlock = applyBucketBaseline(this, bucket, {
      publicAccessBlock: 'access-logs-public-access',
      ownership: 'access-logs-ownership',
      versioning: 'access-logs-versioning',
    });
    // ELB log delivery supports SSE-S3 only; SSE-KMS buckets silently receive no logs.
    new S3BucketServerSideEncryptionConfigurationA(this, 'access-logs-encryption', {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    const retentionDays = props.accessLogRetentionDays ?? 90;
    new S3BucketLifecycleConfiguration(this, 'access-logs-lifecycle', {
      bucket: bucket.id,
      rule: [
        {
          id: 'expire-access-logs',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          expiration: [{ days: retentionDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 7 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    const bucketPolicy = new S3BucketPolicy(this, 'access-logs-policy', {
      bucket: bucket.id,
      policy: new DataAwsIamPolicyDocument(this, 'access-logs-policy-document', {
        statement: [
          {
            sid: 'ElbLogDelivery',
            principals: [
              { type: 'Service', identifiers: ['logdelivery.elasticloadbalancing.amazonaws.com'] },
            ],
            actions: ['s3:PutObject'],
            resources: [`${bucket.arn}/AWSLogs/${accountId}/*`],
          },
          ...tlsOnlyStatements(bucket.arn),
        ],
      }).json,
      // S3 rejects policies while the public access block is being changed.
      dependsOn: [publicAccessBlock],
    });

    // --- Security groups --------------------------------------------------------------------
    const sgName = resourceName(props.namePrefix, 'alb', NameLimits.securityGroupName);
    const securityGroup = new SecurityGroup(this, 'security-group', {
      name: sgName,
      description: `ALB ${props.namePrefix}: HTTP/HTTPS from the internet, NodePort to the nodes`,
      vpcId: props.vpcId,
      tags: { Name: sgName },
    });
    const internetSources = [
      { key: 'ipv4', cidrIpv4: '0.0.0.0/0' },
      ...(dualStack ? [{ key: 'ipv6', cidrIpv6: '::/0' }] : []),
    ];
    for (const { key, ...source } of internetSources) {
      for (const port of [443, 80]) {
        new VpcSecurityGroupIngressRule(this, `ingress-${port}-${key}`, {
          securityGroupId: securityGroup.id,
          ...source,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          description:
            port === 443
              ? `HTTPS from the internet (${key})`
              : `HTTP from the internet (${key}), redirected to HTTPS`,
        });
      }
    }
    new VpcSecurityGroupEgressRule(this, 'egress-nodes', {
      securityGroupId: securityGroup.id,
      referencedSecurityGroupId: props.nodeSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: nodePort,
      toPort: nodePort,
      description: `Ingress controller NodePort ${nodePort} on the EKS nodes`,
    });
    new VpcSecurityGroupIngressRule(this, 'nodes-from-alb', {
      securityGroupId: props.nodeSecurityGroupId,
      referencedSecurityGroupId: securityGroup.id,
      ipProtocol: 'tcp',
      fromPort: nodePort,
      toPort: nodePort,
      description: `Ingress controller NodePort ${nodePort} from the ALB`,
    });

    // --- Load balancer ----------------------------------------------------------------------
    const alb = new Lb(this, 'alb', {
      name: resourceName(props.namePrefix, 'alb', NameLimits.albName),
      loadBalancerType: 'application',
      internal: false,
      ipAddressType: dualStack ? 'dualstack' : 'ipv4',
      securityGroups: [securityGroup.id],
      subnets: props.publicSubnetIds,
      dropInvalidHeaderFields: true,
      enableDeletionProtection: deletionProtection,
      accessLogs: { bucket: bucket.id, enabled: true },
      // ELB checks that it may write to the bucket when access logs are turned on.
      dependsOn: [bucketPolicy],
    });

    const targetGroup = new LbTargetGroup(this, 'ingress', {
      // The port is in the name so a NodePort change can create the new group before the old
      // one (still used by the listener) is destroyed.
      name: resourceName(props.namePrefix, `ingress-${nodePort}`, NameLimits.targetGroupName),
      targetType: 'instance',
      protocol: 'HTTP',
      port: nodePort,
      vpcId: props.vpcId,
      // Long enough for in-flight requests to finish when a node leaves; the API's own graceful
      // shutdown happens behind NGINX, per pod, independent of this.
      deregistrationDelay: '30',
      healthCheck: {
        enabled: true,
        protocol: 'HTTP',
        port: 'traffic-port',
        path: healthPath,
        matcher: '200',
        interval: 15,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
      lifecycle: { createBeforeDestroy: true },
    });
    props.nodeGroupAsgNames.forEach((autoscalingGroupName, index) => {
      new AutoscalingAttachment(this, `node-group-${index}`, {
        autoscalingGroupName,
        lbTargetGroupArn: targetGroup.arn,
      });
    });

    new LbListener(this, 'https', {
      loadBalancerArn: alb.arn,
      port: 443,
      protocol: 'HTTPS',
      certificateArn: props.certificateArn,
      sslPolicy: props.sslPolicy ?? 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      defaultAction: [{ type: 'forward', targetGroupArn: targetGroup.arn }],
    });
    new LbListener(this, 'http', {
      loadBalancerArn: alb.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [
        {
          type: 'redirect',
          redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' },
        },
      ],
    });

    // --- DNS --------------------------------------------------------------------------------
    for (const type of dualStack ? ['A', 'AAAA'] : ['A']) {
      new Route53Record(this, `alias-${type}`, {
        zoneId: props.zoneId,
        name: props.hostName,
        type,
        alias: { name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true },
      });
    }

    if (props.enableWaf ?? true) {
      this.webAclArn = new WebAcl(this, 'waf', {
        name: resourceName(props.namePrefix, 'alb', 128),
        resourceArn: alb.arn,
        logRetentionDays: props.wafLogRetentionDays,
      }).webAclArn;
    }

    this.albArn = alb.arn;
    this.albArnSuffix = alb.arnSuffix;
    this.albDnsName = alb.dnsName;
    this.albZoneId = alb.zoneId;
    this.targetGroupArn = targetGroup.arn;
    this.targetGroupArnSuffix = targetGroup.arnSuffix;
    this.securityGroupId = securityGroup.id;
    this.accessLogBucketName = bucket.bucket;
  }
}
