'use strict';
// CommonJS, so that plain node starts it without a transform.
/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The cdktf app (cdktf.json `app`, `npm run synth:fast`): runs main.ts from a cached esbuild bundle
 * with V8's code cache, so a synth pays neither npx, nor tsx's start and per-file transform, nor
 * the parsing and compiling of ~700 modules (docs/synth.md has the figures).
 *
 * The bundle lives in .gen/synth/ (git-ignored) with the list of its input files and their stat
 * signatures (size, mtime, ctime, inode). It is rebuilt when any input's signature differs, when
 * esbuild's version or the build options change, or when it is missing. ctime and inode change
 * whenever a file is rewritten, also by `npm ci`, which restores a fixed mtime.
 */
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

// The archived cdktf calls util.isArray, which Node 22+ flags on stderr (DEP0044), and the cdktf
// CLI logs every stderr line of the app as [ERROR] (.ci/run fails a synth on that). Only this
// notice about cdktf's own code is dropped; every other warning still prints.
const emitWarning = process.emitWarning;
process.emitWarning = function emitWarningExceptDep0044(warning, ...args) {
  const options = args[0];
  const code = options !== null && typeof options === 'object' ? options.code : args[1];
  if (code === 'DEP0044') return;
  emitWarning.call(process, warning, ...args);
};

const root = path.resolve(__dirname, '..');
const defaultCacheDir = path.join(root, '.gen', 'synth');
/** Bumped by hand when this file changes how the bundle is built or run. */
const FORMAT = 3;

/** @typedef {[file: string, size: number, mtimeMs: number, ctimeMs: number, ino: number]} InputSignature */

/** @param {string} file @returns {InputSignature} */
function signature(file) {
  const stat = fs.statSync(file, { bigint: false });
  return [file, stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino];
}

/**
 * Changes to cdktf in the bundle only (node_modules stays as it is), each removing work whose
 * result a successful synth never reads. Each patch names the file it applies to and the exact
 * text it replaces; when a cdktf upgrade changes that text, the file is bundled unchanged and the
 * test that looks for every marker in the bundle fails.
 * @type {{ file: RegExp, find: string, replace: string, marker: string }[]}
 */
const CDKTF_PATCHES = [
  {
    // A full stack trace captured each time a token is created (tens of thousands per synth),
    // read only to word a token resolution error: a fifth of the synth's CPU time. When a synth
    // fails, the app runs main.ts again with tsx, which prints the creation stack.
    file: /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/,
    find: 'function captureStackTrace(below) {',
    replace: 'function captureStackTrace(below) {\n    return [];',
    marker: 'synth-app: cdktf token creation stacks are not recorded',
  },
  {
    // The path of every value resolve() visits ("/a/b/0/c"), joined on both of its passes over
    // every stack for error messages only: a tenth of the synth's CPU time.
    file: /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]resolve\.js$/,
    find: 'const pathName = "/" + prefix.join("/");',
    replace: 'const pathName = { toString: () => "/" + prefix.join("/") };',
    marker: 'synth-app: cdktf resolve path joined on use',
  },
  {
    // archiver (and with it glob, zlib and streams) loaded for file assets, which this project
    // has none of: a tenth of the synth's CPU time. Loaded on first use instead.
    file: /[\\/]cdktf[\\/]lib[\\/]private[\\/]fs\.js$/,
    find: 'const archiver = require("archiver");',
    replace: 'const archiver = (...args) => require("archiver")(...args);',
    marker: 'synth-app: archiver loaded on use',
  },
];

const cdktfPatches = {
  name: 'cdktf-patches',
  /** @param {import('esbuild').PluginBuild} pluginBuild */
  setup(pluginBuild) {
    for (const patch of CDKTF_PATCHES) {
      pluginBuild.onLoad({ filter: patch.file }, (args) => {
        const source = fs.readFileSync(args.path, 'utf8');
        if (!source.includes(patch.find)) return undefined;
        return {
          contents:
            source.replace(patch.find, patch.replace) +
            `\nexports.synthAppPatch = ${JSON.stringify(patch.marker)};\n`,
          loader: 'js',
        };
      });
    }
  },
};

/**
 * esbuild options of the bundle. Node 20 is the oldest Node the project supports (package.json
 * engines).
 * @param {string} entry @param {string} outfile
 */
function buildOptions(entry, outfile) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
    plugins: [cdktfPatches],
  };
}

/**
 * A key for everything besides the inputs that decides the bundle's content.
 * @param {string} entry
 */
function buildKey(entry) {
  const esbuildVersion = require('esbuild/package.json').version;
  const { plugins, ...options } = buildOptions(entry, '');
  return JSON.stringify({ FORMAT, esbuildVersion, options, plugins: plugins.map((p) => p.name) });
}

/**
 * Why the cached bundle cannot be used, or undefined when it is fresh.
 * @param {string} cacheDir @param {string} entry
 * @returns {string | undefined}
 */
function staleReason(cacheDir, entry) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(cacheDir, 'inputs.json'), 'utf8'));
  } catch {
    return 'no bundle yet';
  }
  if (manifest.entry !== entry) return 'different entry point';
  if (!fs.existsSync(path.join(cacheDir, 'main.cjs'))) return 'bundle missing';
  // Checked after the cheap tests: reading esbuild's package.json is a file read.
  if (manifest.key !== buildKey(entry)) return 'esbuild version or build options changed';
  for (const recorded of manifest.inputs) {
    let current;
    try {
      current = signature(recorded[0]);
    } catch {
      return `${path.relative(root, recorded[0])} removed`;
    }
    for (let i = 1; i < current.length; i++) {
      if (current[i] !== recorded[i]) return `${path.relative(root, recorded[0])} changed`;
    }
  }
  return undefined;
}

