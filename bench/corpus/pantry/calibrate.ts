/**
 * Calibration of the pantry's cases without tuneup: start the service with a
 * case's fault, drive its mix open-model (fixed arrival rate, latency from
 * the intended send time) at a few rates, print throughput, latency, errors
 * per endpoint and the app's CPU.
 *
 *   node --import tsx bench/corpus/pantry/calibrate.ts --pg URL --redis URL \
 *     --case pantry/healthy --rates 150,1500 --duration 10 [--seed] [--smoke]
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import type { CorpusCase } from '../types.js';
import { service } from './index.js';

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

export function renderBody(body: unknown): unknown {
  if (typeof body === 'string') return render(body);
  if (Array.isArray(body)) return body.map(renderBody);
  if (body && typeof body === 'object') return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, renderBody(v)]));
  return body;
}

/** One request of a calibration drive. */
export interface Sample { endpoint: string; ms: number; status: number; bytes: number }

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

/** The p-th percentile (0..100) of a sorted list. */
export function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : NaN;
}

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
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
      .then((r) => { samples.push({ endpoint: entry.endpoint, ms: performance.now() - due, status: r.status, bytes: r.bytes }); })
      .catch(() => { samples.push({ endpoint: entry.endpoint, ms: performance.now() - due, status: 0, bytes: 0 }); })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }
  const deadline = new Promise((r) => setTimeout(r, 15_000));
  await Promise.race([Promise.all(inflight), deadline]);
  await pool.destroy();
  return samples.filter((s) => s.ms - 0 <= seconds * 1000 + 15_000);
}

function report(samples: Sample[], rate: number, seconds: number, cpu: number): void {
  const completedInTime = samples.filter((s) => s.ms < 2000).length;
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  const bad = samples.filter((s) => s.status < 200 || s.status >= 300).length;
  console.log(`  offered ${rate}/s x ${seconds}s: done ${samples.length}, ok-within-2s ${(completedInTime / seconds).toFixed(0)}/s, ` +
    `p50 ${pct(all, 50).toFixed(1)} p95 ${pct(all, 95).toFixed(1)} p99 ${pct(all, 99).toFixed(1)} ms, non-2xx ${bad}, app cpu ${(cpu * 100).toFixed(0)}%`);
  const by = new Map<string, Sample[]>();
  for (const s of samples) by.set(s.endpoint, [...(by.get(s.endpoint) ?? []), s]);
  for (const [endpoint, list] of by) {
    const ms = list.map((s) => s.ms).sort((a, b) => a - b);
    const codes = new Map<number, number>();
    for (const s of list) codes.set(s.status, (codes.get(s.status) ?? 0) + 1);
    const kb = list.reduce((a, s) => a + s.bytes, 0) / list.length / 1024;
    console.log(`    ${endpoint.padEnd(44)} n ${String(list.length).padStart(5)}  p50 ${pct(ms, 50).toFixed(1).padStart(7)}  p99 ${pct(ms, 99).toFixed(1).padStart(7)}  ${kb.toFixed(1).padStart(7)} KB  ${[...codes].map(([c, n]) => `${c}:${n}`).join(' ')}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pg: { type: 'string' }, redis: { type: 'string' }, case: { type: 'string', multiple: true },
      rates: { type: 'string' }, duration: { type: 'string', default: '10' }, seed: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false }, warmup: { type: 'string', default: '3' },
    },
  });
  if (values.seed) await service.seed(values.pg!);
  const ids = values.case ?? service.cases.map((c) => c.id);
  for (const id of ids) {
    const c = service.cases.find((x) => x.id === id || x.id === `pantry/${id}`);
    if (!c) throw new Error(`no case ${id}`);
    console.log(`== ${c.id} (fault ${c.fault}) moderate ${c.moderateRate} overload ${c.overloadRate}`);
    const running = await service.start({ pgUrl: values.pg!, redisUrl: values.redis!, fault: c.fault });
    try {
      if (values.smoke) {
        const pool = new Pool(running.url, { connections: 4 });
        for (const m of c.mix) {
          const r = await fire(pool, m);
          console.log(`  ${m.endpoint.padEnd(44)} ${r.status} ${(r.bytes / 1024).toFixed(1)} KB ${r.status >= 300 ? r.text.slice(0, 200) : ''}`);
        }
        await pool.destroy();
      }
      const rates = values.rates ? values.rates.split(',').map(Number) : [c.moderateRate, c.overloadRate];
      const seconds = Number(values.duration);
      if (Number(values.warmup) > 0 && rates.length) await drive(running.url, c.mix, Math.min(rates[0]!, 50), Number(values.warmup));
      for (const rate of rates) {
        const before = cpuSeconds(running.pid);
        const t0 = performance.now();
        const samples = await drive(running.url, c.mix, rate, seconds);
        const cpu = (cpuSeconds(running.pid) - before) / ((performance.now() - t0) / 1000);
        report(samples, rate, seconds, cpu);
        await new Promise((r) => setTimeout(r, 2000));
      }
    } finally {
      await running.stop();
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
}
