/**
 * Calibrate moderateRate / overloadRate of the clinic cases.
 *
 *     node --import tsx bench/corpus/clinic/calibrate.ts [case-name …] [--rates 20,40,80,160,320] [--duration 5s]
 *     node --import tsx bench/corpus/clinic/calibrate.ts [case-name …] --verify
 *
 * Starts a throw-away PostgreSQL and Redis (test/harness), seeds once, then
 * per case starts the service with its fault and drives the case's mix
 * through the real CLI (`src/cli/main.ts run`, open model,
 * constant-arrival-rate, 50 VUs max) at increasing rates, stopping at the
 * first clearly overloaded rate. Prints one line per rate: offered vs
 * achieved rps, response-time p50/p95/p99, error rate, dropped iterations,
 * generator saturation. A 3 s warm-up at ≤ 10 req/s precedes and is discarded.
 * `--verify` instead runs each case at its own moderateRate (10 s) and
 * overloadRate (5 s). Loopback only, bounded in time.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startPostgres } from '../../../test/harness/postgres.js';
import { startRedis } from '../../../test/harness/redis.js';
import type { CorpusCase } from '../types.js';
import { service } from './index.js';

const execFileAsync = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../../..');

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const rates = (option('--rates') ?? '20,40,80,160,320').split(',').map(Number);
const duration = option('--duration') ?? '5s';
const verify = args.includes('--verify');
const valued = new Set(['--rates', '--duration']);
const names = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && valued.has(args[i - 1])));
const cases = names.length ? service.cases.filter((c) => names.some((n) => c.id.endsWith(n))) : service.cases;

interface Measure {
  offered: number;
  achieved: number;
  p50: number;
  p95: number;
  p99: number;
  errorRate: number;
  dropped: number;
  saturated: boolean;
}

async function measure(url: string, c: CorpusCase, rate: number, dir: string, runFor = duration): Promise<Measure> {
  const plan = {
    name: `calibrate ${c.id} @${rate}`,
    baseUrl: url,
    scenarios: {
      mix: {
        executor: 'constant-arrival-rate',
        rate,
        duration: runFor,
        preAllocatedVUs: 50,
        maxVUs: 50,
        requests: c.mix.map((m) => ({
          name: m.endpoint,
          method: m.method,
          path: m.path,
          weight: m.weight,
          ...(m.body === undefined ? {} : { json: m.body }),
          expect: { status: [200, 201, 409] },
        })),
      },
    },
  };
  const file = join(dir, `plan-${rate}.json`);
  writeFileSync(file, JSON.stringify(plan));
  const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', file, '--json', '--quiet', '--no-report'], {
    cwd: repoRoot,
    maxBuffer: 256 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
  if (!stdout.trim()) throw new Error(`tuneup run printed no result for ${c.id} @${rate}:\n${stderr}`);
  const result = JSON.parse(stdout) as {
    totals: { rps: number; errorRate: number; droppedIterations: number; responseTime: { p50: number; p95: number; p99: number } };
    generator: { saturated: boolean };
  };
  return {
    offered: rate,
    achieved: result.totals.rps,
    p50: result.totals.responseTime.p50,
    p95: result.totals.responseTime.p95,
    p99: result.totals.responseTime.p99,
    errorRate: result.totals.errorRate,
    dropped: result.totals.droppedIterations,
    saturated: result.generator.saturated,
  };
}

/** Print one measurement; returns whether the rate overloaded the service. */
function report(c: CorpusCase, m: Measure, label: string): boolean {
  // Overloaded: throughput falls short of the offer, iterations are dropped, or the tail explodes.
  const overloaded = m.achieved < 0.85 * m.offered || m.dropped > 0.05 * m.offered || m.p95 > 2000;
  console.log(
    `${c.id.padEnd(42)} ${label.padEnd(8)} offered ${String(m.offered).padStart(4)} achieved ${m.achieved.toFixed(1).padStart(6)} ` +
      `p50 ${m.p50.toFixed(1).padStart(7)} p95 ${m.p95.toFixed(1).padStart(7)} p99 ${m.p99.toFixed(1).padStart(7)} ms ` +
      `err ${(m.errorRate * 100).toFixed(1).padStart(5)}% dropped ${m.dropped}${m.saturated ? ' GENERATOR-SATURATED' : ''}${overloaded ? ' OVERLOADED' : ''}`,
  );
  return overloaded;
}

const pg = await startPostgres();
const redis = await startRedis();
const dir = mkdtempSync(join(tmpdir(), 'clinic-calibrate-'));
try {
  await service.seed(pg.url);
  for (const c of cases) {
    const running = await service.start({ pgUrl: pg.url, redisUrl: redis.url, fault: c.fault });
    try {
      // Warm-up (discarded): JIT, PostgreSQL buffers, connection pool.
      await measure(running.url, c, Math.min(10, c.moderateRate), dir, '3s');
      if (verify) {
        // The case's own rates: moderate for 10 s, then overload for 5 s.
        report(c, await measure(running.url, c, c.moderateRate, dir, '10s'), 'moderate');
        report(c, await measure(running.url, c, c.overloadRate, dir), 'overload');
      } else {
        for (const rate of rates) if (report(c, await measure(running.url, c, rate, dir), '')) break;
      }
    } finally {
      await running.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await redis.stop();
  await pg.stop();
}
