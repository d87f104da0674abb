import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

export type { Logger };

/**
 * JSON logs on stdout, one object per line, `time` in epoch milliseconds (pino's default: the
 * cheapest, and what log shippers parse natively).
 *
 * No `redact` option on purpose: it cost ~3 µs per log line on the hot path (bench:api). Secrets
 * are kept out of logs at the source instead: config values are never logged whole
 * (`describeDatabase`), Knex's `debug` (SQL echo) is off, and errors are logged as name, code
 * and message without the SQL text (problem-handler.ts).
 */
export function createLogger(level: LogLevel): Logger {
  return pino(
    {
      level,
      base: { service: 'hello-api' },
      formatters: { level: (label) => ({ level: label }) },
    },
    // Asynchronous stdout: lines logged while a write is in flight leave together in one write
    // instead of one system call per access-log line under load; a quiet service still writes
    // each line at once. pino flushes what is left when the process exits.
    pino.destination({ dest: 1, sync: false }),
  );
}
