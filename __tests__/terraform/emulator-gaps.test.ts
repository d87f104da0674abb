/**
 * The declared emulator gaps and the 6.x → 5.x mapping table, checked against the stacks the
 * repository synthesizes today: no entry may match nothing (the lists cannot rot), and no stack
 * may lose more than MAX_EXCLUDED_SHARE of its resources to the gaps.
 */
import { synthPlatform } from '../helpers/app-synth';
import { remoteReads, contractProblems } from '../../scripts/terraform/contract';
import { emulatorCopy, gapMatches } from '../../scripts/terraform/emulator-copy';
import { EMULATOR_GAPS, MAX_EXCLUDED_SHARE } from '../../scripts/terraform/emulator-gaps';
import {
  backendType,
  requiredProviders,
  RUNNABLE_PROVIDERS,
  selectStacks,
  type SynthesizedStack,
} from '../../scripts/terraform/platform-run';
import { selfContainmentProblems } from '../../scripts/terraform/platform-checks';
import { PROVIDER_MAPPINGS, applyProviderMappings } from '../../scripts/terraform/provider-compat';
import { coverageLine, exclusionSummary } from '../../scripts/terraform/report';
import { PROBES, SDK_DELETERS } from '../../scripts/terraform/leftovers';
import { unseedableDataSources } from '../../scripts/terraform/seed';
import { forEachString, resourceBlocks } from '../../scripts/terraform/terraform-json';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const platform = synthPlatform();
const synthesized: SynthesizedStack[] = platform.stacks.map((s) => ({
  name: s.name,
  dir: path.join(platform.outdir, 'stacks', s.name),
  json: s.json,
  dependencies: s.dependencies,
}));
const runnable = synthesized.filter((s) =>
  requiredProviders(s.json).every((p) => RUNNABLE_PROVIDERS.has(p)),
);
const copyOptions = {
  endpoint: 'http://127.0.0.1:1',
  endpointKeys: ['s3'],
  backend: 'local' as const,
  accountId: '123456789012',
};

describe('the stacks the emulator run covers', () => {
  it('are bootstrap and every <env>-infra stack; workloads need providers the mirror lacks', () => {
    expect(selectStacks(synthesized, []).specs.map((s) => s.name)).toEqual([
      'bootstrap',
      'dev-infra',
      'staging-infra',
      'prod-infra',
    ]);
    expect(runnable).toHaveLength(4);
    const selection = selectStacks(synthesized, []);
    expect(selection.notes[0]).toMatch(/not run .*dev-workloads \[aws, helm, kubernetes\]/);
  });

  it('runs the S3 round trip with the first s3-backend stack and brings bootstrap along', () => {
    const selection = selectStacks(synthesized, ['staging-infra']);
    expect(selection.specs.map((s) => [s.name, s.backend])).toEqual([
      ['bootstrap', 'local'],
      ['staging-infra', 'keep'],
    ]);
    expect(selection.s3RoundTrip).toBe('staging-infra');
    const all = selectStacks(synthesized, []);
    expect(all.specs.find((s) => s.name === 'prod-infra')?.backend).toBe('local');
    expect(backendType(platform.stack('prod-infra').json)).toBe('s3');
  });

  it('rejects unknown stacks and stacks whose providers are missing', () => {
    expect(() => selectStacks(synthesized, ['nope'])).toThrow(/unknown stack\(s\) nope/);
    expect(() => selectStacks(synthesized, ['dev-workloads'])).toThrow(/not in the mirror/);
  });

  it('look up nothing the harness cannot seed', () => {
    for (const stack of runnable) expect(unseedableDataSources(stack.json)).toEqual([]);
  });

  it('are self-contained directories (the JSON exit path)', () => {
    for (const stack of runnable) {
      expect(selfContainmentProblems(stack.dir, stack.json, process.cwd())).toEqual([]);
    }
  });
});

describe('declared emulator gaps', () => {
  it('each entry matches something in some stack and says what and why', () => {
    expect(EMULATOR_GAPS.length).toBeGreaterThan(0);
    for (const gap of EMULATOR_GAPS) {
      const matches = runnable.flatMap((stack) => gapMatches(stack.json, gap));
      expect({ gap: gap.id, matches: matches.length > 0 }).toEqual({ gap: gap.id, matches: true });
      expect(gap.emulatorError.length).toBeGreaterThan(10);
      expect(gap.why.length).toBeGreaterThan(10);
    }
    expect(new Set(EMULATOR_GAPS.map((g) => g.id)).size).toBe(EMULATOR_GAPS.length);
  });

  it('delete through the SDK only what they can delete and then probe', () => {
    const types = EMULATOR_GAPS.flatMap((g) =>
      g.match.kind === 'delete-outside-terraform' ? [g.match.type] : [],
    );
    for (const type of types) {
      expect({ type, deleter: type in SDK_DELETERS, probe: type in PROBES }).toEqual({
        type,
        deleter: true,
        probe: true,
      });
    }
    const copy = emulatorCopy(platform.stack('prod-infra').json, copyOptions);
    expect(copy.deletedOutside.map((d) => d.type)).toEqual(
      types.filter((t) => resourceBlocks(copy.json).some((r) => r.type === t)),
    );
    expect(copy.excluded.filter((e) => types.includes(e.type))).toEqual([]);
  });

  it(`leave out at most ${MAX_EXCLUDED_SHARE * 100} % of any stack`, () => {
    expect(runnable).toHaveLength(4);
    for (const stack of runnable) {
      const copy = emulatorCopy(stack.json, copyOptions);
      expect(copy.total).toBe(resourceBlocks(stack.json).length);
      expect({ stack: stack.name, share: copy.excluded.length / copy.total }).toEqual({
        stack: stack.name,
        share: expect.toSatisfy((share: number) => share <= MAX_EXCLUDED_SHARE),
      });
    }
  });

  it('never leave out a resource the workloads stack reads', () => {
    for (const stack of runnable.filter((s) => s.name.endsWith('-infra'))) {
      const copy = emulatorCopy(stack.json, copyOptions);
      const consumer = platform.stack(stack.name.replace(/-infra$/, '-workloads'));
      const read = new Set(remoteReads(consumer.json).flatMap((r) => r.outputs));
      expect(read.size).toBeGreaterThan(0);
      expect(copy.excludedOutputs.filter((name) => read.has(name))).toEqual([]);
    }
  });
});

