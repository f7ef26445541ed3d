/**
 * Calibration of the hiring cases without tuneup: start PostgreSQL and Redis
 * (test harness) unless given, seed, start the service with a case's fault,
 * and drive its mix open-model — fixed arrival rate, latency measured from
 * each request's intended send time — at a few rates. Prints throughput,
 * latency percentiles, status codes and bytes per endpoint, the app's CPU and
 * RSS.
 *
 *   node --import tsx bench/corpus/hiring/calibrate.ts [--pg URL --redis URL] [--seed] \
 *     --case missing-index-recruiter-notifications --rates 20,80 --duration 10 [--smoke]
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import type { CorpusCase } from '../types.js';
import { service } from './index.js';

type Entry = CorpusCase['mix'][number];

export function render(template: string): string {
  return template.replace(/\{\{\s*(\w+)\((.*?)\)\s*\}\}/g, (_, fn: string, args: string) => {
    const values = args.split(',').map((a) => a.trim().replace(/^'(.*)'$/, '$1'));
    if (fn === 'randomInt') {
      const [lo, hi] = values.map(Number) as [number, number];
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

interface Sample { endpoint: string; ms: number; status: number; bytes: number }

async function fire(pool: Pool, entry: Entry): Promise<{ status: number; bytes: number; text: string }> {
  const body = entry.body === undefined ? undefined : JSON.stringify(renderBody(entry.body));
  const res = await pool.request({
    method: entry.method as 'GET', path: render(entry.path),
    headers: body ? { 'content-type': 'application/json' } : {}, body, headersTimeout: 20_000, bodyTimeout: 20_000,
  });
  const text = await res.body.text();
  return { status: res.statusCode, bytes: Buffer.byteLength(text), text };
}

function pick(mix: Entry[]): Entry {
  const total = mix.reduce((s, m) => s + m.weight, 0);
  let r = Math.random() * total;
  for (const m of mix) if ((r -= m.weight) < 0) return m;
  return mix[mix.length - 1]!;
}

const pct = (sorted: number[], p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : NaN);

function procStat(pid: number): { cpu: number; rssMb: number } {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { cpu: (Number(f[11]) + Number(f[12])) / 100, rssMb: (Number(f[21]) * 4096) / 1048576 };
  } catch {
    return { cpu: NaN, rssMb: NaN };
  }
}

/** Offer `rate` req/s of `mix` for `seconds` (open model); waits up to 20 s for stragglers. */
async function drive(url: string, mix: Entry[], rate: number, seconds: number): Promise<{ samples: Sample[]; wallS: number }> {
  const pool = new Pool(url, { connections: 512, pipelining: 1 });
  const samples: Sample[] = [];
  const inflight = new Set<Promise<void>>();
  const start = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const entry = pick(mix);
    const p = fire(pool, entry)
      .then((r) => { samples.push({ endpoint: entry.endpoint, ms: performance.now() - due, status: r.status, bytes: r.bytes }); })
      .catch(() => { samples.push({ endpoint: entry.endpoint, ms: performance.now() - due, status: 0, bytes: 0 }); })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, 20_000))]);
  const wallS = (performance.now() - start) / 1000;
  await pool.destroy();
  return { samples, wallS };
}

