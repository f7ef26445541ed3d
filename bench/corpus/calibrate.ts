/**
 * Calibrates `moderateRate` / `overloadRate` of corpus cases by measurement.
 *
 * For each case: throw-away PostgreSQL and Redis (test/harness), seed once, start the
 * service with the case's fault, then climb a ladder of open-model rates. Each rung is a
 * real `tuneup run` (the CLI, via tsx) of the case's mix as a YAML plan: one
 * constant-arrival-rate scenario, 5 s, 50 VUs — the same engine as `tuneup load --rate R
 * -c 50 -d 5s`, but with the weighted mix instead of one URL. Runs are stored in a temp
 * dir, never in the repo's .tuneup/.
 *
 * Two modes:
 *
 * - `--mode ladder` (default): a rung is *stable* when achieved ≥ 97 % of offered, nothing was
 *   dropped and the response p95 stays within 3× (+20 ms) of the first rung's; the first
 *   unstable rung ends the ladder. Suggests moderate = 50 % of the highest stable rung and
 *   overload = 1.5 × the first unstable rung. Only meaningful on a quiet machine.
 * - `--mode demand`: robust to a contended machine. One low-rate run measures CPU per request
 *   (from /proc) of the service process, the PostgreSQL cluster and Redis; capacity follows from
 *   the utilization law (service ≤ 1 core, Redis ≤ 1 core, all together ≤ 2 cores with a
 *   generator allowance); moderate = 25 % and overload = 160 % of that capacity, each then
 *   checked with one run at that rate.
 *
 * The case table in shop/cases.ts is edited by hand from this output (shop/CALIBRATION.md).
 *
 *   npx tsx bench/corpus/calibrate.ts [--service shop] [--mode ladder|demand] [--rates 20,40,80]
 *       [--demand-rate 20] [--duration 5s] [case-id-substring...]
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { startPostgres } from '../../test/harness/postgres.js';
import { startRedis } from '../../test/harness/redis.js';
import type { CorpusCase, CorpusService } from './types.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'src/cli/main.ts');
const TSX = join(REPO, 'node_modules/.bin/tsx');

/** One rung's outcome. */
interface Rung {
  rate: number;
  achieved: number;
  dropped: number;
  errorRate: number;
  p50: number;
  p95: number;
  serviceP95: number;
  stable: boolean;
}

/** The YAML plan of one rung: the case's mix at `rate` for `duration`. */
export function planFor(testCase: CorpusCase, baseUrl: string, rate: number, duration: string): string {
  return stringify({
    name: `calibrate ${testCase.id} @${rate}`,
    baseUrl,
    scenarios: {
      mix: {
        executor: 'constant-arrival-rate', rate, duration, preAllocatedVUs: 50, maxVUs: 50, gracefulStop: '5s',
        requests: testCase.mix.map((m) => ({
          name: m.endpoint, method: m.method, path: m.path, weight: m.weight,
          ...(m.body === undefined ? {} : { json: m.body }),
          // Planted 5xx are part of the case, not a calibration failure.
          expect: { status: [200, 201, 404, 409, 500, 502] },
        })),
      },
    },
  });
}

async function runRung(dir: string, testCase: CorpusCase, baseUrl: string, rate: number, duration: string): Promise<Omit<Rung, 'stable'> & { requests: number }> {
  const planPath = join(dir, `plan-${rate}.yaml`);
  writeFileSync(planPath, planFor(testCase, baseUrl, rate, duration));
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(TSX, [CLI, 'run', planPath, '--json', '--quiet', '--no-report', '--no-thresholds'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    child.once('exit', (code) => (out.trim().startsWith('{') ? resolve(out) : reject(new Error(`tuneup run exited ${code}: ${err}`))));
  });
  const result = JSON.parse(stdout) as {
    scenarios: { achievedRate: number; droppedIterations: number; iterations: number }[];
    totals: { errorRate: number; rps: number; responseTime: { p50: number; p95: number }; serviceTime: { p95: number } };
    endpoints: { endpoint: string; statuses: Record<string, number>; serviceTime: { p50: number; p95: number } }[];
  };
  if (process.env.CALIBRATE_VERBOSE) {
    for (const e of result.endpoints) console.log(`    ${e.endpoint.padEnd(30)} p50 ${e.serviceTime.p50.toFixed(1)} p95 ${e.serviceTime.p95.toFixed(1)} ${JSON.stringify(e.statuses)}`);
  }
  const scenario = result.scenarios[0];
  return {
    rate,
    requests: scenario.iterations,
    achieved: Math.round(scenario.achievedRate * 10) / 10,
    dropped: scenario.droppedIterations,
    // Error rate counted from statuses: 5xx and transport failures (expect widened the success set).
    errorRate: result.totals.errorRate + serverErrors(result.endpoints) / Math.max(1, scenario.iterations),
    p50: result.totals.responseTime.p50,
    p95: result.totals.responseTime.p95,
    serviceP95: result.totals.serviceTime.p95,
  };
}

