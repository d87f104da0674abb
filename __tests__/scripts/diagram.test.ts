import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as prettier from 'prettier';
import { DEFAULT_OUTPUT, generate, outdatedFiles, README_PATH } from '../../scripts/diagram';
import { describeModule } from '../../scripts/diagram/describe';
import {
  drawnEdges,
  README_END,
  README_START,
  readmeSection,
  readmeSectionOf,
  spliceReadme,
  toMermaid,
} from '../../scripts/diagram/mermaid';
import { buildModel, USER_NODE_ID, type DiagramModel } from '../../scripts/diagram/model';
import { renderMermaid } from '../../scripts/diagram/render';
import {
  isOlderThanCode,
  loadSynthOutput,
  readSynthOutput,
  REPO_ROOT,
  synthesizeInProcess,
  type SynthOutput,
} from '../../scripts/diagram/synth-output';
import { itemsOf } from '../../scripts/diagram/terraform-items';
import type { TerraformJson } from '../../policy/types';

type Blocks = Record<string, Record<string, Record<string, unknown>>>;

/** Gives every item the construct path cdktf would record (`<stack>/<path>`). */
function located(stack: string, blocks: Record<string, Record<string, [string, object]>>): Blocks {
  const result: Blocks = {};
  for (const [type, byName] of Object.entries(blocks)) {
    result[type] = {};
    for (const [name, [constructPath, config]] of Object.entries(byName)) {
      result[type][name] = { '//': { metadata: { path: `${stack}/${constructPath}` } }, ...config };
    }
  }
  return result;
}

/**
 * A small platform with the whole traffic path: alias record → ALB → target group on 30080 →
 * ingress release with NodePort 30080 → app release behind class `nginx` → RDS read through a
 * remote-state output. Module names deliberately differ from ours: nothing may depend on them.
 */
