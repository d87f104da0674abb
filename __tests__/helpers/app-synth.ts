import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, selectEnvironments, type ProjectConfig } from '../../config';
import { buildPlatformApp } from '../../stacks/app';
import type { TerraformJson } from '../../policy/types';

export interface SynthesizedStack {
  readonly name: string;
  /** `account` for the bootstrap stack, else the environment name. */
  readonly environment: string;
  readonly json: TerraformJson;
  /** Stacks this one reads through cross-stack references (from cdktf's manifest). */
  readonly dependencies: string[];
}

export interface SynthesizedPlatform {
  readonly outdir: string;
  readonly stacks: SynthesizedStack[];
  stack(name: string): SynthesizedStack;
}

interface Manifest {
  stacks: Record<string, { synthesizedStackPath: string; dependencies: string[] }>;
}

const cache = new Map<string, SynthesizedPlatform>();

/** Environment a stack belongs to, from its name (`prod-infra` → `prod`). */
export function environmentOfStack(name: string): string {
  return name === 'bootstrap' ? 'account' : name.replace(/-(infra|workloads)$/, '');
}

/**
 * Synthesizes the real app (the repository's config, or a given one) into a temp directory, the
 * way `cdktf synth` does, and reads every stack back. Cached per config within a test file.
 */
export function synthPlatform(
  config: ProjectConfig = loadConfig(),
  selector?: string,
): SynthesizedPlatform {
  const key = JSON.stringify([config, selector ?? '']);
  const cached = cache.get(key);
  if (cached) return cached;

  const outdir = mkdtempSync(path.join(tmpdir(), 'platform-synth-'));
  buildPlatformApp({
    config,
    environments: selectEnvironments(config, selector),
    outdir,
  }).app.synth();
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as Manifest;
  const stacks = Object.entries(manifest.stacks).map(([name, entry]) => ({
    name,
    environment: environmentOfStack(name),
    json: JSON.parse(
      readFileSync(path.join(outdir, entry.synthesizedStackPath), 'utf8'),
    ) as TerraformJson,
    dependencies: entry.dependencies,
  }));
  const platform: SynthesizedPlatform = {
    outdir,
    stacks,
    stack(name) {
      const found = stacks.find((candidate) => candidate.name === name);
      if (!found)
        throw new Error(`no stack "${name}" (have: ${stacks.map((s) => s.name).join(', ')})`);
      return found;
    },
  };
  cache.set(key, platform);
  return platform;
}
