/**
 * The cross-stack contract between `<env>-infra` and `<env>-workloads`, checked with Terraform
 * itself: every expression through which the workloads stack reads the infra stack's remote
 * state (e.g. `base64decode(data.terraform_remote_state.x.outputs.ca)`) is evaluated, with the
 * workloads stack's own `terraform_remote_state` block, against the state the infra stack just
 * wrote on the emulator. A missing output, a null, a value of the wrong type for where it is used
 * or a function that rejects it fails the check. The probe needs no provider (the remote-state
 * data source is built into Terraform), so it runs even though the workloads stack's providers
 * are not in the mirror.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { terraform, tail, type TerraformRunner } from './terraform-cli';
import { forEachString, interpolations, type Block, type TerraformJson } from './terraform-json';

/** One place where the consumer reads the producer's outputs. */
export interface RemoteRead {
  /** The HCL expression inside `${...}`, e.g. `base64decode(data.terraform_remote_state.a.outputs.b)`. */
  readonly expression: string;
  /** Output names the expression reads. */
  readonly outputs: string[];
  /** The remote-state data source (`name` in `data.terraform_remote_state.<name>`). */
  readonly dataSource: string;
  /** True when the interpolation sits inside a longer string, so it must be a primitive. */
  readonly inTemplate: boolean;
  /** Where the expression occurs (JSON path in the consumer), for messages. */
  readonly at: string;
  /** Set when the emulator fills the output with filler text: read as a plain string only. */
  readonly filler?: string;
}

/**
 * Replaces the reads of outputs the emulator fills with filler text by a plain read of each such
 * output (it must still exist and be a non-empty string).
 */
export function relaxFillerReads(
  reads: readonly RemoteRead[],
  filler: ReadonlyMap<string, string>,
): RemoteRead[] {
  return reads.flatMap((read) => {
    const gap = read.outputs.map((o) => filler.get(o)).find(Boolean);
    if (!gap) return [read];
    return read.outputs.map((output) => ({
      expression: `data.terraform_remote_state.${read.dataSource}.outputs.${output}`,
      outputs: [output],
      dataSource: read.dataSource,
      inTemplate: true,
      at: read.at,
      filler: gap,
    }));
  });
}

const REMOTE_OUTPUT = /data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g;
/** A reference to anything but the remote state (another resource, data source, var...). */
const OTHER_REFERENCE = /(?<![\w.-])(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*/;

/** Every expression of a consumer stack that reads a remote state's outputs. */
export function remoteReads(consumer: TerraformJson): RemoteRead[] {
  const reads = new Map<string, RemoteRead>();
  for (const section of ['resource', 'data', 'provider', 'output', 'locals', 'module'] as const) {
    forEachString((consumer as Record<string, unknown>)[section], (text, path) => {
      for (const expression of interpolations(text)) {
        const matches = [...expression.matchAll(REMOTE_OUTPUT)];
        if (matches.length === 0) continue;
        const rest = expression.replace(REMOTE_OUTPUT, '');
        if (OTHER_REFERENCE.test(rest)) {
          throw new Error(
            `${[section, ...path].join('.')}: "${expression}" mixes remote state with other ` +
              'references; the contract probe cannot evaluate it alone',
          );
        }
        const inTemplate = text.trim() !== `\${${expression}}`;
        const key = `${expression}|${inTemplate}`;
        if (!reads.has(key)) {
          reads.set(key, {
            expression,
            outputs: [...new Set(matches.map((m) => m[2] as string))],
            dataSource: matches[0]?.[1] as string,
            inTemplate,
            at: [section, ...path].join('.'),
          });
        }
      }
    });
  }
  return [...reads.values()];
}

/** The consumer's remote-state data sources, by name. */
export function remoteStateSources(consumer: TerraformJson): Record<string, Block> {
  return (consumer.data?.terraform_remote_state ?? {}) as Record<string, Block>;
}

export interface ContractProbe {
  /** Working directory of the probe configuration. */
  readonly dir: string;
  readonly consumer: string;
  readonly producer: string;
  readonly json: TerraformJson;
  readonly reads: RemoteRead[];
}

/**
 * A configuration holding the consumer's remote-state blocks (their backend settings adjusted by
 * `adjustConfig` to reach the emulator copy's state) and one output per read expression.
 */
export function contractProbe(
  dir: string,
  consumerName: string,
  consumer: TerraformJson,
  producerName: string,
  /** Where the probe reads the state: the consumer's settings adjusted to the emulator copy. */
  adjustConfig: (backend: string, config: Block) => { backend: string; config: Block },
  filler: ReadonlyMap<string, string> = new Map(),
): ContractProbe {
  const reads = relaxFillerReads(remoteReads(consumer), filler);
  const sources = remoteStateSources(consumer);
  const used = new Set(reads.map((r) => r.dataSource));
  const data = Object.fromEntries(
    [...used].map((name) => {
      const source = sources[name];
      if (!source)
        throw new Error(
          `${consumerName} reads data.terraform_remote_state.${name}, which it does not declare`,
        );
      const backend = String(source.backend);
      const { '//': _metadata, ...rest } = source;
      return [name, { ...rest, ...adjustConfig(backend, (source.config ?? {}) as Block) }];
    }),
  );
  const output = Object.fromEntries(
    reads.map((read, index) => [
      `read_${index}`,
      { value: `\${${read.expression}}`, sensitive: true, description: read.at },
    ]),
  );
  const json: TerraformJson = {
    terraform: { backend: { local: { path: 'terraform.tfstate' } } },
    data: { terraform_remote_state: data },
    output,
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.tf.json'), `${JSON.stringify(json, null, 2)}\n`);
  return { dir, consumer: consumerName, producer: producerName, json, reads };
}

interface OutputValue {
  value: unknown;
  type: unknown;
}

/** Problems with the evaluated reads (empty when the contract holds). */
export function contractProblems(
  reads: readonly RemoteRead[],
  values: Record<string, OutputValue>,
): string[] {
  const problems: string[] = [];
  reads.forEach((read, index) => {
    const result = values[`read_${index}`];
    const what = `${read.expression} (${read.at})`;
    if (!result) problems.push(`${what}: not evaluated`);
    else if (result.value === null || result.value === undefined) problems.push(`${what}: is null`);
    else if (read.inTemplate && typeof result.value === 'object') {
      problems.push(`${what}: is a ${JSON.stringify(result.type)}, but is used inside a string`);
    } else if (result.value === '') problems.push(`${what}: is an empty string`);
  });
  return problems;
}

/** Evaluates the probe with terraform; returns the problems found (empty: the contract holds). */
export async function runContractProbe(
  runner: TerraformRunner,
  probe: ContractProbe,
): Promise<string[]> {
  const init = await terraform(runner, probe.dir, ['init', '-input=false', '-no-color']);
  if (init.code !== 0) return [`init of the contract probe failed:\n${tail(init)}`];
  const apply = await terraform(runner, probe.dir, [
    'apply',
    '-input=false',
    '-no-color',
    '-auto-approve',
  ]);
  if (apply.code !== 0) {
    return [`${probe.consumer} cannot read ${probe.producer}'s outputs:\n${tail(apply, 15)}`];
  }
  const output = await terraform(runner, probe.dir, ['output', '-json']);
  if (output.code !== 0) return [`terraform output failed:\n${tail(output)}`];
  return contractProblems(probe.reads, JSON.parse(output.stdout) as Record<string, OutputValue>);
}