function fixture(): SynthOutput {
  const infra: TerraformJson & { '//': { modules: Record<string, string> } } = {
    // The domain (modules/ folder) of each top-level module, as ProjectStack records it.
    '//': {
      modules: {
        net: 'network',
        'edge-dns': 'network',
        cert: 'network',
        front: 'edge',
        sql: 'data',
        alerts: 'observability',
        pager: 'observability',
        watch: 'observability',
      },
    },
    data: located('prod-infra', {
      aws_route53_zone: { zone: ['edge-dns/zone', { name: 'example.org' }] },
      aws_caller_identity: { caller: ['caller', {}] },
    }),
    resource: located('prod-infra', {
      aws_vpc: { vpc: ['net/vpc', { cidr_block: '10.9.0.0/16' }] },
      aws_subnet: {
        a: ['net/public-0', { availability_zone: 'x-1a', vpc_id: '${aws_vpc.vpc.id}' }],
        b: ['net/public-1', { availability_zone: 'x-1b', vpc_id: '${aws_vpc.vpc.id}' }],
      },
      aws_route_table: { rt: ['net/rt', { vpc_id: '${aws_vpc.vpc.id}' }] },
      aws_lb: {
        lb: ['front/lb', { load_balancer_type: 'application', subnets: ['${aws_subnet.a.id}'] }],
      },
      aws_lb_target_group: { tg: ['front/tg', { port: 30080, target_type: 'instance' }] },
      aws_lb_listener: {
        https: [
          'front/https',
          {
            load_balancer_arn: '${aws_lb.lb.arn}',
            port: 443,
            protocol: 'HTTPS',
            certificate_arn: '${aws_acm_certificate.cert.arn}',
            default_action: [
              { type: 'forward', target_group_arn: '${aws_lb_target_group.tg.arn}' },
            ],
          },
        ],
      },
      aws_route53_record: {
        validation: [
          'cert/validation',
          {
            name: '${each.value.name}',
            for_each:
              '${{ for o in aws_acm_certificate.cert.domain_validation_options : o.domain_name => o }}',
            zone_id: '${data.aws_route53_zone.zone.zone_id}',
          },
        ],
        alias: [
          'front/alias',
          {
            name: 'www.example.org',
            type: 'A',
            zone_id: '${data.aws_route53_zone.zone.zone_id}',
            alias: { name: '${aws_lb.lb.dns_name}', zone_id: '${aws_lb.lb.zone_id}' },
          },
        ],
      },
      aws_acm_certificate: {
        cert: ['cert/certificate', { domain_name: 'www.example.org', validation_method: 'DNS' }],
      },
      aws_cloudwatch_metric_alarm: {
        errors: [
          'alerts/errors',
          {
            dimensions: { LoadBalancer: '${aws_lb.lb.arn_suffix}' },
            alarm_actions: ['${aws_sns_topic.pager.arn}'],
          },
        ],
      },
      aws_sns_topic: { pager: ['pager/topic', { name: 'pager' }] },
      aws_db_instance: {
        db: [
          'sql/instance',
          {
            engine: 'postgres',
            engine_version: '17.2',
            multi_az: true,
            instance_class: 'db.t4g.small',
            allocated_storage: 20,
            vpc_security_group_ids: ['${aws_vpc.vpc.default_security_group_id}'],
          },
        ],
      },
      aws_cloudwatch_metric_stream: {
        one: ['watch/one', {}],
        two: ['watch/two', {}],
      },
    }),
    output: {
      'cross-stack-output-aws_db_instancedbaddress': { value: '${aws_db_instance.db.address}' },
    },
  };
  const dbHost =
    '${data.terraform_remote_state.cross-stack-reference-input-prod-infra.outputs.cross-stack-output-aws_db_instancedbaddress}';
  const workloads: TerraformJson = {
    data: {
      terraform_remote_state: { 'cross-stack-reference-input-prod-infra': { backend: 'local' } },
    },
    resource: located('prod-workloads', {
      helm_release: {
        edge: [
          'edge-proxy/release',
          {
            name: 'edge',
            repository: 'oci://ghcr.io/nginx/charts',
            chart: 'nginx-ingress',
            version: '2.7.2',
            values: [
              JSON.stringify({
                controller: {
                  replicaCount: 2,
                  ingressClass: { name: 'nginx', create: true },
                  service: { type: 'NodePort', httpPort: { nodePort: 30080 } },
                },
              }),
            ],
          },
        ],
        web: [
          'web/release',
          {
            name: 'web',
            repository: 'https://stakater.github.io/stakater-charts',
            chart: 'application',
            version: '9.2.0',
            values: [
              JSON.stringify({
                deployment: { env: { DB_HOST: { value: dbHost } } },
                autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 10 },
                ingress: { enabled: true, ingressClassName: 'nginx' },
              }),
            ],
          },
        ],
      },
    }),
  };
  return {
    source: 'fixture',
    stacks: [
      { name: 'prod-infra', environment: 'prod', dependencies: [], json: infra },
      {
        name: 'prod-workloads',
        environment: 'prod',
        dependencies: ['prod-infra'],
        json: workloads,
      },
    ],
  };
}

const allNodes = (model: DiagramModel) => model.stacks.flatMap((stack) => stack.nodes);
const node = (model: DiagramModel, id: string) => {
  const found = allNodes(model).find((candidate) => candidate.id === id);
  if (!found)
    throw new Error(
      `no node ${id} (have ${allNodes(model)
        .map((n) => n.id)
        .join(', ')})`,
    );
  return found;
};

