/**
 * The ledger's calibration driver (numbers in CALIBRATION.md): throw-away
 * PostgreSQL and Redis from test/harness, one seed, then per case: start the
 * service with the case's fault, a warm-up, a fixed-rate open-model run of
 * the case's mix at `moderateRate` (undici, at most 120 requests in flight,
 * later arrivals counted as dropped), then 5 s at `overloadRate`. Besides
 * per-endpoint latency, status and size it reports CPU per request of the
 * service, the PostgreSQL cluster and Redis (/proc), the service's own
 * metrics (GC time, heap, event-loop lag, pool acquire wait) and sampled
 * pg_stat_activity (lock waiters, idle in transaction, backends).
 * It measures load only; it never runs tuneup's diagnosis.
 *
 *   nice -n 19 npx tsx bench/corpus/ledger/calibrate.ts healthy fee-account-hot-row ...
 *   env: SECS (moderate run, 10), WARM (3), RATE (override the moderate rate), OVERLOAD=0 (skip)
 *
 * @module
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { Agent } from 'undici';
import pgLib from 'pg';
import { startPostgres } from '../../../test/harness/postgres.js';
import { startRedis } from '../../../test/harness/redis.js';
import { service } from './index.js';
import type { CorpusCase } from '../types.js';

const args = process.argv.slice(2);
const secs = Number(process.env.SECS ?? 10);
const warm = Number(process.env.WARM ?? 3);
const doOverload = process.env.OVERLOAD !== '0';
const rateOverride = process.env.RATE ? Number(process.env.RATE) : undefined;

function expand(v: unknown): unknown {
  if (typeof v === 'string') {
    const one = (expr: string): string => {
      let m = /^randomInt\((\d+),\s*(\d+)\)$/.exec(expr);
      if (m) return String(Number(m[1]) + Math.floor(Math.random() * (Number(m[2]) - Number(m[1]) + 1)));
      m = /^randomChoice\((.*)\)$/.exec(expr);
      if (m) { const opts = m[1].split(',').map((s) => s.trim().replace(/^'|'$/g, '')); return opts[Math.floor(Math.random() * opts.length)]; }
      throw new Error('template ' + expr);
    };
    const whole = /^\{\{\s*(.*?)\s*\}\}$/.exec(v);
    if (whole && whole[1].startsWith('randomInt')) return Number(one(whole[1]));
    return v.replace(/\{\{\s*(.*?)\s*\}\}/g, (_m, e: string) => one(e));
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expand(x)]));
  return v;
}

function cpu(pid: number): number {
  try { const f = readFileSync(`/proc/${pid}/stat`, 'utf8'); const x = f.slice(f.lastIndexOf(')') + 2).split(' '); return (Number(x[11]) + Number(x[12])) / 100; } catch { return 0; }
}
function pgCpu(pm: number): number {
  let t = cpu(pm);
  for (const n of readdirSync('/proc')) { if (!/^\d+$/.test(n)) continue; try { const f = readFileSync(`/proc/${n}/stat`, 'utf8'); if (Number(f.slice(f.lastIndexOf(')') + 2).split(' ')[1]) === pm) t += cpu(Number(n)); } catch {} }
  return t;
}
async function scrape(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(url)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line) continue;
    const sp = line.lastIndexOf(' ');
    const key = line.slice(0, sp); const val = Number(line.slice(sp + 1));
    out[key] = val;
    const name = key.replace(/\{.*$/, '');
    out['sum:' + name] = (out['sum:' + name] ?? 0) + val;
  }
  return out;
}
const pct = (a: number[], p: number): number => { if (!a.length) return NaN; const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

async function drive(c: CorpusCase, base: string, rate: number, seconds: number, sampler?: () => Promise<void>) {
  const agent = new Agent({ connections: 128, keepAliveTimeout: 10_000 });
  const total = c.mix.reduce((n, m) => n + m.weight, 0);
  const per = new Map<string, { lat: number[]; st: Record<string, number>; bytes: number }>();
  let sent = 0, done = 0, dropped = 0, inflight = 0;
  const t0 = performance.now();
  const n = Math.round(rate * seconds);
  const pending: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (sent < n && t0 + (sent * 1000) / rate <= now) {
        sent++;
        if (inflight >= 120) { dropped++; continue; }
        let r = Math.random() * total; const m = c.mix.find((x) => (r -= x.weight) < 0) ?? c.mix[0];
        const path = String(expand(m.path));
        const body = m.body === undefined ? undefined : JSON.stringify(expand(m.body));
        inflight++;
        const start = performance.now();
        pending.push(fetch(base + path, { method: m.method, body, headers: body ? { 'content-type': 'application/json' } : {}, dispatcher: agent } as RequestInit).then(async (res) => {
          const b = await res.arrayBuffer();
          const e = per.get(m.endpoint) ?? { lat: [], st: {}, bytes: 0 }; per.set(m.endpoint, e);
          e.lat.push(performance.now() - start); e.st[res.status] = (e.st[res.status] ?? 0) + 1; e.bytes += b.byteLength;
        }, () => { const e = per.get(m.endpoint) ?? { lat: [], st: {}, bytes: 0 }; per.set(m.endpoint, e); e.st.err = (e.st.err ?? 0) + 1; }).finally(() => { inflight--; done++; }));
      }
      if (sampler) void sampler();
      if (sent >= n) resolve(); else setTimeout(tick, 5);
    };
    tick();
  });
  const sendEnd = performance.now();
  await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 15_000))]);
  const elapsed = (performance.now() - t0) / 1000;
  await agent.close().catch(() => {});
  const all = [...per.values()].flatMap((e) => e.lat);
  return { rate, achieved: done / elapsed, sendSecs: (sendEnd - t0) / 1000, dropped, unfinished: sent - dropped - done, p50: pct(all, 50), p95: pct(all, 95), per };
}

const pg = await startPostgres();
const redis = await startRedis();
const admin = new pgLib.Pool({ connectionString: pg.url, max: 1 });
try {
  await service.seed(pg.url);
  const pm = Number(readFileSync(join(pg.dataDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  for (const id of args) {
    const c = service.cases.find((x) => x.id === `ledger/${id}`);
    if (!c) throw new Error('no case ' + id);
    const s = await service.start({ pgUrl: pg.url, redisUrl: redis.url, fault: c.fault });
    try {
      const rate = rateOverride ?? c.moderateRate;
      if (warm) await drive(c, s.url, rate, warm);
      const m0 = await scrape(s.metricsUrl!);
      const cpu0 = { node: cpu(s.pid), pg: pgCpu(pm), redis: cpu(redis.pid) };
      const samples = { lock: 0, idleTx: 0, backends: 0, maxBackends: 0, n: 0 };
      let sampling = false; let last = 0;
      const sampler = async () => {
        if (sampling || performance.now() - last < 250) return; sampling = true; last = performance.now();
        try {
          const { rows: [r] } = await admin.query(`SELECT count(*) FILTER (WHERE wait_event_type = 'Lock') AS lock, count(*) FILTER (WHERE state = 'idle in transaction') AS idle_tx, count(*) FILTER (WHERE backend_type = 'client backend') AS backends FROM pg_stat_activity`);
          samples.lock += Number(r.lock); samples.idleTx += Number(r.idle_tx); samples.backends += Number(r.backends); samples.maxBackends = Math.max(samples.maxBackends, Number(r.backends)); samples.n++;
        } catch {} finally { sampling = false; }
      };
      const r = await drive(c, s.url, rate, secs, sampler);
      const m1 = await scrape(s.metricsUrl!);
      const d = (k: string) => (m1[k] ?? 0) - (m0[k] ?? 0);
      const reqs = [...r.per.values()].reduce((n, e) => n + e.lat.length, 0);
      const cpuD = { node: cpu(s.pid) - cpu0.node, pg: pgCpu(pm) - cpu0.pg, redis: cpu(redis.pid) - cpu0.redis };
      console.log(`\n== ${c.id} @${rate}/s ${secs}s: achieved ${r.achieved.toFixed(1)}/s dropped ${r.dropped} unfinished ${r.unfinished} p50 ${r.p50.toFixed(1)} p95 ${r.p95.toFixed(1)} ms (load ${loadavg()[0].toFixed(1)})`);
      console.log(`   cpu ms/req: node ${(cpuD.node * 1000 / reqs).toFixed(2)} pg ${(cpuD.pg * 1000 / reqs).toFixed(2)} redis ${(cpuD.redis * 1000 / reqs).toFixed(2)}; node cpu ${(cpuD.node / secs * 100).toFixed(0)}% pg ${(cpuD.pg / secs * 100).toFixed(0)}%`);
      console.log(`   gc ${(d('sum:nodejs_gc_duration_seconds_sum') * 1000 / secs).toFixed(1)} ms/s; heap ${(m0['nodejs_heap_size_used_bytes'] / 1e6).toFixed(1)} -> ${(m1['nodejs_heap_size_used_bytes'] / 1e6).toFixed(1)} MB; loop lag p99 ${(m1['nodejs_eventloop_lag_p99_seconds'] * 1000).toFixed(1)} ms max ${(m1['nodejs_eventloop_lag_max_seconds'] * 1000).toFixed(1)}; pool wait mean ${(d('db_pool_acquire_seconds_sum') * 1000 / Math.max(1, d('db_pool_acquire_seconds_count'))).toFixed(2)} ms over ${d('db_pool_acquire_seconds_count')} acquires`);
      console.log(`   pg sampled: lock-waiters ${(samples.lock / Math.max(1, samples.n)).toFixed(2)} idle-in-tx ${(samples.idleTx / Math.max(1, samples.n)).toFixed(2)} backends avg ${(samples.backends / Math.max(1, samples.n)).toFixed(1)} max ${samples.maxBackends}`);
      for (const [ep, e] of [...r.per.entries()].sort()) console.log(`   ${ep.padEnd(28)} n ${String(e.lat.length).padStart(4)} p50 ${pct(e.lat, 50).toFixed(1).padStart(7)} p95 ${pct(e.lat, 95).toFixed(1).padStart(7)} ms avg ${(e.bytes / Math.max(1, e.lat.length) / 1024).toFixed(1)} kB ${JSON.stringify(e.st)}`);
      if (doOverload) {
        const o = await drive(c, s.url, c.overloadRate, 5);
        console.log(`   overload @${c.overloadRate}/s 5s: achieved ${o.achieved.toFixed(1)}/s dropped ${o.dropped} unfinished ${o.unfinished} p50 ${o.p50.toFixed(1)} p95 ${o.p95.toFixed(1)} ms`);
        const bad = [...o.per.entries()].filter(([, e]) => Object.keys(e.st).some((k) => k !== '200' && k !== '201' && k !== '409')).map(([ep, e]) => `${ep} ${JSON.stringify(e.st)}`);
        if (bad.length) console.log(`     non-2xx at overload: ${bad.join('; ')}`);
      }
    } finally {
      await s.stop();
    }
  }
} finally {
  await admin.end();
  await redis.stop();
  await pg.stop();
}
