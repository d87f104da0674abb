/**
 * Turns a synthesized stack into its emulator copy: the same Terraform JSON, with
 * - every AWS provider pointed at the emulator (all service endpoints, credential and metadata
 *   checks skipped, few retries so an emulator error fails fast),
 * - the provider version the mirror holds and the 6.x → 5.x mappings (provider-compat.ts),
 * - the declared emulator gaps applied (emulator-gaps.ts): exclusions, with whatever references an
 *   excluded resource excluded too; ignore_changes; dropped policy statements,
 * - the backend replaced by local state in the working directory (or kept, for the S3 round trip),
 * - a `//` comment at the top saying all of the above.
 * Deletion protection is not changed here: see `liftDeletionProtection`.
 */
import { EMULATOR_GAPS, type EmulatorGap } from './emulator-gaps';
import {
  applyProviderMappings,
  EMULATOR_PROVIDER_VERSION,
  type MappingUse,
} from './provider-compat';
import {
  clone,
  dataBlocks,
  expressionReferences,
  forEachString,
  referencedAddresses,
  resourceBlocks,
  type Block,
  type TerraformJson,
} from './terraform-json';

export interface Exclusion {
  readonly address: string;
  readonly type: string;
  readonly gap: string;
  /** Set when the resource is left out only because it references `via`. */
  readonly via?: string;
}

export interface EmulatorCopyOptions {
  /** Base URL of the emulator, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  /** Every endpoint key of the provider's `endpoints` block (from its schema). */
  readonly endpointKeys: readonly string[];
  /** `local`: state file in the working directory. `keep`: the stack's own backend block. */
  readonly backend: 'local' | 'keep';
  /** Provider `max_retries`: low, so unimplemented emulator calls fail in seconds. Default 2. */
  readonly maxRetries?: number;
  /** The emulator's account id, which replaces `allowed_account_ids`. */
  readonly accountId: string;
  readonly gaps?: readonly EmulatorGap[];
}

export interface EmulatorCopy {
  readonly json: TerraformJson;
  /** Resource blocks in the synthesized stack. */
  readonly total: number;
  readonly excluded: Exclusion[];
  /** Data sources left out because they read an excluded resource. */
  readonly excludedData: string[];
  /** Outputs left out because they read an excluded resource. */
  readonly excludedOutputs: string[];
  readonly ignoredChanges: Array<{ address: string; attribute: string; gap: string }>;
  readonly droppedStatements: Array<{ address: string; sid: string; gap: string }>;
  /** Outputs whose value the emulator fills with filler text (see the `filler-value` gaps). */
  readonly fillerOutputs: Array<{ output: string; gap: string }>;
  /** Resources deleted through the SDK instead of `destroy` (`delete-outside-terraform`). */
  readonly deletedOutside: Array<{ address: string; type: string; gap: string }>;
  readonly mappings: MappingUse[];
  /** Gap ids that matched something in this stack. */
  readonly gapsUsed: string[];
}

/** Every place a gap entry applies in a stack, without changing anything. */
export function gapMatches(json: TerraformJson, gap: EmulatorGap): string[] {
  const resources = resourceBlocks(json);
  const { match } = gap;
  switch (match.kind) {
    case 'resource-type':
    case 'ignore-changes':
    case 'delete-outside-terraform':
      return resources.filter((r) => r.type === match.type).map((r) => r.address);
    case 'reference': {
      const pattern = attributePattern(match.type, match.attribute);
      return resources
        .filter((r) => {
          let hit = false;
          forEachStringOfConfig(r.config, (text) => {
            if (pattern.test(text)) hit = true;
          });
          return hit;
        })
        .map((r) => r.address);
    }
    case 'conditional-deny':
      return policyDocumentsUsedBy(json, match.usedBy)
        .filter((doc) => statementsOf(doc.config).some(isConditionalDeny))
        .map((doc) => doc.address);
    case 'filler-value': {
      const pattern = attributePattern(match.type, match.attribute);
      return Object.entries(json.output ?? {})
        .filter(([, config]) => pattern.test(JSON.stringify(config.value ?? '')))
        .map(([name]) => `output.${name}`);
    }
  }
}