function serverErrors(endpoints: { statuses: Record<string, number> }[]): number {
  let n = 0;
  for (const e of endpoints) for (const [status, count] of Object.entries(e.statuses)) if (Number(status) >= 500) n += count;
  return n;
}

/** CPU seconds (user + system) of one process, from /proc; 0 when it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return 0;
  }
}

/** CPU seconds of the postmaster and all its children (backends, autovacuum, ...). */
function postgresCpuSeconds(postmasterPid: number): number {
  let total = cpuSeconds(postmasterPid);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmasterPid) total += cpuSeconds(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** Per-request CPU demand (ms) of the service process, PostgreSQL and Redis. */
export interface Demand { nodeMs: number; pgMs: number; redisMs: number; requests: number }

/** Generator CPU per request (ms) assumed when the generator shares the 2 cores with the service. */
const GENERATOR_MS_PER_REQUEST = 0.4;

/**
 * Capacity (req/s) by the utilization law: the single-threaded service process gets at most one
 * core, Redis one core, and everything (service, PostgreSQL, Redis, generator) shares `cores`.
 */
export function capacityFromDemand(d: Demand, cores: number): number {
  const bounds = [1000 / d.nodeMs, 1000 / Math.max(d.redisMs, 1e-3), (1000 * cores) / (d.nodeMs + d.pgMs + d.redisMs + GENERATOR_MS_PER_REQUEST)];
  return Math.min(...bounds);
}

/** Climb the ladder for one case; returns the rungs and the suggested rates. */
async function calibrateCase(service: CorpusService, testCase: CorpusCase, urls: { pg: string; redis: string }, rates: number[], duration: string): Promise<{ rungs: Rung[]; moderate: number; overload: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tuneup-calibrate-'));
  const rungs: Rung[] = [];
  // The memory leak accumulates across rungs; restart per rung so each rung sees the same process state.
  const restartEachRung = testCase.fault === 'page-render-leak';
  let running = await service.start({ pgUrl: urls.pg, redisUrl: urls.redis, fault: testCase.fault });
  try {
    for (const rate of rates) {
      if (restartEachRung && rungs.length > 0) {
        await running.stop();
        running = await service.start({ pgUrl: urls.pg, redisUrl: urls.redis, fault: testCase.fault });
      }
      const measured = await runRung(dir, testCase, running.url, rate, duration);
      const baseP95 = rungs[0]?.p95 ?? measured.p95;
      const stable = measured.achieved >= 0.97 * rate && measured.dropped === 0 && measured.p95 <= 3 * baseP95 + 20;
      const rung = { ...measured, stable };
      rungs.push(rung);
      console.log(`  ${testCase.id} @${rate}: achieved ${rung.achieved}/s dropped ${rung.dropped} err ${(rung.errorRate * 100).toFixed(1)}% p50 ${rung.p50.toFixed(1)} p95 ${rung.p95.toFixed(1)} (service p95 ${rung.serviceP95.toFixed(1)}) ms ${stable ? 'stable' : 'UNSTABLE'} (load avg ${loadavg()[0].toFixed(1)})`);
      if (!stable) break;
    }
  } finally {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const lastStable = [...rungs].reverse().find((r) => r.stable);
  const firstUnstable = rungs.find((r) => !r.stable);
  const moderate = lastStable ? Math.max(5, Math.round(lastStable.rate * 0.5 / 5) * 5) : 0;
  const overload = firstUnstable ? Math.round(firstUnstable.rate * 1.5 / 10) * 10 : 0;
  return { rungs, moderate, overload };
}

/**
 * Demand mode (robust to a contended machine): one low-rate run measuring CPU per request of
 * the service, PostgreSQL and Redis; capacity by the utilization law; then one check run at the
 * suggested moderate rate and one at the overload rate.
 */
async function demandCase(service: CorpusService, testCase: CorpusCase, env: { pg: string; redis: string; postmasterPid: number; redisPid: number }, demandRate: number, duration: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tuneup-calibrate-'));
  const running = await service.start({ pgUrl: env.pg, redisUrl: env.redis, fault: testCase.fault });
  try {
    // Warm-up (JIT, pool, connections), not measured.
    await runRung(dir, testCase, running.url, demandRate, '3s');
    const before = { node: cpuSeconds(running.pid), pg: postgresCpuSeconds(env.postmasterPid), redis: cpuSeconds(env.redisPid) };
    const measured = await runRung(dir, testCase, running.url, demandRate, duration);
    const d: Demand = {
      requests: measured.requests,
      nodeMs: ((cpuSeconds(running.pid) - before.node) * 1000) / measured.requests,
      pgMs: ((postgresCpuSeconds(env.postmasterPid) - before.pg) * 1000) / measured.requests,
      redisMs: ((cpuSeconds(env.redisPid) - before.redis) * 1000) / measured.requests,
    };
    const capacity = capacityFromDemand(d, 2);
    const moderate = Math.max(5, Math.round((capacity * 0.25) / 5) * 5);
    const overload = Math.round((capacity * 1.6) / 10) * 10;
    const line = (label: string, r: Omit<Rung, 'stable'>): string =>
      `${label} @${r.rate}: achieved ${r.achieved}/s dropped ${r.dropped} err ${(r.errorRate * 100).toFixed(1)}% p50 ${r.p50.toFixed(1)} p95 ${r.p95.toFixed(1)} ms (load avg ${loadavg()[0].toFixed(1)})`;
    console.log(`  ${testCase.id}: demand per request node ${d.nodeMs.toFixed(2)} ms, pg ${d.pgMs.toFixed(2)} ms, redis ${d.redisMs.toFixed(2)} ms over ${d.requests} requests; ${line('at', measured)}`);
    const atModerate = await runRung(dir, testCase, running.url, moderate, duration);
    console.log(`    check ${line('moderate', atModerate)}`);
    const atOverload = await runRung(dir, testCase, running.url, overload, duration);
    console.log(`    check ${line('overload', atOverload)}`);
    return `${testCase.id}\tnode ${d.nodeMs.toFixed(2)}\tpg ${d.pgMs.toFixed(2)}\tredis ${d.redisMs.toFixed(2)}\tcapacity ${capacity.toFixed(0)}\tmoderate ${moderate} (achieved ${atModerate.achieved}, p95 ${atModerate.p95.toFixed(0)} ms)\toverload ${overload} (achieved ${atOverload.achieved}, dropped ${atOverload.dropped})`;
  } finally {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      service: { type: 'string', default: 'shop' },
      rates: { type: 'string', default: '20,40,80,120,160,240,320,480,640' },
      duration: { type: 'string', default: '5s' },
      mode: { type: 'string', default: 'ladder' },
      'demand-rate': { type: 'string', default: '20' },
    },
  });
  const service = ((await import(`./${values.service}/index.js`)) as { default: CorpusService }).default;
  const rates = values.rates.split(',').map(Number);
  const cases = service.cases.filter((c) => positionals.length === 0 || positionals.some((p) => c.id.includes(p)));
  const pg = await startPostgres();
  const redis = await startRedis();
  try {
    const started = Date.now();
    await service.seed(pg.url);
    console.log(`seeded ${service.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const summary: string[] = [];
    for (const testCase of cases) {
      if (values.mode === 'demand') {
        const postmasterPid = Number(readFileSync(join(pg.dataDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
        summary.push(await demandCase(service, testCase, { pg: pg.url, redis: redis.url, postmasterPid, redisPid: redis.pid }, Number(values['demand-rate']), values.duration));
        continue;
      }
      const { moderate, overload, rungs } = await calibrateCase(service, testCase, { pg: pg.url, redis: redis.url }, rates, values.duration);
      const top = rungs.filter((r) => r.stable).at(-1);
      summary.push(`${testCase.id}\tstable≤${top?.rate ?? '-'}\tunstable@${rungs.find((r) => !r.stable)?.rate ?? '-'}\tmoderate ${moderate}\toverload ${overload}`);
    }
    console.log('\n' + summary.join('\n'));
  } finally {
    await redis.stop();
    await pg.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
