/**
 * OpenTelemetry tracing behind a small interface of our own. Off by default: `startTracing`
 * returns undefined without importing anything from @opentelemetry, and callers then wire no
 * tracing code at all (no span objects, no context propagation, no extra promise per request).
 * When `OTEL_*` configure an endpoint, the SDK is loaded with a dynamic import from
 * tracing-sdk.ts.
 */
import type { TracingSettings } from './config';
import type { AppMiddleware } from './context';

/** What a database span says about its query: names and the parameterised text, never values. */
export interface DatabaseQuery {
  /** The prepared statement's name on each connection; unnamed (parsed every time) if absent. */
  statement?: string;
  /** `db.operation.name`, e.g. SELECT, INSERT. */
  operation: string;
  /** `db.collection.name`, when the query has one main table. */
  collection?: string;
  /** The SQL with `$n` placeholders (`db.query.text`). */
  text: string;
}

/** Static facts about the database connection, added to every database span. */
export interface DatabaseEndpoint {
  /** `db.namespace`: the database name. */
  database?: string;
  host?: string;
  port?: number;
}

export interface Tracing {
  /**
   * Koa middleware, mounted first: a SERVER span per request (context from `traceparent` /
   * `tracestate`), active while the request runs; puts `traceId`/`spanId` in ctx.state.
   */
  readonly middleware: AppMiddleware;
  /** Runs one database round trip inside a CLIENT span, child of the active span. */
  databaseSpan<T>(query: DatabaseQuery, work: () => Promise<T>): Promise<T>;
  /** Exports the spans still buffered and stops; resolves within `timeoutMs`. */
  shutdown(timeoutMs: number): Promise<void>;
}

let sdkLoaded = false;

/** True once the OpenTelemetry SDK was imported in this process (tests use it). */
export function tracingSdkLoaded(): boolean {
  return sdkLoaded;
}

export async function startTracing(
  settings: TracingSettings | undefined,
  database: DatabaseEndpoint,
): Promise<Tracing | undefined> {
  if (!settings) return undefined;
  const { createSdkTracing } = await import('./tracing-sdk.js');
  sdkLoaded = true;
  return createSdkTracing(settings, database);
}
