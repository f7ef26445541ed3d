/**
 * Calibration of the studio's cases without tuneup: start the service with a
 * case's fault, drive its mix open-model (fixed arrival rate, latency from
 * the intended send time) at a few rates, print throughput, latency, errors
 * per endpoint, the app's CPU and RSS. The drive helpers are the pantry's.
 *
 *   node --import tsx bench/corpus/studio/calibrate.ts [--pg URL --redis URL] \
 *     --case studio/healthy --rates 150,700 --duration 10 [--seed] [--smoke]
 *
 * Without --pg/--redis it starts throw-away PostgreSQL and Redis servers
 * (test/harness) and seeds them.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startPostgres } from '../../../test/harness/postgres.js';
import { startRedis } from '../../../test/harness/redis.js';
import { cpuSeconds, drive, fire, pct, type Sample } from '../pantry/calibrate.js';
import { service } from './index.js';

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function report(samples: Sample[], rate: number, seconds: number, cpu: number, rss: [number, number]): void {
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  const okFast = samples.filter((s) => s.ms < 2000 && s.status >= 200 && s.status < 300).length;
  const bad = samples.filter((s) => s.status < 200 || s.status >= 300).length;
  console.log(`  offered ${rate}/s x ${seconds}s: done ${samples.length}, ok-within-2s ${(okFast / seconds).toFixed(0)}/s, ` +
    `p50 ${pct(all, 50).toFixed(1)} p95 ${pct(all, 95).toFixed(1)} p99 ${pct(all, 99).toFixed(1)} ms, non-2xx ${bad}, ` +
    `app cpu ${(cpu * 100).toFixed(0)}%, rss ${rss[0].toFixed(0)}->${rss[1].toFixed(0)} MB`);
  const by = new Map<string, Sample[]>();
  for (const s of samples) by.set(s.endpoint, [...(by.get(s.endpoint) ?? []), s]);
  for (const [endpoint, list] of [...by].sort()) {
    const ms = list.map((s) => s.ms).sort((a, b) => a - b);
    const codes = new Map<number, number>();
    for (const s of list) codes.set(s.status, (codes.get(s.status) ?? 0) + 1);
    const kb = list.reduce((a, s) => a + s.bytes, 0) / list.length / 1024;
    console.log(`    ${endpoint.padEnd(32)} n ${String(list.length).padStart(5)}  p50 ${pct(ms, 50).toFixed(1).padStart(7)}  p99 ${pct(ms, 99).toFixed(1).padStart(7)}  ${kb.toFixed(1).padStart(7)} KB  ${[...codes].map(([c, n]) => `${c}:${n}`).join(' ')}`);
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
  const ownPg = values.pg ? undefined : await startPostgres({ database: 'studio' });
  const ownRedis = values.redis ? undefined : await startRedis();
  const pgUrl = values.pg ?? ownPg!.url;
  const redisUrl = values.redis ?? ownRedis!.url;
  try {
    if (values.seed || ownPg) {
      const t0 = performance.now();
      await service.seed(pgUrl);
      console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const ids = values.case ?? service.cases.map((c) => c.id);
    for (const id of ids) {
      const c = service.cases.find((x) => x.id === id || x.id === `studio/${id}`);
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
            console.log(`  ${m.endpoint.padEnd(32)} ${r.status} ${(r.bytes / 1024).toFixed(1)} KB ${r.status >= 300 ? r.text.slice(0, 200) : ''}`);
          }
          const metrics = await fire(pool, { endpoint: 'GET /metrics', method: 'GET', path: '/metrics', weight: 1 });
          console.log(`  ${'GET /metrics'.padEnd(32)} ${metrics.status} ${(metrics.bytes / 1024).toFixed(1)} KB`);
          await pool.destroy();
        }
        const rates = values.rates ? values.rates.split(',').map(Number) : [c.moderateRate, c.overloadRate];
        const seconds = Number(values.duration);
        if (Number(values.warmup) > 0 && rates.length) await drive(running.url, c.mix, Math.min(rates[0]!, 50), Number(values.warmup));
        for (const rate of rates) {
          const before = cpuSeconds(running.pid);
          const rss0 = rssMb(running.pid);
          const t1 = performance.now();
          const samples = await drive(running.url, c.mix, rate, seconds);
          const cpu = (cpuSeconds(running.pid) - before) / ((performance.now() - t1) / 1000);
          report(samples, rate, seconds, cpu, [rss0, rssMb(running.pid)]);
          await new Promise((r) => setTimeout(r, 2000));
        }
      } finally {
        await running.stop();
      }
    }
  } finally {
    await ownRedis?.stop();
    await ownPg?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
}
