/**
 * Diagnosis benchmark: plants each fault of the fixture service in turn,
 * runs a MIXED load over every route with `tuneup run` (probes on PostgreSQL,
 * Redis, the service's /metrics and its process), and prints, per fault, the
 * top finding and where the expected finding ranks. Then it times the
 * diagnosis of one 30 s run (EXPLAIN enrichment + rules + cost model).
 *
 *     node --import tsx bench/diagnosis.ts [--seconds 12] [--rate 40] [--faults a,b] [--mode uniform|focused|both] [--timing-seconds 30]
 *
 * Two mixes per fault:
 * - **uniform**: every route equally often at `--rate` (a fault that needs
 *   load or concurrency to bite may stay latent: no diagnosis should invent it);
 * - **focused**: the same routes, but the faulty route takes half of the
 *   requests and the rate is one at which the fault bites (FOCUS below), as a
 *   real hot endpoint would. Global faults keep the uniform mix at that rate.
 *
 * Everything runs on 127.0.0.1: a PostgreSQL 15 and a Redis started from the
 * machine's binaries on free ports, the fixture service, and the bounded load.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { diagnose } from '../src/diagnose/index.js';
import { enrichWithExplain } from '../src/diagnose/explain.js';
import type { RunResult } from '../src/result/types.js';
import { FIXTURE_FAULTS, FIXTURE_ROUTES, seedFixtureDatabase, startFixtureService, type FixtureFault } from '../test/fixtures/service/start.js';
import { startPostgres } from '../test/harness/postgres.js';
import { startRedis } from '../test/harness/redis.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '12' },
    rate: { type: 'string', default: '40' },
    faults: { type: 'string', default: '' },
    'timing-seconds': { type: 'string', default: '30' },
    mode: { type: 'string', default: 'both' },
  },
});
if (!['uniform', 'focused', 'both'].includes(args.mode!)) throw new Error(`--mode must be uniform, focused or both (got "${args.mode}")`);
const modes = (args.mode === 'both' ? ['uniform', 'focused'] : [args.mode]) as ('uniform' | 'focused')[];

/**
 * Load at which each planted fault bites, for the focused mix: rate (req/s over all routes) and duration.
 * Derived from the fault's own numbers: the pool's 2 connections × 20 ms hold (≤ 100 req/s of that route),
 * the hot row's 15 ms lock (≤ 66 req/s), 5 ms of CPU on every request (a core at 200 req/s), 64 KiB retained
 * per request over the 30 s memory-growth needs after warm-up; /compute's 30 ms blocks at 15 req/s (45 % of a
 * core: the loop is blocked, not yet saturated).
 */
const FOCUS: Partial<Record<FixtureFault, { rate: number; seconds?: number }>> = {
  'pool-saturation': { rate: 160 },
  'lock-contention': { rate: 110 },
  'cpu-saturation': { rate: 200 },
  'memory-growth': { rate: 40, seconds: 45 },
  'gc-pressure': { rate: 120 },
  'event-loop-blocked': { rate: 30 },
};
const FOCUS_DEFAULT = { rate: 80 };
const seconds = Number(args.seconds);
const rate = Number(args.rate);
const faults = (args.faults ? args.faults.split(',') : ['healthy', ...Object.keys(FIXTURE_FAULTS)]) as (FixtureFault | 'healthy')[];
const cli = new URL('../src/cli/main.ts', import.meta.url).pathname;
const tsx = import.meta.resolve('tsx');

/** A constant-arrival-rate mix over every route; `focus` routes (if any) take half of the requests. */
function planYaml(baseUrl: string, durationS: number, ratePerS: number, focus: FixtureFault | undefined): string {
  const routes = FIXTURE_ROUTES.filter((r) => r.template !== '/metrics' && r.template !== '/health');
  const hot = focus ? routes.filter((r) => r.faults.includes(focus)) : [];
  const cold = routes.length - hot.length;
  // Half of the requests to the hot routes: each hot route weighs cold / hot.length against 1 for each cold one.
  const hotWeight = hot.length > 0 ? Math.max(1, Math.round(cold / hot.length)) : 1;
  const lines = [
    `baseUrl: ${baseUrl}`,
    'scenarios:',
    '  mixed:',
    '    executor: constant-arrival-rate',
    `    rate: ${ratePerS}`,
    `    duration: ${durationS}s`,
    `    preAllocatedVUs: ${Math.max(10, ratePerS)}`,
    `    maxVUs: ${ratePerS * 5}`,
    '    requests:',
    ...routes.map((r) => `      - { method: ${r.method}, path: "${r.example}", name: "${r.method} ${r.template}", weight: ${hot.includes(r) ? hotWeight : 1} }`),
  ];
  return `${lines.join('\n')}\n`;
}

