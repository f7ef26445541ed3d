/**
 * A small router for node:http: route templates with `:params`, JSON
 * bodies and answers, errors with a status. The matched template is the
 * `route` label of the duration histogram.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a handler gets. */
export interface Request {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

/** What a handler returns: a status and a JSON-serialisable body (or a ready string). */
export interface Reply {
  status?: number;
  body: unknown;
  contentType?: string;
}

/** A route handler. */
export type Handler = (req: Request) => Promise<Reply>;

/** An error that carries the HTTP status to answer with. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

/** Routes by method and template; the first match wins. */
export class Router {
  private readonly routes: Route[] = [];

  /** Add a route, e.g. `add('GET', '/accounts/:id', handler)`. */
  add(method: string, template: string, handler: Handler): this {
    const keys: string[] = [];
    const source = template.replace(/:(\w+)/g, (_m, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.routes.push({ method, template, pattern: new RegExp(`^${source}$`), keys, handler });
    return this;
  }

  /** Find the route of a method and path; null when none matches. */
  match(method: string, path: string): { template: string; handler: Handler; params: Record<string, string> } | null {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (m) return { template: route.template, handler: route.handler, params: Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])])) };
    }
    return null;
  }
}

/** Read a JSON body (empty body = {}); a malformed one is a 400. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
}

/** Write a reply. */
export function send(res: ServerResponse, reply: Reply): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A positive integer path/query parameter, else a 400. */
export function intParam(value: string | null | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, `${name} must be a positive integer`);
  return n;
}
