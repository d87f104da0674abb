/**
 * Finds what the emulator run needs on the machine: `terraform`, a provider filesystem mirror
 * holding hashicorp/aws at the version the emulator copy pins, and a Python with moto (the
 * emulator, started through moto_launcher.py, which adds the APIs moto lacks). Nothing is
 * hard-coded: the mirror comes from TF_PROVIDER_MIRROR, else Terraform's standard plugin
 * directories, else a bounded search of the usual install roots.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { EMULATOR_PROVIDER_VERSION } from './provider-compat';

export interface Prerequisites {
  readonly terraform?: string;
  /** Directory holding `registry.terraform.io/hashicorp/aws/<version>/<platform>`. */
  readonly mirror?: string;
  /** A Python interpreter that imports moto (MOTO_PYTHON, else `python3` on the PATH). */
  readonly moto?: string;
  /** One line per missing tool, saying what is missing and how it was looked for. */
  readonly missing: string[];
}

/** Terraform's name for this machine's platform, e.g. `linux_amd64`. */
export function terraformPlatform(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string {
  const cpu = arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
  return `${platform === 'win32' ? 'windows' : platform}_${cpu}`;
}

/** Path of the AWS provider package inside a mirror directory. */
export function awsPackagePath(mirror: string, platform = terraformPlatform()): string {
  return join(
    mirror,
    'registry.terraform.io',
    'hashicorp',
    'aws',
    EMULATOR_PROVIDER_VERSION,
    platform,
  );
}

/** The first executable called `name` on a PATH string. */
export function findOnPath(
  name: string,
  pathVariable = process.env.PATH ?? '',
): string | undefined {
  for (const dir of pathVariable.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      const stats = statSync(candidate);
      if (stats.isFile() && (stats.mode & 0o111) !== 0) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Terraform's implied local mirror directories on Unix (see the CLI configuration docs). */
export function standardPluginDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME ?? homedir();
  const dataHome = env.XDG_DATA_HOME ?? join(home, '.local', 'share');
  const dataDirs = (env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':').filter(Boolean);
  return [
    join(home, '.terraform.d', 'plugins'),
    join(dataHome, 'terraform', 'plugins'),
    ...dataDirs.map((dir) => join(dir, 'terraform', 'plugins')),
  ];
}

/**
 * Breadth-first search below `roots` (at most `maxDepth` levels, skipping hidden and very large
 * directories' children beyond `maxEntries`) for a directory that holds the AWS provider package.
 */
export function searchMirror(
  roots: readonly string[],
  { maxDepth = 4, maxEntries = 5_000 }: { maxDepth?: number; maxEntries?: number } = {},
): string | undefined {
  let level = roots.filter((root) => existsSync(root));
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth += 1) {
    const next: string[] = [];
    for (const dir of level) {
      if (existsSync(awsPackagePath(dir))) return dir;
      let entries: string[];
      try {
        entries = readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
          .map((e) => join(dir, e.name));
      } catch {
        continue;
      }
      next.push(...entries.slice(0, maxEntries));
    }
    level = next;
  }
  return undefined;
}

/** Where the mirror is, or why it was not found. */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): {
  mirror?: string;
  problem?: string;
} {
  const wanted = `hashicorp/aws ${EMULATOR_PROVIDER_VERSION} (${terraformPlatform()})`;
  if (env.TF_PROVIDER_MIRROR) {
    return existsSync(awsPackagePath(env.TF_PROVIDER_MIRROR))
      ? { mirror: env.TF_PROVIDER_MIRROR }
      : { problem: `TF_PROVIDER_MIRROR=${env.TF_PROVIDER_MIRROR} holds no ${wanted}` };
  }
  const standard = standardPluginDirs(env).find((dir) => existsSync(awsPackagePath(dir)));
  if (standard) return { mirror: standard };
  const roots = ['/opt', '/usr/local/share', '/usr/share', env.HOME ?? homedir()];
  const found = searchMirror(roots);
  return found
    ? { mirror: found }
    : {
        problem:
          `no provider mirror holding ${wanted} (set TF_PROVIDER_MIRROR, or put one in a ` +
          `Terraform plugin directory or below ${roots.join(', ')})`,
      };
}

export function findPrerequisites(env: NodeJS.ProcessEnv = process.env): Prerequisites {
  const missing: string[] = [];
  const terraform = findOnPath('terraform', env.PATH);
  if (!terraform) missing.push('terraform is not on the PATH');
  const { mirror, problem } = findProviderMirror(env);
  if (problem) missing.push(problem);
  const moto = findMotoPython(env);
  if (!moto) {
    missing.push(
      'no Python with moto (set MOTO_PYTHON, or put a python3 that imports moto on the PATH)',
    );
  }
  return { terraform, mirror, moto, missing };
}

/** The Python that runs moto_launcher.py: MOTO_PYTHON, else `python3` on the PATH, if it imports moto. */
export function findMotoPython(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const python = env.MOTO_PYTHON ?? findOnPath('python3', env.PATH);
  if (!python) return undefined;
  const probe = spawnSync(python, ['-c', 'import moto'], { stdio: 'ignore', timeout: 30_000 });
  return probe.status === 0 ? python : undefined;
}
