/**
 * Shared dependencies of the hiring API: configuration, the knex pool, Redis,
 * and the partner APIs (background checks, calendar, email).
 *
 * @module
 */
import knexFactory, { type Knex } from 'knex';
import { Redis } from 'ioredis';
import { parseFault, type HiringFault } from '../faults.js';

export interface Config {
  pgUrl: string;
  redisUrl: string;
  partnersUrl: string;
  poolMax: number;
  fault: HiringFault | null;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    pgUrl: env.HIRING_PG_URL ?? 'postgresql://hiring_app@127.0.0.1:5432/hiring',
    redisUrl: env.HIRING_REDIS_URL ?? 'redis://127.0.0.1:6379',
    partnersUrl: env.HIRING_PARTNERS_URL ?? 'http://127.0.0.1:8090',
    poolMax: Number(env.HIRING_PG_POOL_MAX ?? 6),
    fault: parseFault(env.HIRING_FAULT),
  };
}

export interface Context {
  config: Config;
  db: Knex;
  redis: Redis;
  partners: Partners;
}

export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

export function notFound(what: string): HttpError {
  return new HttpError(404, `${what} not found`);
}

/** JSON client of the partner APIs. */
export class Partners {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new HttpError(502, `partner ${path} answered ${res.status}`);
    return (await res.json()) as T;
  }

  backgroundCheck(candidateId: number): Promise<{ status: string; checks: { type: string; result: string }[]; updated_at: string }> {
    return this.call('GET', `/v2/checks/c${candidateId}`);
  }

  freeBusy(interviewerEmail: string, from: string, to: string): Promise<{ busy: { start: string; end: string }[] }> {
    return this.call('POST', '/calendar/v1/freebusy', { calendar: interviewerEmail, from, to });
  }

  createEvent(event: { organizer: string; attendees: string[]; start: string; minutes: number; title: string }): Promise<{ id: string }> {
    return this.call('POST', '/calendar/v1/events', event);
  }

  sendEmail(message: { to: string; template: string; data: Record<string, unknown> }): Promise<{ id: string }> {
    return this.call('POST', '/email/v3/send', message);
  }
}

export function createContext(config: Config): Context {
  const db = knexFactory({
    client: 'pg',
    connection: { connectionString: config.pgUrl, application_name: 'hiring-api' },
    pool: { min: 2, max: config.poolMax, idleTimeoutMillis: 30_000 },
    acquireConnectionTimeout: 15_000,
  });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableAutoPipelining: false });
  return { config, db, redis, partners: new Partners(config.partnersUrl) };
}

export const int = (v: unknown): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, `invalid id '${String(v)}'`);
  return n;
};
