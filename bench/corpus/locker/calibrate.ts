/**
 * Calibration of the locker's cases without tuneup: a throw-away PostgreSQL
 * and Redis (test/harness), the seed (timed), then for each case: start the
 * service with its fault, drive the mix open-model at a few rates, print
 * throughput, latency and errors per endpoint, the app's CPU, GC time, heap
 * and event-loop lag, and a few server-side facts (Redis command stats, the
 * size of sites).
 *
 *   node --import tsx bench/corpus/locker/calibrate.ts [--case healthy ...] [--rates 100,400] [--duration 10] [--smoke]
 *
 * @module
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createClient } from 'redis';
import { Pool } from 'undici';
import { startPostgres } from '../../../test/harness/postgres.js';
import { startRedis } from '../../../test/harness/redis.js';
import { cpuSeconds, drive, fire, pct, type Sample } from '../pantry/calibrate.js';
import type { CorpusCase } from '../types.js';
import { service } from './index.js';

interface AppFacts { gcSeconds: number; heapUsedMb: number; lagP99Ms: number }

async function appFacts(metricsUrl: string): Promise<AppFacts> {
  const text = await (await fetch(metricsUrl)).text();
  const sum = (re: RegExp) => text.split('\n').filter((l) => re.test(l)).reduce((s, l) => s + Number(l.split(' ').pop()), 0);
  return {
    gcSeconds: sum(/^nodejs_gc_duration_seconds_sum/),
    heapUsedMb: sum(/^nodejs_heap_size_used_bytes/) / 1048576,
    lagP99Ms: sum(/^nodejs_eventloop_lag_p99_seconds/) * 1000,
  };
}

function report(c: CorpusCase, samples: Sample[], rate: number, seconds: number, cpu: number, before: AppFacts, after: AppFacts): void {
  const within = samples.filter((s) => s.ms < 2000 && s.status > 0).length;
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  const e5 = samples.filter((s) => s.status >= 500 || s.status === 0).length;
  const e4 = samples.filter((s) => s.status >= 400 && s.status < 500).length;
  console.log(`  offered ${rate}/s x ${seconds}s: done ${samples.length}, ok<2s ${(within / seconds).toFixed(0)}/s, p50 ${pct(all, 50).toFixed(1)} p95 ${pct(all, 95).toFixed(1)} p99 ${pct(all, 99).toFixed(1)} ms, ` +
    `5xx ${e5} 4xx ${e4}, app cpu ${(cpu * 100).toFixed(0)}%, gc ${(((after.gcSeconds - before.gcSeconds) / seconds) * 100).toFixed(1)}% heap ${before.heapUsedMb.toFixed(0)}->${after.heapUsedMb.toFixed(0)} MB lag-p99 ${after.lagP99Ms.toFixed(0)} ms`);
  const by = new Map<string, Sample[]>();
  for (const s of samples) by.set(s.endpoint, [...(by.get(s.endpoint) ?? []), s]);
  for (const [endpoint, list] of by) {
    const ms = list.map((s) => s.ms).sort((a, b) => a - b);
    const codes = new Map<number, number>();
    for (const s of list) codes.set(s.status, (codes.get(s.status) ?? 0) + 1);
    const kb = list.reduce((a, s) => a + s.bytes, 0) / list.length / 1024;
    const mark = c.expect?.endpoint === endpoint ? '*' : ' ';
    console.log(`   ${mark}${endpoint.padEnd(34)} n ${String(list.length).padStart(5)}  p50 ${pct(ms, 50).toFixed(1).padStart(7)}  p99 ${pct(ms, 99).toFixed(1).padStart(7)}  ${kb.toFixed(1).padStart(7)} KB  ${[...codes].map(([k, n]) => `${k}:${n}`).join(' ')}`);
  }
}

async function serverFacts(pgUrl: string, redisUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  const r = createClient({ url: redisUrl });
  await r.connect();
  try {
    const { rows } = await client.query<{ size: string; dead: string; live: string }>(
      "SELECT pg_size_pretty(pg_relation_size('sites')) AS size, n_dead_tup AS dead, n_live_tup AS live FROM pg_stat_user_tables WHERE relname = 'sites'");
    const idle = await client.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'idle in transaction'");
    const stats = (await r.info('commandstats')).split('\n').filter((l) => /zunionstore|cmdstat_get:|cmdstat_set:/.test(l)).map((l) => l.trim().replace(/,rejected.*$/, '')).join(' | ');
    return `sites ${rows[0]?.size} live ${rows[0]?.live} dead ${rows[0]?.dead}; idle-in-txn ${idle.rows[0]?.n}; redis ${stats}`;
  } finally {
    await client.end();
    await r.quit();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      case: { type: 'string', multiple: true }, rates: { type: 'string' }, duration: { type: 'string', default: '10' },
      smoke: { type: 'boolean', default: false }, warmup: { type: 'string', default: '3' },
    },
  });
  const postgres = await startPostgres();
  const redis = await startRedis();
  try {
    const t0 = performance.now();
    await service.seed(postgres.url);
    console.log(`seed: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const ids = values.case ?? service.cases.map((c) => c.id);
    for (const id of ids) {
      const c = service.cases.find((x) => x.id === id || x.id === `locker/${id}` || x.fault === id);
      if (!c) throw new Error(`no case ${id}`);
      console.log(`== ${c.id} (fault ${c.fault}) moderate ${c.moderateRate} overload ${c.overloadRate}`);
      const s0 = performance.now();
      const running = await service.start({ pgUrl: postgres.url, redisUrl: redis.url, fault: c.fault });
      console.log(`  started in ${((performance.now() - s0) / 1000).toFixed(1)} s`);
      try {
        if (values.smoke) {
          const pool = new Pool(running.url, { connections: 4 });
          for (const m of c.mix) {
            const r = await fire(pool, m);
            console.log(`  ${m.endpoint.padEnd(34)} ${r.status} ${(r.bytes / 1024).toFixed(1)} KB ${r.status >= 300 ? r.text.slice(0, 200) : r.text.slice(0, 120)}`);
          }
          await pool.destroy();
        }
        const rates = values.rates ? values.rates.split(',').map(Number) : [c.moderateRate, c.overloadRate];
        const seconds = Number(values.duration);
        if (Number(values.warmup) > 0 && rates.length) await drive(running.url, c.mix, Math.min(rates[0]!, 50), Number(values.warmup));
        for (const rate of rates) {
          const f0 = await appFacts(running.metricsUrl!);
          const before = cpuSeconds(running.pid);
          const t = performance.now();
          const samples = await drive(running.url, c.mix, rate, seconds);
          const cpu = (cpuSeconds(running.pid) - before) / ((performance.now() - t) / 1000);
          const f1 = await appFacts(running.metricsUrl!);
          report(c, samples, rate, seconds, cpu, f0, f1);
          console.log(`    ${await serverFacts(postgres.url, redis.url)}`);
          await new Promise((r) => setTimeout(r, 1500));
        }
      } finally {
        await running.stop();
      }
    }
  } finally {
    await redis.stop();
    await postgres.stop();
  }
}

main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
