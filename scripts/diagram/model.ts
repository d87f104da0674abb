/**
 * The architecture model of one environment: a group per stack, a node per module (the construct
 * directly under the stack), edges for the real references between modules (within a stack and
 * across stacks through remote-state outputs), and the user's traffic path derived from resource
 * types (Route 53 alias → load balancer → the ingress release on the target port → the release
 * behind that ingress class → its database).
 */
import { describeModule } from './describe';
import type { SynthesizedStack, SynthOutput } from './synth-output';
import { addressTokens, itemsOf, remoteOutputRefs, type TerraformItem } from './terraform-items';
import { blocks, findKeys, helmValues, literal, literalNumber } from './values';

export const USER_NODE_ID = 'user';

export interface DiagramNode {
  /** Mermaid id from stack and module: `prod_infra__eks`. Stable across runs. */
  readonly id: string;
  readonly stack: string;
  /** Construct id of the module under the stack (`eks`). */
  readonly module: string;
  readonly items: readonly TerraformItem[];
  /** Label lines in plain words. */
  readonly lines: readonly string[];
}

/** Modules of one stack drawn together in a box of their own (e.g. observability). */
export interface DiagramGroup {
  /** Mermaid id, `<stack>___<group>`: three underscores never come out of `mermaidId`. */
  readonly id: string;
  readonly title: string;
  readonly nodes: readonly string[];
}

export interface DiagramStack {
  readonly id: string;
  readonly name: string;
  readonly environment: string;
  readonly nodes: readonly DiagramNode[];
  readonly groups: readonly DiagramGroup[];
}

export type EdgeKind = 'traffic' | 'reference' | 'cross-stack';

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly label?: string;
}

export interface DiagramModel {
  readonly environment: string;
  readonly stacks: readonly DiagramStack[];
  /** Traffic edges first (in path order), then the others sorted by kind, source and target. */
  readonly edges: readonly DiagramEdge[];
  /** Node ids on the traffic path, the user first (empty when no entry point was found). */
  readonly trafficPath: readonly string[];
}

/** Mermaid-safe id: letters, digits and `_` only. */
export function mermaidId(...parts: string[]): string {
  return parts.map((part) => part.replace(/[^A-Za-z0-9]/g, '_')).join('__');
}

/**
 * Module of an item: the first construct under the stack. Resources created directly on the
 * stack are their own node; data sources directly on the stack (caller identity, partition,
 * remote state) are plumbing and belong to no node.
 */
function moduleOf(item: TerraformItem): string | undefined {
  if (item.path.length >= 2) return item.path[0];
  return item.mode === 'resource' ? item.path[0] : undefined;
}

interface Located {
  readonly item: TerraformItem;
  readonly node: string | undefined;
}

class EnvironmentIndex {
  /** `stack → address → located item`. */
  private readonly byStack = new Map<string, Map<string, Located>>();
  readonly all: Located[] = [];

  constructor(readonly stacks: readonly SynthesizedStack[]) {
    for (const stack of stacks) {
      const located = new Map<string, Located>();
      for (const item of itemsOf(stack.name, stack.json)) {
        const module = moduleOf(item);
        const entry = { item, node: module ? mermaidId(stack.name, module) : undefined };
        located.set(item.address, entry);
        this.all.push(entry);
      }
      this.byStack.set(stack.name, located);
    }
  }

  lookup(stack: string, address: string): Located | undefined {
    return this.byStack.get(stack)?.get(address);
  }

  /** Items of the same stack that a piece of configuration references. */
  referenced(stack: string, config: unknown): Located[] {
    return [...addressTokens(config)]
      .map((token) => this.lookup(stack, token))
      .filter((entry): entry is Located => entry !== undefined);
  }