/**
 * Bundles `entry` into cacheDir/main.cjs and records its inputs. Written to temp names and
 * renamed, so a concurrent synth reads either the old or the new bundle, never half of one.
 * @param {string} cacheDir @param {string} entry
 */
async function build(cacheDir, entry) {
  const esbuild = require('esbuild');
  fs.mkdirSync(cacheDir, { recursive: true });
  const suffix = `.${process.pid}.tmp`;
  const outfile = path.join(cacheDir, 'main.cjs');
  // The kernel stamps ctime from a clock that lags by up to a tick: the margin covers it.
  const started = Date.now() - 20;
  const result = await esbuild.build(buildOptions(entry, outfile + suffix));
  const inputs = Object.keys(result.metafile.inputs).map((input) =>
    signature(path.resolve(root, input)),
  );
  fs.renameSync(outfile + suffix, outfile);
  const manifestFile = path.join(cacheDir, 'inputs.json');
  // A file written while esbuild read it may be bundled in its old form but recorded with its
  // new signature: then record nothing, so that the next run builds again.
  if (inputs.some((input) => input[3] >= started)) {
    fs.rmSync(manifestFile, { force: true });
    return { inputs: inputs.length, recorded: false };
  }
  const manifest = { entry, key: buildKey(entry), inputs };
  fs.writeFileSync(manifestFile + suffix, JSON.stringify(manifest));
  fs.renameSync(manifestFile + suffix, manifestFile);
  return { inputs: inputs.length, recorded: true };
}

/**
 * The bundle, rebuilt first if stale; `rebuilt` says why it was.
 * @param {{ cacheDir?: string, entry?: string }} [options]
 * @returns {Promise<{ bundle: string, rebuilt: string | undefined }>}
 */
async function ensureBundle(options = {}) {
  const cacheDir = options.cacheDir ?? defaultCacheDir;
  const entry = options.entry ?? path.join(root, 'main.ts');
  const reason = staleReason(cacheDir, entry);
  if (reason !== undefined) await build(cacheDir, entry);
  return { bundle: path.join(cacheDir, 'main.cjs'), rebuilt: reason };
}

/**
 * Runs a CommonJS bundle in this process with a V8 code cache next to it. Node >= 22.1 has a
 * built-in compile cache; on Node 20 the bundle is compiled through vm.Script with cached data
 * that is written after the run, so it also holds the functions compiled lazily during synth.
 * @param {string} bundle
 */
function runBundle(bundle) {
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache(path.join(path.dirname(bundle), 'compile-cache'));
    require(bundle);
    return;
  }
  const source = fs.readFileSync(bundle, 'utf8');
  // V8 checks only the source length against cached data; every build writes a new file (new
  // inode and mtime), which names a new cache.
  const stat = fs.statSync(bundle);
  const cacheRoot = path.join(path.dirname(bundle), 'vm-cache');
  const prefix = `${process.version}-${process.arch}-`;
  const cacheFile = path.join(cacheRoot, `${prefix}${stat.ino}-${Math.round(stat.mtimeMs)}.bin`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        fs.mkdirSync(cacheRoot, { recursive: true });
        // Caches of earlier bundles for this Node.
        for (const old of fs.readdirSync(cacheRoot)) {
          if (old.startsWith(prefix)) fs.rmSync(path.join(cacheRoot, old), { force: true });
        }
        fs.writeFileSync(cacheFile + `.${process.pid}.tmp`, script.createCachedData());
        fs.renameSync(cacheFile + `.${process.pid}.tmp`, cacheFile);
      } catch {
        // A cache that cannot be written only costs the next run its compile time.
      }
    });
  }
  const bundleModule = new Module(bundle, module);
  bundleModule.filename = bundle;
  bundleModule.paths = Module._nodeModulePaths(path.dirname(bundle));
  const wrapper = script.runInThisContext();
  wrapper.call(
    bundleModule.exports,
    bundleModule.exports,
    Module.createRequire(bundle),
    bundleModule,
    bundle,
    path.dirname(bundle),
  );
}

/** Runs main.ts with tsx in a child process, as the app did before it was bundled. */
function runWithTsx() {
  const { spawnSync } = require('node:child_process');
  const tsx = require.resolve('tsx/cli', { paths: [root] });
  const result = spawnSync(process.execPath, [tsx, path.join(root, 'main.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  return result.status ?? 1;
}

/** First line of an error's message. */
const headline = (error) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/**
 * Runs main.ts from the bundle. A failure other than a config error (main.ts prints those and
 * exits) is reproduced with tsx, for the token creation stacks and TypeScript file names the
 * bundle does not have; so is a bundle that cannot be built or written (e.g. a read-only
 * checkout), which then costs only speed.
 */
async function main() {
  const rerun = process.env.SYNTH_APP_NO_RERUN !== '1';
  let bundle;
  try {
    ({ bundle } = await ensureBundle());
  } catch (error) {
    if (!rerun) throw error;
    process.stderr.write(`Could not bundle main.ts (${headline(error)}); running it with tsx:\n`);
    process.exitCode = runWithTsx();
    return;
  }
  try {
    runBundle(bundle);
  } catch (error) {
    if (!rerun) throw error;
    process.stderr.write(
      `Synth failed (${headline(error)}); running main.ts with tsx for the full error:\n`,
    );
    // Failed once already: a success now would not make this run one.
    process.exitCode = Math.max(runWithTsx(), 1);
  }
}

module.exports = {
  ensureBundle,
  staleReason,
  runBundle,
  defaultCacheDir,
  PATCH_MARKERS: CDKTF_PATCHES.map((patch) => patch.marker),
};

if (require.main === module) {
  main().catch((error) => {
    process.exitCode = 1;
    throw error;
  });
}
