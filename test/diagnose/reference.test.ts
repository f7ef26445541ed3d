/**
 * Without an objective, an earlier run of the service is the scale a dependency's wait is judged on: the same
 * wait as in the reference is what the dependency costs (low); a wait that grew beyond the runs' noise is a
 * change, and the rule's own grading stands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeAction } from '../../src/cli/commands/analyze-action.js';
import type { CliIO } from '../../src/cli/io.js';
import { isTuneupError } from '../../src/errors.js';
import { diagnose } from '../../src/diagnose/index.js';
import { buildReference, waitChange } from '../../src/diagnose/reference.js';
import type { Finding, RunResult } from '../../src/result/types.js';
import { build, healthyParts } from './scenarios.js';

const ENDPOINT = 'GET /api/products/:id';

/** The healthy service with ENDPOINT waiting about `waitMs` a request on 10.1.2.3:8443; `seed` varies the noise. */
function waitingService(waitMs: number, seed: number, id: string): RunResult {
  const p = healthyParts(seed);
  p.endpoints[ENDPOINT]!.serviceMeanMs = waitMs;
  p.endpoints[ENDPOINT]!.p99Ms = waitMs * 2.4;
  (p.processData.remotes as unknown[]).push({ address: '10.1.2.3', port: 8443, maxConnections: 40, samplesSeen: 10 });
  const result = build(p);
  result.id = id;
  // A real run's summaries count its requests; the scenario's count 1 would make every mean pure noise.
  for (const e of result.endpoints) e.serviceTime = { ...e.serviceTime, count: e.requests };
  return result;
}

function dependencyFinding(result: RunResult, reference?: RunResult[]): Finding {
  const found = diagnose(result, { reference }).findings.filter((f) => f.category === 'slow-dependency' && f.endpoint === ENDPOINT);
  assert.equal(found.length, 1, found.map((f) => f.title).join('\n'));
  return found[0]!;
}

test('the same wait as in the reference run is what the dependency costs (low)', () => {
  const f = dependencyFinding(waitingService(250, 1, 'now'), [waitingService(250, 2, 'before')]);
  assert.equal(f.severity, 'low');
  assert.match(f.summary, /in the reference run \(before\), and it did not grow beyond their noise/);
  assert.ok(f.evidence.some((e) => e.label === 'unexplained wait per request in the reference' && e.source.includes('before')));
});

