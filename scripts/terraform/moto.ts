/**
 * Starts the moto AWS emulator on a free loopback port and stops it by its own process id. It
 * runs through `moto_launcher.py` (next to this file), which adds in-process the AWS APIs these
 * stacks use that moto 5.2.1 lacks (EKS add-ons and access entries, Logs query definitions, ...)
 * and then starts moto's own server. AWS managed policies are loaded
 * (MOTO_IAM_LOAD_MANAGED_POLICIES), otherwise attaching e.g. ReadOnlyAccess answers 404.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The launcher that patches moto and starts its server (moto_server's arguments). */
export const MOTO_LAUNCHER = join(__dirname, 'moto_launcher.py');

/** moto's default account. */
export const MOTO_ACCOUNT_ID = '123456789012';

export interface Emulator {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** `python` is an interpreter that imports moto (see findMotoPython). */
export async function startMoto(
  python: string,
  logFile: string,
  {
    timeoutMs = 60_000,
    managedPolicies = true,
  }: {
    timeoutMs?: number;
    /** Load AWS managed IAM policies (a few seconds of start-up; the stacks attach them). */
    managedPolicies?: boolean;
  } = {},
): Promise<Emulator> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const log = openSync(logFile, 'a');
  const child = spawn(python, [MOTO_LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
    env: {
      ...process.env,
      MOTO_IAM_LOAD_MANAGED_POLICIES: String(managedPolicies),
      // ACM certificates would stay PENDING_VALIDATION for 60 s; nothing here needs AMIs.
      MOTO_ACM_VALIDATION_WAIT: '0',
      MOTO_EC2_LOAD_DEFAULT_AMIS: 'false',
    },
    stdio: ['ignore', log, log],
  });
  const stop = async () => {
    if (exited(child)) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid as number, 'SIGTERM');
    const timer = setTimeout(() => {
      if (!exited(child)) process.kill(child.pid as number, 'SIGKILL');
    }, 5_000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(endpoint))) {
    if (exited(child)) throw new Error(`moto exited during start-up; see ${logFile}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { endpoint, pid: child.pid as number, stop };
}
