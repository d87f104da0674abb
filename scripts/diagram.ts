/**
 * `npm run diagram`: draws the architecture of one environment from the synthesized stacks.
 *
 *   npm run diagram [-- --env prod] [--out-dir cdktf.out] [--synth] [--output docs/architecture.md]
 *                   [--no-update-readme] [--no-render] [--check] [--stdout]
 *
 * Reads `cdktf.out` (or `--out-dir`); without one, or when it is older than the code, synthesizes
 * the app in-process. Writes the
 * Mermaid flowchart page (`--output`), replaces the README section between the
 * `<!-- architecture-diagram:start/end -->` markers when both exist, and renders
 * `docs/architecture.svg` + `.png` beside the page when a Chromium is available (skipped
 * otherwise). `--check` writes nothing and exits 1 when the page or the README is out of date.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildModel, type DiagramModel } from './diagram/model';
import {
  architectureMarkdown,
  readmeSection,
  readmeSectionOf,
  spliceReadme,
  toMermaid,
} from './diagram/mermaid';
import { renderMermaid } from './diagram/render';
import {
  loadSynthOutput,
  REPO_ROOT,
  staleOutputWarning,
  type SynthOutput,
} from './diagram/synth-output';

export const DEFAULT_ENVIRONMENT = 'prod';
export const DEFAULT_OUTPUT = path.join('docs', 'architecture.md');
export const README_PATH = path.join(REPO_ROOT, 'README.md');

export interface GeneratedDiagram {
  readonly model: DiagramModel;
  readonly markdown: string;
  readonly readmeSection: string;
}

/** Everything the command writes, from synthesized output. Pure: no file is touched. */
export function generate(output: SynthOutput, environment = DEFAULT_ENVIRONMENT): GeneratedDiagram {
  const model = buildModel(output, environment);
  return { model, markdown: architectureMarkdown(model), readmeSection: readmeSection(model) };
}

/** Files whose committed content differs from `generated` (README only when it has markers). */
export function outdatedFiles(
  generated: GeneratedDiagram,
  outputFile: string,
  readmeFile = README_PATH,
): string[] {
  const outdated: string[] = [];
  if (!existsSync(outputFile) || readFileSync(outputFile, 'utf8') !== generated.markdown) {
    outdated.push(outputFile);
  }
  if (existsSync(readmeFile)) {
    const current = readmeSectionOf(readFileSync(readmeFile, 'utf8'));
    if (current !== undefined && current !== generated.readmeSection.trim())
      outdated.push(readmeFile);
  }
  return outdated;
}

const USAGE = `usage: npm run diagram -- [--env prod] [--out-dir DIR] [--synth] [--output FILE]
                           [--no-update-readme] [--no-render] [--check] [--stdout]`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: 'string', default: DEFAULT_ENVIRONMENT },
      'out-dir': { type: 'string' },
      synth: { type: 'boolean', default: false },
      output: { type: 'string', default: DEFAULT_OUTPUT },
      'update-readme': { type: 'boolean', default: true },
      'no-update-readme': { type: 'boolean', default: false },
      render: { type: 'boolean', default: true },
      'no-render': { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      stdout: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const environment = values.env;
  const output = await loadSynthOutput({
    outDir: values['out-dir'],
    // Every environment, as `npm run synth` does: the per-account stacks may depend on them all.
    synth: values.synth,
  });
  const stale = staleOutputWarning(output);
  if (stale) console.error(stale);
  const generated = generate(output, environment);

  if (values.stdout) {
    process.stdout.write(toMermaid(generated.model));
    return 0;
  }
  const outputFile = path.resolve(values.output);
  if (values.check) {
    const outdated = outdatedFiles(generated, outputFile);
    if (outdated.length === 0) {
      console.log(`diagram up to date (${path.relative(process.cwd(), outputFile)})`);
      return 0;
    }
    console.error(
      `out of date: ${outdated.map((file) => path.relative(process.cwd(), file)).join(', ')}; run \`npm run diagram\``,
    );
    return 1;
  }

  writeFileSync(outputFile, generated.markdown);
  const nodes = generated.model.stacks.reduce((sum, stack) => sum + stack.nodes.length, 0);
  console.log(
    `wrote ${path.relative(process.cwd(), outputFile)} (${environment}: ${generated.model.stacks.length} stacks, ` +
      `${nodes} modules, ${generated.model.edges.length} edges; from ${output.source})`,
  );

  if (values['update-readme'] && !values['no-update-readme'] && existsSync(README_PATH)) {
    const readme = readFileSync(README_PATH, 'utf8');
    const updated = spliceReadme(readme, generated.readmeSection);
    if (updated === undefined) {
      console.log('README.md has no architecture-diagram markers; left unchanged');
    } else if (updated !== readme) {
      writeFileSync(README_PATH, updated);
      console.log('updated the diagram in README.md');
    }
  }

  if (values.render && !values['no-render']) {
    const base = outputFile.replace(/\.md$/, '');
    const result = await renderMermaid(toMermaid(generated.model), {
      svg: `${base}.svg`,
      png: `${base}.png`,
    });
    if (result.rendered) {
      console.log(
        `rendered ${result.files.map((file) => path.relative(process.cwd(), file)).join(', ')}`,
      );
    } else {
      console.log(`skipped rendering: ${result.reason}`);
    }
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 2;
    },
  );
}