describe('diagram model on a synthetic platform', () => {
  const model = buildModel(fixture(), 'prod');

  it('has one node per module named after its construct path, data on the stack folded away', () => {
    expect(model.stacks.map((stack) => stack.name)).toEqual(['prod-infra', 'prod-workloads']);
    expect(model.stacks[0]?.nodes.map((entry) => entry.id)).toEqual([
      'prod_infra__alerts',
      'prod_infra__cert',
      'prod_infra__edge_dns',
      'prod_infra__front',
      'prod_infra__net',
      'prod_infra__pager',
      'prod_infra__sql',
      'prod_infra__watch',
    ]);
    expect(model.stacks[1]?.nodes.map((entry) => entry.module)).toEqual(['edge-proxy', 'web']);
  });

  it('labels modules with their main resources in plain words, minor ones folded', () => {
    expect(node(model, 'prod_infra__net').lines).toEqual([
      'VPC 10.9.0.0/16, 2 AZs, no NAT',
      'subnets: public',
    ]);
    expect(node(model, 'prod_infra__sql').lines[0]).toBe('RDS PostgreSQL 17, multi-AZ');
    expect(node(model, 'prod_infra__front').lines[0]).toBe('ALB :443 (ACM)');
    expect(node(model, 'prod_infra__front').lines).toContain('DNS alias www.example.org');
    expect(node(model, 'prod_workloads__edge_proxy').lines).toEqual([
      'NGINX ingress, 2 pods, NodePort 30080',
      'nginx/nginx-ingress 2.7.2',
    ]);
    expect(node(model, 'prod_workloads__web').lines).toEqual([
      'web, 3-10 pods',
      'stakater/application 9.2.0',
    ]);
    // A type no describer knows is still counted rather than dropped.
    expect(node(model, 'prod_infra__watch').lines).toEqual(['2 × cloudwatch metric stream']);
  });

  it('derives the traffic path from resource types: DNS → ALB → ingress → app → database', () => {
    expect(model.trafficPath).toEqual([
      USER_NODE_ID,
      'prod_infra__edge_dns',
      'prod_infra__front',
      'prod_workloads__edge_proxy',
      'prod_workloads__web',
      'prod_infra__sql',
    ]);
    const traffic = model.edges.filter((edge) => edge.kind === 'traffic');
    expect(traffic.map((edge) => edge.label)).toEqual([
      'https://www.example.org',
      'alias',
      'HTTP NodePort 30080',
      'Ingress',
      'PostgreSQL',
    ]);
    // Traffic edges come first so their linkStyle indexes are 0..n-1.
    expect(model.edges.slice(0, traffic.length)).toEqual(traffic);
  });

  it('draws references between modules and across stacks, deduplicated, without self-edges', () => {
    const pairs = model.edges.map((edge) => `${edge.from}->${edge.to}:${edge.kind}`);
    expect(pairs).toContain('prod_infra__front->prod_infra__net:reference');
    expect(pairs).toContain('prod_infra__sql->prod_infra__net:reference');
    expect(new Set(pairs.map((pair) => pair.split(':')[0])).size).toBe(pairs.length);
    expect(model.edges.every((edge) => edge.from !== edge.to)).toBe(true);
    // The remote-state read of the database address is the app → database hop, not a second edge.
    expect(pairs.filter((pair) => pair.startsWith('prod_workloads__web->prod_infra__sql'))).toEqual(
      ['prod_workloads__web->prod_infra__sql:traffic'],
    );
  });

  it('maps a remote-state output back to the producing module', () => {
    const output = fixture();
    const infra = output.stacks[0]!;
    const workloads = output.stacks[1]!;
    const json: TerraformJson = {
      ...workloads.json,
      resource: {
        ...workloads.json.resource,
        ...located('prod-workloads', {
          kubernetes_config_map_v1: {
            settings: [
              'settings/config-map',
              {
                data: {
                  db: '${data.terraform_remote_state.cross-stack-reference-input-prod-infra.outputs.cross-stack-output-aws_db_instancedbaddress}',
                },
              },
            ],
          },
        }),
      },
    };
    const withConfigMap = buildModel(
      { source: 'fixture', stacks: [infra, { ...workloads, json }] },
      'prod',
    );
    expect(withConfigMap.edges).toContainEqual({
      from: 'prod_workloads__settings',
      to: 'prod_infra__sql',
      kind: 'cross-stack',
    });
  });

  it('boxes the modules of the observability domain, as the stack records it', () => {
    expect(model.stacks[0]?.groups).toEqual([
      {
        id: 'prod_infra___observability',
        title: 'observability',
        nodes: ['prod_infra__alerts', 'prod_infra__pager', 'prod_infra__watch'],
      },
    ]);
    expect(model.stacks[1]?.groups).toEqual([]);

    // The recorded domain decides, not the resource types: the same alarms filed under `edge`
    // leave the box (which then holds too few modules to be drawn).
    const output = fixture();
    const infra = output.stacks[0]!.json as { '//': { modules: Record<string, string> } };
    infra['//'].modules.alerts = 'edge';
    infra['//'].modules.pager = 'edge';
    expect(buildModel(output, 'prod').stacks[0]?.groups).toEqual([]);
  });

  it('draws what the box watches from the watched module, and cycle-closing references turned', () => {
    const drawn = drawnEdges(model);
    // alerts → front (the alarm's dimension) becomes one faint line from the ALB to the box.
    expect(drawn).toContainEqual({
      from: 'prod_infra__front',
      to: 'prod_infra___observability',
      style: 'watch',
      label: undefined,
    });
    expect(
      drawn.some((edge) => edge.from === 'prod_infra__alerts' && edge.to === 'prod_infra__front'),
    ).toBe(false);
    // Inside the box the real reference stays.
    expect(drawn).toContainEqual({
      from: 'prod_infra__alerts',
      to: 'prod_infra__pager',
      style: 'reference',
      label: undefined,
    });
    // cert → edge-dns closes a cycle with edge-dns ==> front → cert: drawn from the zone down.
    expect(drawn).toContainEqual({
      from: 'prod_infra__edge_dns',
      to: 'prod_infra__cert',
      style: 'against-flow',
      label: undefined,
    });
    expect(drawn).toContainEqual({
      from: 'prod_infra__front',
      to: 'prod_infra__cert',
      style: 'reference',
      label: undefined,
    });
  });

  it('writes a Mermaid flowchart with subgraphs, thick traffic edges and a highlight class', () => {
    const text = toMermaid(model);
    expect(text.startsWith('flowchart TB\n')).toBe(true);
    expect(text).toContain('subgraph prod_infra["prod-infra (environment prod)"]');
    expect(text).toContain(
      'prod_infra__front ==>|"HTTP NodePort 30080"| prod_workloads__edge_proxy',
    );
    expect(text).toContain('prod_infra__front --> prod_infra__net');
    expect(text).toMatch(/class user,prod_infra__edge_dns,.*prod_infra__sql traffic/);
    expect(text).toContain('linkStyle 0,1,2,3,4 ');
    expect(text).toContain(
      '    subgraph prod_infra___observability["observability"]\n      prod_infra__alerts[',
    );
    expect(text).toContain('prod_infra__edge_dns --- prod_infra__cert');
    expect(text).toContain('prod_infra__front -.- prod_infra___observability');
    expect(toMermaid(buildModel(fixture(), 'prod'))).toBe(text);
  });

  it('rejects an environment that was not synthesized', () => {
    expect(() => buildModel(fixture(), 'staging')).toThrow(/no stacks for environment "staging"/);
  });
});

