import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP endpoint speaking the part of the AWS Secrets Manager JSON protocol the API uses
 * (`POST /`, `X-Amz-Target: secretsmanager.GetSecretValue`), for endpoint-override tests. Never
 * talks to AWS.
 */
export interface FakeSecretsManager {
  url: string;
  /** The SecretString served for any SecretId; change it to simulate a rotation. */
  secretString: string;
  calls: Array<{ target: string; secretId: unknown; authorization: string }>;
  close(): Promise<void>;
}

export async function startFakeSecretsManager(secretString: string): Promise<FakeSecretsManager> {
  const state: FakeSecretsManager = {
    url: '',
    secretString,
    calls: [],
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const request = JSON.parse(body || '{}') as { SecretId?: unknown };
      state.calls.push({
        target,
        secretId: request.SecretId,
        authorization: String(req.headers.authorization ?? ''),
      });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'secretsmanager.GetSecretValue') {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'InvalidRequestException', message: 'unsupported' }));
        return;
      }
      res.end(
        JSON.stringify({
          ARN: String(request.SecretId),
          Name: 'fake',
          SecretString: state.secretString,
          VersionId: `v${state.calls.length}`,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}