describe('docs/real-terraform.md', () => {
  it('lists every declared gap and every provider mapping', () => {
    const doc = readFileSync(path.join(process.cwd(), 'docs', 'real-terraform.md'), 'utf8');
    const ids = [...EMULATOR_GAPS.map((g) => g.id), ...PROVIDER_MAPPINGS.map((m) => m.id)];
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id) => !doc.includes(`\`${id}\``))).toEqual([]);
  });
});

describe('provider 6.x → 5.x mappings', () => {
  it('each mapping applies somewhere and leaves no 6.x construct it maps', () => {
    for (const mapping of PROVIDER_MAPPINGS) {
      const uses = runnable.map(
        (s) => applyProviderMappings(s.json, [mapping]).uses[0]?.changes ?? 0,
      );
      expect({ mapping: mapping.id, used: uses.some((n) => n > 0) }).toEqual({
        mapping: mapping.id,
        used: true,
      });
    }
    for (const stack of runnable) {
      const { json } = applyProviderMappings(stack.json);
      forEachString(json, (text) => expect(text).not.toMatch(/data\.aws_region\.[\w-]+\.region\b/));
      for (const cluster of Object.values(json.resource?.aws_eks_cluster ?? {})) {
        expect(cluster).not.toHaveProperty('deletion_protection');
      }
    }
  });
});

describe('cross-stack contract', () => {
  it('finds every remote-state read of the workloads stacks', () => {
    const reads = remoteReads(platform.stack('prod-workloads').json);
    const outputs = new Set(reads.flatMap((r) => r.outputs));
    const produced = Object.keys(platform.stack('prod-infra').json.output ?? {});
    expect(outputs.size).toBeGreaterThan(3);
    expect([...outputs].filter((name) => !produced.includes(name))).toEqual([]);
    const ca = reads.find((r) => r.expression.startsWith('base64decode('));
    expect(ca?.inTemplate).toBe(false);
    expect(reads.some((r) => r.inTemplate)).toBe(true);
  });

  it('reports nulls, empty strings and collections used inside strings', () => {
    const reads = [
      { expression: 'a', outputs: ['a'], dataSource: 'x', inTemplate: true, at: 'p' },
      { expression: 'b', outputs: ['b'], dataSource: 'x', inTemplate: false, at: 'q' },
      { expression: 'c', outputs: ['c'], dataSource: 'x', inTemplate: false, at: 'r' },
    ];
    expect(
      contractProblems(reads, {
        read_0: { value: ['x'], type: ['list', 'string'] },
        read_1: { value: null, type: 'string' },
        read_2: { value: '', type: 'string' },
      }),
    ).toEqual([
      'a (p): is a ["list","string"], but is used inside a string',
      'b (q): is null',
      'c (r): is an empty string',
    ]);
    expect(
      contractProblems(reads.slice(0, 1), { read_0: { value: 5432, type: 'number' } }),
    ).toEqual([]);
  });
});

describe('coverage line', () => {
  it('names applied, total, share and the excluded types, counted from the copy', () => {
    for (const stack of runnable) {
      const copy = emulatorCopy(stack.json, copyOptions);
      const applied = copy.total - copy.excluded.length;
      const line = coverageLine({
        name: stack.name,
        total: copy.total,
        applied,
        copy,
        steps: [],
        failures: [],
        notes: [],
        seconds: 100,
        dir: '',
      });
      const counts = new Map<string, number>();
      for (const e of copy.excluded) {
        counts.set(`${e.type}|${e.gap}`, (counts.get(`${e.type}|${e.gap}`) ?? 0) + 1);
      }
      const summary = [...counts]
        .map(([key, n]) => {
          const [type, gap] = key.split('|');
          return `${type}${n > 1 ? ` ×${n}` : ''}: ${gap}`;
        })
        .join(', ');
      const share = ((100 * applied) / copy.total).toFixed(1);
      expect(line).toBe(
        `${stack.name}: ${applied} of ${copy.total} resources applied (${share} %), ` +
          `${copy.excluded.length} excluded${summary ? ` (${summary})` : ''}, 100 s`,
      );
    }
  });

  it('groups exclusions by type and gap, with a count when there are several', () => {
    const excluded = [
      { address: 'aws_a.x', type: 'aws_a', gap: 'g1' },
      { address: 'aws_a.y', type: 'aws_a', gap: 'g1' },
      { address: 'aws_b.z', type: 'aws_b', gap: 'g2', via: 'aws_a.x' },
    ];
    expect(exclusionSummary(excluded)).toBe('aws_a ×2: g1, aws_b: g2');
    const line = coverageLine({
      name: 's',
      total: 20,
      applied: 17,
      copy: { ...emulatorCopy({}, copyOptions), excluded },
      steps: [],
      failures: ['x'],
      notes: [],
      seconds: 12.4,
      dir: '',
    });
    expect(line).toBe(
      's: FAILED, 17 of 20 resources applied (85.0 %), 3 excluded (aws_a ×2: g1, aws_b: g2), 12 s',
    );
  });
});