describe('module labels', () => {
  const items = (blocks: Record<string, Record<string, [string, object]>>) =>
    itemsOf('s', { resource: located('s', blocks) });

  it('describes an EKS cluster with its node groups and an ECR repository', () => {
    expect(
      describeModule(
        items({
          aws_eks_cluster: {
            c: ['k/cluster', { version: '1.33', vpc_config: { endpoint_public_access: false } }],
          },
          aws_eks_node_group: {
            g: [
              'k/group',
              {
                instance_types: ['m7g.large'],
                scaling_config: { desired_size: 3, min_size: 3, max_size: 6 },
              },
            ],
          },
          aws_kms_key: { k: ['k/key', {}] },
        }),
      ),
    ).toEqual(['EKS 1.33, 3 × m7g.large (max 6)', 'private API', '1 KMS key']);
    expect(
      describeModule(
        items({
          aws_ecr_repository: {
            r: [
              'ecr/repository',
              {
                name: 'team/api',
                image_tag_mutability: 'MUTABLE',
                image_scanning_configuration: { scan_on_push: true },
              },
            ],
          },
        }),
      ),
    ).toEqual(['ECR team/api (scan on push)']);
  });

  it('describes an in-cluster CloudNativePG database by its releases', () => {
    const repository = 'https://cloudnative-pg.github.io/charts';
    expect(
      describeModule(
        items({
          helm_release: {
            operator: [
              'pg/operator',
              {
                repository,
                chart: 'cloudnative-pg',
                version: '0.28.2',
                values: [JSON.stringify({ replicaCount: 1 })],
              },
            ],
            cluster: [
              'pg/cluster',
              {
                repository,
                chart: 'cluster',
                version: '0.6.0',
                values: [
                  JSON.stringify({
                    type: 'postgresql',
                    version: { postgresql: '17' },
                    cluster: { instances: 3 },
                  }),
                ],
              },
            ],
          },
        }),
      ),
    ).toEqual([
      'PostgreSQL 17 (CloudNativePG), 3 instances',
      'cloudnative-pg/cluster 0.6.0',
      'CloudNativePG operator, 1 pod',
      'cloudnative-pg/cloudnative-pg 0.28.2',
    ]);
  });

  it('names what a module of plumbing only is made of', () => {
    expect(
      describeModule(
        items({ aws_vpc_security_group_ingress_rule: { a: ['rules/a', {}], b: ['rules/b', {}] } }),
      ),
    ).toEqual(['2 × vpc security group ingress rule']);
  });
});

