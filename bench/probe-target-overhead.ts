/**
 * Probe overhead on the target: the service's throughput and latency with and without
 * every probe (PostgreSQL, Redis, the service's /metrics, its process),
 * in interleaved rounds against the healthy fixture service.
 *
 *     node --import tsx bench/probe-target-overhead.ts [--rounds 3] [--seconds 8] [--connections 16]
 *
 * Everything stays on 127.0.0.1: a PostgreSQL 15 and a Redis started on free
 * ports, the fixture service, and a bounded closed-model load (`tuneup load`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunResult } from '../src/result/types.js';
import { seedFixtureDatabase, startFixtureService } from '../test/fixtures/service/start.js';
import { startPostgres } from '../test/harness/postgres.js';
import { startRedis } from '../test/harness/redis.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '16' },
  },
});
const cli = new URL('../src/cli/main.ts', import.meta.url).pathname;
const tsx = import.meta.resolve('tsx');

function load(cwd: string, url: string, extra: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const argv = ['--import', tsx, cli, 'load', url, '-c', args.connections!, '-d', `${args.seconds}s`, '--json', '--no-report', '--no-diagnose', ...extra];
    const child = spawn(process.execPath, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 || code === 99 ? resolve(JSON.parse(out) as RunResult) : reject(new Error(`tuneup load exited ${code}: ${err}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const pg = await startPostgres();
const redis = await startRedis();
const service = await (async () => {
  await seedFixtureDatabase(pg.url);
  return startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults: [] });
})();
try {
  const cwd = mkdtempSync(join(tmpdir(), 'tuneup-overhead-'));
  const url = `${service.url}/orders/4242`;
  const probes = ['--pg', pg.url, '--redis', redis.url, '--metrics', `${service.url}/metrics`, '--pid', String(service.pid)];
  const runs: Record<'without' | 'with', { rps: number; p50: number; p99: number }[]> = { without: [], with: [] };
  for (let round = 0; round < Number(args.rounds); round++) {
    // Alternate which side goes first so drift (caches warming, autovacuum) cancels.
    const order: ('without' | 'with')[] = round % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
    for (const side of order) {
      const result = await load(cwd, url, side === 'with' ? probes : []);
      runs[side].push({ rps: result.totals.rps, p50: result.totals.serviceTime.p50, p99: result.totals.serviceTime.p99 });
      process.stderr.write(`round ${round + 1} ${side.padEnd(7)} ${result.totals.rps.toFixed(0)} req/s  p50 ${result.totals.serviceTime.p50.toFixed(2)} ms  p99 ${result.totals.serviceTime.p99.toFixed(2)} ms\n`);
    }
  }
  const summary = (side: 'without' | 'with') => ({
    rps: median(runs[side].map((r) => r.rps)),
    p50: median(runs[side].map((r) => r.p50)),
    p99: median(runs[side].map((r) => r.p99)),
  });
  const a = summary('without');
  const b = summary('with');
  console.log(`\nGET /orders/:id on the healthy fixture service, ${args.connections} connections, ${args.seconds} s × ${args.rounds} interleaved rounds (medians)`);
  console.log(`without probes: ${a.rps.toFixed(0)} req/s, service p50 ${a.p50.toFixed(2)} ms, p99 ${a.p99.toFixed(2)} ms`);
  console.log(`with all probes: ${b.rps.toFixed(0)} req/s, service p50 ${b.p50.toFixed(2)} ms, p99 ${b.p99.toFixed(2)} ms`);
  console.log(`throughput with/without = ${(b.rps / a.rps).toFixed(3)}×, p50 with/without = ${(b.p50 / a.p50).toFixed(3)}×`);
} finally {
  await service.stop();
  await pg.stop();
  await redis.stop();
}