function runTuneup(cwd: string, argv: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', tsx, cli, ...argv], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function latestResult(cwd: string): RunResult {
  const runs = join(cwd, '.tuneup/runs');
  const id = readdirSync(runs).sort().at(-1)!;
  return JSON.parse(readFileSync(join(runs, id, 'result.json'), 'utf8')) as RunResult;
}

const pg = await startPostgres({ extensions: ['pg_stat_statements', 'hypopg'] });
const redis = await startRedis();
try {
  await seedFixtureDatabase(pg.url);
  const rows: string[][] = [];
  for (const fault of faults) {
    for (const mode of modes) {
      const focus = mode === 'focused' && fault !== 'healthy' ? { ...FOCUS_DEFAULT, ...FOCUS[fault] } : undefined;
      const runRate = mode === 'focused' ? (focus?.rate ?? FOCUS_DEFAULT.rate) : rate;
      const runSeconds = focus?.seconds ?? seconds;
      const service = await startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults: fault === 'healthy' ? [] : [fault] });
      const cwd = mkdtempSync(join(tmpdir(), 'tuneup-diag-'));
      writeFileSync(join(cwd, 'plan.yaml'), planYaml(service.url, runSeconds, runRate, mode === 'focused' && fault !== 'healthy' ? fault : undefined));
      const run = await runTuneup(cwd, ['run', 'plan.yaml', '--quiet', '--no-thresholds', '--pg', pg.url, '--redis', redis.url, '--metrics', `${service.url}/metrics`, '--pid', String(service.pid)]);
      await service.stop();
      const label = [fault, mode, `${runRate} req/s × ${runSeconds} s`];
      if (run.code !== 0) {
        rows.push([...label, `run failed (${run.code})`, run.stderr.split('\n')[0] ?? '', '', '']);
        continue;
      }
      const result = latestResult(cwd);
      const findings = result.findings ?? [];
      const top = findings[0];
      const expected = fault === 'healthy' ? undefined : FIXTURE_FAULTS[fault].category;
      const rank = expected ? findings.findIndex((f) => f.category === expected) + 1 : 0;
      const mediumPlus = findings.filter((f) => ['medium', 'high', 'critical'].includes(f.severity));
      rows.push([
        ...label,
        top ? `${top.category} [${top.severity}]` : '(none)',
        top?.endpoint ?? top?.endpoints?.join(', ') ?? '',
        expected ? (rank > 0 ? `#${rank} [${findings[rank - 1]!.severity}] ${findings[rank - 1]!.endpoint ?? ''}` : 'not found') : `${mediumPlus.length} ≥ medium: ${mediumPlus.map((f) => f.category).join(', ')}`,
        result.generator.saturated ? 'generator saturated' : '',
      ]);
      process.stderr.write(`${rows.at(-1)!.join(' | ')}\n`);
    }
  }
  console.log(`\nmixed load over ${FIXTURE_ROUTES.length - 2} routes; uniform: every route alike; focused: the faulty route takes half of the requests\n`);
  console.log('| planted fault | mix | load | top finding | its endpoint | expected category: rank [severity] endpoint | note |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);

  // Timing: diagnosis of one 30 s run.
  const timingSeconds = Number(args['timing-seconds']);
  if (timingSeconds > 0) {
    const service = await startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults: ['missing-index', 'n-plus-one'] });
    const cwd = mkdtempSync(join(tmpdir(), 'tuneup-diag-'));
    writeFileSync(join(cwd, 'plan.yaml'), planYaml(service.url, timingSeconds, rate, undefined));
    await runTuneup(cwd, ['run', 'plan.yaml', '--quiet', '--no-thresholds', '--no-diagnose', '--pg', pg.url, '--redis', redis.url, '--metrics', `${service.url}/metrics`, '--pid', String(service.pid)]);
    await service.stop();
    const result = latestResult(cwd);
    const t0 = performance.now();
    const explained = await enrichWithExplain(result, pg.url);
    const t1 = performance.now();
    const diagnosis = diagnose(explained);
    const t2 = performance.now();
    console.log(
      `\ndiagnosis of a ${timingSeconds} s run (${result.totals.requests} requests, ${result.endpoints.length} endpoints, ${result.probes?.length ?? 0} probes): ` +
        `EXPLAIN enrichment ${(t1 - t0).toFixed(0)} ms + rules and cost model ${(t2 - t1).toFixed(0)} ms; ${diagnosis.findings.length} findings`,
    );
  }
} finally {
  await pg.stop();
  await redis.stop();
}