describe('reading synthesized output', () => {
  function outDir(stacks: Record<string, string[]>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'diagram-out-'));
    const manifest: { stacks: Record<string, object> } = { stacks: {} };
    for (const [name, dependencies] of Object.entries(stacks)) {
      mkdirSync(path.join(dir, 'stacks', name), { recursive: true });
      writeFileSync(path.join(dir, 'stacks', name, 'cdk.tf.json'), '{}');
      manifest.stacks[name] = { synthesizedStackPath: `stacks/${name}/cdk.tf.json`, dependencies };
    }
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    return dir;
  }

  it('orders stacks after their dependencies and names their environment', () => {
    const output = readSynthOutput(
      outDir({
        'prod-workloads': ['prod-infra'],
        'prod-infra': [],
        bootstrap: [],
        'dev-infra': [],
      }),
    );
    expect(output.stacks.map((stack) => stack.name)).toEqual([
      'bootstrap',
      'dev-infra',
      'prod-infra',
      'prod-workloads',
    ]);
    expect(output.stacks.map((stack) => stack.environment)).toEqual([
      'account',
      'dev',
      'prod',
      'prod',
    ]);
  });

  it('refuses an explicit directory without a manifest', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'diagram-empty-'));
    await expect(loadSynthOutput({ outDir: empty })).rejects.toThrow(/manifest\.json/);
  });

  it('knows an output older than the code from a fresh one', () => {
    const dir = outDir({ bootstrap: [] });
    utimesSync(path.join(dir, 'manifest.json'), new Date(0), new Date(0));
    expect(isOlderThanCode(dir)).toBe(true);
    const future = new Date(Date.now() + 86_400_000);
    utimesSync(path.join(dir, 'manifest.json'), future, future);
    expect(isOlderThanCode(dir)).toBe(false);
  });
});

describe('rendering', () => {
  it('skips cleanly, with the reason, when there is no browser', async () => {
    const png = path.join(mkdtempSync(path.join(tmpdir(), 'diagram-render-')), 'x.png');
    const result = await renderMermaid('flowchart TB\n  a --> b\n', {
      png,
      executablePath: '/nonexistent/chromium',
    });
    expect(result).toEqual({ rendered: false, reason: expect.stringMatching(/no Chromium/) });
    expect(existsSync(png)).toBe(false);
  });
});

