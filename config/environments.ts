import type { ProjectConfigInput } from './schema';

/**
 * The project's environments. Edit this file to deploy into your own account and domain; the
 * schema (./schema.ts) documents every field and its default, and `npm run synth` rejects a bad
 * edit with the field path and the reason before anything is built.
 */
/** The AWS CodeConnections connection to GitHub (created once in the console; see docs/deploying.md). */
const GITHUB_CONNECTION_ARN =
  'arn:aws:codeconnections:eu-west-1:111122223333:connection/6f1c2a8e-3b7d-4e59-9c0a-2d4f8e1b7a63';

export const projectConfig: ProjectConfigInput = {
  name: 'hello',
  repository: 'acme/hello-platform',
  bootstrap: {
    region: 'eu-west-1',
    stateBucketName: 'acme-hello-platform-tfstate',
    backend: { type: 'local' },
  },
  environments: {
    // Cheap and disposable: 2 AZs, one NAT gateway, Spot nodes, PostgreSQL inside the cluster.
    // Local backend: deployed from a laptop, so CI keeps it on GitHub-hosted runners (the default).
    dev: {
      region: 'eu-west-1',
      azCount: 2,
      network: { vpcCidr: '10.10.0.0/16', natMode: 'single' },
      dns: { domainName: 'example.com', appHost: 'hello-dev.example.com' },
      backend: { type: 'local' },
      tags: { CostCenter: 'platform-dev' },
      eks: {
        kubernetesVersion: '1.35',
        publicAccessCidrs: ['203.0.113.0/24'],
        deletionProtection: false,
        nodeGroups: [
          {
            name: 'general',
            instanceTypes: ['t3.large', 't3a.large'],
            capacityType: 'SPOT',
            minSize: 2,
            maxSize: 3,
            desiredSize: 2,
          },
        ],
      },
      database: { mode: 'in-cluster', instances: 1, storageGiB: 10 },
      ingress: { nodePort: 30080 },
      loadBalancer: { waf: false, deletionProtection: false },
      app: {
        replicas: { min: 2, max: 3 },
        resources: {
          requests: { cpu: '100m', memory: '128Mi' },
          limits: { cpu: '500m', memory: '256Mi' },
        },
        logLevel: 'debug',
      },
      monitoring: {
        alarmEmails: [],
        logRetentionDays: 30,
        managedPrometheus: false,
      },
    },
    // Production-like at small scale: RDS (single-AZ), WAF, managed Prometheus.
    staging: {
      region: 'eu-west-1',
      azCount: 2,
      network: { vpcCidr: '10.20.0.0/16', natMode: 'single' },
      dns: { domainName: 'example.com', appHost: 'hello-staging.example.com' },
      backend: { type: 's3' },
      tags: { CostCenter: 'platform-staging' },
      eks: {
        kubernetesVersion: '1.35',
        publicAccessCidrs: ['203.0.113.0/24'],
        nodeGroups: [
          { name: 'general', instanceTypes: ['m7i.large'], minSize: 2, maxSize: 4, desiredSize: 2 },
        ],
      },
      database: {
        mode: 'rds',
        engineMajorVersion: '17',
        instanceClass: 'db.t4g.small',
        multiAz: false,
        deletionProtection: false,
        skipFinalSnapshot: true,
        backupRetentionDays: 7,
      },
      ingress: { nodePort: 30080 },
      loadBalancer: { waf: true, deletionProtection: false },
      app: {
        replicas: { min: 2, max: 4 },
        resources: {
          requests: { cpu: '200m', memory: '192Mi' },
          limits: { cpu: '1', memory: '384Mi' },
        },
      },
      monitoring: {
        alarmEmails: ['platform-alerts@example.com'],
        logRetentionDays: 90,
        managedPrometheus: true,
      },
      // The public endpoint admits only 203.0.113.0/24, so CI runs inside the VPC. Replace the ARN
      // with your own connection's (docs/deploying.md, "Runners").
      ci: { runner: { type: 'codebuild', connectionArn: GITHUB_CONNECTION_ARN } },
    },
    // Production: 3 AZs, NAT per AZ, multi-AZ RDS with deletion protection, WAF, private API.
    prod: {
      region: 'eu-west-1',
      azCount: 3,
      network: { vpcCidr: '10.30.0.0/16', natMode: 'per-az' },
      dns: { domainName: 'example.com', appHost: 'hello.example.com' },
      backend: { type: 's3' },
      tags: { CostCenter: 'platform-prod' },
      eks: {
        kubernetesVersion: '1.35',
        publicAccessCidrs: [],
        nodeGroups: [
          { name: 'general', instanceTypes: ['m7i.large'], minSize: 3, maxSize: 6, desiredSize: 3 },
        ],
      },
      database: {
        mode: 'rds',
        engineMajorVersion: '17',
        instanceClass: 'db.m7g.large',
        allocatedStorageGiB: 50,
        maxAllocatedStorageGiB: 500,
        multiAz: true,
        deletionProtection: true,
        backupRetentionDays: 14,
      },
      ingress: { nodePort: 30080 },
      loadBalancer: { waf: true, deletionProtection: true },
      app: {
        replicas: { min: 3, max: 10 },
        resources: {
          requests: { cpu: '250m', memory: '256Mi' },
          limits: { cpu: '1', memory: '512Mi' },
        },
        drainDelaySeconds: 15,
        terminationGracePeriodSeconds: 45,
      },
      monitoring: {
        alarmEmails: ['platform-oncall@example.com'],
        logRetentionDays: 365,
        managedPrometheus: true,
      },
      // Private endpoint: CI runs inside the VPC.
      ci: { runner: { type: 'codebuild', connectionArn: GITHUB_CONNECTION_ARN } },
    },
  },
};
