/**
 * End to end through the real CLI for the runtime fault categories: for each
 * one, the fixture service (test/fixtures/service) runs with that fault
 * planted, `tuneup run plan.yaml` drives a short open-model load at it with
 * every probe attached (PostgreSQL, Redis, the service's /metrics and its
 * process), and the test reads the stored result's ranked findings. The
 * whole pipeline runs: engine → probes → EXPLAIN enrichment → cost model →
 * rules → ranking.
 *
 * Loads are bounded (a rate, a duration and maxVUs per run) and go to
 * 127.0.0.1 only. The machine is small and shared, so every load is sized
 * for the fault to bite clearly rather than at a threshold's edge; each test
 * also asserts the measurement the rule reads, so a failure says whether the
 * fault or the diagnosis fell short. `TUNEUP_E2E_VERBOSE=1` prints every
 * run's findings and evidence; `TUNEUP_E2E_DUMP=/tmp/x` writes each result to
 * `/tmp/x-<faults>.json`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliNodeArgs } from '../harness/cli.js';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { startRedis, type TestRedis } from '../harness/redis.js';
import { startAll, stopAll } from '../harness/resources.js';
import { seedFixtureDatabase, startFixtureService, type FixtureFault } from '../fixtures/service/start.js';
import { FIXTURE_FAULTS } from '../fixtures/service/routes.js';
import type { Finding, ProbeEvidence, RunResult } from '../../src/result/types.js';
import { numbers, quantile } from '../../src/diagnose/evidence.js';

const LOUD = new Set(['medium', 'high', 'critical']);

/**
 * Cases whose outcome does not depend on the Node version (an HTTP 500 every 10th request; connections a
 * pool per request opens on the database) run on the first Node of a CI pass only
 * (scripts/run-tests.mjs sets TUNEUP_TEST_NODE_INDEX); the runtime faults, and the healthy run that must
 * not show one, run on every version. Run alone, the file runs every case.
 */
const FIRST_NODE_ONLY = { skip: Number(process.env.TUNEUP_TEST_NODE_INDEX ?? 0) > 0 ? 'version-independent: runs on the first Node of the CI pass' : false };

let pg: TestPostgres;
let redis: TestRedis;

before(async () => {
  ({ pg, redis } = await startAll({ pg: () => startPostgres({ extensions: ['pg_stat_statements', 'hypopg'] }), redis: () => startRedis() }));
  await seedFixtureDatabase(pg.url);
});

after(() => stopAll([redis, pg]));

/** One request of a scenario: a YAML path template and the endpoint name it reports under. */
interface PlanRequest {
  method?: 'GET' | 'POST';
  path: string;
  name: string;
}

/** An open-model load: `rate` requests per second for `seconds`, at most `maxVUs` in flight. */
interface Load {
  rate: number;
  seconds: number;
  maxVUs: number;
  requests: PlanRequest[];
}

/** What a run produced. */
interface Run {
  result: RunResult;
  /** Ranked findings at medium severity or above. */
  loud: Finding[];
  /** One line per finding, with its evidence, for assertion messages. */
  describe: string;
}

function planYaml(baseUrl: string, load: Load): string {
  return [
    `baseUrl: ${baseUrl}`,
    'scenarios:',
    '  load:',
    '    executor: constant-arrival-rate',
    `    rate: ${load.rate}`,
    `    duration: ${load.seconds}s`,
    `    preAllocatedVUs: ${Math.min(load.maxVUs, Math.max(5, Math.ceil(load.rate / 4)))}`,
    `    maxVUs: ${load.maxVUs}`,
    '    requests:',
    ...load.requests.map((r) => `      - { method: ${r.method ?? 'GET'}, path: "${r.path}", name: "${r.name}" }`),
    '',
  ].join('\n');
}

