/**
 * Writes the architecture model as a Mermaid flowchart, the `docs/architecture.md` page around it,
 * and the README section between the diagram markers.
 */
import type { DiagramEdge, DiagramModel, DiagramNode } from './model';
import { USER_NODE_ID } from './model';

export const README_START = '<!-- architecture-diagram:start -->';
export const README_END = '<!-- architecture-diagram:end -->';

/** Colours of the traffic path; everything else stays neutral so the path stands out. */
const TRAFFIC_COLOUR = '#c2410c';

/** Text for inside a quoted Mermaid label: HTML-escaped, quotes as Mermaid entities. */
function escapeLabel(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '#quot;');
}

function nodeLabel(node: DiagramNode): string {
  return [`<b>${escapeLabel(node.module)}</b>`, ...node.lines.map(escapeLabel)].join('<br/>');
}

/**
 * How an edge is drawn. Dagre ranks every edge source above its target, so two kinds of
 * reference are drawn without an arrowhead from the module that is used to its user, which keeps
 * the traffic path reading downwards:
 * - `watch`: from a watched module to the observability box (alarms, dashboards, queries), which
 *   then sits below what it watches;
 * - `against-flow`: a reference that would otherwise close a cycle with the traffic path (the TLS
 *   module writes validation records into the DNS zone the traffic enters by).
 */
export type DrawnStyle = DiagramEdge['kind'] | 'watch' | 'against-flow';

export interface DrawnEdge {
  readonly from: string;
  readonly to: string;
  readonly style: DrawnStyle;
  readonly label?: string;
}

const ARROWS: Record<DrawnStyle, string> = {
  traffic: '==>',
  reference: '-->',
  'cross-stack': '-.->',
  watch: '-.-',
  'against-flow': '---',
};

function edgeLine(edge: DrawnEdge): string {
  const label = edge.label ? `|"${escapeLabel(edge.label)}"|` : '';
  return `  ${edge.from} ${ARROWS[edge.style]}${label} ${edge.to}`;
}

/** True when `to` can reach `from` over the edges drawn so far (adding from → to closes a cycle). */
function reaches(edges: readonly DrawnEdge[], start: string, goal: string): boolean {
  const seen = new Set<string>();
  const pending = [start];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    if (current === goal) return true;
    if (seen.has(current)) continue;
    seen.add(current);
    for (const edge of edges) if (edge.from === current) pending.push(edge.to);
  }
  return false;
}

/**
 * The edges as drawn. An edge between a grouped module and a module outside its group attaches to
 * the group's box, so one line says "observability watches the ALB" rather than one per alarm,
 * dashboard and query module; traffic edges are never merged or turned.
 */
export function drawnEdges(model: DiagramModel): DrawnEdge[] {
  const groupOf = new Map<string, string>();
  for (const group of model.stacks.flatMap((stack) => stack.groups)) {
    for (const node of group.nodes) groupOf.set(node, group.id);
  }
  const candidates: DrawnEdge[] = [];
  const seen = new Set<string>();
  for (const edge of model.edges) {
    let { from, to } = edge;
    let style: DrawnStyle = edge.kind;
    if (edge.kind !== 'traffic' && groupOf.get(from) !== groupOf.get(to)) {
      from = groupOf.get(from) ?? from;
      to = groupOf.get(to) ?? to;
      if (groupOf.get(edge.from) !== undefined) [from, to, style] = [to, from, 'watch'];
    }
    // One line per pair of boxes, whichever way it was found first.
    const pair = [from, to].sort().join('<->');
    if (from === to || seen.has(pair)) continue;
    seen.add(pair);
    candidates.push({ from, to, style, label: edge.label });
  }

  // Which references close a cycle depends on the order they are looked at. References into the
  // traffic path are looked at last, those into its first hops the very last, so the ones turned
  // are those pointing back towards the entrance (the TLS module using the DNS zone).
  const position = new Map(model.trafficPath.map((node, index) => [node, index]));
  const lateness = (edge: DrawnEdge): number =>
    edge.style === 'traffic'
      ? -1
      : position.has(edge.to)
        ? model.trafficPath.length - (position.get(edge.to) ?? 0)
        : 0;
  const order = candidates
    .map((edge, index) => ({ edge, index }))
    .sort((a, b) => lateness(a.edge) - lateness(b.edge) || a.index - b.index);
  const placed: DrawnEdge[] = [];
  const drawn = new Map<number, DrawnEdge>();
  for (const { edge, index } of order) {
    const turned =
      edge.style !== 'traffic' && edge.style !== 'watch' && reaches(placed, edge.to, edge.from)
        ? { ...edge, from: edge.to, to: edge.from, style: 'against-flow' as const }
        : edge;
    placed.push(turned);
    drawn.set(index, turned);
  }
  return candidates.map((_, index) => drawn.get(index) as DrawnEdge);
}

