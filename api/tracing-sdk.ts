/**
 * The OpenTelemetry SDK side of tracing.ts; only ever loaded through its dynamic import.
 *
 * Explicit spans in our own middleware instead of auto-instrumentation: the route template is
 * known here (no monkey-patching of http, pg or Koa), and nothing is registered globally except
 * the async-context manager that parents database spans under the request's span. The provider
 * and propagator are private to this service instance, so the SDK reads none of `process.env`
 * for what config.ts already parsed.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  context,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import type { TraceSampler, TracingSettings } from './config';
import { type AppMiddleware, UNMATCHED_ROUTE, routeTemplate } from './context';
import type { DatabaseEndpoint, DatabaseQuery, Tracing } from './tracing';

const TRACER_NAME = 'hello-api';

/** HTTP semantic conventions: known methods as-is, anything else as `_OTHER`. */
const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);

function samplerFor(name: TraceSampler, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** Once per process: without a context manager, `context.with` would not carry the span. */
function ensureContextManager(): void {
  const probe = ROOT_CONTEXT.setValue(Symbol('probe'), true);
  if (context.with(probe, () => context.active()) === probe) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

export function createSdkTracing(settings: TracingSettings, database: DatabaseEndpoint): Tracing {
  ensureContextManager();
  const exporterOptions = {
    url: settings.endpoint,
    headers: settings.headers,
    timeoutMillis: settings.exportTimeoutMs,
  };
  const exporter =
    settings.protocol === 'http/json'
      ? new JsonTraceExporter(exporterOptions)
      : new ProtobufTraceExporter(exporterOptions);
  const provider = new BasicTracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({
        ...settings.resourceAttributes,
        [ATTR_SERVICE_NAME]: settings.serviceName,
      }),
    ),
    sampler: samplerFor(settings.sampler, settings.samplerRatio),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: settings.scheduleDelayMs,
        exportTimeoutMillis: settings.exportTimeoutMs,
      }),
    ],
  });
  const tracer = provider.getTracer(TRACER_NAME);
  const propagator = new W3CTraceContextPropagator();

  const databaseAttributes: Attributes = {
    [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
    ...(database.database ? { [ATTR_DB_NAMESPACE]: database.database } : {}),
    ...(database.host ? { [ATTR_SERVER_ADDRESS]: database.host } : {}),
    ...(database.port ? { [ATTR_SERVER_PORT]: database.port } : {}),
  };

  const middleware: AppMiddleware = async (ctx, next) => {
    const parent: Context = propagator.extract(ROOT_CONTEXT, ctx.req.headers, headerGetter);
    const known = KNOWN_METHODS.has(ctx.method);
    const method = known ? ctx.method : '_OTHER';
    const span = tracer.startSpan(
      known ? method : 'HTTP',
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          ...(known ? {} : { [ATTR_HTTP_REQUEST_METHOD_ORIGINAL]: ctx.method }),
          // The path without the query string (which could carry data).
          [ATTR_URL_PATH]: ctx.path,
          [ATTR_URL_SCHEME]: ctx.protocol,
          [ATTR_NETWORK_PROTOCOL_VERSION]: ctx.req.httpVersion,
        },
      },
      parent,
    );
    const ids = span.spanContext();
    ctx.state.traceId = ids.traceId;
    ctx.state.spanId = ids.spanId;
    let thrown: unknown;
    try {
      await context.with(trace.setSpan(parent, span), next);
    } catch (error) {
      thrown = error;
      throw error;
    } finally {
      // Koa answers 500 for an error that escapes every middleware.
      const status = thrown === undefined ? ctx.status : 500;
      const route = routeTemplate(ctx);
      if (route !== UNMATCHED_ROUTE) {
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        if (known) span.updateName(`${method} ${route}`);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      // Server spans: only 5xx are errors (a 4xx is the client's mistake).
      if (status >= 500) {
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
  };

  return {
    middleware,
    async databaseSpan<T>(query: DatabaseQuery, work: () => Promise<T>): Promise<T> {
      const summary = query.collection ? `${query.operation} ${query.collection}` : query.operation;
      const span = tracer.startSpan(summary, {
        kind: SpanKind.CLIENT,
        attributes: {
          ...databaseAttributes,
          [ATTR_DB_OPERATION_NAME]: query.operation,
          ...(query.collection ? { [ATTR_DB_COLLECTION_NAME]: query.collection } : {}),
          [ATTR_DB_QUERY_SUMMARY]: summary,
          // Parameterised text only: values travel separately and are never recorded.
          [ATTR_DB_QUERY_TEXT]: query.text,
        },
      });
      try {
        return await work();
      } catch (error) {
        // No recordException: driver messages and details can quote row values.
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
          span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, code);
        }
        span.setAttribute(
          ATTR_ERROR_TYPE,
          typeof code === 'string' ? code : ((error as Error).name ?? 'Error'),
        );
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
    async shutdown(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      });
      await Promise.race([provider.shutdown().catch(() => undefined), deadline]);
      clearTimeout(timer);
    },
  };
}
