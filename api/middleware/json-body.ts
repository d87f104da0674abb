/**
 * A small JSON body reader for routes that take a body. Hand-rolled rather than a general body
 * parser: it only needs JSON, a hard size limit and precise problem responses, and it costs less
 * per request (see docs/api.md, "Benchmark").
 */
import type { IncomingMessage } from 'node:http';
import type { AppMiddleware } from '../context';
import { ProblemError } from '../problem';

const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json$/;

export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const semicolon = header.indexOf(';');
  const mediaType = (semicolon >= 0 ? header.slice(0, semicolon) : header).trim().toLowerCase();
  return JSON_MEDIA_TYPE.test(mediaType);
}

const tooLarge = (limit: number) =>
  new ProblemError(413, `The request body must not exceed ${limit} bytes.`, {
    headers: { Connection: 'close' },
  });

/**
 * Reads the body up to `limit` bytes. The listeners stay on the request when it settles (a flag
 * ignores later events): the request object goes away with its response, and not removing them
 * saves per-request work. They are inline arrows on purpose: under tsx (how `npm start` runs)
 * every named function created per request also gets its name defined at run time.
 */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        settled = true;
        // Stop reading; the 413 response closes the connection.
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.on('error', (error: Error) => {
      if (settled) return;
      settled = true;
      reject(new ProblemError(400, 'The request body could not be read.', { cause: error }));
    });
    req.on('aborted', () => {
      if (settled) return;
      settled = true;
      const cause = new Error('request aborted');
      reject(new ProblemError(400, 'The request body could not be read.', { cause }));
    });
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Puts the parsed JSON in ctx.state.body; 415 / 413 / 400 problems otherwise. */
export function jsonBody(options: { limitBytes: number }): AppMiddleware {
  const limit = options.limitBytes;
  return async (ctx, next) => {
    if (!isJsonContentType(ctx.get('Content-Type') || undefined)) {
      throw new ProblemError(
        415,
        'Send the body as application/json (Content-Type: application/json).',
      );
    }
    const declared = Number(ctx.get('Content-Length'));
    if (declared > limit) throw tooLarge(limit);

    const raw = await readLimited(ctx.req, limit);
    if (raw.length === 0) throw new ProblemError(400, 'The request body is empty; send JSON.');
    let text: string;
    try {
      text = utf8.decode(raw);
    } catch {
      throw new ProblemError(400, 'The request body is not valid UTF-8.');
    }
    try {
      ctx.state.body = JSON.parse(text) as unknown;
    } catch (error) {
      throw new ProblemError(
        400,
        `The request body is not valid JSON: ${(error as Error).message}`,
      );
    }
    await next();
  };
}
