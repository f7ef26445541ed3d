/**
 * Calibration of the kennel's cases without tuneup: start the service with a
 * case's fault, drive its mix open-model (fixed arrival rate, latency from
 * the intended send time) at a few rates, print throughput, latency, errors
 * per endpoint and the app's CPU.
 *
 *   node --import tsx bench/corpus/kennel/calibrate.ts --pg URL --redis URL \
 *     --case kennel/healthy --rates 150,1500 --duration 10 [--seed] [--smoke]
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CorpusCase } from '../types.js';
import { Pool } from 'undici';
import { cpuSeconds, drive, fire, pct, type Sample } from '../pantry/calibrate.js';
import { service } from './index.js';

// The request driver (templates, open-model pacing, percentiles) is the pantry calibration's: one copy for the corpus.

/** Resident memory of a process (MB), NaN once it is gone. */

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return NaN;
  }
}

function report(samples: Sample[], rate: number, seconds: number, cpu: number, rss: [number, number]): void {
  const completedInTime = samples.filter((s) => s.ms < 2000).length;
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  const bad = samples.filter((s) => s.status < 200 || s.status >= 300).length;
  console.log(`  offered ${rate}/s x ${seconds}s: done ${samples.length}, ok-within-2s ${(completedInTime / seconds).toFixed(0)}/s, ` +
    `p50 ${pct(all, 50).toFixed(1)} p95 ${pct(all, 95).toFixed(1)} p99 ${pct(all, 99).toFixed(1)} ms, non-2xx ${bad}, app cpu ${(cpu * 100).toFixed(0)}%, rss ${rss[0].toFixed(0)}->${rss[1].toFixed(0)} MB`);
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

/** Node runtime figures from the service's /metrics: total GC seconds, heap used (MB), event-loop lag p99 (ms). */
async function runtime(metricsUrl: string | undefined): Promise<{ gc: number; heapMb: number; lagMs: number }> {
  try {
    const text = await (await fetch(metricsUrl!)).text();
    const sum = (re: RegExp) => [...text.matchAll(re)].reduce((s, m) => s + Number(m[1]), 0);
    return {
      gc: sum(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm),
      heapMb: sum(/^nodejs_heap_size_used_bytes (\S+)$/gm) / 1048576,
      lagMs: sum(/^nodejs_eventloop_lag_p99_seconds (\S+)$/gm) * 1000,
    };
  } catch {
    return { gc: NaN, heapMb: NaN, lagMs: NaN };
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
    const c = service.cases.find((x) => x.id === id || x.id === `kennel/${id}`);
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
        const rss0 = rssMb(running.pid);
        const rt0 = await runtime(running.metricsUrl);
        const t0 = performance.now();
        const samples = await drive(running.url, c.mix, rate, seconds);
        const cpu = (cpuSeconds(running.pid) - before) / ((performance.now() - t0) / 1000);
        report(samples, rate, seconds, cpu, [rss0, rssMb(running.pid)]);
        const rt1 = await runtime(running.metricsUrl);
        console.log(`    runtime: gc ${((rt1.gc - rt0.gc) * 1000).toFixed(0)} ms over the run (${(((rt1.gc - rt0.gc) / seconds) * 100).toFixed(1)}% of wall), ` +
          `heap used ${rt0.heapMb.toFixed(0)}->${rt1.heapMb.toFixed(0)} MB, event-loop lag p99 ${rt1.lagMs.toFixed(0)} ms`);
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
