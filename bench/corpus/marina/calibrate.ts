/**
 * Calibration of the marina's cases without tuneup: start the service with a
 * case's fault, drive its mix open-model (fixed arrival rate, latency measured
 * from the intended send time) at a few rates, and print throughput, latency
 * and errors per endpoint, the app's CPU (/proc/<pid>/stat), and server-side
 * views: pg_stat_activity samples of the app's connections (state / wait
 * event), the top statements of pg_stat_statements, Redis INFO stats and
 * SLOWLOG, and from /metrics the pool gauge, GC time and event-loop lag.
 *
 *   node --import tsx bench/corpus/marina/calibrate.ts [--harness] [--pg URL --redis URL] \
 *     [--seed] --case healthy --case pay-inside-transaction --rates 40,80 --duration 10 [--smoke]
 *
 * --harness starts a throw-away PostgreSQL and Redis (test/harness) and seeds.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Pool } from 'undici';
import type { CorpusCase } from '../types.js';
import { service } from './index.js';

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

type Entry = CorpusCase['mix'][number];
interface Sample { endpoint: string; ms: number; status: number; bytes: number }

async function fire(pool: Pool, entry: Entry): Promise<{ status: number; bytes: number; text: string }> {
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

function pick(mix: Entry[]): Entry {
  const total = mix.reduce((s, m) => s + m.weight, 0);
  let r = Math.random() * total;
  for (const m of mix) if ((r -= m.weight) < 0) return m;
  return mix[mix.length - 1]!;
}

const pct = (sorted: number[], p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : NaN);

function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** `rate` req/s of `mix` for `seconds`, open model; waits for stragglers up to 15 s. */
async function drive(url: string, mix: Entry[], rate: number, seconds: number): Promise<Sample[]> {
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
  await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, 15_000))]);
  await pool.destroy();
  return samples;
}

function report(samples: Sample[], rate: number, seconds: number, cpu: number): void {
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  const bad = samples.filter((s) => s.status < 200 || s.status >= 300).length;
  const inTime = samples.filter((s) => s.ms < 2000).length;
  console.log(`  offered ${rate}/s x ${seconds}s: done ${samples.length}/${Math.round(rate * seconds)}, within-2s ${(inTime / seconds).toFixed(0)}/s, ` +
    `p50 ${pct(all, 50).toFixed(1)} p95 ${pct(all, 95).toFixed(1)} p99 ${pct(all, 99).toFixed(1)} ms, non-2xx ${bad}, app cpu ${(cpu * 100).toFixed(0)}%`);
  const by = new Map<string, Sample[]>();
  for (const s of samples) by.set(s.endpoint, [...(by.get(s.endpoint) ?? []), s]);
  for (const [endpoint, list] of [...by].sort()) {
    const ms = list.map((s) => s.ms).sort((a, b) => a - b);
    const codes = new Map<number, number>();
    for (const s of list) codes.set(s.status, (codes.get(s.status) ?? 0) + 1);
    const kb = list.reduce((a, s) => a + s.bytes, 0) / list.length / 1024;
    console.log(`    ${endpoint.padEnd(34)} n ${String(list.length).padStart(5)}  p50 ${pct(ms, 50).toFixed(1).padStart(7)}  p99 ${pct(ms, 99).toFixed(1).padStart(7)}  ${kb.toFixed(1).padStart(7)} KB  ${[...codes].map(([c, n]) => `${c}:${n}`).join(' ')}`);
  }
}

/** Server-side views sampled during a run. */
class Observer {
  private activity = new Map<string, number>();
  private samples = 0;
  private timer?: NodeJS.Timeout;
  private poolTimer?: NodeJS.Timeout;
  private pool = { n: 0, busy: 0, waiting: 0, maxWaiting: 0 };
  private redisBefore: Record<string, number> = {};
  private metricsBefore: Record<string, number> = {};
  constructor(private pgc: pg.Client, private redis: Redis, private metricsUrl: string) {}

  async begin(): Promise<void> {
    await this.pgc.query('SELECT pg_stat_statements_reset()').catch(() => {});
    await this.redis.slowlog('RESET');
    await this.redis.config('SET', 'slowlog-log-slower-than', '2000');
    this.redisBefore = await this.redisStats();
    this.metricsBefore = await this.metrics();
    this.timer = setInterval(() => void this.sample(), 100);
    this.poolTimer = setInterval(() => void this.metrics().then((m) => {
      if (m['pool:total'] === undefined) return;
      this.pool.n++;
      this.pool.busy += (m['pool:total'] ?? 0) - (m['pool:idle'] ?? 0);
      this.pool.waiting += m['pool:waiting'] ?? 0;
      this.pool.maxWaiting = Math.max(this.pool.maxWaiting, m['pool:waiting'] ?? 0);
    }), 250);
  }

