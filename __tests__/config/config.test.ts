import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ProjectConfigError,
  environmentsOf,
  loadConfig,
  selectEnvironments,
  type ProjectConfigInput,
} from '../../config';
import { projectConfig } from '../../config/environments';

// Tests edit the config loosely on purpose (wrong types included), as a person editing it might.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LooseConfig = Omit<ProjectConfigInput, 'environments'> & { environments: Record<string, any> };

/** A deep copy of the repository's config, changed by `edit`. */
function configWith(edit: (config: LooseConfig) => void): unknown {
  const copy = structuredClone(projectConfig) as LooseConfig;
  edit(copy);
  return copy;
}

/** The issues loadConfig reports for a config, as `path: message` lines. */
function issuesOf(input: unknown): string[] {
  try {
    loadConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ProjectConfigError);
    return (error as ProjectConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the config to be rejected');
}

describe('the repository config', () => {
  it('is valid and defines dev, staging and prod', () => {
    const config = loadConfig();
    expect(environmentsOf(config).map((env) => env.name)).toEqual(['dev', 'staging', 'prod']);
  });

  it('fills documented defaults', () => {
    const config = loadConfig();
    expect(config.environments.dev!.app.namespace).toBe('sample-app');
    expect(config.environments.dev!.app.timezone).toBe('UTC');
    expect(config.environments.prod!.monitoring.thresholds.targetP99Seconds).toBe(1);
    expect(config.environments.dev!.backend).toEqual({ type: 'local' });
  });

  it('is production-grade for prod and cheap for dev', () => {
    const { dev, prod } = loadConfig().environments;
    expect(prod).toMatchObject({ azCount: 3, network: { natMode: 'per-az' } });
    expect(prod!.database).toMatchObject({ mode: 'rds', multiAz: true, deletionProtection: true });
    expect(dev).toMatchObject({
      azCount: 2,
      network: { natMode: 'single' },
      database: { mode: 'in-cluster' },
    });
  });
});

describe('config validation reports every problem by field path', () => {
  it('rejects an AZ count out of range', () => {
    expect(issuesOf(configWith((c) => (c.environments.dev.azCount = 4)))).toEqual([
      'environments.dev.azCount: must be 2 or 3',
    ]);
  });

  it('rejects a malformed domain and a host outside the zone', () => {
    expect(
      issuesOf(configWith((c) => (c.environments.dev.dns.domainName = 'Not A Domain'))),
    ).toEqual([
      expect.stringMatching(/^environments\.dev\.dns\.domainName: must be a lower-case DNS name/),
    ]);
    expect(
      issuesOf(configWith((c) => (c.environments.dev.dns.appHost = 'hello.example.org'))),
    ).toEqual([
      'environments.dev.dns.appHost: "hello.example.org" is not inside the zone "example.com"',
    ]);
  });

  it('rejects overlapping VPC CIDRs between environments', () => {
    expect(
      issuesOf(configWith((c) => (c.environments.prod.network.vpcCidr = '10.10.128.0/17'))),
    ).toEqual([
      'environments.prod.network.vpcCidr: 10.10.128.0/17 overlaps environments.dev.network.vpcCidr (10.10.0.0/16)',
    ]);
  });

  it('rejects malformed CIDRs, host bits, public ranges and sizes that leave no room for subnets', () => {
    expect(issuesOf(configWith((c) => (c.environments.dev.network.vpcCidr = '10.10.0.0')))).toEqual(
      ['environments.dev.network.vpcCidr: invalid IPv4 CIDR "10.10.0.0"'],
    );
    expect(
      issuesOf(configWith((c) => (c.environments.dev.network.vpcCidr = '10.10.0.1/16')))[0],
    ).toMatch(/^environments\.dev\.network\.vpcCidr: CIDR "10\.10\.0\.1\/16" has host bits set/);
    expect(
      issuesOf(configWith((c) => (c.environments.dev.network.vpcCidr = '8.8.0.0/16'))),
    ).toEqual([
      'environments.dev.network.vpcCidr: must be inside a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)',
    ]);
    expect(
      issuesOf(configWith((c) => (c.environments.dev.network.vpcCidr = '10.10.0.0/24'))),
    ).toEqual([
      'environments.dev.network.vpcCidr: prefix /24 must be between /16 and /20 (room for 3 tiers × 2 AZs)',
    ]);
  });

  it('rejects node group sizes out of order and duplicate names', () => {
    const issues = issuesOf(
      configWith((c) => {
        const group = c.environments.dev.eks.nodeGroups[0];
        c.environments.dev.eks.nodeGroups = [{ ...group, desiredSize: 5 }, { ...group }];
      }),
    );
    expect(issues).toEqual([
      'environments.dev.eks.nodeGroups.0.desiredSize: must satisfy minSize (2) <= desiredSize (5) <= maxSize (3)',
    ]);
    expect(
      issuesOf(
        configWith((c) => {
          const group = c.environments.dev.eks.nodeGroups[0];
          c.environments.dev.eks.nodeGroups = [group, { ...group }];
        }),
      ),
    ).toEqual(['environments.dev.eks.nodeGroups.1.name: duplicate node group name "general"']);
  });

  it('enforces prod invariants', () => {
    const issues = issuesOf(
      configWith((c) => {
        c.environments.prod.network.natMode = 'single';
        c.environments.prod.database.multiAz = false;
        c.environments.prod.eks.publicAccessCidrs = ['0.0.0.0/0'];
        c.environments.prod.loadBalancer.waf = false;
      }),
    );
    expect(issues).toEqual([
      'environments.prod.network.natMode: prod needs a NAT gateway per AZ ("per-az")',
      'environments.prod.eks.publicAccessCidrs: prod must not expose the Kubernetes API to 0.0.0.0/0',
      'environments.prod.database.multiAz: prod database must be multi-AZ',
      'environments.prod.loadBalancer.waf: prod load balancer must have WAF',
    ]);
    expect(
      issuesOf(configWith((c) => (c.environments.prod.database = { mode: 'in-cluster' }))),
    ).toEqual([
      'environments.prod.database.mode: prod must use "rds" (managed, multi-AZ, backed up)',
    ]);
  });

  it('keeps prod automated backups after deletion', () => {
    expect(
      issuesOf(configWith((c) => (c.environments.prod.database.deleteAutomatedBackups = true))),
    ).toEqual([
      'environments.prod.database.deleteAutomatedBackups: prod database must keep its automated backups after deletion',
    ]);
    expect(loadConfig().environments.prod!.database).toMatchObject({
      deleteAutomatedBackups: false,
    });
  });

  it('adds up the NAT gateways of one account and region against the Elastic IP quota', () => {
    // dev (1) + staging (1) + prod (3) = 5: exactly the default quota.
    expect(loadConfig().quotas.elasticIpsPerRegion).toBe(5);
    expect(
      issuesOf(configWith((c) => (c.environments.staging.network.natMode = 'per-az'))),
    ).toEqual([
      'environments.prod.network.natMode: the NAT gateways of dev (1), staging (2), prod (3) in the deploying account eu-west-1 need 6 Elastic IPs, over the quota of 5 (quotas.elasticIpsPerRegion): request an increase of Service Quotas code L-0263D0A3 and raise quotas.elasticIpsPerRegion, use natMode "single" outside prod, or move an environment to another region or account',
    ]);
    // A raised quota, another region or another account each make room.
    const raised = configWith((c) => {
      c.environments.staging.network.natMode = 'per-az';
      c.quotas = { elasticIpsPerRegion: 6 };
    });
    expect(() => loadConfig(raised)).not.toThrow();
    const moved = configWith((c) => {
      c.environments.staging.network.natMode = 'per-az';
      c.environments.staging.region = 'eu-central-1';
    });
    expect(() => loadConfig(moved)).not.toThrow();
    const otherAccount = configWith((c) => {
      c.environments.staging.network.natMode = 'per-az';
      c.environments.staging.accountId = '222233334444';
      // Its CI runner's GitHub connection lives in that account too.
      c.environments.staging.ci = {
        runner: {
          type: 'codebuild',
          connectionArn:
            'arn:aws:codeconnections:eu-west-1:222233334444:connection/00000000-0000-0000-0000-000000000000',
        },
      };
    });
    expect(() => loadConfig(otherAccount)).not.toThrow();
    expect(issuesOf(configWith((c) => (c.quotas = { elasticIpsPerRegion: 4 })))).toEqual([
      expect.stringMatching(
        /^environments\.prod\.network\.natMode: .* need 5 Elastic IPs, over the quota of 4/,
      ),
    ]);
  });

  it('has no image tag to fall back on: the deployed tag comes only from image_tag', () => {
    const { app } = loadConfig().environments.dev!;
    expect(Object.keys(app)).toContain('replicas');
    expect('imageTag' in app).toBe(false);
  });

  it('rejects bad values of many kinds at once, all listed', () => {
    const issues = issuesOf(
      configWith((c) => {
        c.environments.dev.region = 'mars-1';
        c.environments.dev.app.replicas.min = 1;
        c.environments.dev.app.timezone = 'Mars/Olympus';
        c.environments.dev.monitoring.alarmEmails = ['not-an-email'];
        c.environments.dev.monitoring.logRetentionDays = 42;
        c.environments.dev.eks.kubernetesVersion = '1.20';
        c.environments.dev.backend = { type: 'cloud' };
      }),
    );
    expect(issues).toHaveLength(7);
    expect(issues).toEqual(
      expect.arrayContaining([
        'environments.dev.region: must be an AWS region like "eu-west-1"',
        'environments.dev.app.replicas.min: must be at least 2 (one pod per zone survives a zone loss)',
        'environments.dev.app.timezone: must be an IANA time zone like "Europe/Paris"',
        'environments.dev.monitoring.alarmEmails.0: must be an e-mail address',
        expect.stringMatching(
          /^environments\.dev\.monitoring\.logRetentionDays: must be one of CloudWatch's retention values/,
        ),
        expect.stringMatching(/^environments\.dev\.eks\.kubernetesVersion: /),
        expect.stringMatching(/^environments\.dev\.backend\.organization: /),
      ]),
    );
  });

  it('accepts only an OTLP/HTTP collector URL for traces', () => {
    expect(
      issuesOf(
        configWith((c) => (c.environments.dev.monitoring.otelEndpoint = 'ftp://collector:4318')),
      ),
    ).toEqual([
      'environments.dev.monitoring.otelEndpoint: must be an http(s) URL of an OTLP/HTTP collector, e.g. http://collector:4318',
    ]);
    expect(
      issuesOf(
        configWith((c) => (c.environments.dev.monitoring.otelEndpoint = 'http://collector:4317')),
      ),
    ).toEqual([
      'environments.dev.monitoring.otelEndpoint: port 4317 is OTLP/gRPC; the API exports OTLP/HTTP (usually :4318)',
    ]);
    expect(() =>
      loadConfig(
        configWith((c) => (c.environments.dev.monitoring.otelEndpoint = 'http://collector:4318')),
      ),
    ).not.toThrow();
  });

  it('checks explicit availability zones against the region and the AZ count', () => {
    expect(
      issuesOf(
        configWith(
          (c) =>
            (c.environments.dev.availabilityZones = ['eu-west-1a', 'us-east-1b', 'eu-west-1c']),
        ),
      ),
    ).toEqual([
      'environments.dev.availabilityZones: lists 3 zones but azCount is 2',
      'environments.dev.availabilityZones.1: "us-east-1b" is not in region eu-west-1',
    ]);
  });

  it('requires the grace period to cover the drain delay', () => {
    expect(
      issuesOf(
        configWith((c) => {
          c.environments.dev.app.drainDelaySeconds = 30;
          c.environments.dev.app.terminationGracePeriodSeconds = 20;
        }),
      ),
    ).toEqual([
      'environments.dev.app.terminationGracePeriodSeconds: must be at least 2 × drainDelaySeconds + 5 (65) so in-flight requests can finish',
    ]);
  });

  it('owns the limits the release builder relies on: a drain of 1 s or more, 2+ replicas, max ≥ min', () => {
    expect(
      issuesOf(
        configWith((c) => {
          c.environments.dev.app.drainDelaySeconds = 0;
          c.environments.staging.app.replicas.min = 1;
        }),
      ),
    ).toEqual([
      'environments.dev.app.drainDelaySeconds: Too small: expected number to be >=1',
      'environments.staging.app.replicas.min: must be at least 2 (one pod per zone survives a zone loss)',
    ]);
    expect(issuesOf(configWith((c) => (c.environments.prod.app.replicas.max = 2)))).toEqual([
      'environments.prod.app.replicas.max: must be >= replicas.min (3)',
    ]);
  });
});

describe('CI runners and accounts', () => {
  it('keeps dev on GitHub-hosted runners and staging/prod on CodeBuild runners', () => {
    const { dev, staging, prod } = loadConfig().environments;
    expect(dev!.ci.runner).toEqual({ type: 'github-hosted', label: 'ubuntu-24.04' });
    expect(staging!.ci.runner).toMatchObject({
      type: 'codebuild',
      computeType: 'BUILD_GENERAL1_MEDIUM',
    });
    expect(prod!.ci.runner.type).toBe('codebuild');
  });

  it('requires a runner that can reach the endpoint once CI deploys the environment', () => {
    // dev on the local backend is never applied by CI; on s3 it would be.
    expect(issuesOf(configWith((c) => (c.environments.dev.backend = { type: 's3' })))).toEqual([
      'environments.dev.ci.runner: GitHub-hosted runners cannot reach a Kubernetes API endpoint open only to 203.0.113.0/24: use { type: "codebuild", connectionArn } (a runner inside the VPC)',
    ]);
    // An endpoint open to the internet (never allowed in prod) is reachable from hosted runners.
    expect(() =>
      loadConfig(
        configWith((c) => {
          c.environments.dev.backend = { type: 's3' };
          c.environments.dev.eks.publicAccessCidrs = ['0.0.0.0/0'];
        }),
      ),
    ).not.toThrow();
  });

  it('rejects a malformed connection ARN and an unknown compute type', () => {
    expect(
      issuesOf(
        configWith((c) => {
          c.environments.prod.ci.runner.connectionArn = 'arn:aws:iam::111122223333:role/x';
          c.environments.staging.ci.runner.computeType = 'BUILD_GENERAL1_HUGE';
        }),
      ),
    ).toEqual([
      expect.stringMatching(/^environments\.staging\.ci\.runner\.computeType: /),
      'environments.prod.ci.runner.connectionArn: must be the ARN of an AWS CodeConnections connection to GitHub',
    ]);
  });

  it('keeps every environment in the bootstrap account (no separate-account environments)', () => {
    expect(
      issuesOf(
        configWith((c) => {
          c.bootstrap.accountId = '111122223333';
          c.environments.prod.accountId = '444455556666';
        }),
      ),
    ).toEqual([
      'environments.prod.accountId: must equal bootstrap.accountId (111122223333): the image registry and the GitHub roles live in the bootstrap account, so every environment deploys into it',
      "environments.prod.ci.runner.connectionArn: is in account 111122223333, not the environment's account 444455556666",
    ]);
    expect(() =>
      loadConfig(
        configWith((c) => {
          c.bootstrap.accountId = '111122223333';
          c.environments.prod.accountId = '111122223333';
        }),
      ),
    ).not.toThrow();
  });
});

describe('selecting environments', () => {
  const config = loadConfig();

  it('selects all by default and a subset from STACK_ENVS', () => {
    expect(selectEnvironments(config, undefined).map((env) => env.name)).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
    expect(selectEnvironments(config, 'prod, dev').map((env) => env.name)).toEqual(['dev', 'prod']);
  });

  it('rejects unknown names', () => {
    expect(() => selectEnvironments(config, 'dev,qa')).toThrow(
      'STACK_ENVS: unknown environment "qa" (configured: dev, staging, prod)',
    );
  });

  it('fails synth before any construct is created', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'synth-'));
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, STACK_ENVS: 'qa', CDKTF_OUTDIR: path.join(outdir, 'out') },
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('STACK_ENVS: unknown environment "qa"');
      expect(existsSync(path.join(outdir, 'out'))).toBe(false);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
