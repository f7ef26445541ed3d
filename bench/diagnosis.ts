/**
 * Diagnosis benchmark: plants each fault of the fixture service in turn,
 * runs a MIXED load over every route with `tuneup run` (probes on PostgreSQL,
 * Redis, the service's /metrics and its process), and prints, per fault, the
 * top finding and where the expected finding ranks. Then it times the
 * diagnosis of one 30 s run (EXPLAIN enrichment + rules + cost model).
 *
 *     node --import tsx bench/diagnosis.ts [--seconds 12] [--rate 40] [--faults a,b] [--timing-seconds 30]
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
  },
});
const seconds = Number(args.seconds);
const rate = Number(args.rate);
const faults = (args.faults ? args.faults.split(',') : ['healthy', ...Object.keys(FIXTURE_FAULTS)]) as (FixtureFault | 'healthy')[];
const cli = new URL('../src/cli/main.ts', import.meta.url).pathname;
const tsx = import.meta.resolve('tsx');

function planYaml(baseUrl: string, durationS: number): string {
  const routes = FIXTURE_ROUTES.filter((r) => r.template !== '/metrics' && r.template !== '/health');
  const lines = [
    `baseUrl: ${baseUrl}`,
    'scenarios:',
    '  mixed:',
    '    executor: constant-arrival-rate',
    `    rate: ${rate}`,
    `    duration: ${durationS}s`,
    `    preAllocatedVUs: ${Math.max(10, rate)}`,
    `    maxVUs: ${rate * 5}`,
    '    requests:',
    ...routes.map((r) => `      - { method: ${r.method}, path: "${r.example}", name: "${r.method} ${r.template}" }`),
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
    const service = await startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults: fault === 'healthy' ? [] : [fault] });
    const cwd = mkdtempSync(join(tmpdir(), 'tuneup-diag-'));
    writeFileSync(join(cwd, 'plan.yaml'), planYaml(service.url, seconds));
    const run = await runTuneup(cwd, ['run', 'plan.yaml', '--quiet', '--no-thresholds', '--pg', pg.url, '--redis', redis.url, '--metrics', `${service.url}/metrics`, '--pid', String(service.pid)]);
    await service.stop();
    if (run.code !== 0) {
      rows.push([fault, `run failed (${run.code})`, run.stderr.split('\n')[0] ?? '', '', '']);
      continue;
    }
    const result = latestResult(cwd);
    const findings = result.findings ?? [];
    const top = findings[0];
    const expected = fault === 'healthy' ? undefined : FIXTURE_FAULTS[fault].category;
    const rank = expected ? findings.findIndex((f) => f.category === expected) + 1 : 0;
    const mediumPlus = findings.filter((f) => ['medium', 'high', 'critical'].includes(f.severity));
    rows.push([
      fault,
      top ? `${top.category} [${top.severity}]` : '(none)',
      top?.endpoint ?? top?.endpoints?.join(', ') ?? '',
      expected ? (rank > 0 ? `#${rank} ${findings[rank - 1]!.endpoint ?? ''}` : 'not found') : `${mediumPlus.length} ≥ medium: ${mediumPlus.map((f) => f.category).join(', ')}`,
      result.generator.saturated ? 'generator saturated' : '',
    ]);
    process.stderr.write(`${fault}: ${rows.at(-1)!.slice(1).join(' | ')}\n`);
  }
  console.log(`\nmixed load over ${FIXTURE_ROUTES.length - 2} routes at ${rate} req/s for ${seconds} s per fault\n`);
  console.log('| planted fault | top finding | its endpoint | expected category: rank, endpoint | note |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);

  // Timing: diagnosis of one 30 s run.
  const timingSeconds = Number(args['timing-seconds']);
  const service = await startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults: ['missing-index', 'n-plus-one'] });
  const cwd = mkdtempSync(join(tmpdir(), 'tuneup-diag-'));
  writeFileSync(join(cwd, 'plan.yaml'), planYaml(service.url, timingSeconds));
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
} finally {
  await pg.stop();
  await redis.stop();
}
