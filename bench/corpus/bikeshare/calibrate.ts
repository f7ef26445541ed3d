/**
 * Calibration of the bikeshare's cases without tuneup: an open-model load
 * (constant arrival rate; latency measured from each request's intended send
 * time, so queueing is not hidden) over the case's mix, at a few rates,
 * printing throughput, latency over time, errors and per-endpoint latency,
 * plus what the app's /metrics say (pool in use / waiting, GC time, event
 * loop lag) and the app's CPU.
 *
 * Infrastructure (PostgreSQL + Redis from the test harness, seeded), kept
 * running in its own process:
 *   node --import tsx bench/corpus/bikeshare/calibrate.ts --infra [--seed]
 *     -> prints `INFRA pg=<url> redis=<url>`; stops on SIGTERM/SIGINT.
 * Load:
 *   node --import tsx bench/corpus/bikeshare/calibrate.ts --pg URL --redis URL \
 *     --case healthy --case pool-saturation-unlock-confirm --rates 60@30,150@10 [--duration 10] [--smoke]
 *
 * Load goes to 127.0.0.1 only; each step is bounded by --duration (max 60 s)
 * and a 15 s drain.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import type { CorpusCase } from '../types.js';
import { service } from './index.js';

type MixEntry = CorpusCase['mix'][number];

/** Render the plan templates: randomInt(a, b) (inclusive) and randomChoice('a', ...). */
export function render(template: string): string {
  return template.replace(/\{\{\s*(\w+)\((.*?)\)\s*\}\}/g, (_, fn: string, args: string) => {
    const values = args.split(',').map((a) => a.trim().replace(/^'(.*)'$/, '$1'));
    if (fn === 'randomInt') {
      const lo = Number(values[0]);
      const hi = Number(values[1]);
      return String(lo + Math.floor(Math.random() * (hi - lo + 1)));
    }
    if (fn === 'randomChoice') return values[Math.floor(Math.random() * values.length)]!;
    throw new Error(`unknown template function ${fn}`);
  });
}

function renderBody(body: unknown): unknown {
  if (typeof body === 'string') return render(body);
  if (Array.isArray(body)) return body.map(renderBody);
  if (body && typeof body === 'object') return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, renderBody(v)]));
  return body;
}

interface Sample { endpoint: string; sentAt: number; ms: number; status: number; bytes: number }

async function fire(pool: Pool, entry: MixEntry): Promise<{ status: number; bytes: number; text: string }> {
  const body = entry.body === undefined ? undefined : JSON.stringify(renderBody(entry.body));
  const res = await pool.request({
    method: entry.method as 'GET',
    path: render(entry.path),
    headers: body ? { 'content-type': 'application/json' } : {},
    body,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  const text = await res.body.text();
  return { status: res.statusCode, bytes: Buffer.byteLength(text), text };
}

function picker(mix: MixEntry[]): () => MixEntry {
  const total = mix.reduce((s, m) => s + m.weight, 0);
  return () => {
    let r = Math.random() * total;
    for (const m of mix) if ((r -= m.weight) < 0) return m;
    return mix[mix.length - 1]!;
  };
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : NaN;
}

function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** A few series of the app's /metrics. */
async function scrape(url: string): Promise<Record<string, number>> {
  try {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(3000) })).text();
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const m = /^(db_pool_connections\{state="(\w+)"\}|nodejs_gc_duration_seconds_sum\{kind="(\w+)"\}|nodejs_eventloop_lag_p99_seconds|nodejs_heap_size_used_bytes) ([\d.e+-]+)$/.exec(line);
      if (!m) continue;
      const key = m[2] ? `pool_${m[2]}` : m[3] ? `gc_${m[3]}` : m[1]!;
      out[key] = Number(m[4]);
    }
    out.gc_total = Object.entries(out).filter(([k]) => k.startsWith('gc_') && k !== 'gc_total').reduce((s, [, v]) => s + v, 0);
    return out;
  } catch {
    return {};
  }
}