test('a wait that grew since the reference keeps the grading, and says by how much', () => {
  const f = dependencyFinding(waitingService(250, 1, 'now'), [waitingService(20, 2, 'before')]);
  assert.equal(f.severity, 'high');
  assert.match(f.summary, /the wait grew \(growth \+\d+/);
  const delta = f.evidence.find((e) => e.label.startsWith('change since the reference'));
  assert.ok(delta && Number(delta.value) > 200, JSON.stringify(delta));
  // One reference run's error is its own requests' spread only: the finding says to judge against more.
  assert.match(f.summary, /One reference run cannot show how much the wait moves between runs/);
  const twice = dependencyFinding(waitingService(250, 1, 'now'), [waitingService(20, 2, 'before'), waitingService(22, 3, 'earlier')]);
  assert.doesNotMatch(twice.summary, /One reference run/);
});

test('without a reference, or with one past its capacity, the rule grades the wait itself', () => {
  assert.equal(dependencyFinding(waitingService(250, 1, 'now')).severity, 'high');
  // Past its capacity by its load alone: half of the scheduled arrivals were dropped.
  const overloaded = waitingService(250, 2, 'queued');
  const iterations = overloaded.series.iterations.reduce((a, b) => a + b, 0);
  overloaded.scenarios = [{
    name: 'mix', executor: 'constant-arrival-rate', model: 'open', options: {}, startOffsetMs: 0, durationMs: overloaded.series.t.length * 1000, iterations,
    failedIterations: 0, droppedIterations: iterations, lateStarts: 0, targetRate: 200, achievedRate: 100, maxBusyVUs: 50, allocatedVUs: 100, interruptedIterations: 0,
  }];
  overloaded.series = { ...overloaded.series, targetRate: overloaded.series.t.map(() => 200), droppedIterations: [...overloaded.series.iterations] };
  assert.deepEqual(buildReference([overloaded]).excluded.map((x) => x.runId), ['queued']);
  const f = dependencyFinding(waitingService(250, 1, 'now'), [overloaded]);
  assert.equal(f.severity, 'high');
  assert.match(f.summary, /reference runs measured no wait of this endpoint/);
});

test('a run is no reference for itself', () => {
  const now = waitingService(250, 1, 'now');
  const diagnosis = diagnose(now, { reference: [now] });
  assert.deepEqual(diagnosis.reference?.excluded, [{ runId: 'now', reason: 'it is the run being judged' }]);
  assert.equal(diagnosis.findings.find((f) => f.category === 'slow-dependency' && f.endpoint === ENDPOINT)?.severity, 'high');
});

test('an objective the plan states wins over the reference', () => {
  const now = waitingService(250, 1, 'now');
  now.plan = { ...now.plan, thresholds: { http_req_duration: ['p(95)<300'] } };
  assert.equal(dependencyFinding(now, [waitingService(250, 2, 'before')]).severity, 'high');
});

test('waitChange: a change must be both significant and larger than the noise threshold', () => {
  const at = (ms: number, stdErrorMs: number) => ({ leastMs: ms, mostMs: ms, stdErrorMs });
  const reference = { waits: new Map([[ENDPOINT, { ...at(500, 10), runIds: ['r'] }]]), runIds: ['r'], excluded: [] };
  // +60 ms with a standard error of 14 ms: significant and 12 % of the reference.
  assert.equal(waitChange(reference, ENDPOINT, at(560, 10), 0.05)!.grew, true);
  // +60 ms with a standard error of 71 ms: within the noise of two short runs.
  assert.equal(waitChange(reference, ENDPOINT, at(560, 70), 0.05)!.grew, false);
  // +20 ms with a tiny standard error: significant, but 4 % is below the 5 % threshold.
  const tight = { ...reference, waits: new Map([[ENDPOINT, { ...at(500, 1), runIds: ['r'] }]]) };
  assert.equal(waitChange(tight, ENDPOINT, at(520, 1), 0.05)!.grew, false);
  assert.equal(waitChange(reference, 'GET /other', at(560, 1), 0.05), undefined);
  // Intervals (runs too short for the cost model): the least the wait is now against the most it was then.
  const bounded = { ...reference, waits: new Map([[ENDPOINT, { leastMs: 450, mostMs: 485, stdErrorMs: 13, runIds: ['r'] }]]) };
  const same = waitChange(bounded, ENDPOINT, { leastMs: 469, mostMs: 492, stdErrorMs: 12 }, 0.05)!;
  assert.equal(same.grew, false);
  assert.equal(same.bounded, true);
  assert.equal(Math.round(same.deltaMs), -16);
  assert.equal(waitChange(bounded, ENDPOINT, { leastMs: 900, mostMs: 940, stdErrorMs: 20 }, 0.05)!.grew, true);
});

test('several reference runs: the standard error is at least their spread between runs', () => {
  const a = waitingService(200, 2, 'a');
  const b = waitingService(300, 3, 'b');
  const ref = buildReference([a, b]).waits.get(ENDPOINT)!;
  assert.deepEqual(ref.runIds, ['a', 'b']);
  assert.ok(ref.mostMs > 200 && ref.mostMs < 300, String(ref.mostMs));
  assert.ok(ref.stdErrorMs >= 40, `between-run spread of ~100 ms over 2 runs gives ≥ 50 ms; got ${ref.stdErrorMs}`);
});

test('tuneup analyze --run … --reference …: the stored run re-judged, the reference recorded with --update; a wrong reference names the option', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tuneup-reference-'));
  try {
    const runsDir = join(dir, 'runs');
    for (const run of [waitingService(250, 1, 'now'), waitingService(250, 2, 'before')]) {
      mkdirSync(join(runsDir, run.id), { recursive: true });
      writeFileSync(join(runsDir, run.id, 'result.json'), JSON.stringify(run));
    }
    let out = '';
    const io: CliIO = { out: (t) => void (out += t), err: () => undefined, interactive: false, color: false };
    await analyzeAction({ run: 'now', reference: 'before', runsDir, sensitivity: 'normal', json: true, update: true }, io);
    const wait = (JSON.parse(out) as { findings: Finding[] }).findings.find((f) => f.category === 'slow-dependency' && f.endpoint === ENDPOINT);
    assert.equal(wait?.severity, 'low');
    const stored = JSON.parse(readFileSync(join(runsDir, 'now', 'result.json'), 'utf8')) as RunResult;
    assert.deepEqual(stored.diagnosisReference, { runs: ['before'], excluded: [] });
    await assert.rejects(analyzeAction({ run: 'now', reference: 'nope', runsDir, sensitivity: 'normal' }, io), (err) => {
      assert.ok(isTuneupError(err));
      assert.equal(err.code, 'TUNEUP_RUN_NOT_FOUND');
      assert.match(err.message, /^--reference: /);
      return true;
    });
    await assert.rejects(analyzeAction({ reference: 'before', runsDir, sensitivity: 'normal' }, io), /no --run was given/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