  /**
   * Items in the producing stack behind a `terraform_remote_state` output: cdktf names the data
   * source `cross-stack-reference-input-<stack>`, and the producer's `output` block holds the
   * expression whose references locate the module.
   */
  remoteProducers(stack: string, config: unknown): Located[] {
    return remoteOutputRefs(config).flatMap(({ remoteState, output }) => {
      const producer =
        this.stacks.find(
          (candidate) => candidate.name !== stack && remoteState.endsWith(`-${candidate.name}`),
        ) ?? this.stacks.find((candidate) => candidate.json.output?.[output] !== undefined);
      const value = producer?.json.output?.[output]?.value;
      return producer && value !== undefined ? this.referenced(producer.name, value) : [];
    });
  }

  ofType(type: string): Located[] {
    return this.all.filter((entry) => entry.item.type === type && entry.node !== undefined);
  }
}

interface TrafficHop {
  readonly node: string;
  /** Label of the edge leading to this hop. */
  readonly via: string;
}

const DATABASE_TYPES = new Set(['aws_db_instance', 'aws_rds_cluster']);

function isDatabaseRelease(item: TerraformItem): boolean {
  if (item.type !== 'helm_release') return false;
  const values = helmValues(item);
  const repository = literal(item.config.repository) ?? '';
  return (
    values.type === 'postgresql' ||
    (repository.includes('cloudnative-pg') && literal(item.config.chart) === 'cluster')
  );
}

function nodePorts(item: TerraformItem): number[] {
  const source = item.type === 'helm_release' ? helmValues(item) : item.config;
  return findKeys(source, /^node_?[Pp]ort$/)
    .map(literalNumber)
    .filter((port): port is number => port !== undefined);
}

/** The IngressClass an ingress controller release declares (`ingressClass: {name}` or a string). */
function ingressClassOf(item: TerraformItem): string | undefined {
  return findKeys(helmValues(item), /^ingressClass$/)
    .map((entry) =>
      typeof entry === 'object' && entry !== null
        ? literal((entry as { name?: unknown }).name)
        : literal(entry),
    )
    .find(Boolean);
}

/**
 * The IngressClass an app uses: a release with an enabled `ingress` block, or a plain Ingress
 * resource. `null` when the item serves no Ingress at all; `undefined` when it does but names no
 * class (the cluster default then applies).
 */
function ingressClassUsed(item: TerraformItem): string | undefined | null {
  if (item.type === 'kubernetes_ingress_v1') {
    return literal(blocks(item.config.spec)[0]?.ingress_class_name) ?? undefined;
  }
  if (item.type !== 'helm_release') return null;
  const ingress = findKeys(helmValues(item), /^ingress$/).find(
    (entry): entry is Record<string, unknown> =>
      typeof entry === 'object' &&
      entry !== null &&
      (entry as { enabled?: unknown }).enabled === true,
  );
  if (!ingress) return null;
  return literal(ingress.ingressClassName) ?? literal(ingress.className) ?? undefined;
}

/**
 * The user's path through the platform, from resource types only. Each step keeps the hops it
 * found; a platform without an ingress or database simply has a shorter path.
 */