function report(samples: Sample[], rate: number, seconds: number, wallS: number, cpu: number, rssMb: number): void {
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  const bad = samples.filter((s) => s.status < 200 || s.status >= 300).length;
  const firstHalf = samples.filter((_, i) => i < samples.length / 2).map((s) => s.ms).sort((a, b) => a - b);
  console.log(`  offered ${rate}/s x ${seconds}s: done ${samples.length} in ${wallS.toFixed(1)}s (${(samples.length / wallS).toFixed(0)}/s), ` +
    `p50 ${pct(all, 50).toFixed(1)} p95 ${pct(all, 95).toFixed(1)} p99 ${pct(all, 99).toFixed(1)} ms (first-half p95 ${pct(firstHalf, 95).toFixed(1)}), ` +
    `non-2xx ${bad}, app cpu ${(cpu * 100).toFixed(0)}%, rss ${rssMb.toFixed(0)} MB`);
  const by = new Map<string, Sample[]>();
  for (const s of samples) by.set(s.endpoint, [...(by.get(s.endpoint) ?? []), s]);
  for (const [endpoint, list] of [...by].sort()) {
    const ms = list.map((s) => s.ms).sort((a, b) => a - b);
    const codes = new Map<number, number>();
    for (const s of list) codes.set(s.status, (codes.get(s.status) ?? 0) + 1);
    const kb = list.reduce((a, s) => a + s.bytes, 0) / list.length / 1024;
    console.log(`    ${endpoint.padEnd(40)} n ${String(list.length).padStart(5)}  p50 ${pct(ms, 50).toFixed(1).padStart(7)}  p99 ${pct(ms, 99).toFixed(1).padStart(7)}  ${kb.toFixed(1).padStart(7)} KB  ${[...codes].map(([c, n]) => `${c}:${n}`).join(' ')}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pg: { type: 'string' }, redis: { type: 'string' }, case: { type: 'string', multiple: true }, rates: { type: 'string' },
      duration: { type: 'string', default: '10' }, seed: { type: 'boolean', default: false }, smoke: { type: 'boolean', default: false },
      warmup: { type: 'string', default: '3' },
    },
  });
  const cleanups: (() => Promise<void>)[] = [];
  let pgUrl = values.pg;
  let redisUrl = values.redis;
  try {
    if (!pgUrl) {
      const { startPostgres } = await import('../../../test/harness/postgres.js');
      const pgServer = await startPostgres({ database: 'hiring' });
      cleanups.push(() => pgServer.stop());
      pgUrl = pgServer.url;
      const t0 = performance.now();
      await service.seed(pgUrl);
      console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } else if (values.seed) {
      await service.seed(pgUrl);
    }
    if (!redisUrl) {
      const { startRedis } = await import('../../../test/harness/redis.js');
      const redisServer = await startRedis();
      cleanups.push(() => redisServer.stop());
      redisUrl = redisServer.url;
    }
    const ids = values.case ?? service.cases.map((c) => c.id);
    for (const id of ids) {
      const c = service.cases.find((x) => x.id === id || x.id === `hiring/${id}`);
      if (!c) throw new Error(`no case ${id}`);
      console.log(`== ${c.id} (fault ${c.fault}) moderate ${c.moderateRate} overload ${c.overloadRate}`);
      const t0 = performance.now();
      const running = await service.start({ pgUrl, redisUrl, fault: c.fault });
      console.log(`  started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      try {
        if (values.smoke) {
          const pool = new Pool(running.url, { connections: 4 });
          for (const m of c.mix) {
            const r = await fire(pool, m);
            console.log(`  ${m.endpoint.padEnd(40)} ${r.status} ${(r.bytes / 1024).toFixed(1)} KB ${r.status >= 300 ? r.text.slice(0, 200) : ''}`);
          }
          await pool.destroy();
        }
        const rates = values.rates ? values.rates.split(',').map(Number) : [c.moderateRate, c.overloadRate];
        const seconds = Number(values.duration);
        if (Number(values.warmup) > 0 && rates.length) await drive(running.url, c.mix, Math.min(rates[0]!, 50), Number(values.warmup));
        for (const rate of rates) {
          const before = procStat(running.pid);
          const t1 = performance.now();
          const { samples, wallS } = await drive(running.url, c.mix, rate, seconds);
          const after = procStat(running.pid);
          report(samples, rate, seconds, wallS, (after.cpu - before.cpu) / ((performance.now() - t1) / 1000), after.rssMb);
          const m = await (await fetch(running.metricsUrl!)).text();
          const val = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(m)?.[1] ?? NaN);
          const gc = [...m.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm)].reduce((a, x) => a + Number(x[1]), 0);
          console.log(`    metrics: gc total ${gc.toFixed(2)} s, eventloop lag p99 ${(val('nodejs_eventloop_lag_p99_seconds') * 1000).toFixed(1)} ms, ` +
            `heap used ${(val('nodejs_heap_size_used_bytes') / 1048576).toFixed(0)} MB`);
          await new Promise((r) => setTimeout(r, 2000));
        }
      } finally {
        await running.stop();
      }
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
}