/** `rate` req/s of `mix` for `seconds` (open model); waits for stragglers up to 15 s. */
async function drive(url: string, mix: MixEntry[], rate: number, seconds: number, metricsUrl?: string): Promise<{ samples: Sample[]; pool: { inUseAvg: number; waitingMax: number; waitingAvg: number; lagP99Max: number } }> {
  const pool = new Pool(url, { connections: 1024, pipelining: 1 });
  const pick = picker(mix);
  const samples: Sample[] = [];
  const inflight = new Set<Promise<void>>();
  const start = performance.now();
  const total = Math.round(rate * seconds);
  const poolSeries: Record<string, number>[] = [];
  let sampling = true;
  const sampler = metricsUrl ? (async () => {
    while (sampling) {
      poolSeries.push(await scrape(metricsUrl));
      await new Promise((r) => setTimeout(r, 500));
    }
  })() : Promise.resolve();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inflight.size > 4000) continue; // the client gives up on this arrival (counted as dropped)
    const entry = pick();
    const sentAt = due - start;
    const p = fire(pool, entry)
      .then((r) => { samples.push({ endpoint: entry.endpoint, sentAt, ms: performance.now() - due, status: r.status, bytes: r.bytes }); })
      .catch(() => { samples.push({ endpoint: entry.endpoint, sentAt, ms: performance.now() - due, status: 0, bytes: 0 }); })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }
  sampling = false;
  await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, 15_000))]);
  await sampler;
  await pool.destroy().catch(() => {});
  const n = poolSeries.length || 1;
  return {
    samples,
    pool: {
      inUseAvg: poolSeries.reduce((s, x) => s + (x.pool_in_use ?? 0), 0) / n,
      waitingAvg: poolSeries.reduce((s, x) => s + (x.pool_waiting ?? 0), 0) / n,
      waitingMax: Math.max(0, ...poolSeries.map((x) => x.pool_waiting ?? 0)),
      lagP99Max: Math.max(0, ...poolSeries.map((x) => x.nodejs_eventloop_lag_p99_seconds ?? 0)),
    },
  };
}

function report(samples: Sample[], rate: number, seconds: number, extra: string): void {
  const windowMs = seconds * 1000;
  const doneInWindow = samples.filter((s) => s.sentAt + s.ms <= windowMs).length;
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  const bad5 = samples.filter((s) => s.status >= 500 || s.status === 0).length;
  const bad4 = samples.filter((s) => s.status >= 400 && s.status < 500).length;
  const third = (k: number) => samples.filter((s) => s.sentAt >= (k * windowMs) / 3 && s.sentAt < ((k + 1) * windowMs) / 3).map((s) => s.ms).sort((a, b) => a - b);
  const [t0, t1, t2] = [third(0), third(1), third(2)];
  console.log(`  offered ${rate}/s x ${seconds}s: sent ${Math.round(rate * seconds)} answered ${samples.length}, throughput-in-window ${(doneInWindow / seconds).toFixed(1)}/s, ` +
    `p50 ${pct(all, 50).toFixed(1)} p95 ${pct(all, 95).toFixed(1)} p99 ${pct(all, 99).toFixed(1)} ms; p50 by third ${pct(t0, 50).toFixed(0)}/${pct(t1, 50).toFixed(0)}/${pct(t2, 50).toFixed(0)} ms; ` +
    `5xx ${bad5} 4xx ${bad4}; ${extra}`);
  const by = new Map<string, Sample[]>();
  for (const s of samples) by.set(s.endpoint, [...(by.get(s.endpoint) ?? []), s]);
  for (const [endpoint, list] of [...by].sort((a, b) => a[0].localeCompare(b[0]))) {
    const ms = list.map((s) => s.ms).sort((a, b) => a - b);
    const codes = new Map<number, number>();
    for (const s of list) codes.set(s.status, (codes.get(s.status) ?? 0) + 1);
    const kb = list.reduce((a, s) => a + s.bytes, 0) / list.length / 1024;
    console.log(`    ${endpoint.padEnd(34)} n ${String(list.length).padStart(5)}  p50 ${pct(ms, 50).toFixed(1).padStart(7)}  p95 ${pct(ms, 95).toFixed(1).padStart(7)}  p99 ${pct(ms, 99).toFixed(1).padStart(7)}  ${kb.toFixed(1).padStart(7)} KB  ${[...codes].map(([c, k]) => `${c}:${k}`).join(' ')}`);
  }
}