function findTrafficPath(index: EnvironmentIndex, edges: readonly DiagramEdge[]): TrafficHop[] {
  const hops: TrafficHop[] = [];
  const alias = index
    .ofType('aws_route53_record')
    .map((record) => ({
      record,
      lb: blocks(record.item.config.alias)
        .flatMap((target) => index.referenced(record.item.stack, target.name))
        .find((entry) => entry.item.type === 'aws_lb'),
    }))
    .find((candidate) => candidate.lb !== undefined);
  const lb =
    alias?.lb ?? index.ofType('aws_lb').find((entry) => entry.item.config.internal !== true);
  if (!lb?.node) return hops;

  if (alias) {
    const zone = index
      .referenced(alias.record.item.stack, alias.record.item.config.zone_id)
      .find((entry) => entry.item.type === 'aws_route53_zone');
    const host = literal(alias.record.item.config.name);
    const dnsNode = zone?.node ?? alias.record.node;
    if (dnsNode) hops.push({ node: dnsNode, via: host ? `https://${host}` : 'https' });
  }

  // Ports the load balancer forwards to: the target groups its listeners use.
  const listeners = index
    .ofType('aws_lb_listener')
    .filter((listener) =>
      addressTokens(listener.item.config.load_balancer_arn).has(lb.item.address),
    );
  const ports = new Set(
    listeners
      .flatMap((listener) =>
        index.referenced(listener.item.stack, listener.item.config.default_action),
      )
      .filter((entry) => entry.item.type === 'aws_lb_target_group')
      .map((group) => literalNumber(group.item.config.port))
      .filter((port): port is number => port !== undefined),
  );
  const secure = listeners.find((listener) => literal(listener.item.config.protocol) === 'HTTPS');
  hops.push({ node: lb.node, via: alias ? 'alias' : 'https' });

  const releases = [...index.ofType('helm_release'), ...index.ofType('kubernetes_service_v1')];
  const ingress =
    releases.find((entry) => nodePorts(entry.item).some((port) => ports.has(port))) ??
    releases.find((entry) => /ingress/.test(literal(entry.item.config.chart) ?? ''));
  if (!ingress?.node) return hops;
  const port = nodePorts(ingress.item).find((candidate) => ports.has(candidate));
  hops.push({
    node: ingress.node,
    via: port !== undefined ? `${secure ? 'HTTP ' : ''}NodePort ${port}` : 'HTTP',
  });

  const ingressClass = ingressClassOf(ingress.item);
  const apps = [...index.ofType('helm_release'), ...index.ofType('kubernetes_ingress_v1')]
    .filter((entry) => entry !== ingress && !isDatabaseRelease(entry.item))
    .map((entry) => ({ entry, usesClass: ingressClassUsed(entry.item) }))
    .filter(({ usesClass }) => usesClass !== null);
  const app =
    apps.find(({ usesClass }) => ingressClass !== undefined && usesClass === ingressClass) ??
    apps[0];
  if (!app?.entry.node) return hops;
  hops.push({ node: app.entry.node, via: 'Ingress' });

  const databases = index.all
    .filter((entry) => DATABASE_TYPES.has(entry.item.type) || isDatabaseRelease(entry.item))
    .filter((entry) => entry.node !== undefined);
  const databaseNodes = [...new Set(databases.map((entry) => entry.node as string))];
  const appNode = app.entry.node;
  const appStackNodes = new Set(
    index.all
      .filter((entry) => entry.item.stack === app.entry.item.stack)
      .map((entry) => entry.node),
  );
  const target =
    databaseNodes.find((node) => edges.some((edge) => edge.from === appNode && edge.to === node)) ??
    databaseNodes.find((node) =>
      edges.some((edge) => appStackNodes.has(edge.from) && edge.to === node),
    ) ??
    databaseNodes[0];
  if (target) {
    const engine = databases.find((entry) => entry.node === target)?.item;
    const sql =
      engine?.type === 'helm_release' || literal(engine?.config.engine)?.includes('postgres');
    hops.push({ node: target, via: sql ? 'PostgreSQL' : 'SQL' });
  }
  return hops;
}

/** Resource types that watch the platform rather than serve its traffic. */
/**
 * The folder under modules/ a stack's top-level module comes from, as the stack recorded it in its
 * JSON (`"//": { "modules": { <construct id>: <domain> } }`, see stacks/project-stack.ts).
 */
function domainOf(stack: SynthesizedStack, module: string): string | undefined {
  const comment = (stack.json as { '//'?: { modules?: Record<string, string> } })['//'];
  return comment?.modules?.[module];
}

const KIND_ORDER: Record<EdgeKind, number> = { traffic: 0, 'cross-stack': 1, reference: 2 };

