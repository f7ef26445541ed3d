/**
 * Probe overhead on the generator: how late does the load generator get
 * with each probe, sampled on its own main thread (the old way, `main`)
 * versus in the probe worker thread (`worker`)? For every rate, each cell
 * (no probe; one probe × one host mode) is one open-model run of the engine
 * in a fresh process (`drivers/probe-overhead-generator.ts`), which reports
 * the load thread's event-loop delay (p50/p99) and its late-start share.
 * Cells rotate their order every repeat, so drift and neighbours' load
 * spread over all of them; the report gives the median and the min–max.
 *
 *     node --import tsx bench/probe-overhead.ts [--rates 20,200,1000] [--seconds 8] [--repeats 3]
 *       [--probes postgres,redis,prometheus,process] [--modes worker,main]
 *
 * Everything stays on 127.0.0.1 and is bounded in time: a PostgreSQL 15 and
 * a Redis from the test harness (free ports), a cheap node:http target with
 * a prom-client /metrics page (`targets/probe-target.mjs`), and `rate × seconds`
 * requests per cell. The process probe points at the target's pid with the
 * CLI's defaults (it also scans /proc for PostgreSQL backends).
 */
import { loadavg } from 'node:os';
import { startPostgres } from '../test/harness/postgres.js';
import { startRedis } from '../test/harness/redis.js';
import type { ProbeSpec } from '../src/probes/host/spec.js';
import { median, parseArgs, run, start, stop } from './lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), {
  rates: '20,200,1000',
  seconds: '8',
  repeats: '3',
  probes: 'postgres,redis,prometheus,process',
  modes: 'worker,main',
});
const rates = String(args.rates).split(',').map(Number);
const seconds = Number(args.seconds);
const repeats = Number(args.repeats);
const probeKinds = String(args.probes).split(',') as ProbeSpec['kind'][];
const modes = String(args.modes).split(',') as ('worker' | 'main')[];
const tsx = import.meta.resolve('tsx');
const driver = new URL('./drivers/probe-overhead-generator.ts', import.meta.url).pathname;
const targetScript = new URL('./targets/probe-target.mjs', import.meta.url).pathname;

interface CellResult {
  loopP50: number;
  loopP99: number;
  loopMax: number;
  latePercent: number;
  lateStarts: number;
  scheduled: number;
  dropped: number;
  cpuMean: number;
  probes: { probe: string; ok: boolean; samples: number; meanSampleMs: number }[];
}
interface Cell {
  probe: ProbeSpec['kind'] | 'none';
  mode: 'worker' | 'main' | '-';
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Seed the database and Redis so the probes read and parse realistic amounts (statements, tables, keys). */
async function seed(pg: Awaited<ReturnType<typeof startPostgres>>, redisUrl: string): Promise<void> {
  for (let t = 0; t < 40; t++) {
    await pg.query(`CREATE TABLE items_${t} (id int PRIMARY KEY, v text)`);
    await pg.query(`INSERT INTO items_${t} SELECT g, md5(g::text) FROM generate_series(1, 2000) g`);
  }
  // IN lists of different lengths are different pg_stat_statements entries (PostgreSQL 15).
  for (let k = 1; k <= 200; k++) {
    const list = Array.from({ length: k }, (_, i) => i + 1).join(',');
    await pg.query(`SELECT count(*) FROM items_${k % 40} WHERE id IN (${list})`);
  }
  const { createClient } = await import('redis');
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  for (let i = 0; i < 2000; i++) await redis.set(`key:${i}`, 'x'.repeat(64));
  for (let i = 0; i < 500; i++) await redis.get(`key:${i * 7}`);
  await redis.quit();
}

function specFor(kind: ProbeSpec['kind'], env: { pgUrl: string; redisUrl: string; targetUrl: string; targetPid: number }): ProbeSpec {
  switch (kind) {
    case 'postgres':
      return { kind, options: { url: env.pgUrl } };
    case 'redis':
      return { kind, options: { url: env.redisUrl } };
    case 'prometheus':
      return { kind, options: { url: `${env.targetUrl}/metrics` } };
    case 'process':
      return { kind, options: { pid: env.targetPid } };
  }
}

const fmt = (x: number, digits = 1): string => x.toFixed(digits);
const range = (xs: number[], digits = 1): string => `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;

const pg = await startPostgres();
const redis = await startRedis().catch(async (e: unknown) => {
  await pg.stop();
  throw e;
});
const target = start(process.execPath, [targetScript], {});
try {
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('target did not start')), 15_000);
    target.child.stdout.on('data', () => {
      const out = target.output().stdout;
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.split('\n')[0]);
      }
    });
  });
  const { port, pid } = JSON.parse(line) as { port: number; pid: number };
  const env = { pgUrl: pg.url, redisUrl: redis.url, targetUrl: `http://127.0.0.1:${port}`, targetPid: pid };
  await seed(pg, redis.url);

