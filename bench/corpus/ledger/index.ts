/**
 * The ledger: a payments-ledger API (accounts, double-entry transfers,
 * statements, spending limits, merchant dashboards, FX quotes) on plain
 * node:http + pg + ioredis + prom-client over PostgreSQL and Redis, with an
 * upstream risk engine and FX rates provider, packaged as a corpus service
 * with its planted faults (faults.ts, cases.ts).
 *
 * `start()` is a deploy: it runs the migration of the fault's build (index
 * drops/creates), flushes Redis (cold caches), starts the upstream (unless
 * one is given) and the service, whose boot jobs rebuild the spend counters
 * (~130k Redis keys) and load the rate book.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { LEDGER_CASES } from './cases.js';
import { parseFault, type LedgerFault } from './faults.js';
import { startChild, type Child } from './launch.js';
import { migrateLedger, seedLedger } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const UPSTREAM = fileURLToPath(new URL('./upstream/server.ts', import.meta.url));

/** Upstream latencies (ms ranges) of a fault's world: the risk engine degrades in risk-api-slow. */
export function upstreamEnv(fault: LedgerFault | null): Record<string, string> {
  return { RISK_LATENCY_MS: fault === 'risk-api-slow' ? '250-550' : '15-35', RATES_LATENCY_MS: '10-30', EOD_LATENCY_MS: '40-90' };
}

/** Start the ledger with `fault` on (null = healthy). */
export async function startLedger(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateLedger(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const upstream: Child | undefined = opts.upstreamUrl ? undefined : await startChild(UPSTREAM, 'LEDGER_UPSTREAM_LISTENING', upstreamEnv(fault), 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'LEDGER_LISTENING', {
      LEDGER_PORT: '0',
      LEDGER_PG_URL: opts.pgUrl,
      LEDGER_REDIS_URL: opts.redisUrl,
      LEDGER_UPSTREAM_URL: opts.upstreamUrl ?? `http://127.0.0.1:${upstream!.port}`,
      LEDGER_FAULT: fault ?? '',
    }, 120_000, ['--expose-gc']);
  } catch (error) {
    await upstream?.stop();
    throw error;
  }
  const url = `http://127.0.0.1:${app.port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    pid: app.process.pid!,
    metricsUrl: `${url}/metrics`,
    stop: () => (stopping ??= (async () => {
      await app.stop();
      await upstream?.stop();
    })()),
  };
}

/** The ledger corpus service. */
export const service: CorpusService = {
  name: 'ledger',
  stack: 'node:http + own router, pg 8 (Pool), ioredis 5, prom-client 15; PostgreSQL 15, Redis; node:http risk/FX upstream',
  seed: seedLedger,
  start: startLedger,
  cases: LEDGER_CASES,
};

export default service;
