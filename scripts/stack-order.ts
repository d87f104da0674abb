/**
 * Prints the stacks of a synthesized cdktf app in dependency order, read from cdktf's own
 * manifest (`cdktf.out/manifest.json`), so CI never hard-codes stack names or their order.
 *
 *   npx tsx scripts/stack-order.ts [--manifest cdktf.out/manifest.json] [--env dev]
 *                                  [--format names|json|environments]
 *
 * `names` (default) prints one stack per line; `json` prints one object per stack with its working
 * directory (relative to the repository root) and backend (`s3`, `cloud`, `local`, ...);
 * `environments` prints each environment once, in the order its first stack appears.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseFlags } from './flags';

/** The fields of cdktf's `manifest.json` this script reads. */
export interface CdktfManifest {
  readonly version?: string;
  readonly stacks: Record<
    string,
    {
      readonly name: string;
      readonly dependencies?: readonly string[];
      readonly synthesizedStackPath: string;
      readonly workingDirectory: string;
    }
  >;
}

/** A stack ready for a workflow to loop over. */
export interface OrderedStack {
  readonly name: string;
  /** `<env>` part of `<env>-<kind>`; the whole name for stacks without a dash (e.g. `bootstrap`). */
  readonly environment: string;
  readonly dependencies: string[];
  /** Directory to run terraform in, relative to the directory that holds `cdktf.out`. */
  readonly workingDirectory: string;
  /** `s3`, `cloud`, `local`, `remote`, ... or `unknown` when the stack JSON cannot be read. */
  readonly backend: string;
}

/** Environment a stack belongs to: `dev-workloads` → `dev`, `bootstrap` → `bootstrap`. */
export function environmentOf(stackName: string): string {
  const dash = stackName.lastIndexOf('-');
  return dash > 0 ? stackName.slice(0, dash) : stackName;
}

/**
 * Topological order of the manifest's stacks (Kahn's algorithm). Among stacks whose dependencies
 * are all placed, the alphabetically first goes next, so the order is stable across runs.
 * Throws on a dependency that is not in the manifest and on cycles, naming the stacks involved.
 */
export function stackOrder(manifest: CdktfManifest): string[] {
  const names = Object.keys(manifest.stacks).sort();
  const dependencies = new Map<string, Set<string>>();
  for (const name of names) {
    const deps = new Set(manifest.stacks[name]?.dependencies ?? []);
    for (const dep of deps) {
      if (!(dep in manifest.stacks)) {
        throw new Error(`stack "${name}" depends on "${dep}", which is not in the manifest`);
      }
    }
    dependencies.set(name, deps);
  }

  const placed: string[] = [];
  const done = new Set<string>();
  while (placed.length < names.length) {
    const next = names.find(
      (name) => !done.has(name) && [...(dependencies.get(name) ?? [])].every((d) => done.has(d)),
    );
    if (next === undefined) {
      const remaining = names.filter((name) => !done.has(name));
      throw new Error(`dependency cycle between stacks: ${describeCycle(remaining, dependencies)}`);
    }
    placed.push(next);
    done.add(next);
  }
  return placed;
}

/** Walks dependencies from the first unplaced stack until a stack repeats: `a -> b -> a`. */
function describeCycle(remaining: string[], dependencies: Map<string, Set<string>>): string {
  const left = new Set(remaining);
  const path: string[] = [];
  let current = remaining[0] as string;
  while (!path.includes(current)) {
    path.push(current);
    const dep = [...(dependencies.get(current) ?? [])].find((d) => left.has(d));
    if (dep === undefined) break;
    current = dep;
  }
  const start = path.indexOf(current);
  return [...path.slice(start), current].join(' -> ');
}

/** Backend a synthesized stack uses: `cloud` for the `cloud` block, else the `backend` key. */
export function backendOf(stackJson: { terraform?: Record<string, unknown> }): string {
  const terraform = stackJson.terraform ?? {};
  if (terraform['cloud'] !== undefined) return 'cloud';
  const backend = terraform['backend'];
  if (backend && typeof backend === 'object') {
    const kinds = Object.keys(backend);
    if (kinds[0] !== undefined) return kinds[0];
  }
  // Terraform's default when no backend is configured.
  return 'local';
}

/**
 * The stacks in dependency order, optionally only those of one environment (dependencies outside
 * the environment, such as `bootstrap`, are left out but still respected by the order).
 */
export function orderedStacks(
  manifest: CdktfManifest,
  options: { environment?: string; outDir?: string } = {},
): OrderedStack[] {
  const outDir = options.outDir ?? 'cdktf.out';
  return stackOrder(manifest)
    .filter((name) => !options.environment || environmentOf(name) === options.environment)
    .map((name) => {
      const entry = manifest.stacks[name];
      if (!entry) throw new Error(`stack "${name}" vanished from the manifest`);
      const stackFile = join(outDir, entry.synthesizedStackPath);
      let backend = 'unknown';
      if (existsSync(stackFile)) {
        backend = backendOf(JSON.parse(readFileSync(stackFile, 'utf8')) as object);
      }
      return {
        name,
        environment: environmentOf(name),
        dependencies: [...(entry.dependencies ?? [])],
        workingDirectory: join(outDir, entry.workingDirectory),
        backend,
      };
    });
}

/** Parses the manifest file, with an error that says what is wrong with it. */
export function readManifest(path: string): CdktfManifest {
  if (!existsSync(path)) {
    throw new Error(`${path} not found: run \`npm run synth\` first`);
  }
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<CdktfManifest>;
  if (!parsed.stacks || typeof parsed.stacks !== 'object') {
    throw new Error(`${path} has no "stacks" object; is it a cdktf manifest?`);
  }
  return parsed as CdktfManifest;
}

type Format = 'names' | 'json' | 'environments';

/** Renders the ordered stacks in one of the CLI formats. */
export function render(stacks: OrderedStack[], format: Format): string {
  switch (format) {
    case 'json':
      return JSON.stringify(stacks, null, 2);
    case 'environments':
      return [...new Set(stacks.map((s) => s.environment))].join('\n');
    case 'names':
      return stacks.map((s) => s.name).join('\n');
  }
}

function main(argv: string[]): void {
  const args = parseFlags(
    argv,
    ['manifest', 'env', 'format'],
    `usage: stack-order.ts [--manifest path] [--env name] [--format names|json|environments]`,
  );
  const manifestPath = args.get('manifest') ?? 'cdktf.out/manifest.json';
  const format = (args.get('format') ?? 'names') as Format;
  if (!['names', 'json', 'environments'].includes(format)) {
    throw new Error(`unknown --format ${format}`);
  }
  const environment = args.get('env');
  const stacks = orderedStacks(readManifest(manifestPath), {
    environment,
    outDir: dirname(manifestPath),
  });
  if (environment && stacks.length === 0) {
    throw new Error(`no stacks for environment "${environment}" in ${manifestPath}`);
  }
  process.stdout.write(`${render(stacks, format)}\n`);
}

// Run only as a CLI (`tsx scripts/stack-order.ts`), not when a test imports the functions.
if (process.argv[1]?.endsWith('stack-order.ts')) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`stack-order: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
