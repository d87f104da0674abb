import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { synthPlatform } from '../helpers/app-synth';

/**
 * The inventory of every Terraform address each stack owns. cdktf derives logical ids from
 * construct paths, so a refactor that renames or re-parents a construct silently turns into
 * destroy-and-create on the next apply. Any change to this list must be deliberate and visible in
 * review: regenerate it with
 *   UPDATE_RESOURCE_ADDRESSES=1 npx vitest run __tests__/stacks/resource-addresses.test.ts
 */
const inventoryFile = path.join(__dirname, '..', 'fixtures', 'resource-addresses.json');

function addressesOf(json: {
  resource?: Record<string, Record<string, unknown>>;
  data?: Record<string, Record<string, unknown>>;
  output?: Record<string, unknown>;
}): string[] {
  const resources = Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.keys(byName).map((name) => `${type}.${name}`),
  );
  const data = Object.entries(json.data ?? {}).flatMap(([type, byName]) =>
    Object.keys(byName).map((name) => `data.${type}.${name}`),
  );
  // Outputs too: other stacks read them by name through remote state.
  const outputs = Object.keys(json.output ?? {}).map((name) => `output.${name}`);
  return [...resources, ...data, ...outputs].sort();
}

describe('resource addresses', () => {
  const platform = synthPlatform();
  const current = Object.fromEntries(
    platform.stacks.map((stack) => [stack.name, addressesOf(stack.json)]),
  );

  if (process.env.UPDATE_RESOURCE_ADDRESSES === '1') {
    writeFileSync(inventoryFile, `${JSON.stringify(current, null, 2)}\n`);
  }
  const recorded = JSON.parse(readFileSync(inventoryFile, 'utf8')) as Record<string, string[]>;

  it('covers the same stacks', () => {
    expect(Object.keys(current).sort()).toEqual(Object.keys(recorded).sort());
    expect(Object.keys(current).length).toBeGreaterThanOrEqual(7);
  });

  for (const name of Object.keys(recorded)) {
    it(`${name}: every address is unchanged`, () => {
      const now = current[name] ?? [];
      const before = recorded[name] ?? [];
      expect(before.length).toBeGreaterThan(0);
      // Named lists first: a failure shows what moved, not two 150-line arrays.
      expect({ removed: before.filter((a) => !now.includes(a)) }).toEqual({ removed: [] });
      expect({ added: now.filter((a) => !before.includes(a)) }).toEqual({ added: [] });
    });
  }
});