async function infra(seed: boolean): Promise<void> {
  const { startPostgres } = await import('../../../test/harness/postgres.js');
  const { startRedis } = await import('../../../test/harness/redis.js');
  const pg = await startPostgres({ extensions: ['pg_stat_statements'] });
  const redis = await startRedis();
  const stop = async (): Promise<void> => {
    await Promise.allSettled([redis.stop(), pg.stop()]);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  if (seed) {
    const t0 = performance.now();
    await service.seed(pg.url);
    console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log(`INFRA pg=${pg.url} redis=${redis.url}`);
  setInterval(() => {}, 60_000);
  await new Promise(() => {});
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      infra: { type: 'boolean', default: false },
      pg: { type: 'string' }, redis: { type: 'string' }, case: { type: 'string', multiple: true },
      rates: { type: 'string' }, duration: { type: 'string', default: '10' }, seed: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false }, warmup: { type: 'string', default: '3' }, pause: { type: 'string', default: '2' },
    },
  });
  if (values.infra) return infra(values.seed);
  if (!values.pg || !values.redis) throw new Error('--pg and --redis are required (or --infra)');
  if (values.seed) await service.seed(values.pg);
  const ids = values.case ?? service.cases.map((c) => c.id);
  for (const id of ids) {
    const c = service.cases.find((x) => x.id === id || x.id === `bikeshare/${id}`);
    if (!c) throw new Error(`no case ${id}`);
    console.log(`== ${c.id} (fault ${c.fault}) moderate ${c.moderateRate} overload ${c.overloadRate}  [${new Date().toISOString().slice(11, 19)}]`);
    const running = await service.start({ pgUrl: values.pg, redisUrl: values.redis, fault: c.fault });
    try {
      if (values.smoke) {
        const pool = new Pool(running.url, { connections: 2 });
        for (const m of c.mix) {
          const t0 = performance.now();
          const r = await fire(pool, m);
          console.log(`  ${m.endpoint.padEnd(34)} ${r.status} ${(performance.now() - t0).toFixed(1).padStart(7)} ms ${(r.bytes / 1024).toFixed(1).padStart(7)} KB ${r.status >= 300 ? r.text.slice(0, 160) : ''}`);
        }
        await pool.destroy();
      }
      // --rates 60,150 (each for --duration s) or 60@30,150@10 (rate@seconds); default: the case's moderate (30 s) and overload (10 s).
      const steps = values.rates
        ? values.rates.split(',').map((r) => { const [rate, secs] = r.split('@'); return { rate: Number(rate), seconds: Math.min(60, Number(secs ?? values.duration)) }; })
        : values.smoke ? [] : [{ rate: c.moderateRate, seconds: 30 }, { rate: c.overloadRate, seconds: 10 }];
      if (Number(values.warmup) > 0 && steps.length) await drive(running.url, c.mix, Math.min(steps[0]!.rate, 40), Number(values.warmup));
      for (const { rate, seconds } of steps) {
        const before = cpuSeconds(running.pid);
        const m0 = await scrape(running.metricsUrl!);
        const t0 = performance.now();
        const { samples, pool } = await drive(running.url, c.mix, rate, seconds, running.metricsUrl);
        const wall = (performance.now() - t0) / 1000;
        const cpu = (cpuSeconds(running.pid) - before) / wall;
        const m1 = await scrape(running.metricsUrl!);
        const gcShare = ((m1.gc_total ?? 0) - (m0.gc_total ?? 0)) / wall;
        report(samples, rate, seconds,
          `app cpu ${(cpu * 100).toFixed(0)}%, gc ${(gcShare * 100).toFixed(1)}% of wall, pool in_use avg ${pool.inUseAvg.toFixed(1)} waiting avg ${pool.waitingAvg.toFixed(1)} max ${pool.waitingMax}, loop lag p99 max ${(pool.lagP99Max * 1000).toFixed(0)} ms`);
        await new Promise((r) => setTimeout(r, Number(values.pause) * 1000));
      }
    } finally {
      await running.stop();
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
}
