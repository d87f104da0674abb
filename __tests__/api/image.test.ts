/**
 * There is no Docker engine here, so the image is checked in two ways:
 * 1. the Dockerfile is linted (dockerfile-utils) and its security-relevant shape asserted;
 * 2. the image's runtime layout is reproduced in a temp folder (compiled dist/ + production
 *    dependencies only) and started with the image's own commands against a fresh database.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { validate } from 'dockerfile-utils';
import { createTestDatabase, type TestDatabase } from './helpers';
import { REPO_ROOT, spawnEntryPoint } from './process';

const run = promisify(execFile);

/** LSP diagnostic severities, as returned by dockerfile-utils. */
const SEVERITY = { error: 1, warning: 2 } as const;

describe('Dockerfile', () => {
  let dockerfile: string;
  let instructions: Array<{ keyword: string; args: string }>;
  beforeAll(async () => {
    dockerfile = await readFile(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
    instructions = dockerfile
      .replace(/\\\n/g, ' ')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const [keyword = '', ...rest] = line.split(/\s+/);
        return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
      });
  });
  const all = (keyword: string) => instructions.filter((i) => i.keyword === keyword);
  const finalStage = () => {
    const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
    return instructions.slice(lastFrom);
  };

  it('lints without errors or warnings (dockerfile-utils)', () => {
    const problems = validate(dockerfile).filter(
      (d) => d.severity === SEVERITY.error || d.severity === SEVERITY.warning,
    );
    expect(problems).toEqual([]);
    // The linter does find problems when there are some.
    expect(validate('FROM\nEXPOSE eighty\n').length).toBeGreaterThan(0);
  });

  it('pins the Node 24 base by tag and digest, once', () => {
    const external = all('FROM').filter((i) => i.args.startsWith('node:'));
    expect(external).toHaveLength(1);
    expect(external[0]?.args).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim@sha256:[0-9a-f]{64} AS \w+$/);
  });

  it('is multi-stage; the final stage copies only build output, prod dependencies, the RDS CA', () => {
    expect(all('FROM').length).toBeGreaterThanOrEqual(3);
    const copies = finalStage().filter((i) => i.keyword === 'COPY');
    expect(copies.map((c) => c.args)).toEqual([
      '--from=prod-deps /app/node_modules ./node_modules',
      '--from=build /app/dist ./dist',
      '--from=rds-ca /certs/rds-global-bundle.pem /app/certs/rds-global-bundle.pem',
      'package.json ./',
    ]);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });

  it('runs as a non-root user, exposes 8000, exec-form CMD with the compiled server', () => {
    const user = finalStage().filter((i) => i.keyword === 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]?.args).not.toMatch(/^(root|0)(:|$)/);
    expect(all('EXPOSE').map((i) => i.args)).toEqual(['8000']);
    const cmd = all('CMD');
    expect(cmd).toHaveLength(1);
    expect(JSON.parse(cmd[0]?.args ?? '')).toEqual(['node', 'dist/api/main.js']);
    expect(all('ENTRYPOINT')).toEqual([]);
  });

  it('.dockerignore is an allow-list that keeps secrets and local state out', async () => {
    const ignore = (await readFile(path.join(REPO_ROOT, '.dockerignore'), 'utf8')).split('\n');
    expect(ignore).toContain('*');
    expect(ignore.filter((l) => l.startsWith('!'))).not.toContain('!.env');
  });
});

describe('runtime layout of the image', () => {
  let db: TestDatabase;
  let app: string;

  beforeAll(async () => {
    app = await mkdtemp(path.join(tmpdir(), 'hello-api-image-'));
    db = await createTestDatabase();
    await run(
      process.execPath,
      [
        path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        path.join(app, 'dist'),
      ],
      { cwd: REPO_ROOT },
    );
    await copyFile(path.join(REPO_ROOT, 'package.json'), path.join(app, 'package.json'));
    await copyFile(path.join(REPO_ROOT, 'package-lock.json'), path.join(app, 'package-lock.json'));
    // As in the image's prod-deps stage; the local npm cache makes this quick and offline-ish.
    await run(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd: app, env: { ...process.env, NPM_CONFIG_UPDATE_NOTIFIER: 'false' } },
    );
  }, 180_000);

  afterAll(async () => {
    await db?.drop();
    if (app) await rm(app, { recursive: true, force: true });
  });

  it('contains no infrastructure or development packages', () => {
    const modules = path.join(app, 'node_modules');
    for (const name of [
      'cdktf',
      'constructs',
      '@cdktf',
      '@electric-sql',
      'typescript',
      'vitest',
      'tsx',
    ]) {
      expect(existsSync(path.join(modules, name)), name).toBe(false);
    }
    expect(existsSync(path.join(modules, 'koa'))).toBe(true);
    expect(existsSync(path.join(app, 'dist/migrations'))).toBe(true);
  });

  it('migrates with `node dist/api/migrate.js`, serves with `node dist/api/main.js`', async () => {
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'info', NODE_ENV: 'production' };
    const before = readdirSync(app).sort();

    const migrate = await spawnEntryPoint('dist/api/migrate.js', env, { cwd: app }).finished;
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.logs.map((l) => l.msg)).toContain('applied migrations');

    const server = spawnEntryPoint(
      'dist/api/main.js',
      { ...env, PORT: '0', HOST: '127.0.0.1', SHUTDOWN_DRAIN_DELAY_MS: '0' },
      { cwd: app },
    );
    const listening = await server.waitForLog((line) => line.msg === 'listening');
    const url = String(listening.url);
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    const put = await fetch(`${url}/hello/image`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dateOfBirth: '1990-01-01' }),
    });
    expect(put.status).toBe(204);
    expect((await fetch(`${url}/docs/swagger-ui-bundle.js`)).status).toBe(200);
    server.child.kill('SIGTERM');
    const stopped = await server.finished;
    expect(stopped.code, stopped.stderr).toBe(0);

    // Nothing was written next to the code (the image runs with a read-only root filesystem).
    expect(readdirSync(app).sort()).toEqual(before);
  });

  it('without a database configured, explains that embedded mode is development-only', async () => {
    const result = await spawnEntryPoint('dist/api/main.js', { LOG_LEVEL: 'info' }, { cwd: app })
      .finished;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/development dependencies/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