/** Builds the model of one environment (plus the per-account stacks) from synthesized output. */
export function buildModel(output: SynthOutput, environment: string): DiagramModel {
  const stacks = output.stacks.filter(
    (stack) => stack.environment === environment || stack.environment === 'account',
  );
  if (!stacks.some((stack) => stack.environment === environment)) {
    const known = [...new Set(output.stacks.map((stack) => stack.environment))]
      .filter((name) => name !== 'account')
      .join(', ');
    throw new Error(`no stacks for environment "${environment}" (synthesized: ${known || 'none'})`);
  }
  const index = new EnvironmentIndex(stacks);

  const diagramStacks: DiagramStack[] = stacks.map((stack) => {
    const byModule = new Map<string, TerraformItem[]>();
    for (const entry of index.all) {
      if (entry.item.stack !== stack.name || entry.node === undefined) continue;
      const module = moduleOf(entry.item) as string;
      byModule.set(module, [...(byModule.get(module) ?? []), entry.item]);
    }
    const nodes = [...byModule.keys()].sort().map((module) => {
      const items = byModule.get(module) ?? [];
      return {
        id: mermaidId(stack.name, module),
        stack: stack.name,
        module,
        items,
        lines: describeModule(items),
      };
    });
    const observability = nodes
      .filter((entry) => domainOf(stack, entry.module) === 'observability')
      .map((entry) => entry.id);
    // A box for one module would only add a frame; group from two modules on.
    const groups =
      observability.length >= 2
        ? [
            {
              id: `${mermaidId(stack.name)}___observability`,
              title: 'observability',
              nodes: observability,
            },
          ]
        : [];
    return {
      id: mermaidId(stack.name),
      name: stack.name,
      environment: stack.environment,
      nodes,
      groups,
    };
  });

  const found = new Map<string, DiagramEdge>();
  const add = (from: string | undefined, to: string | undefined, kind: EdgeKind): void => {
    if (!from || !to || from === to) return;
    const key = `${from}->${to}`;
    if (!found.has(key)) found.set(key, { from, to, kind });
  };
  for (const { item, node } of index.all) {
    if (!node) continue;
    for (const target of index.referenced(item.stack, item.config))
      add(node, target.node, 'reference');
    for (const target of index.remoteProducers(item.stack, item.config))
      add(node, target.node, 'cross-stack');
  }
  // Images pulled from a registry of another stack: the repository URL names the repository.
  for (const repository of index.ofType('aws_ecr_repository')) {
    const name = literal(repository.item.config.name);
    if (!name) continue;
    for (const { item, node } of index.all) {
      if (item.stack === repository.item.stack || !node) continue;
      if (JSON.stringify(item.config).includes(`.amazonaws.com/${name}`))
        add(node, repository.node, 'cross-stack');
    }
  }

  const references = [...found.values()];
  // Consecutive hops in one module (an alias record next to its zone) are one stop on the path.
  const hops = findTrafficPath(index, references).filter(
    (hop, position, all) => position === 0 || all[position - 1]?.node !== hop.node,
  );
  const trafficPath = hops.length > 0 ? [USER_NODE_ID, ...hops.map((hop) => hop.node)] : [];
  const traffic: DiagramEdge[] = [];
  hops.forEach((hop, position) => {
    const from = position === 0 ? USER_NODE_ID : hops[position - 1]?.node;
    if (from && from !== hop.node)
      traffic.push({ from, to: hop.node, kind: 'traffic', label: hop.via });
  });
  // A reference between two hops of the path is already drawn by the traffic edge.
  const onPath = new Set(
    traffic.flatMap((edge) => [`${edge.from}->${edge.to}`, `${edge.to}->${edge.from}`]),
  );
  const others = references
    .filter((edge) => !onPath.has(`${edge.from}->${edge.to}`))
    .sort(
      (a, b) =>
        KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
        a.from.localeCompare(b.from) ||
        a.to.localeCompare(b.to),
    );
  return { environment, stacks: diagramStacks, edges: [...traffic, ...others], trafficPath };
}
