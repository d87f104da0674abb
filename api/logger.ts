import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

export type { Logger };

/**
 * JSON logs on stdout. Anything that could carry a credential is redacted by key, as a second
 * line of defence: code never logs connection strings or passwords on purpose.
 */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'hello-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['password', '*.password', 'connectionString', '*.connectionString', 'DATABASE_URL'],
      censor: '[redacted]',
    },
    formatters: { level: (label) => ({ level: label }) },
  });
}
