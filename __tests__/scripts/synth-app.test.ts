import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { synthPlatform } from '../helpers/app-synth';
import { ensureBundle, PATCH_MARKERS } from '../../scripts/synth-app.cjs';

const root = path.resolve(__dirname, '../..');
const app = path.join(root, 'scripts', 'synth-app.cjs');
const cdktfJson = JSON.parse(readFileSync(path.join(root, 'cdktf.json'), 'utf8')) as {
  app: string;
};

/** Every file under `dir`, relative path → bytes as text. */
function tree(dir: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) for (const [file, text] of tree(dir, rel)) files.set(file, text);
    else files.set(rel, readFileSync(path.join(dir, rel), 'utf8'));
  }
  return files;
}

function runApp(env: Record<string, string>) {
  return spawnSync(process.execPath, [app], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, SYNTH_APP_NO_RERUN: '1', ...env },
  });
}

describe('synth app (cdktf.json app)', () => {
  it('is what cdktf runs', () => {
    expect(cdktfJson.app).toBe('node scripts/synth-app.cjs');
  });

  it('writes every stack of every environment byte for byte as main.ts synthesized in process', async () => {
    const { bundle } = await ensureBundle();
    // The bundle's changes to cdktf are really in it (the plugins matched their files).
    const bundled = readFileSync(bundle, 'utf8');
    expect(PATCH_MARKERS).toHaveLength(3);
    for (const marker of PATCH_MARKERS) expect(bundled).toContain(marker);

    const outdir = mkdtempSync(path.join(tmpdir(), 'synth-app-'));
    // The app runs in a child process while this one synthesizes in process (two cores).
    const child = promisify(execFile)(process.execPath, [app], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, SYNTH_APP_NO_RERUN: '1', CDKTF_OUTDIR: outdir, STACK_ENVS: '' },
    });
    const expected = tree(path.join(synthPlatform().outdir, 'stacks'));
    // Rejects on a non-zero exit. Config warnings (dated: e.g. a Kubernetes version near its end
    // of support) may be printed, nothing else (the app drops Node 24's notice about cdktf's util.isArray).
    const { stderr } = await child;
    for (const line of stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^Warning: /);
    const actual = tree(path.join(outdir, 'stacks'));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [file, text] of expected) expect(actual.get(file), file).toBe(text);
  });

  it('reports a config error as main.ts does, without a second run', () => {
    const result = runApp({
      CDKTF_OUTDIR: mkdtempSync(path.join(tmpdir(), 'synth-app-')),
      STACK_ENVS: 'nowhere',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('STACK_ENVS: unknown environment "nowhere"');
    expect(result.stderr).not.toContain('Synth failed');
  });
});

describe('synth app bundle cache', () => {
  it('rebuilds when, and only when, an input changes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-app-cache-'));
    const entry = path.join(dir, 'entry.ts');
    const dependency = path.join(dir, 'value.ts');
    const cacheDir = path.join(dir, 'cache');
    writeFileSync(entry, "import { value } from './value';\nconsole.log(value);\n");
    writeFileSync(dependency, "export const value: string = 'first';\n");
    // A file changed within the build's first moments is not trusted as bundled.
    await sleep(50);
    const run = (bundle: string) =>
      spawnSync(process.execPath, [bundle], { encoding: 'utf8' }).stdout.trim();

    const built = await ensureBundle({ cacheDir, entry });
    expect(built.rebuilt).toBe('no bundle yet');
    expect(run(built.bundle)).toBe('first');
    expect((await ensureBundle({ cacheDir, entry })).rebuilt).toBeUndefined();

    // Same size, new content: caught by the file's ctime and inode, not by its length.
    writeFileSync(dependency, "export const value: string = 'other';\n");
    await sleep(50);
    const rebuilt = await ensureBundle({ cacheDir, entry });
    expect(rebuilt.rebuilt).toBe(`${path.relative(root, dependency)} changed`);
    expect(run(rebuilt.bundle)).toBe('other');
    expect((await ensureBundle({ cacheDir, entry })).rebuilt).toBeUndefined();
  });
});
