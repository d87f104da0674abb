/**
 * Post-deploy smoke test over the public URL: waits for `/health/ready`, then stores a date of
 * birth for a fresh random user and reads the greeting back.
 *
 *   npx tsx scripts/smoke-test.ts https://hello.example.com [--attempts 30] [--delay-ms 10000]
 *
 * Exits non-zero with the reason on the first mismatch. The user it creates is a throwaway with a
 * random letters-only name (`smoke` + 12 letters), so repeated runs never collide.
 */
import { randomInt } from 'node:crypto';

export interface SmokeTestOptions {
  /** Origin of the deployed API, e.g. `https://hello.example.com`. */
  readonly baseUrl: string;
  /** How often `/health/ready` is tried before giving up. Default: 30. */
  readonly attempts?: number;
  /** Pause between readiness attempts. Default: 10 s (five minutes in all, for DNS and rollout). */
  readonly delayMs?: number;
  /** Per-request timeout. Default: 10 s. */
  readonly timeoutMs?: number;
  /** Injected for tests. Default: the global `fetch`. */
  readonly fetchImpl?: typeof fetch;
  /** Progress lines. Default: `console.log`. */
  readonly log?: (line: string) => void;
  /** Date the test treats as today (UTC). Default: now. */
  readonly today?: Date;
}

/** `smoke` followed by 12 random lowercase letters: the API accepts letters only. */
export function randomUsername(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return `smoke${Array.from({ length: 12 }, () => letters[randomInt(letters.length)]).join('')}`;
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * A date of birth 30 years ago whose birthday is `days` days after `today` (UTC), skipping 29
 * February so the expectation does not depend on leap-year rules.
 */
export function birthDateInDays(today: Date, days: number): { dateOfBirth: string; days: number } {
  let offset = days;
  let next = new Date(
    Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + offset),
  );
  if (next.getUTCMonth() === 1 && next.getUTCDate() === 29) {
    offset += 1;
    next = new Date(
      Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + offset),
    );
  }
  const birth = new Date(
    Date.UTC(next.getUTCFullYear() - 30, next.getUTCMonth(), next.getUTCDate()),
  );
  return { dateOfBirth: isoDate(birth), days: offset };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the checks; resolves on success, rejects with the reason on the first failure. */
export async function smokeTest(options: SmokeTestOptions): Promise<void> {
  const base = options.baseUrl.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(base)) {
    throw new Error(`base URL must be an origin like https://host, got "${options.baseUrl}"`);
  }
  const doFetch = options.fetchImpl ?? fetch;
  const log = options.log ?? ((line: string) => console.log(line));
  const attempts = options.attempts ?? 30;
  const delayMs = options.delayMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const request = (path: string, init: RequestInit = {}): Promise<Response> =>
    doFetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });

  let ready = false;
  for (let attempt = 1; attempt <= attempts && !ready; attempt += 1) {
    try {
      const response = await request('/health/ready');
      ready = response.status === 200;
      log(`GET /health/ready → ${response.status} (attempt ${attempt}/${attempts})`);
    } catch (error) {
      log(`GET /health/ready failed: ${(error as Error).message} (attempt ${attempt}/${attempts})`);
    }
    if (!ready && attempt < attempts) await sleep(delayMs);
  }
  if (!ready) throw new Error(`/health/ready did not return 200 after ${attempts} attempts`);

  const username = randomUsername();
  const { dateOfBirth, days } = birthDateInDays(options.today ?? new Date(), 10);
  const put = await request(`/hello/${username}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dateOfBirth }),
  });
  log(`PUT /hello/${username} {"dateOfBirth":"${dateOfBirth}"} → ${put.status}`);
  if (put.status !== 204) {
    throw new Error(
      `PUT /hello/${username} returned ${put.status}, expected 204: ${await put.text()}`,
    );
  }

  const get = await request(`/hello/${username}`, { headers: { accept: 'application/json' } });
  const text = await get.text();
  log(`GET /hello/${username} → ${get.status} ${text}`);
  if (get.status !== 200) {
    throw new Error(`GET /hello/${username} returned ${get.status}, expected 200: ${text}`);
  }
  let message: unknown;
  try {
    message = (JSON.parse(text) as { message?: unknown }).message;
  } catch {
    throw new Error(`GET /hello/${username} did not return JSON: ${text}`);
  }
  const match = /^Hello, ([a-z]+)! Your birthday is in (\d+) day\(s\)$/i.exec(String(message));
  if (!match || match[1] !== username) {
    throw new Error(`unexpected greeting for ${username}: ${JSON.stringify(message)}`);
  }
  // The API counts days in its configured time zone; the runner counts in UTC, so allow one day.
  const got = Number(match[2]);
  if (Math.abs(got - days) > 1) {
    throw new Error(`greeting says ${got} days, expected ${days} (±1 for time zones)`);
  }
  log(`smoke test passed against ${base}`);
}

function main(argv: string[]): Promise<void> {
  const [baseUrl, ...rest] = argv;
  const args = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const key = rest[i];
    const value = rest[i + 1];
    if (key?.startsWith('--') && value !== undefined) args.set(key.slice(2), value);
  }
  const url = baseUrl ?? process.env.SMOKE_BASE_URL;
  if (!url) throw new Error('usage: smoke-test.ts <https://host> [--attempts n] [--delay-ms ms]');
  return smokeTest({
    baseUrl: url,
    attempts: args.has('attempts') ? Number(args.get('attempts')) : undefined,
    delayMs: args.has('delay-ms') ? Number(args.get('delay-ms')) : undefined,
  });
}

// Run only as a CLI, not when a test imports the functions.
if (process.argv[1]?.endsWith('smoke-test.ts')) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`smoke test failed: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
