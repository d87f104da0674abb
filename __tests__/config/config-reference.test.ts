import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  configFields,
  configReferenceTable,
  configurationDoc,
  replaceBetweenMarkers,
} from '../../scripts/docs/config-reference';

const DOC = path.join(__dirname, '..', '..', 'docs', 'configuration.md');

describe('configuration reference (generated from config/schema.ts)', () => {
  const fields = configFields();

  it('lists every field, each with a description', () => {
    expect(fields.length).toBeGreaterThan(80);
    expect(fields.filter((field) => field.description === '').map((f) => f.path)).toEqual([]);
  });

  it('takes defaults from the schema, so docs and synth cannot disagree', () => {
    const field = (p: string) => fields.find((f) => f.path === p);
    expect(field('environments.<env>.app.drainDelaySeconds')).toMatchObject({
      default: '10',
      type: 'integer 1–120',
    });
    expect(field('environments.<env>.app.terminationGracePeriodSeconds')?.default).toBe('40');
    expect(field('environments.<env>.database.instanceClass')).toMatchObject({
      required: true,
      when: 'mode: rds',
    });
    expect(field('environments.<env>.eks.nodeGroups[].capacityType')?.default).toBe('"ON_DEMAND"');
  });

  it('docs/configuration.md holds the current table (run `npm run docs:config`)', async () => {
    const committed = readFileSync(DOC, 'utf8');
    expect(await configurationDoc(committed, DOC)).toBe(committed);
    expect(configReferenceTable().split('\n').length).toBe(fields.length + 2);
  });

  it('refuses a document without the markers', () => {
    expect(() => replaceBetweenMarkers('# no markers', 'config-reference', 'x')).toThrow(/markers/);
  });
});
