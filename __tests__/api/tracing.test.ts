/**
 * OpenTelemetry tracing against an in-process OTLP/HTTP receiver: the real server, the real
 * database, real exporters. Spans are flushed by the service's own graceful shutdown, so the
 * assertions never wait on a timer.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type TestDatabase,
  capturingLogger,
  createTestDatabase,
  migrateTestDatabase,
  putBirthday,
  startTestServer,
} from './helpers';
import { spawnEntryPoint } from './process';

interface ExportRequest {
  contentType: string | undefined;
  body: Buffer;
}

/** Accepts OTLP/HTTP trace exports on POST /v1/traces and keeps them. */
async function startReceiver(): Promise<{
  url: string;
  requests: ExportRequest[];
  close(): Promise<void>;
}> {
  const requests: ExportRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      requests.push({ contentType: req.headers['content-type'], body: Buffer.concat(chunks) });
      const json = req.headers['content-type'] === 'application/json';
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** OTLP/JSON, as the JS exporter writes it: ids in hex, attribute values typed. */
interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: OtlpValue }>;
  status?: { code?: number };
}
interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: OtlpValue }> };
    scopeSpans: Array<{ spans: OtlpSpan[] }>;
  }>;
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;

function attributes(list: Array<{ key: string; value: OtlpValue }>): Record<string, unknown> {
  return Object.fromEntries(
    list.map(({ key, value }) => [
      key,
      value.stringValue ?? (value.intValue === undefined ? undefined : Number(value.intValue)),
    ]),
  );
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

describe('tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set, http/json)', () => {
  let db: TestDatabase;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const log = capturingLogger();
  const put = { traceId: hex(16), parentId: hex(8) };
  const get = { traceId: hex(16), parentId: hex(8) };
  const spans: Array<OtlpSpan & { attrs: Record<string, unknown> }> = [];
  let resource: Record<string, unknown> = {};
  let statuses: number[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrateTestDatabase(db);
    receiver = await startReceiver();
    const api = await startTestServer({
      db,
      logger: log.logger,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,team=platform%20ops',
        OTEL_BSP_SCHEDULE_DELAY: '20',
      },
    });
    const traceparent = (t: { traceId: string; parentId: string }) => ({
      traceparent: `00-${t.traceId}-${t.parentId}-01`,
      tracestate: 'vendor=value',
    });
    statuses = [
      (await putBirthday(api.url, 'alice', { dateOfBirth: '1990-07-14' }, traceparent(put))).status,
      (await fetch(`${api.url}/hello/alice?utm=secret`, { headers: traceparent(get) })).status,
      (await fetch(`${api.url}/health/ready`)).status,
      (await fetch(`${api.url}/no/such/path`)).status,
    ];
    // Graceful shutdown flushes the batch processor: every span is exported by now.
    await api.stop();
    for (const request of receiver.requests) {
      const parsed = JSON.parse(request.body.toString('utf8')) as OtlpExport;
      for (const resourceSpans of parsed.resourceSpans) {
        resource = attributes(resourceSpans.resource.attributes);
        for (const scope of resourceSpans.scopeSpans) {
          spans.push(
            ...scope.spans.map((span) => ({ ...span, attrs: attributes(span.attributes) })),
          );
        }
      }
    }
  });

  afterAll(async () => {
    await receiver?.close();
    await db?.drop();
  });

  const serverSpan = (traceId: string) =>
    spans.find((span) => span.traceId === traceId && span.kind === SPAN_KIND_SERVER);

  it('answered the requests and exported them as OTLP/JSON', () => {
    expect(statuses).toEqual([204, 200, 200, 404]);
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(receiver.requests.every((r) => r.contentType === 'application/json')).toBe(true);
  });

  it('names the service and keeps OTEL_RESOURCE_ATTRIBUTES', () => {
    expect(resource).toMatchObject({
      'service.name': 'hello-api',
      'deployment.environment.name': 'test',
      team: 'platform ops',
    });
  });

  it('makes a SERVER span per request, continuing the incoming traceparent', () => {
    const putSpan = serverSpan(put.traceId);
    expect(putSpan).toMatchObject({ name: 'PUT /hello/:username', parentSpanId: put.parentId });
    expect(putSpan?.attrs).toMatchObject({
      'http.request.method': 'PUT',
      'http.route': '/hello/:username',
      'http.response.status_code': 204,
      'url.path': '/hello/alice',
    });
    const getSpan = serverSpan(get.traceId);
    expect(getSpan).toMatchObject({ name: 'GET /hello/:username', parentSpanId: get.parentId });
    expect(getSpan?.attrs).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/hello/:username',
      'http.response.status_code': 200,
      // The query string (which could carry data) is never recorded.
      'url.path': '/hello/alice',
    });
    expect(JSON.stringify(spans)).not.toContain('utm');
    expect(getSpan?.status?.code).not.toBe(STATUS_ERROR);
  });

  it('adds a CLIENT database span under each server span, without parameter values', () => {
    for (const [traceId, operation] of [
      [put.traceId, 'INSERT'],
      [get.traceId, 'SELECT'],
    ] as const) {
      const parent = serverSpan(traceId);
      const children = spans.filter(
        (span) => span.parentSpanId === parent?.spanId && span.kind === SPAN_KIND_CLIENT,
      );
      expect(children).toHaveLength(1);
      expect(children[0]?.traceId).toBe(traceId);
      expect(children[0]?.name).toBe(`${operation} users`);
      expect(children[0]?.attrs).toMatchObject({
        'db.system.name': 'postgresql',
        'db.operation.name': operation,
        'db.collection.name': 'users',
        'db.query.summary': `${operation} users`,
      });
    }
    const dbSpans = spans.filter((span) => span.kind === SPAN_KIND_CLIENT);
    // Values are bound parameters: the date of birth never appears in any span.
    expect(JSON.stringify(dbSpans)).not.toContain('1990-07-14');
  });

  it('traces the readiness SELECT 1 and unmatched routes without a route', () => {
    const ready = spans.find((span) => span.name === 'GET /health/ready');
    expect(ready?.attrs['http.response.status_code']).toBe(200);
    const ping = spans.find((span) => span.parentSpanId === ready?.spanId);
    expect(ping).toMatchObject({ name: 'SELECT', kind: SPAN_KIND_CLIENT });
    expect(ping?.attrs).toMatchObject({
      'db.system.name': 'postgresql',
      'db.query.text': 'SELECT 1',
    });
    // A request without traceparent starts a new trace.
    expect(ready?.parentSpanId ?? '').toBe('');

    const unmatched = spans.find((span) => span.attrs['url.path'] === '/no/such/path');
    expect(unmatched?.name).toBe('GET');
    expect(unmatched?.attrs['http.route']).toBeUndefined();
    expect(unmatched?.attrs['http.response.status_code']).toBe(404);
  });

  it("puts the request's trace and span ids in its access log line", () => {
    const accessLines = log.lines().filter((line) => line.msg === 'request');
    for (const { traceId } of [put, get]) {
      const line = accessLines.find((entry) => entry.traceId === traceId);
      expect(line).toMatchObject({ route: '/hello/:username', traceId });
      expect(line?.spanId).toBe(serverSpan(traceId)?.spanId);
    }
  });
});

