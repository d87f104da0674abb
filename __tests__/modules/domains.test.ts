import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Construct } from 'constructs';
import { DOMAIN_OF_MODULE, MODULE_DOMAINS } from '../../modules/domains';

const MODULES_DIR = path.join(__dirname, '..', '..', 'modules');

/** Every construct class exported by a file under modules/<domain>/, with its folder. */
async function constructClassesInTree(): Promise<{ domain: string; name: string; cls: unknown }[]> {
  const found: { domain: string; name: string; cls: unknown }[] = [];
  for (const domain of readdirSync(MODULES_DIR)) {
    const dir = path.join(MODULES_DIR, domain);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const exports = (await import(path.join(dir, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(exports)) {
        if (typeof value === 'function' && value.prototype instanceof Construct) {
          found.push({ domain, name, cls: value });
        }
      }
    }
  }
  return found;
}

describe('module domains', () => {
  it('has one folder per domain and nothing else but the domain map at the top', () => {
    const entries = readdirSync(MODULES_DIR);
    const folders = entries.filter((name) => statSync(path.join(MODULES_DIR, name)).isDirectory());
    expect(folders.sort()).toEqual([...MODULE_DOMAINS].sort());
    expect(entries.filter((name) => !folders.includes(name))).toEqual(['domains.ts']);
  });

  it('maps every construct class to the folder it lives in, and nothing else', async () => {
    const classes = await constructClassesInTree();
    expect(classes.length).toBeGreaterThanOrEqual(25);
    const wrong = classes
      .filter(({ domain, cls }) => DOMAIN_OF_MODULE.get(cls as never) !== domain)
      .map(({ domain, name, cls }) => `${domain}/${name} → ${DOMAIN_OF_MODULE.get(cls as never)}`);
    expect(wrong).toEqual([]);
    expect(DOMAIN_OF_MODULE.size).toBe(classes.length);
  });
});
