/** Running the service's entry points as real child processes (as Kubernetes would). */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as pino JSON lines (non-JSON lines skipped). */
  logs: Array<Record<string, unknown>>;
}

export interface Spawned {
  child: ChildProcess;
  /** Resolves when the process exits. */
  finished: Promise<Finished>;
  /** Resolves with the first log line matching `predicate`. */
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

function parseLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/**
 * Runs a TypeScript entry point of the repository with tsx (`node --import tsx`), or a compiled
 * .js file with plain node, with exactly the given environment (plus PATH).
 */
export function spawnEntryPoint(
  script: string,
  env: NodeJS.ProcessEnv,
  options: { cwd?: string; args?: string[] } = {},
): Spawned {
  const nodeArgs = script.endsWith('.ts') ? ['--import', 'tsx', script] : [script];
  const child = spawn(process.execPath, [...nodeArgs, ...(options.args ?? [])], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{
    predicate: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }> = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const line of parseLines(chunk)) {
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const finished = new Promise<Finished>((resolve) => {
    child.on('exit', (code, signal) => {
      // Let the pipes drain before reporting.
      setImmediate(() => resolve({ code, signal, stdout, stderr, logs: parseLines(stdout) }));
    });
  });
  const waitForLog = (
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs = 30_000,
  ) => {
    const seen = parseLines(stdout).find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`no matching log line within ${timeoutMs} ms:\n${stdout}\n${stderr}`)),
        timeoutMs,
      );
      waiters.push({
        predicate,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void finished.then((result) =>
        reject(
          new Error(`process exited (${result.code}) first:\n${result.stdout}\n${result.stderr}`),
        ),
      );
    });
  };
  return { child, finished, waitForLog };
}
