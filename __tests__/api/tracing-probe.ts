/**
 * Child-process probe for tracing.test.ts: starts the real service (startService, as main.ts
 * does) with the OTEL_* variables it is given, answers one readiness request, stops, and prints
 * how many OpenTelemetry SDK modules the process loaded. Run with tsx, where every import is a
 * require, so require.cache is the complete list of loaded modules. @opentelemetry/api itself
 * does not count: prom-client always loads it (for exemplars), and it is a no-op facade.
 */
import { loadConfig } from '../../api/config';
import { createLogger } from '../../api/logger';
import { startService } from '../../api/server';
import { tracingSdkLoaded } from '../../api/tracing';

async function probe(): Promise<void> {
  const config = loadConfig(process.env);
  const service = await startService({
    config,
    target: { kind: 'url', connectionString: process.env.DATABASE_URL ?? '' },
    logger: createLogger('silent'),
  });
  const response = await fetch(`${service.url}/health/ready`);
  await service.shutdown();
  const sdkModules = Object.keys(require.cache).filter(
    (file) => file.includes('/@opentelemetry/') && !file.includes('/@opentelemetry/api/'),
  );
  process.stdout.write(
    `${JSON.stringify({
      probe: true,
      status: response.status,
      tracing: service.tracing !== undefined,
      sdkLoaded: tracingSdkLoaded(),
      sdkModules: sdkModules.length,
    })}\n`,
  );
}

probe().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