/** The Mermaid flowchart source (no code fence). Deterministic for the same model. */
export function toMermaid(model: DiagramModel): string {
  // Top to bottom: the traffic path reads downwards from the user, and the picture stays compact.
  const lines: string[] = ['flowchart TB'];
  const onPath = new Set(model.trafficPath);
  if (onPath.has(USER_NODE_ID)) lines.push(`  ${USER_NODE_ID}(["<b>User</b>"])`);
  for (const stack of model.stacks) {
    const scope =
      stack.environment === 'account' ? 'per account' : `environment ${stack.environment}`;
    lines.push(`  subgraph ${stack.id}["${escapeLabel(stack.name)} (${scope})"]`);
    const grouped = new Set(stack.groups.flatMap((group) => group.nodes));
    for (const node of stack.nodes) {
      if (!grouped.has(node.id)) lines.push(`    ${node.id}["${nodeLabel(node)}"]`);
    }
    for (const group of stack.groups) {
      lines.push(`    subgraph ${group.id}["${escapeLabel(group.title)}"]`);
      for (const node of stack.nodes.filter((entry) => group.nodes.includes(entry.id))) {
        lines.push(`      ${node.id}["${nodeLabel(node)}"]`);
      }
      lines.push('    end');
    }
    lines.push('  end');
  }
  const edges = drawnEdges(model);
  const groupIds = new Set(model.stacks.flatMap((stack) => stack.groups.map((group) => group.id)));
  lines.push(...edges.map(edgeLine));

  lines.push('  classDef module fill:#f8fafc,stroke:#64748b,color:#0f172a,text-align:left');
  lines.push('  classDef group fill:#f1f5f9,stroke:#94a3b8,stroke-dasharray:4 3');
  lines.push(
    `  classDef traffic fill:#fff7ed,stroke:${TRAFFIC_COLOUR},stroke-width:3px,color:#0f172a`,
  );
  const modules = model.stacks
    .flatMap((stack) => stack.nodes)
    .map((node) => node.id)
    .filter((id) => !onPath.has(id));
  if (modules.length > 0) lines.push(`  class ${modules.join(',')} module`);
  if (onPath.size > 0) lines.push(`  class ${[...onPath].join(',')} traffic`);
  if (groupIds.size > 0) lines.push(`  class ${[...groupIds].join(',')} group`);
  const positionsOf = (...styles: DrawnStyle[]): number[] =>
    edges
      .map((edge, position) => (styles.includes(edge.style) ? position : -1))
      .filter((position) => position >= 0);
  const linkStyles: Array<[positions: number[], style: string]> = [
    [positionsOf('traffic'), `stroke:${TRAFFIC_COLOUR},stroke-width:4px,color:${TRAFFIC_COLOUR}`],
    // Dotted lines are faint by default; cross-stack links matter as much as the others.
    [positionsOf('cross-stack'), 'stroke:#475569,stroke-width:1.5px'],
    // What the observability box watches is secondary: lighter, so the platform stays in front.
    [positionsOf('watch'), 'stroke:#94a3b8,stroke-width:1px'],
  ];
  for (const [positions, style] of linkStyles) {
    if (positions.length > 0) lines.push(`  linkStyle ${positions.join(',')} ${style}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The Mermaid block as it appears in Markdown (fenced). */
export function mermaidBlock(model: DiagramModel): string {
  return `\`\`\`mermaid\n${toMermaid(model)}\`\`\`\n`;
}

/** Resource counts by type, managed resources only (`aws_subnet ×9`). */
function resourceSummary(node: DiagramNode): string {
  const counts = new Map<string, number>();
  for (const item of node.items) {
    if (item.mode === 'resource') counts.set(item.type, (counts.get(item.type) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, count]) => `\`${type}\`${count > 1 ? ` ×${count}` : ''}`)
    .join(', ');
}

export interface DocumentOptions {
  /** How to regenerate, shown in the header. Default: `npm run diagram`. */
  readonly command?: string;
}

/** `docs/architecture.md`: how to read the picture, the picture, and what each node holds. */
export function architectureMarkdown(model: DiagramModel, options: DocumentOptions = {}): string {
  const command = options.command ?? 'npm run diagram';
  const envFlag = model.environment === 'prod' ? '' : ` -- --env ${model.environment}`;
  const rows = model.stacks.flatMap((stack) =>
    stack.nodes.map(
      (node) =>
        `| \`${stack.name}/${node.module}\` | ${node.lines.join('; ').replace(/\|/g, '\\|') || '—'} | ${
          resourceSummary(node) || 'data sources only'
        } |`,
    ),
  );
  return [
    `<!-- Generated by \`${command}${envFlag}\` from the synthesized stacks. Do not edit by hand. -->`,
    '',
    `# Architecture (${model.environment})`,
    '',
    'One box per stack, one node per module (the construct directly under the stack), labelled with',
    'its main resources; route tables, rules, attachments and policies are folded into their module,',
    'and modules that only watch the platform (alarms, dashboards, queries, health checks, Prometheus)',
    'share an "observability" box. How to read the lines:',
    '',
    "- thick orange `==>`: a user's request, from DNS through the load balancer and ingress to the app",
    '  and its database (derived from resource types, not from names);',
    '- `-->`: the module uses the one the arrow points to (a Terraform reference inside a stack);',
    '- `-.->`: the same across stacks (a remote-state output, or an image pulled from the registry);',
    '- plain `---`: a reference drawn against the flow to keep the request path reading downwards:',
    '  the lower module uses the upper one;',
    '- faint `-.-`: what the observability box watches.',
    '',
    mermaidBlock(model).trimEnd(),
    '',
    '## What each node holds',
    '',
    '| Construct | Summary | Managed resources |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** The README section between the markers: the diagram and where the details are. */
export function readmeSection(model: DiagramModel): string {
  return [
    mermaidBlock(model).trimEnd(),
    '',
    'How to read the lines, and every resource behind each node:',
    '[docs/architecture.md](docs/architecture.md).',
  ].join('\n');
}

/**
 * Replaces what lies between the README markers with `section`. Returns undefined when either
 * marker is missing (or they are out of order), so a README without markers is left alone.
 */
export function spliceReadme(readme: string, section: string): string | undefined {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < 0 || end < start) return undefined;
  // Blank lines around the section, as Prettier formats Markdown (README is prettier-checked).
  return `${readme.slice(0, start + README_START.length)}\n\n${section}\n\n${readme.slice(end)}`;
}

/** The README's current section between the markers (trimmed), or undefined without markers. */
export function readmeSectionOf(readme: string): string | undefined {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < 0 || end < start) return undefined;
  return readme.slice(start + README_START.length, end).trim();
}
