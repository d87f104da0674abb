/**
 * The RDS IAM token password: refresh logic with a stand-in signer and a fake clock (no AWS), and
 * the real `@aws-sdk/rds-signer` taking its credentials from a local HTTP endpoint that answers
 * like the EKS Pod Identity agent, as it does in the pod.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DEFAULT_REFRESH_MARGIN_MS,
  RDS_IAM_TOKEN_LIFETIME_MS,
  rdsAuthTokenSigner,
  rdsIamTokenPassword,
  type AuthTokenSigner,
} from '../../api/rds-iam-auth';

/** Signs `token-1`, `token-2`, ...; `pending` holds signings not yet released when `hold` is on. */
function countingSigner() {
  let count = 0;
  const signer = {
    failNext: false,
    hold: false,
    pending: [] as Array<() => void>,
    get count() {
      return count;
    },
    async getAuthToken() {
      count += 1;
      const token = `token-${count}`;
      if (signer.failNext) {
        signer.failNext = false;
        throw new Error('credentials unavailable');
      }
      if (signer.hold) await new Promise<void>((resolve) => signer.pending.push(resolve));
      return token;
    },
  } satisfies AuthTokenSigner & Record<string, unknown>;
  return signer;
}

function fakeClock(start = Date.parse('2026-12-01T10:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
    set(ms: number) {
      now = ms;
    },
  };
}

const MINUTE = 60_000;

describe('rdsIamTokenPassword (refresh logic, fake clock)', () => {
  it('reuses a token until the refresh margin before its 15-minute expiry, then signs anew', async () => {
    expect(RDS_IAM_TOKEN_LIFETIME_MS).toBe(15 * MINUTE);
    expect(DEFAULT_REFRESH_MARGIN_MS).toBe(5 * MINUTE);
    const signer = countingSigner();
    const clock = fakeClock();
    const password = rdsIamTokenPassword({ signer, now: clock.now });

    expect(await password()).toBe('token-1');
    clock.advance(10 * MINUTE - 1);
    expect(await password()).toBe('token-1');
    expect(signer.count).toBe(1);

    clock.advance(1); // 10 minutes old: 5 minutes before expiry
    expect(await password()).toBe('token-2');
    clock.advance(5 * MINUTE);
    expect(await password()).toBe('token-2');
    expect(signer.count).toBe(2);
  });

  it('honours a custom margin and rejects one that leaves no lifetime', async () => {
    const signer = countingSigner();
    const clock = fakeClock();
    const password = rdsIamTokenPassword({ signer, now: clock.now, refreshMarginMs: MINUTE });
    await password();
    clock.advance(14 * MINUTE - 1);
    expect(await password()).toBe('token-1');
    clock.advance(1);
    expect(await password()).toBe('token-2');

    for (const refreshMarginMs of [-1, RDS_IAM_TOKEN_LIFETIME_MS, Number.NaN]) {
      expect(() => rdsIamTokenPassword({ signer, refreshMarginMs })).toThrow(/refreshMarginMs/);
    }
  });

  it('shares one signing between concurrent logins', async () => {
    const signer = countingSigner();
    signer.hold = true;
    const password = rdsIamTokenPassword({ signer, now: fakeClock().now });
    const logins = [password(), password(), password()];
    expect(signer.pending).toHaveLength(1);
    signer.pending.forEach((release) => release());
    expect(await Promise.all(logins)).toEqual(['token-1', 'token-1', 'token-1']);
    expect(signer.count).toBe(1);
  });

  it('does not cache a failed signing', async () => {
    const signer = countingSigner();
    signer.failNext = true;
    const password = rdsIamTokenPassword({ signer, now: fakeClock().now });
    await expect(password()).rejects.toThrow('credentials unavailable');
    expect(await password()).toBe('token-2');
    expect(signer.count).toBe(2);
  });

  it('signs anew after invalidate() (the database refused the token)', async () => {
    const signer = countingSigner();
    const password = rdsIamTokenPassword({ signer, now: fakeClock().now });
    expect(await password()).toBe('token-1');
    password.invalidate();
    expect(await password()).toBe('token-2');
  });

  it('signs anew when the clock went backwards (the token age is unknown)', async () => {
    const signer = countingSigner();
    const clock = fakeClock();
    const password = rdsIamTokenPassword({ signer, now: clock.now });
    await password();
    clock.advance(-MINUTE);
    expect(await password()).toBe('token-2');
  });
});

describe('rdsAuthTokenSigner with EKS Pod Identity credentials (local HTTP endpoint)', () => {
  const host = 'hello-prod-postgres.abc123.eu-west-1.rds.amazonaws.com';
  const requests: Array<{ url?: string; authorization?: string }> = [];
  let server: http.Server;
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      requests.push({ url: request.url, authorization: request.headers.authorization });
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          AccessKeyId: 'ASIAPODIDENTITYTEST01',
          SecretAccessKey: 'pod-identity-secret-key',
          Token: 'pod-identity-session-token',
          AccountId: '123456789012',
          Expiration: new Date(Date.now() + 6 * 60 * MINUTE).toISOString(),
        }),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    dir = await mkdtemp(path.join(tmpdir(), 'hello-pod-identity-'));
    const tokenFile = path.join(dir, 'eks-pod-identity-token');
    await writeFile(tokenFile, 'projected-service-account-token');
    // What the Pod Identity webhook injects into the pod; nothing else may supply credentials.
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('AWS_')) delete process.env[name];
    }
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/credentials`;
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE = tokenFile;
    process.env.AWS_CONFIG_FILE = path.join(dir, 'no-config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'no-credentials');
  });
  afterAll(async () => {
    process.env = saved;
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('signs an rds-db:connect token for host, port and user with the pod credentials, valid 15 minutes', async () => {
    const signer = rdsAuthTokenSigner({
      hostname: host,
      port: 5432,
      username: 'hello_api',
      region: 'eu-west-1',
    });
    const token = await signer.getAuthToken();
    const url = new URL(`https://${token}`);
    expect(url.host).toBe(`${host}:5432`);
    expect(url.searchParams.get('Action')).toBe('connect');
    expect(url.searchParams.get('DBUser')).toBe('hello_api');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^ASIAPODIDENTITYTEST01\/\d{8}\/eu-west-1\/rds-db\/aws4_request$/,
    );
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('pod-identity-session-token');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);

    // The agent was asked once, with the projected token; the SDK caches the credentials.
    expect(requests).toEqual([
      { url: '/v1/credentials', authorization: 'projected-service-account-token' },
    ]);
    const password = rdsIamTokenPassword({ signer });
    const first = await password();
    expect(await password()).toBe(first);
    expect(requests).toHaveLength(1);
  });
});