  const cells: Cell[] = [{ probe: 'none', mode: '-' }, ...probeKinds.flatMap((probe) => modes.map((mode) => ({ probe, mode })))];
  const results = new Map<string, CellResult[]>();
  const key = (c: Cell, rate: number): string => `${c.probe}|${c.mode}|${rate}`;
  const started = Date.now();
  log(`probe-overhead: ${cells.length} cells × ${rates.length} rates × ${repeats} repeats, ${seconds} s each`);
  for (let r = 0; r < repeats; r++) {
    for (const rate of rates) {
      // Rotate the order each repeat so no cell always runs first or last.
      const order = cells.map((_, i) => cells[(i + r * 3) % cells.length]!);
      for (const cell of order) {
        const config = { url: `${env.targetUrl}/`, rate, seconds, mode: cell.mode === '-' ? 'worker' : cell.mode, probes: cell.probe === 'none' ? [] : [specFor(cell.probe, env)] };
        const load = loadavg()[0]!;
        const out = await run(process.execPath, ['--import', tsx, driver, JSON.stringify(config)], { timeoutMs: seconds * 1000 + 90_000 });
        const result = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as CellResult;
        const list = results.get(key(cell, rate)) ?? [];
        list.push(result);
        results.set(key(cell, rate), list);
        const probe = result.probes[0];
        log(
          `repeat ${r + 1} rate ${String(rate).padStart(4)} ${cell.probe.padEnd(10)} ${cell.mode.padEnd(6)} loop p50 ${fmt(result.loopP50, 2).padStart(6)} p99 ${fmt(result.loopP99, 2).padStart(6)} max ${fmt(result.loopMax, 0).padStart(4)} ms  late ${fmt(result.latePercent, 2).padStart(6)} % (${result.lateStarts}/${result.scheduled})  dropped ${result.dropped}  cpu ${fmt(result.cpuMean, 0)} %  load1 ${fmt(load, 1)}` +
            (probe ? `  probe ok=${probe.ok} samples=${probe.samples} mean ${fmt(probe.meanSampleMs, 2)} ms` : ''),
        );
      }
    }
  }

  console.log(`\nGenerator lateness by probe and host mode: open model against a cheap local target, ${seconds} s per run, ${repeats} repeats (median, min–max)`);
  console.log(`node ${process.version}, ${new Date().toISOString()}, ${Math.round((Date.now() - started) / 1000)} s total\n`);
  console.log('| probe | mode | rate (req/s) | loop p50 (ms) | loop p99 (ms) | late starts (%) | probe sample (ms, mean) |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const cell of cells) {
    for (const rate of rates) {
      const rs = results.get(key(cell, rate)) ?? [];
      if (rs.length === 0) continue;
      const sampleMs = rs.map((x) => x.probes[0]?.meanSampleMs).filter((x): x is number => x !== undefined);
      console.log(
        `| ${cell.probe} | ${cell.mode} | ${rate} | ${range(rs.map((x) => x.loopP50), 2)} | ${range(rs.map((x) => x.loopP99))} | ${range(rs.map((x) => x.latePercent), 2)} | ${sampleMs.length ? fmt(median(sampleMs), 2) : '—'} |`,
      );
    }
  }

  // Paired view: in each repeat the two modes of a probe ran minutes apart at most, under
  // about the same neighbours' load; their ratio is steadier than either absolute number.
  if (modes.includes('worker') && modes.includes('main')) {
    console.log('\nPaired by repeat: main-thread value ÷ worker value (median, min–max); > 1 means the worker made the generator less late');
    console.log('| probe | rate (req/s) | loop p99 main/worker | late % main − worker (points) |');
    console.log('|---|---:|---:|---:|');
    for (const probe of probeKinds) {
      for (const rate of rates) {
        const w = results.get(key({ probe, mode: 'worker' }, rate)) ?? [];
        const m = results.get(key({ probe, mode: 'main' }, rate)) ?? [];
        const n = Math.min(w.length, m.length);
        if (n === 0) continue;
        const ratios = Array.from({ length: n }, (_, i) => m[i]!.loopP99 / w[i]!.loopP99);
        const diffs = Array.from({ length: n }, (_, i) => m[i]!.latePercent - w[i]!.latePercent);
        console.log(`| ${probe} | ${rate} | ${range(ratios, 2)} | ${range(diffs, 2)} |`);
      }
    }
  }
} finally {
  await stop(target);
  await Promise.allSettled([pg.stop(), redis.stop()]);
}
