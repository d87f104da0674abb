/**
 * The ceiling for `npm run bench:api`: the same two routes on bare node:http + a pg Pool, with
 * the same SQL, pool size and input rules, and nothing else (no framework, logging, metrics,
 * request ids or problem documents).
 */
import http from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const USERNAME = /^[A-Za-z]{1,64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

// Same statements as api/users-repository.ts.
const FIND =
  "SELECT to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth FROM users WHERE username = $1";
const SAVE = `
  INSERT INTO users (username, date_of_birth) VALUES ($1, $2)
  ON CONFLICT (username) DO UPDATE
    SET date_of_birth = EXCLUDED.date_of_birth, updated_at = now()
    WHERE users.date_of_birth IS DISTINCT FROM EXCLUDED.date_of_birth`;

function daysUntil(dob: string, now: Date): number {
  const [, m, d] = dob.split('-').map(Number) as [number, number, number];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  let next = Date.UTC(now.getUTCFullYear(), m - 1, d);
  if (next < today) next = Date.UTC(now.getUTCFullYear() + 1, m - 1, d);
  return Math.round((next - today) / 86_400_000);
}

function send(res: http.ServerResponse, status: number, body?: string): void {
  if (body === undefined) {
    res.writeHead(status).end();
  } else {
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  }
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '';
  if (!url.startsWith('/hello/')) return send(res, 404, '{"error":"not found"}');
  const username = url.slice(7);
  if (!USERNAME.test(username)) return send(res, 422, '{"error":"bad username"}');
  if (req.method === 'GET') {
    pool.query(FIND, [username]).then(
      (result) => {
        const dob = (result.rows[0] as { date_of_birth?: string } | undefined)?.date_of_birth;
        if (!dob) return send(res, 404, '{"error":"unknown user"}');
        const days = daysUntil(dob, new Date());
        const message =
          days === 0
            ? `Hello, ${username}! Happy birthday!`
            : `Hello, ${username}! Your birthday is in ${days} day(s)`;
        send(res, 200, JSON.stringify({ message }));
      },
      () => send(res, 500),
    );
    return;
  }
  if (req.method === 'PUT') {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let dob: unknown;
      try {
        dob = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { dateOfBirth?: unknown })
          .dateOfBirth;
      } catch {
        return send(res, 400, '{"error":"bad json"}');
      }
      if (typeof dob !== 'string' || !DATE.test(dob)) return send(res, 422, '{"error":"bad date"}');
      pool.query(SAVE, [username, dob]).then(
        () => send(res, 204),
        () => send(res, 500),
      );
    });
    return;
  }
  send(res, 405);
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