/** Builds the emulator copy of one synthesized stack. */
export function emulatorCopy(source: TerraformJson, options: EmulatorCopyOptions): EmulatorCopy {
  const gaps = options.gaps ?? EMULATOR_GAPS;
  const { json, uses } = applyProviderMappings(source);
  const total = resourceBlocks(source).length;

  const excluded = new Map<string, Exclusion>();
  const ignoredChanges: EmulatorCopy['ignoredChanges'] = [];
  const droppedStatements: EmulatorCopy['droppedStatements'] = [];
  const fillerOutputs: EmulatorCopy['fillerOutputs'] = [];
  const deletedOutside: EmulatorCopy['deletedOutside'] = [];
  const emptiedData = new Map<string, string>();
  const gapsUsed = new Set<string>();

  for (const gap of gaps) {
    const matches = gapMatches(json, gap);
    if (matches.length > 0) gapsUsed.add(gap.id);
    const { match } = gap;
    for (const address of matches) {
      if (match.kind === 'resource-type' || match.kind === 'reference') {
        if (!excluded.has(address)) {
          excluded.set(address, { address, type: typeOf(address), gap: gap.id });
        }
      } else if (match.kind === 'ignore-changes') {
        const config = blockAt(json, address);
        const lifecycle = (config.lifecycle ?? {}) as Block;
        const ignore = (lifecycle.ignore_changes as string[] | undefined) ?? [];
        lifecycle.ignore_changes = [...ignore, ...match.attributes];
        config.lifecycle = lifecycle;
        for (const attribute of match.attributes) {
          ignoredChanges.push({ address, attribute, gap: gap.id });
        }
      } else if (match.kind === 'conditional-deny') {
        const config = blockAt(json, address);
        const statements = statementsOf(config);
        config.statement = statements.filter((s) => !isConditionalDeny(s));
        for (const dropped of statements.filter(isConditionalDeny)) {
          droppedStatements.push({ address, sid: String(dropped.sid ?? '(no sid)'), gap: gap.id });
        }
        // A policy with no statement is invalid: what uses it is left out instead.
        if ((config.statement as unknown[]).length === 0) emptiedData.set(address, gap.id);
      } else if (match.kind === 'delete-outside-terraform') {
        deletedOutside.push({ address, type: match.type, gap: gap.id });
      } else {
        fillerOutputs.push({ output: address.slice('output.'.length), gap: gap.id });
      }
    }
  }

  const { excludedData, excludedOutputs } = cascadeExclusions(json, excluded, emptiedData);
  removeExcluded(json, excluded, excludedData, excludedOutputs);
  configureProviders(json, options);
  configureBackend(json, options.backend);

  json['//' as keyof TerraformJson] = [
    `Emulator copy for ${options.endpoint}: provider ${EMULATOR_PROVIDER_VERSION} from the mirror,`,
    'every AWS endpoint at the emulator, fake credentials, credential/metadata checks skipped.',
    `Left out (declared emulator gaps): ${excluded.size} of ${total} resources.`,
    'Generated by scripts/terraform; never apply it to a real account.',
  ].join(' ') as never;

  return {
    json,
    total,
    excluded: [...excluded.values()],
    excludedData,
    excludedOutputs,
    ignoredChanges,
    droppedStatements,
    fillerOutputs,
    deletedOutside,
    mappings: uses,
    gapsUsed: [...gapsUsed],
  };
}

/**
 * Attributes that refuse deletion, and the value that lifts them. The harness applies the stack
 * as configured, then, as the README's teardown says for prod, applies it once more with these
 * turned off before `destroy`.
 */
export const DELETION_PROTECTION: ReadonlyArray<{ type: string; attribute: string }> = [
  { type: 'aws_lb', attribute: 'enable_deletion_protection' },
  { type: 'aws_db_instance', attribute: 'deletion_protection' },
];

/** Addresses whose deletion protection is on in a (copied) stack. */
export function protectedResources(json: TerraformJson): string[] {
  return DELETION_PROTECTION.flatMap(({ type, attribute }) =>
    Object.entries(json.resource?.[type] ?? {})
      .filter(([, config]) => config[attribute] === true)
      .map(([name]) => `${type}.${name}`),
  );
}

/** A copy of the document with every deletion protection turned off. */
export function liftDeletionProtection(json: TerraformJson): TerraformJson {
  const copy = clone(json);
  for (const { type, attribute } of DELETION_PROTECTION) {
    for (const config of Object.values(copy.resource?.[type] ?? {})) {
      if (config[attribute] === true) config[attribute] = false;
    }
  }
  return copy;
}

function cascadeExclusions(
  json: TerraformJson,
  excluded: Map<string, Exclusion>,
  initialData: ReadonlyMap<string, string>,
): { excludedData: string[]; excludedOutputs: string[] } {
  const resources = resourceBlocks(json);
  const data = dataBlocks(json);
  const blocks = [...resources, ...data];
  const known = new Set(blocks.map((b) => b.address));
  // Data sources left out, with the gap behind them.
  const excludedData = new Map<string, string>(initialData);
  const references = new Map(blocks.map((b) => [b.address, expressionReferences(b.config, known)]));
  const gapOf = (address: string) => excluded.get(address)?.gap ?? excludedData.get(address);

  for (let changed = true; changed;) {
    changed = false;
    for (const block of blocks) {
      if (gapOf(block.address) !== undefined) continue;
      const via = references.get(block.address)?.find((address) => gapOf(address) !== undefined);
      if (!via) continue;
      changed = true;
      const gap = gapOf(via) as string;
      if (block.address.startsWith('data.')) excludedData.set(block.address, gap);
      else excluded.set(block.address, { address: block.address, type: block.type, gap, via });
    }
  }

  const excludedOutputs = Object.entries(json.output ?? {})
    .filter(([, config]) =>
      expressionReferences(config, known).some((address) => gapOf(address) !== undefined),
    )
    .map(([name]) => name);
  return { excludedData: [...excludedData.keys()], excludedOutputs };
}

