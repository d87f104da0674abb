/** AWS SDK clients pointed at the emulator, with its fake credentials. */
import { ACMClient } from '@aws-sdk/client-acm';
import { AmpClient } from '@aws-sdk/client-amp';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EKSClient } from '@aws-sdk/client-eks';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { FAKE_CREDENTIALS } from './terraform-cli';

export interface RegionClients {
  readonly acm: ACMClient;
  readonly amp: AmpClient;
  readonly cloudwatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly ec2: EC2Client;
  readonly ecr: ECRClient;
  readonly eks: EKSClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly iam: IAMClient;
  readonly kms: KMSClient;
  readonly rds: RDSClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly route53: Route53Client;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly wafv2: WAFV2Client;
}

/** Clients for one emulator, created lazily per region. */
export class EmulatorClients {
  private readonly byRegion = new Map<string, RegionClients>();

  constructor(private readonly endpoint: string) {}

  region(region: string): RegionClients {
    let clients = this.byRegion.get(region);
    if (!clients) {
      const config = {
        region,
        endpoint: this.endpoint,
        credentials: {
          accessKeyId: FAKE_CREDENTIALS.AWS_ACCESS_KEY_ID,
          secretAccessKey: FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
        },
        maxAttempts: 2,
      };
      clients = {
        acm: new ACMClient(config),
        amp: new AmpClient(config),
        cloudwatch: new CloudWatchClient(config),
        logs: new CloudWatchLogsClient(config),
        ec2: new EC2Client(config),
        ecr: new ECRClient(config),
        eks: new EKSClient(config),
        elbv2: new ElasticLoadBalancingV2Client(config),
        iam: new IAMClient(config),
        kms: new KMSClient(config),
        rds: new RDSClient(config),
        tagging: new ResourceGroupsTaggingAPIClient(config),
        route53: new Route53Client(config),
        s3: new S3Client({ ...config, forcePathStyle: true }),
        sns: new SNSClient(config),
        wafv2: new WAFV2Client(config),
      };
      this.byRegion.set(region, clients);
    }
    return clients;
  }

  destroy(): void {
    for (const clients of this.byRegion.values()) {
      for (const client of Object.values(clients)) (client as { destroy(): void }).destroy();
    }
    this.byRegion.clear();
  }
}