describe('README markers', () => {
  const readme = `# Title\n\n${README_START}\nold picture\n${README_END}\n\nMore.\n`;

  it('replaces only what lies between the markers', () => {
    const updated = spliceReadme(readme, 'new picture');
    expect(updated).toBe(`# Title\n\n${README_START}\n\nnew picture\n\n${README_END}\n\nMore.\n`);
    expect(readmeSectionOf(updated ?? '')).toBe('new picture');
  });

  it('writes a section Prettier accepts (README.md is checked by `npm run lint`)', async () => {
    const section = readmeSection(buildModel(fixture(), 'prod'));
    const updated = spliceReadme(readme, section) ?? '';
    const options = (await prettier.resolveConfig(README_PATH)) ?? {};
    expect(await prettier.check(updated, { ...options, parser: 'markdown' })).toBe(true);
  });

  it('leaves a README without both markers alone', () => {
    expect(spliceReadme('# Title\n', 'x')).toBeUndefined();
    expect(spliceReadme(`${README_END}\n${README_START}\n`, 'x')).toBeUndefined();
    expect(readmeSectionOf('# Title\n')).toBeUndefined();
  });
});

describe('the generated diagram of the real platform', () => {
  let generated: ReturnType<typeof generate>;
  beforeAll(async () => {
    generated = generate(await synthesizeInProcess(), 'prod');
  }, 120_000);

  it('has the bootstrap stack and the prod stacks, each module once with a stable id', () => {
    const names = generated.model.stacks.map((stack) => stack.name);
    expect(names[0]).toBe('bootstrap');
    expect(names).toEqual(expect.arrayContaining(['prod-infra', 'prod-workloads']));
    expect(names.some((name) => name.startsWith('dev-') || name.startsWith('staging-'))).toBe(
      false,
    );
    const ids = allNodes(generated.model).map((entry) => entry.id);
    expect(ids.length).toBeGreaterThan(10);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of allNodes(generated.model)) {
      expect(entry.id).toBe(`${entry.stack}__${entry.module}`.replace(/[^A-Za-z0-9_]/g, '_'));
      expect(entry.lines.length).toBeGreaterThan(0);
    }
  });

  it('labels the network, cluster and database from the synthesized JSON', () => {
    const lines = allNodes(generated.model).flatMap((entry) => entry.lines);
    expect(lines.some((line) => /^VPC \d+\.\d+\.\d+\.\d+\/\d+, \d+ AZs, /.test(line))).toBe(true);
    expect(lines.some((line) => /^EKS 1\.\d+, \d+ × \S+/.test(line))).toBe(true);
    expect(lines.some((line) => /^RDS PostgreSQL \d+, (multi|single)-AZ$/.test(line))).toBe(true);
  });

  it('starts the traffic path at the user and DNS, and links workloads to infra', () => {
    expect(generated.model.trafficPath[0]).toBe(USER_NODE_ID);
    expect(generated.model.trafficPath.length).toBeGreaterThanOrEqual(3);
    const declared = new Set([USER_NODE_ID, ...allNodes(generated.model).map((entry) => entry.id)]);
    expect(generated.model.edges.length).toBeGreaterThan(5);
    for (const edge of generated.model.edges) {
      expect(declared.has(edge.from) && declared.has(edge.to)).toBe(true);
    }
    expect(
      generated.model.edges.some(
        (edge) => edge.from.startsWith('prod_workloads__') && edge.to.startsWith('prod_infra__'),
      ),
    ).toBe(true);
  });

  it('is what docs/architecture.md and the README hold (run `npm run diagram` after changing stacks)', () => {
    const outputFile = path.join(REPO_ROOT, DEFAULT_OUTPUT);
    const outdated = outdatedFiles(generated, outputFile, README_PATH).map((file) =>
      path.relative(REPO_ROOT, file),
    );
    expect(outdated).toEqual([]);
  });

  it('reports a stale page or README section', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diagram-check-'));
    const page = path.join(dir, 'architecture.md');
    const readme = path.join(dir, 'README.md');
    writeFileSync(page, generated.markdown);
    writeFileSync(readme, `# x\n${README_START}\n${generated.readmeSection}\n${README_END}\n`);
    expect(outdatedFiles(generated, page, readme)).toEqual([]);
    writeFileSync(readme, `# x\n${README_START}\nold\n${README_END}\n`);
    writeFileSync(page, readFileSync(page, 'utf8').replace('VPC', 'Vpc'));
    expect(outdatedFiles(generated, page, readme)).toEqual([page, readme]);
  });
});
