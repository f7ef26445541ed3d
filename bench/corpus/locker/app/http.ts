/**
 * Small HTTP helpers: JSON body reading, typed errors, parameter parsing.
 *
 * @module
 */
import type { Context, Next } from 'koa';

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code = 'error') {
    super(message);
  }
}

const MAX_BODY = 256 * 1024;

/** Parse a JSON request body into ctx.request.body (POST/PUT/PATCH). */
export async function jsonBody(ctx: Context, next: Next): Promise<void> {
  if (ctx.method === 'POST' || ctx.method === 'PUT' || ctx.method === 'PATCH') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) throw new HttpError(413, 'request body too large');
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.length > 0) {
      try {
        (ctx.request as { body?: unknown }).body = JSON.parse(text);
      } catch {
        throw new HttpError(400, 'invalid JSON body');
      }
    } else {
      (ctx.request as { body?: unknown }).body = {};
    }
  }
  await next();
}

export function body<T = Record<string, unknown>>(ctx: Context): T {
  return ((ctx.request as { body?: unknown }).body ?? {}) as T;
}

/** A positive integer id (path parameter or body field, JSON number or numeric string). */
export function intId(value: unknown, name: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, `${name} must be a positive integer`);
  return n;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) throw new HttpError(400, `${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

export function num(value: unknown, name: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (typeof value === 'string' && value.trim() === '') throw new HttpError(400, `${name} is required`);
  if (!Number.isFinite(n)) throw new HttpError(400, `${name} must be a number`);
  return n;
}

/** Error responses as JSON; 5xx are logged (rate-limited). */
export function errors(log: (msg: string) => void) {
  let logged = 0;
  let windowStart = Date.now();
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      ctx.status = status;
      ctx.body = { error: error instanceof HttpError ? error.code : 'internal_error', message: status < 500 ? (error as Error).message : 'internal error' };
      if (status >= 500) {
        if (Date.now() - windowStart > 10_000) { windowStart = Date.now(); logged = 0; }
        if (logged++ < 5) log(`${ctx.method} ${ctx.path} -> ${status}: ${(error as Error).stack ?? error}`);
      }
    }
  };
}
