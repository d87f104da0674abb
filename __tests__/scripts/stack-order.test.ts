import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  backendOf,
  environmentOf,
  orderedStacks,
  render,
  stackOrder,
  type CdktfManifest,
} from '../../scripts/stack-order';

/** A manifest shaped like the one `cdktf synth` writes, listed in a deliberately unhelpful order. */
function manifest(deps: Record<string, string[]>): CdktfManifest {
  return {
    version: '0.21.0',
    stacks: Object.fromEntries(
      Object.entries(deps).map(([name, dependencies]) => [
        name,
        {
          name,
          dependencies,
          synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
          workingDirectory: `stacks/${name}`,
        },
      ]),
    ),
  };
}

const app = manifest({
  'prod-workloads': ['prod-infra'],
  'dev-workloads': ['dev-infra', 'bootstrap'],
  'staging-workloads': ['staging-infra'],
  'prod-infra': ['bootstrap'],
  'dev-infra': ['bootstrap'],
  'staging-infra': ['bootstrap'],
  bootstrap: [],
});

describe('stackOrder', () => {
  it('puts every stack after all of its dependencies', () => {
    const order = stackOrder(app);
    expect(order).toHaveLength(7);
    for (const [name, entry] of Object.entries(app.stacks)) {
      for (const dep of entry.dependencies ?? []) {
        expect(order.indexOf(dep)).toBeLessThan(order.indexOf(name));
      }
    }
  });

  it('is stable: ties are broken alphabetically, whatever the manifest order', () => {
    expect(stackOrder(app)).toEqual([
      'bootstrap',
      'dev-infra',
      'dev-workloads',
      'prod-infra',
      'prod-workloads',
      'staging-infra',
      'staging-workloads',
    ]);
    const reversed = manifest(
      Object.fromEntries(
        Object.entries(app.stacks)
          .reverse()
          .map(([n, s]) => [n, [...(s.dependencies ?? [])]]),
      ),
    );
    expect(stackOrder(reversed)).toEqual(stackOrder(app));
  });

  it('fails with the cycle spelled out', () => {
    const cyclic = manifest({ a: ['c'], b: ['a'], c: ['b'], d: [] });
    expect(() => stackOrder(cyclic)).toThrow(/dependency cycle between stacks: a -> c -> b -> a/);
  });

  it('fails on a dependency the manifest does not list', () => {
    expect(() => stackOrder(manifest({ 'dev-workloads': ['dev-infra'] }))).toThrow(
      /"dev-workloads" depends on "dev-infra", which is not in the manifest/,
    );
  });
});

describe('orderedStacks', () => {
  it('filters by environment and keeps the dependency order', () => {
    expect(orderedStacks(app, { environment: 'dev' }).map((s) => s.name)).toEqual([
      'dev-infra',
      'dev-workloads',
    ]);
    expect(orderedStacks(app, { environment: 'bootstrap' }).map((s) => s.name)).toEqual([
      'bootstrap',
    ]);
    expect(orderedStacks(app, { environment: 'qa' })).toEqual([]);
  });

  it('derives environments from stack names', () => {
    expect(environmentOf('prod-workloads')).toBe('prod');
    expect(environmentOf('eu-prod-infra')).toBe('eu-prod');
    expect(environmentOf('bootstrap')).toBe('bootstrap');
    expect(render(orderedStacks(app), 'environments').split('\n')).toEqual([
      'bootstrap',
      'dev',
      'prod',
      'staging',
    ]);
  });
});

describe('backendOf', () => {
  it('recognises cloud, s3 and the implicit local backend', () => {
    expect(backendOf({ terraform: { cloud: { organization: 'o' } } })).toBe('cloud');
    expect(backendOf({ terraform: { backend: { s3: { bucket: 'b' } } } })).toBe('s3');
    expect(backendOf({ terraform: { backend: { local: { path: 'x' } } } })).toBe('local');
    expect(backendOf({ terraform: { required_providers: {} } })).toBe('local');
  });
});

const TSX = join(__dirname, '../../node_modules/.bin/tsx');

describe('CLI', () => {
  // A real synthesized layout on disk, as `npm run synth` leaves it.
  const dir = mkdtempSync(join(tmpdir(), 'stack-order-'));
  const out = join(dir, 'cdktf.out');
  for (const name of Object.keys(app.stacks)) {
    mkdirSync(join(out, 'stacks', name), { recursive: true });
    const terraform = name.startsWith('prod')
      ? { cloud: { organization: 'acme', workspaces: { name: `hello-${name}` } } }
      : { backend: { s3: { bucket: 'state' } } };
    writeFileSync(join(out, 'stacks', name, 'cdk.tf.json'), JSON.stringify({ terraform }));
  }
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(app));
  const run = (...args: string[]): string =>
    execFileSync(TSX, [join(__dirname, '../../scripts/stack-order.ts'), ...args], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('prints one environment in order, with working directories and backends as JSON', () => {
    expect(run('--env', 'prod')).toBe('prod-infra\nprod-workloads\n');
    const stacks = JSON.parse(run('--env', 'prod', '--format', 'json')) as Array<
      Record<string, unknown>
    >;
    expect(stacks).toEqual([
      expect.objectContaining({
        name: 'prod-infra',
        backend: 'cloud',
        workingDirectory: 'cdktf.out/stacks/prod-infra',
      }),
      expect.objectContaining({
        name: 'prod-workloads',
        backend: 'cloud',
        dependencies: ['prod-infra'],
      }),
    ]);
    expect((JSON.parse(run('--format', 'json')) as Array<{ backend: string }>)[0]?.backend).toBe(
      's3',
    );
  });

  it('exits non-zero with a clear message for an unknown environment', () => {
    expect(() => run('--env', 'qa')).toThrow(/no stacks for environment "qa"/);
  });
});