function cli(cwd: string, argv: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cliNodeArgs(argv), { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Start the service with `faults`, run the load through `tuneup run` with every probe, and read the stored result. */
async function runWith(faults: FixtureFault[], load: Load): Promise<Run> {
  const service = await startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults });
  const cwd = mkdtempSync(join(tmpdir(), 'tuneup-e2e-runtime-'));
  try {
    writeFileSync(join(cwd, 'plan.yaml'), planYaml(service.url, load));
    const run = await cli(cwd, ['run', 'plan.yaml', '--quiet', '--no-thresholds', '--pg', pg.url, '--redis', redis.url, '--metrics', `${service.url}/metrics`, '--pid', String(service.pid)]);
    assert.equal(run.code, 0, `tuneup run failed: ${run.stderr}`);
    const runs = join(cwd, '.tuneup/runs');
    const id = readdirSync(runs).sort().at(-1)!;
    const result = JSON.parse(readFileSync(join(runs, id, 'result.json'), 'utf8')) as RunResult;
    const findings = result.findings ?? [];
    const describe = [
      `faults [${faults.join(', ')}], ${result.totals.requests} requests, ${(result.totals.errorRate * 100).toFixed(1)} % failed, generator saturated: ${result.generator.saturated}`,
      ...findings.map((f) => `${f.category}/${f.severity} impact ${f.impact} ${f.endpoint ?? '-'}: ${f.title} | ${f.evidence.map((e) => `${e.label}=${String(e.value)}`).join('; ')}`),
    ].join('\n');
    if (process.env.TUNEUP_E2E_VERBOSE) console.log(describe);
    if (process.env.TUNEUP_E2E_DUMP) writeFileSync(`${process.env.TUNEUP_E2E_DUMP}-${faults.join('+') || 'healthy'}.json`, JSON.stringify(result));
    return { result, loud: findings.filter((f) => LOUD.has(f.severity)), describe };
  } finally {
    await service.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
}

function probeOf(result: RunResult, name: string): ProbeEvidence {
  const ev = result.probes?.find((p) => p.probe === name);
  assert.ok(ev?.ok, `the ${name} probe should have sampled: ${JSON.stringify(ev?.errors ?? 'absent')}`);
  return ev;
}

/** Assert the top finding at medium or above is the fault's category (and on `endpoint`, when the fault is on one route). */
function assertTop(run: Run, fault: FixtureFault, endpoint?: string): Finding {
  const top = run.loud[0];
  assert.ok(top, `no finding at medium or above\n${run.describe}`);
  assert.equal(top.category, FIXTURE_FAULTS[fault].category, run.describe);
  if (endpoint) assert.ok(top.endpoint === endpoint || top.endpoints?.includes(endpoint), `top finding should name ${endpoint}\n${run.describe}`);
  return top;
}

test('a healthy service under a mixed load gets no finding at medium or above', async () => {
  const run = await runWith([], {
    rate: 40,
    seconds: 8,
    maxVUs: 40,
    requests: [
      { path: '/orders/{{ randomInt(1, 190000) }}', name: 'GET /orders/:id' },
      { path: '/customers/{{ randomInt(1, 1900) }}/orders', name: 'GET /customers/:id/orders' },
      { path: '/products/{{ randomInt(1, 40) }}', name: 'GET /products/:id' },
      { path: '/compute', name: 'GET /compute' },
      { path: '/quote', name: 'GET /quote' },
      { path: '/audit/{{ randomInt(1, 50) }}/recent', name: 'GET /audit/:account/recent' },
    ],
  });
  assert.equal(run.result.totals.failed, 0, run.describe);
  // A generator-saturated finding describes the load generator on this shared host, not the service: it is
  // allowed only when the generator itself reported being late (then the run's own warning says so).
  const loud = run.loud.filter((f) => f.category !== 'generator-saturated' || !run.result.generator.saturated);
  assert.deepEqual(loud.map((f) => f.category), [], run.describe);
});

test('error-rate: every 10th request failing is the top finding, on its endpoint', FIRST_NODE_ONLY, async () => {
  const run = await runWith(['error-rate'], { rate: 40, seconds: 5, maxVUs: 40, requests: [{ path: '/compute', name: 'GET /compute' }] });
  const e = run.result.endpoints.find((x) => x.endpoint === 'GET /compute');
  assert.ok(e && e.errorRate > 0.08 && e.errorRate < 0.12, `error ratio ${e?.errorRate}\n${run.describe}`);
  assertTop(run, 'error-rate', 'GET /compute');
});

test('cpu-saturation: 5 ms of CPU per request offered beyond one core is the top finding', async () => {
  // One core serves at most ~170-180 such requests/s (the 5 ms burn, which allocates nothing, and HTTP); 300/s
  // asks for well over a core, so the service falls behind even when neighbours on this host take CPU time.
  const run = await runWith(['cpu-saturation'], { rate: 300, seconds: 8, maxVUs: 80, requests: [{ path: '/compute', name: 'GET /compute' }] });
  const cpu = numbers(probeOf(run.result, 'process').series.values.cpuPercent);
  const { iterations, droppedIterations } = run.result.totals;
  assert.ok(droppedIterations > 0.1 * (iterations + droppedIterations), `the service kept up (CPU p90 ${quantile(cpu, 0.9)} %)\n${run.describe}`);
  // Past capacity the design says so first, naming the saturated resource (the service's CPU); the fault
  // itself is the first finding after it.
  const [first] = run.loud;
  assert.equal(first?.category, 'overload', run.describe);
  assert.match(first!.title, /CPU|main thread/, run.describe);
  const afterOverload = run.loud.filter((f) => f.category !== 'overload');
  assertTop({ ...run, loud: afterOverload }, 'cpu-saturation', 'GET /compute');
});

test('gc-pressure: a deep copy per request is the top finding', async (t) => {
  // 15 000 objects per request kept for a second: at 40 req/s some 600 000 young objects are alive at every
  // scavenge, so GC takes well over 100 ms/s while the process stays far from a full core (about 30-40 %).
  // 75/s: on a quiet host 40/s gave GC p90 of only 64–79 ms/s and 60/s 93 ms/s (the fault must bite for the test to mean anything).
  const run = await runWith(['gc-pressure'], {
    rate: 75,
    seconds: 8,
    maxVUs: 60,
    requests: [{ path: '/orders/{{ randomInt(1, 190000) }}', name: 'GET /orders/:id' }],
  });
  const gc = numbers(probeOf(run.result, 'prometheus').series.values.gcMsPerS);
  // The rule is judged against what the run measured. Sustained pressure (two or more samples at 100 ms/s of
  // GC or more, the rule's own definition) must be found and lead; a planted allocation that V8 collected
  // in one burst (seen on Node 24) is not pressure, and then no gc-pressure finding may be invented.
  const sustained = gc.filter((x) => x >= 100).length >= 2;
  t.diagnostic(`GC ms/s per sample: ${gc.map((x) => Math.round(x)).join(' ')}; sustained: ${sustained}`);
  if (sustained) assertTop(run, 'gc-pressure');
  else assert.equal(run.loud.some((f) => f.category === 'gc-pressure'), false, run.describe);
});

test('connection-limit: a pool per request exhausts max_connections and is the top finding', FIRST_NODE_ONLY, async () => {
  const run = await runWith(['connection-limit'], {
    rate: 8,
    seconds: 12,
    maxVUs: 40,
    requests: [{ path: '/audit/{{ randomInt(1, 50) }}/recent', name: 'GET /audit/:account/recent' }],
  });
  const connections = numbers(probeOf(run.result, 'postgres').series.values['pg.connections']);
  assert.ok(Math.max(...connections) >= 40, `connections max ${Math.max(...connections)} of 50\n${run.describe}`);
  assertTop(run, 'connection-limit', 'GET /audit/:account/recent');
});

test('memory-growth: 64 KiB retained per request over a 24 s run is the top finding', async () => {
  // The rule has no minimum run length (a fast leak shows in a short run): it judges the slope, the fit and
  // the size of the growth after the first fifth. 40/s × 64 KiB is about 2.5 MB/s of off-heap Buffers. On the
  // way V8 hands the start-up heap's pages back (RSS falls by 20-40 MB, in one or a few steps, at an
  // unpredictable second); the leaked Buffers keep climbing from the new level.
  const run = await runWith(['memory-growth'], { rate: 40, seconds: 24, maxVUs: 40, requests: [{ path: '/compute', name: 'GET /compute' }] });
  const rss = numbers(probeOf(run.result, 'process').series.values.rssBytes);
  const climbMb = (rss.at(-1)! - Math.min(...rss)) / 1048576;
  // The fixture leaked: a healthy fixture's RSS climbs a few MB at most after its low, and a page release by
  // V8 late in the run can take 20-40 MB back from a 60 MB leak, so the guard is 8 MB (seen: 11 MB in CI).
  assert.ok(climbMb > 8, `RSS climbed ${climbMb.toFixed(1)} MB from its low\n${run.describe}`);
  assertTop(run, 'memory-growth');
});