function removeExcluded(
  json: TerraformJson,
  excluded: Map<string, Exclusion>,
  excludedData: string[],
  excludedOutputs: string[],
): void {
  const gone = new Set([...excluded.keys(), ...excludedData]);
  for (const address of gone) {
    const [section, type, name] = address.startsWith('data.')
      ? (['data', ...address.slice(5).split('.')] as const)
      : (['resource', ...address.split('.')] as const);
    const byName = json[section]?.[type as string];
    if (byName) {
      delete byName[name as string];
      if (Object.keys(byName).length === 0) delete json[section]![type as string];
    }
  }
  for (const name of excludedOutputs) delete json.output?.[name];
  // depends_on is ordering only: an excluded entry is simply dropped.
  for (const block of [...resourceBlocks(json), ...dataBlocks(json)]) {
    const dependsOn = block.config.depends_on;
    if (Array.isArray(dependsOn)) {
      const kept = dependsOn.filter((entry) => !gone.has(String(entry)));
      if (kept.length > 0) block.config.depends_on = kept;
      else delete block.config.depends_on;
    }
  }
  // Anything else that still names an excluded block would fail validate with an unclear error.
  const leftovers: string[] = [];
  forEachString(json, (text, path) => {
    for (const address of referencedAddresses(text, gone)) {
      leftovers.push(`${path.join('.')} → ${address}`);
    }
  });
  if (leftovers.length > 0) {
    throw new Error(`emulator copy still references excluded blocks: ${leftovers.join('; ')}`);
  }
}

function configureProviders(json: TerraformJson, options: EmulatorCopyOptions): void {
  const endpoints = Object.fromEntries(options.endpointKeys.map((key) => [key, options.endpoint]));
  const providers = (json.provider?.aws ?? []) as Block[];
  for (const provider of providers) {
    if (provider.allowed_account_ids !== undefined) {
      provider.allowed_account_ids = [options.accountId];
    }
    Object.assign(provider, {
      skip_credentials_validation: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
      s3_use_path_style: true,
      max_retries: options.maxRetries ?? 2,
      endpoints: [endpoints],
    });
  }
  const required = (json.terraform?.required_providers ?? {}) as Record<string, Block>;
  if (required.aws) {
    required.aws = { source: 'hashicorp/aws', version: EMULATOR_PROVIDER_VERSION };
  }
}

function configureBackend(json: TerraformJson, backend: EmulatorCopyOptions['backend']): void {
  const terraform = (json.terraform ?? {}) as Block;
  if (backend === 'local') terraform.backend = { local: { path: 'terraform.tfstate' } };
  json.terraform = terraform;
}

/** `<type>.<any name>.<attribute>` inside an expression, e.g. for `reference` gaps. */
function attributePattern(type: string, attribute: string): RegExp {
  return new RegExp(`\\b${type}\\.[A-Za-z0-9_-]+\\.${escapeRegExp(attribute)}(?![\\w.\\[])`);
}

function isConditionalDeny(statement: Block): boolean {
  const condition = statement.condition;
  return (
    statement.effect === 'Deny' &&
    (Array.isArray(condition) ? condition.length > 0 : condition !== undefined)
  );
}

/** Statements of an `aws_iam_policy_document` data source (a list, or one block). */
function statementsOf(config: Block): Array<Block & { sid?: string }> {
  const statement = config.statement;
  if (Array.isArray(statement)) return statement as Block[];
  return statement && typeof statement === 'object' ? [statement as Block] : [];
}

/** Policy-document data sources whose JSON feeds a resource of `type`. */
function policyDocumentsUsedBy(json: TerraformJson, type: string) {
  const documents = dataBlocks(json).filter((d) => d.type === 'aws_iam_policy_document');
  const known = new Set(documents.map((d) => d.address));
  const used = new Set(
    resourceBlocks(json)
      .filter((r) => r.type === type)
      .flatMap((r) => expressionReferences(r.config, known)),
  );
  return documents.filter((d) => used.has(d.address));
}

function forEachStringOfConfig(config: Block, visit: (text: string) => void): void {
  for (const [key, value] of Object.entries(config)) {
    if (key === 'depends_on' || key === '//') continue;
    forEachString(value, visit);
  }
}

function blockAt(json: TerraformJson, address: string): Block {
  const [section, type, name] = address.startsWith('data.')
    ? (['data', ...address.slice(5).split('.')] as const)
    : (['resource', ...address.split('.')] as const);
  const block = json[section]?.[type as string]?.[name as string];
  if (!block) throw new Error(`no block ${address}`);
  return block;
}

function typeOf(address: string): string {
  return address.split('.')[0] as string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