describe('tracing off by default, and the SDK only loaded when on', () => {
  let db: TestDatabase;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
    await db?.drop();
  });

  async function runProbe(env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
    const run = spawnEntryPoint('__tests__/api/tracing-probe.ts', {
      DATABASE_URL: db.url,
      HOST: '127.0.0.1',
      PORT: '0',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      ...env,
    });
    const finished = await run.finished;
    expect(finished.stderr).toBe('');
    expect(finished.code).toBe(0);
    const result = finished.logs.find((line) => line.probe === true);
    expect(result).toBeDefined();
    return result ?? {};
  }

  it('without OTEL_* loads no OpenTelemetry SDK module and exports nothing', async () => {
    const result = await runProbe({});
    expect(result).toEqual({
      probe: true,
      status: 200,
      tracing: false,
      sdkLoaded: false,
      sdkModules: 0,
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it('OTEL_SDK_DISABLED=true wins over an endpoint', async () => {
    const result = await runProbe({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SDK_DISABLED: 'true',
    });
    expect(result).toMatchObject({ tracing: false, sdkLoaded: false, sdkModules: 0 });
    expect(receiver.requests).toHaveLength(0);
  });

  it('with an endpoint (default protocol http/protobuf) loads the SDK and exports', async () => {
    const result = await runProbe({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    expect(result).toMatchObject({ status: 200, tracing: true, sdkLoaded: true });
    expect(result.sdkModules).toBeGreaterThan(0);
    // Exported during the probe's graceful shutdown, before it printed its result.
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(receiver.requests[0]?.contentType).toBe('application/x-protobuf');
    expect(receiver.requests[0]?.body.toString('latin1')).toContain('/health/ready');
  });
});
