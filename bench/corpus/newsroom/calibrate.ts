/**
 * Calibration of the newsroom's cases without tuneup: start the service with
 * a case's fault, drive its mix open-model (fixed arrival rate, latency from
 * each request's intended send time) at a few rates, and print throughput,
 * latency per endpoint (p50/p99), status codes and bytes, plus what an
 * engineer would watch on the server side: the API's CPU, GC time, heap and
 * RSS growth (from /metrics and /proc), PostgreSQL sessions by state and wait
 * (sampled from pg_stat_activity every 100 ms) and Redis CPU.
 *
 *   node --import tsx bench/corpus/newsroom/calibrate.ts [--pg URL --redis URL] \
 *     [--case healthy ...] [--rates 100,300] [--duration 10] [--seed] [--smoke]
 *
 * Without --pg/--redis it starts throw-away servers (test/harness) and seeds.
 * Before each run it waits for a quiet host (1-minute load < --max-load) and
 * holds /tmp/newsroom-calibrating while it runs.
 *
 * @module
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import type { CorpusCase } from '../types.js';
import { service } from './index.js';

const MARKER = '/tmp/newsroom-calibrating';

/** Render docs/plan.md templates: randomInt(a, b) (inclusive) and randomChoice(...). */
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

/** Render the templates in a JSON body's string values. */
export function renderBody(body: unknown): unknown {
  if (typeof body === 'string') return render(body);
  if (Array.isArray(body)) return body.map(renderBody);
  if (body && typeof body === 'object') return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, renderBody(v)]));
  return body;
}

interface Sample { endpoint: string; sentAt: number; ms: number; status: number; bytes: number }

