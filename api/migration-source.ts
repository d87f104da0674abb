/**
 * Where migrations come from. A custom Knex MigrationSource because:
 * - names are recorded WITHOUT their extension, so a database migrated from the TypeScript
 *   sources (dev, tests) and later from the compiled image (.js) agrees on what has run;
 * - files are loaded with `import()`, which tsx, vitest and plain Node (compiled CommonJS) all
 *   resolve, where Knex's own loader would `require()` a .ts file Node cannot read.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

/** Sources run from .ts (tsx, vitest); the build runs from dist/**\/*.js. */
const RUNNING_COMPILED = __filename.endsWith('.js');

/** `migrations/` next to `api/`, both in the repository and in dist/. */
export const MIGRATIONS_DIRECTORY = path.resolve(__dirname, '..', 'migrations');

const MIGRATION_FILE = /^(\d{14}_[a-z0-9_]+)\.(ts|js)$/;

interface MigrationFile {
  name: string;
  file: string;
}

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
  config?: { transaction?: boolean };
}

export function createMigrationSource(
  directory: string = MIGRATIONS_DIRECTORY,
  extension: 'ts' | 'js' = RUNNING_COMPILED ? 'js' : 'ts',
): Knex.MigrationSource<MigrationFile> {
  return {
    async getMigrations() {
      return readdirSync(directory)
        .map((file) => ({ file, match: MIGRATION_FILE.exec(file) }))
        .filter(({ match }) => match?.[2] === extension)
        .map(({ file, match }) => ({ name: match?.[1] ?? file, file: path.join(directory, file) }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    getMigrationName: (migration) => migration.name,
    async getMigration(migration) {
      const loaded = (await import(pathToFileURL(migration.file).href)) as MigrationModule & {
        default?: MigrationModule;
      };
      // Compiled CommonJS imported from ESM may arrive as `default`.
      const module = typeof loaded.up === 'function' ? loaded : loaded.default;
      if (!module || typeof module.up !== 'function' || typeof module.down !== 'function') {
        throw new Error(`Migration ${migration.name} must export up() and down()`);
      }
      return module;
    },
  };
}

export const migratorConfig = (): Knex.MigratorConfig => ({
  migrationSource: createMigrationSource(),
  tableName: 'knex_migrations',
});
