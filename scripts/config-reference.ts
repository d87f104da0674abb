/**
 * The configuration reference in docs/configuration.md, generated from the zod schema (the one
 * home of every environment default), like terraform-docs does for module inputs.
 *
 *   npm run docs:config            rewrite the table between the markers
 *   npm run docs:config -- --check exit 1 when the committed table differs (CI runs the test)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { configurationDoc } from './docs/config-reference';

const CONFIGURATION_DOC = path.join(__dirname, '..', 'docs', 'configuration.md');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { check: { type: 'boolean' } } });
  const current = readFileSync(CONFIGURATION_DOC, 'utf8');
  const next = await configurationDoc(current, CONFIGURATION_DOC);
  if (next === current) {
    console.log('docs/configuration.md is up to date.');
  } else if (values.check) {
    console.error('docs/configuration.md is out of date: run `npm run docs:config`.');
    process.exitCode = 1;
  } else {
    writeFileSync(CONFIGURATION_DOC, next);
    console.log('docs/configuration.md updated.');
  }
}

void main();