/** Send one request of a mix entry. */
export async function fire(pool: Pool, entry: CorpusCase['mix'][number]): Promise<{ status: number; bytes: number; text: string }> {
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

function pick(mix: CorpusCase['mix']): CorpusCase['mix'][number] {
  const total = mix.reduce((s, m) => s + m.weight, 0);
  let r = Math.random() * total;
  for (const m of mix) if ((r -= m.weight) < 0) return m;
  return mix[mix.length - 1]!;
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

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Sum of a metric's samples (all label sets) in a Prometheus text exposition. */
function metric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(name + ' ') || line.startsWith(name + '{')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function scrape(url: string): Promise<string> {
  try {
    return await (await fetch(url)).text();
  } catch {
    return '';
  }
}

/** Run `rate` req/s of `mix` for `seconds`; waits for in-flight requests up to 15 s. */
export async function drive(url: string, mix: CorpusCase['mix'], rate: number, seconds: number): Promise<Sample[]> {
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
      .then((r) => { samples.push({ endpoint: entry.endpoint, sentAt: due - start, ms: performance.now() - due, status: r.status, bytes: r.bytes }); })
      .catch(() => { samples.push({ endpoint: entry.endpoint, sentAt: due - start, ms: performance.now() - due, status: 0, bytes: 0 }); })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }
  const deadline = new Promise((r) => setTimeout(r, 15_000));
  await Promise.race([Promise.all(inflight), deadline]);
  await pool.destroy();
  return samples;
}

/** Samples pg_stat_activity (sessions by state/wait) every 100 ms while a run is going. */
class PgSampler {
  private readonly counts = new Map<string, number>();
  private ticks = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  constructor(private readonly sql: postgres.Sql) {}
  start(): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.sql<{ k: string; n: number }[]>`
        SELECT coalesce(usename, '?') || ':' || state || coalesce(':' || wait_event_type || '/' || wait_event, '') AS k, count(*)::int AS n
        FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' GROUP BY 1`
        .then((rows) => {
          this.ticks++;
          for (const r of rows) this.counts.set(r.k, (this.counts.get(r.k) ?? 0) + r.n);
        })
        .catch(() => {})
        .finally(() => (this.busy = false));
    }, 100);
  }
  stop(): string {
    clearInterval(this.timer);
    return [...this.counts].filter(([, n]) => n / Math.max(1, this.ticks) >= 0.05).sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k}=${(n / Math.max(1, this.ticks)).toFixed(2)}`).join('  ');
  }
}

async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const m = /used_cpu_sys:([\d.]+)[\s\S]*used_cpu_user:([\d.]+)/.exec(info);
  return m ? Number(m[1]) + Number(m[2]) : NaN;
}

interface ServerSide { cpu: number; gcShare: number; gcKinds: string; lagP99: number; heapMbStart: number; heapMbEnd: number; rssStart: number; rssEnd: number; redisCpu: number; pg: string }

function report(samples: Sample[], rate: number, seconds: number, server: ServerSide): void {
  const within = samples.filter((s) => s.ms < 2000 && s.status > 0).length;
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  const bad = samples.filter((s) => s.status < 200 || s.status >= 300).length;
  const third = (seconds * 1000) / 3;
  const early = samples.filter((s) => s.sentAt < third).map((s) => s.ms).sort((a, b) => a - b);
  const late = samples.filter((s) => s.sentAt >= 2 * third).map((s) => s.ms).sort((a, b) => a - b);
  console.log(`  offered ${rate}/s x ${seconds}s: done ${samples.length}/${Math.round(rate * seconds)}, ok-within-2s ${(within / seconds).toFixed(0)}/s, ` +
    `p50 ${pct(all, 50).toFixed(1)} p95 ${pct(all, 95).toFixed(1)} p99 ${pct(all, 99).toFixed(1)} ms (p50 first third ${pct(early, 50).toFixed(1)}, last third ${pct(late, 50).toFixed(1)}), non-2xx ${bad}`);
  console.log(`  app cpu ${(server.cpu * 100).toFixed(0)}%, gc ${(server.gcShare * 100).toFixed(1)}% of wall (${server.gcKinds}), loop lag p99 ${(server.lagP99 * 1000).toFixed(0)} ms, ` +
    `heap ${server.heapMbStart.toFixed(0)}->${server.heapMbEnd.toFixed(0)} MB, rss ${server.rssStart.toFixed(0)}->${server.rssEnd.toFixed(0)} MB, redis cpu ${(server.redisCpu * 100).toFixed(0)}%`);
  console.log(`  pg sessions (avg): ${server.pg}`);
  const by = new Map<string, Sample[]>();
  for (const s of samples) by.set(s.endpoint, [...(by.get(s.endpoint) ?? []), s]);
  for (const [endpoint, list] of [...by].sort((a, b) => a[0].localeCompare(b[0]))) {
    const ms = list.map((s) => s.ms).sort((a, b) => a - b);
    const codes = new Map<number, number>();
    for (const s of list) codes.set(s.status, (codes.get(s.status) ?? 0) + 1);
    const kb = list.reduce((a, s) => a + s.bytes, 0) / list.length / 1024;
    console.log(`    ${endpoint.padEnd(34)} n ${String(list.length).padStart(5)}  p50 ${pct(ms, 50).toFixed(1).padStart(7)}  p99 ${pct(ms, 99).toFixed(1).padStart(7)}  ${kb.toFixed(1).padStart(7)} KB  ${[...codes].map(([c, n]) => `${c}:${n}`).join(' ')}`);
  }
}

function loadavg1(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** Wait (up to `maxWaitS`) until the 1-minute load is below `max`; the marker is dropped while waiting. */
async function waitQuiet(max: number, maxWaitS = 600): Promise<void> {
  const t0 = Date.now();
  let warned = false;
  while (loadavg1() >= max && Date.now() - t0 < maxWaitS * 1000) {
    if (existsSync(MARKER)) rmSync(MARKER, { force: true });
    if (!warned) console.log(`  waiting for a quiet host (load ${loadavg1()})...`);
    warned = true;
    await new Promise((r) => setTimeout(r, 5000));
  }
  writeFileSync(MARKER, `newsroom calibration, pid ${process.pid}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pg: { type: 'string' }, redis: { type: 'string' }, case: { type: 'string', multiple: true },
      rates: { type: 'string' }, duration: { type: 'string', default: '10' }, seed: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false }, warmup: { type: 'string', default: '3' }, 'max-load': { type: 'string', default: '1.5' },
    },
  });
  const cleanup: (() => Promise<void>)[] = [];
  process.on('exit', () => rmSync(MARKER, { force: true }));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { rmSync(MARKER, { force: true }); process.exit(130); });
  try {
    let pgUrl = values.pg;
    let redisUrl = values.redis;
    if (!pgUrl || !redisUrl) {
      const { startPostgres } = await import('../../../test/harness/postgres.js');
      const { startRedis } = await import('../../../test/harness/redis.js');
      const pg = await startPostgres({ database: 'newsroom' });
      const redis = await startRedis();
      cleanup.push(() => pg.stop(), () => redis.stop());
      pgUrl = pg.url;
      redisUrl = redis.url;
      values.seed = true;
    }
    if (values.seed) {
      await waitQuiet(Number(values['max-load']));
      const t0 = performance.now();
      await service.seed(pgUrl);
      console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const admin = postgres(pgUrl, { max: 1, onnotice: () => {} });
    const redisAdmin = new Redis(redisUrl);
    cleanup.push(async () => { await admin.end({ timeout: 2 }); redisAdmin.disconnect(); });
    const ids = values.case ?? service.cases.map((c) => c.id);
    for (const id of ids) {
      const c = service.cases.find((x) => x.id === id || x.id === `newsroom/${id}`);
      if (!c) throw new Error(`no case ${id}`);
      console.log(`== ${c.id} (fault ${c.fault}) moderate ${c.moderateRate} overload ${c.overloadRate}`);
      await waitQuiet(Number(values['max-load']));
      const t0 = performance.now();
      const running = await service.start({ pgUrl, redisUrl, fault: c.fault });
      console.log(`  started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      try {
        if (values.smoke) {
          const pool = new Pool(running.url, { connections: 4 });
          for (const m of c.mix) {
            const r = await fire(pool, m);
            console.log(`  ${m.endpoint.padEnd(34)} ${r.status} ${(r.bytes / 1024).toFixed(1)} KB ${r.status >= 300 ? r.text.slice(0, 300) : ''}`);
          }
          await pool.destroy();
        }
        const rates = values.rates ? values.rates.split(',').map(Number) : [c.moderateRate, c.overloadRate];
        const seconds = Number(values.duration);
        if (Number(values.warmup) > 0 && rates.length) await drive(running.url, c.mix, Math.min(rates[0]!, 50), Number(values.warmup));
        for (const rate of rates) {
          await waitQuiet(Number(values['max-load']) + 1);
          const m0 = await scrape(running.metricsUrl!);
          const cpu0 = cpuSeconds(running.pid);
          const rss0 = rssMb(running.pid);
          const r0 = await redisCpu(redisAdmin);
          const sampler = new PgSampler(admin);
          sampler.start();
          const t1 = performance.now();
          const samples = await drive(running.url, c.mix, rate, seconds);
          const wall = (performance.now() - t1) / 1000;
          const pg = sampler.stop();
          const m1 = await scrape(running.metricsUrl!);
          report(samples, rate, seconds, {
            cpu: (cpuSeconds(running.pid) - cpu0) / wall,
            gcShare: (metric(m1, 'nodejs_gc_duration_seconds_sum') - metric(m0, 'nodejs_gc_duration_seconds_sum')) / wall,
            gcKinds: ['minor', 'major', 'incremental'].map((k) => {
              const name = `nodejs_gc_duration_seconds_sum{kind="${k}"}`;
              return `${k} ${(((metric(m1, name) - metric(m0, name)) / wall) * 100).toFixed(1)}%`;
            }).join(' '),
            lagP99: metric(m1, 'nodejs_eventloop_lag_p99_seconds'),
            heapMbStart: metric(m0, 'nodejs_heap_size_used_bytes') / 2 ** 20,
            heapMbEnd: metric(m1, 'nodejs_heap_size_used_bytes') / 2 ** 20,
            rssStart: rss0,
            rssEnd: rssMb(running.pid),
            redisCpu: ((await redisCpu(redisAdmin)) - r0) / wall,
            pg,
          });
          await new Promise((r) => setTimeout(r, 2000));
        }
      } finally {
        await running.stop();
      }
    }
  } finally {
    for (const f of cleanup.reverse()) await f().catch(() => {});
    rmSync(MARKER, { force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(() => process.exit(0), (error) => { console.error(error); rmSync(MARKER, { force: true }); process.exit(1); });
}