  private async sample(): Promise<void> {
    const { rows } = await this.pgc.query<{ state: string; w: string | null; q: string }>(
      `SELECT state, coalesce(wait_event_type || ':' || wait_event, '') AS w, left(regexp_replace(query, '\\s+', ' ', 'g'), 50) AS q
         FROM pg_stat_activity WHERE application_name = 'marina-api'`).catch(() => ({ rows: [] as { state: string; w: string | null; q: string }[] }));
    this.samples++;
    for (const r of rows) {
      const k = r.state === 'active' ? `active ${r.w || 'cpu'} | ${r.q}` : r.state === 'idle' ? 'idle' : `${r.state} | ${r.q}`;
      this.activity.set(k, (this.activity.get(k) ?? 0) + 1);
    }
  }

  private async redisStats(): Promise<Record<string, number>> {
    const text = await this.redis.info('stats');
    const cmd = await this.redis.info('commandstats');
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const [k, v] = line.trim().split(':');
      if (k && v && /^(keyspace_hits|keyspace_misses|total_commands_processed|total_net_output_bytes)$/.test(k)) out[k] = Number(v);
    }
    for (const line of cmd.split('\n')) {
      const m = /^cmdstat_(\w+):calls=(\d+),usec=(\d+)/.exec(line.trim());
      if (m) { out[`calls:${m[1]}`] = Number(m[2]); out[`usec:${m[1]}`] = Number(m[3]); }
    }
    out.dbsize = await this.redis.dbsize();
    return out;
  }

  private async metrics(): Promise<Record<string, number>> {
    const text = await fetch(this.metricsUrl).then((r) => r.text()).catch(() => '');
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
      if (line.startsWith('#')) continue;
      const m = /^(nodejs_gc_duration_seconds_(?:sum|count)\{kind="(\w+)"\}|nodejs_eventloop_lag_p99_seconds|nodejs_heap_size_used_bytes|marina_db_pool_connections\{state="(\w+)"\}) ([\d.e+-]+)$/.exec(line);
      if (m) out[m[2] ? `${m[1]!.includes('_count') ? 'gcn' : 'gc'}:${m[2]}` : m[3] ? `pool:${m[3]}` : m[1]!] = Number(m[4]);
    }
    return out;
  }

  async end(seconds: number): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.poolTimer);
    const after = await this.redisStats();
    const metrics = await this.metrics();
    const d = (k: string) => (after[k] ?? 0) - (this.redisBefore[k] ?? 0);
    console.log(`  redis: hits ${d('keyspace_hits')} misses ${d('keyspace_misses')} cmds/s ${(d('total_commands_processed') / seconds).toFixed(0)} out ${(d('total_net_output_bytes') / seconds / 1e6).toFixed(1)} MB/s dbsize ${after.dbsize}`);
    const cmds = Object.keys(after).filter((k) => k.startsWith('usec:')).map((k) => k.slice(5))
      .map((c) => ({ c, calls: d(`calls:${c}`), usec: d(`usec:${c}`) })).filter((x) => x.calls > 0).sort((a, b) => b.usec - a.usec).slice(0, 5);
    console.log(`  redis cmd time: ${cmds.map((x) => `${x.c} ${x.calls}x ${(x.usec / 1000).toFixed(0)}ms (${(x.usec / x.calls).toFixed(0)}us)`).join(', ')}`);
    const slow = (await this.redis.slowlog('GET', 5)) as [number, number, number, string[]][];
    if (slow.length) console.log(`  redis slowlog: ${slow.map((e) => `${e[3].slice(0, 2).join(' ')} ${e[2]}us`).join('; ')}`);
    const gc = Object.keys(metrics).filter((k) => k.startsWith('gc:')).map((k) => `${k.slice(3)} ${(((metrics[k] ?? 0) - (this.metricsBefore[k] ?? 0)) / seconds * 100).toFixed(1)}% (${(metrics[`gcn:${k.slice(3)}`] ?? 0) - (this.metricsBefore[`gcn:${k.slice(3)}`] ?? 0)}x)`).join(' ');
    console.log(`  node: gc time ${gc}; loop lag p99 ${((metrics.nodejs_eventloop_lag_p99_seconds ?? 0) * 1000).toFixed(1)} ms; heap ${((metrics.nodejs_heap_size_used_bytes ?? 0) / 1e6).toFixed(0)} MB; pool busy avg ${(this.pool.busy / this.pool.n).toFixed(2)}/6, waiting avg ${(this.pool.waiting / this.pool.n).toFixed(2)} max ${this.pool.maxWaiting}`);
    const top = [...this.activity].sort((a, b) => b[1] - a[1]).slice(0, 7);
    console.log(`  pg_stat_activity (avg sessions over ${this.samples} samples): ${top.map(([k, n]) => `\n    ${(n / this.samples).toFixed(2)}  ${k}`).join('')}`);
    const { rows } = await this.pgc.query<{ calls: string; total: number; mean: number; rows: string; q: string }>(
      `SELECT calls, total_exec_time AS total, mean_exec_time AS mean, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q
         FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat%' ORDER BY total_exec_time DESC LIMIT 5`).catch(() => ({ rows: [] as never[] }));
    console.log(`  pg_stat_statements top: ${rows.map((r) => `\n    ${Number(r.total).toFixed(0).padStart(6)} ms ${String(r.calls).padStart(6)}x mean ${Number(r.mean).toFixed(2)} ms | ${r.q}`).join('')}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pg: { type: 'string' }, redis: { type: 'string' }, harness: { type: 'boolean', default: false },
      case: { type: 'string', multiple: true }, rates: { type: 'string' }, duration: { type: 'string', default: '10' },
      seed: { type: 'boolean', default: false }, smoke: { type: 'boolean', default: false }, warmup: { type: 'string', default: '3' },
      'no-observe': { type: 'boolean', default: false },
    },
  });
  let pgUrl = values.pg;
  let redisUrl = values.redis;
  const cleanups: (() => Promise<void>)[] = [];
  if (values.harness) {
    const { startPostgres } = await import('../../../test/harness/postgres.js');
    const { startRedis } = await import('../../../test/harness/redis.js');
    const p = await startPostgres();
    const r = await startRedis();
    cleanups.push(() => p.stop(), () => r.stop());
    pgUrl = p.url;
    redisUrl = r.url;
    console.log(`pg ${pgUrl} redis ${redisUrl}`);
  }
  try {
    if (values.seed || values.harness) {
      const t0 = performance.now();
      await service.seed(pgUrl!);
      console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const ids = values.case ?? service.cases.map((c) => c.id);
    for (const id of ids) {
      const c = service.cases.find((x) => x.id === id || x.id === `marina/${id}`);
      if (!c) throw new Error(`no case ${id}`);
      console.log(`== ${c.id} (fault ${c.fault}) expect ${c.expect ? `${c.expect.category} @ ${c.expect.endpoint}` : 'none'} moderate ${c.moderateRate} overload ${c.overloadRate}  [${new Date().toISOString()}]`);
      const t0 = performance.now();
      const running = await service.start({ pgUrl: pgUrl!, redisUrl: redisUrl!, fault: c.fault });
      console.log(`  started in ${((performance.now() - t0) / 1000).toFixed(1)} s, pid ${running.pid}`);
      const pgc = new pg.Client({ connectionString: pgUrl, application_name: 'marina-calibrate' });
      await pgc.connect();
      const redis = new Redis(redisUrl!);
      try {
        if (values.smoke) {
          const pool = new Pool(running.url, { connections: 4 });
          for (const m of c.mix) {
            const t = performance.now();
            const r = await fire(pool, m);
            console.log(`  ${m.endpoint.padEnd(34)} ${r.status} ${(r.bytes / 1024).toFixed(1).padStart(8)} KB ${(performance.now() - t).toFixed(0).padStart(5)} ms ${r.status >= 300 ? r.text.slice(0, 160) : ''}`);
          }
          await pool.destroy();
        }
        const rates = values.rates ? values.rates.split(',').map(Number) : values.smoke ? [] : [c.moderateRate, c.overloadRate];
        const seconds = Number(values.duration);
        if (Number(values.warmup) > 0 && rates.length) await drive(running.url, c.mix, Math.min(rates[0]!, 30), Number(values.warmup));
        for (const rate of rates) {
          const obs = new Observer(pgc, redis, running.metricsUrl!);
          if (!values['no-observe']) await obs.begin();
          const before = cpuSeconds(running.pid);
          const t1 = performance.now();
          const samples = await drive(running.url, c.mix, rate, seconds);
          const cpu = (cpuSeconds(running.pid) - before) / ((performance.now() - t1) / 1000);
          report(samples, rate, seconds, cpu);
          if (!values['no-observe']) await obs.end(seconds);
          await new Promise((r) => setTimeout(r, 1500));
        }
      } finally {
        await pgc.end();
        redis.disconnect();
        const pid = running.pid;
        await running.stop();
        let alive = true;
        try { process.kill(pid, 0); } catch { alive = false; }
        console.log(`  stopped; app pid ${pid} ${alive ? 'STILL ALIVE' : 'gone'}`);
      }
    }
  } finally {
    for (const f of cleanups) await f().catch(() => {});
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
}
