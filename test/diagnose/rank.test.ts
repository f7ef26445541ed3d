import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankFindings, score } from '../../src/diagnose/rank.js';
import type { Finding, FindingCategory, Severity } from '../../src/result/types.js';

function f(id: string, category: FindingCategory, severity: Severity, impact: number, endpoint?: string, extra: Partial<Finding> = {}): Finding {
  return { id, rule: id.split(':')[0]!, category, severity, endpoint, title: id, summary: '', evidence: [], recommendation: { text: '' }, confidence: 1, impact, ...extra };
}

test('findings at medium or above are ordered by impact × severity, not by input order, and lead the notes', () => {
  const ranked = rankFindings([
    f('gc-pressure:service', 'gc-pressure', 'medium', 0.2),
    f('missing-index:public.orders(customer_id)', 'missing-index', 'high', 0.8, 'GET /orders'),
    f('table-bloat:public.events', 'table-bloat', 'low', 0.96),
    f('n-plus-one:GET /orders:1', 'n-plus-one', 'high', 0.3, 'GET /orders'),
  ]);
  assert.deepEqual(
    ranked.map((x) => x.id),
    ['missing-index:public.orders(customer_id)', 'n-plus-one:GET /orders:1', 'gc-pressure:service', 'table-bloat:public.events'],
  );
  // 0.8·0.75 > 0.3·0.75 > 0.2·0.5; the low note scores 0.96·0.25 = 0.24 but is not a diagnosis, so it comes last.
  assert.ok(score(ranked[0]!) > score(ranked[1]!), 'the higher score leads');
  assert.ok(score(ranked[3]!) > score(ranked[1]!), 'the note outscores the n-plus-one finding and still follows it');
});

test('duplicates keep the stronger finding; a specific cause suppresses slow-dependency for its endpoint only', () => {
  const ranked = rankFindings([
    f('slow-dependency:GET /a', 'slow-dependency', 'high', 0.9, 'GET /a'),
    f('slow-dependency:GET /b', 'slow-dependency', 'medium', 0.7, 'GET /b'),
    f('pool-saturation:db-pool', 'pool-saturation', 'high', 0.7, 'GET /a', { endpoints: ['GET /a'] }),
    f('error-rate:GET /a', 'error-rate', 'medium', 0.2, 'GET /a'),
    f('error-rate:GET /a', 'error-rate', 'high', 0.4, 'GET /a'),
  ]);
  assert.deepEqual(
    ranked.map((x) => `${x.id}/${x.severity}`),
    ['pool-saturation:db-pool/high', 'error-rate:GET /a/high', 'slow-dependency:GET /b/medium'],
  );
});

test('a wait nothing measured explains ranks after the causes measured at medium or above, whatever its score', () => {
  const ranked = rankFindings([
    f('slow-dependency:POST /certificates', 'slow-dependency', 'high', 0.97, 'POST /certificates'),
    f('missing-index:public.attempts(learner_id)', 'missing-index', 'medium', 0.3, 'POST /quizzes/:id/submissions'),
    f('table-bloat:public.attempts', 'table-bloat', 'low', 0.9),
  ]);
  assert.deepEqual(
    ranked.map((x) => x.id),
    ['missing-index:public.attempts(learner_id)', 'slow-dependency:POST /certificates', 'table-bloat:public.attempts'],
  );
  assert.ok(score(ranked[1]!) > score(ranked[0]!), 'the wait outscores the index and still follows it');
});

test('a service-wide CPU saturation explains every endpoint\'s wait', () => {
  const ranked = rankFindings([f('slow-dependency:GET /a', 'slow-dependency', 'high', 0.9, 'GET /a'), f('cpu-saturation:service', 'cpu-saturation', 'high', 0.6)]);
  assert.deepEqual(ranked.map((x) => x.category), ['cpu-saturation']);
});

test('a slow cache command explains its endpoint\'s wait; a generator only briefly late explains none', () => {
  const ranked = rankFindings([
    f('slow-dependency:GET /a', 'slow-dependency', 'medium', 0.8, 'GET /a'),
    f('slow-dependency:GET /b', 'slow-dependency', 'medium', 0.6, 'GET /b'),
    f('cache-slow-command:keys', 'cache-slow-command', 'high', 0.5, 'GET /a', { endpoints: ['GET /a'] }),
    f('generator-saturated:generator', 'generator-saturated', 'low', 0.1),
  ]);
  assert.deepEqual(ranked.map((x) => x.id), ['cache-slow-command:keys', 'slow-dependency:GET /b', 'generator-saturated:generator']);
});

test('an event-loop block on an endpoint with a huge cache reply or response ranks after that root cause', () => {
  const ranked = rankFindings([
    f('event-loop-blocked:service', 'event-loop-blocked', 'medium', 0.9, 'GET /catalog'),
    f('error-rate:GET /x', 'error-rate', 'medium', 0.5, 'GET /x'),
    f('cache-slow-command:keys', 'cache-slow-command', 'medium', 0.4, 'GET /catalog', { endpoints: ['GET /catalog'] }),
  ]);
  assert.deepEqual(ranked.map((x) => x.category), ['error-rate', 'cache-slow-command', 'event-loop-blocked']);
  // On another endpoint it keeps its rank.
  const apart = rankFindings([
    f('event-loop-blocked:service', 'event-loop-blocked', 'medium', 0.9, 'GET /compute'),
    f('large-payload:GET /export', 'large-payload', 'medium', 0.4, 'GET /export'),
  ]);
  assert.deepEqual(apart.map((x) => x.category), ['event-loop-blocked', 'large-payload']);
});

test('a locking statement on the contended relation is lock waiting, not an inefficient query', () => {
  const stmt = (statement: string) => ({ metrics: { statement } });
  const ranked = rankFindings([
    f('lock-contention:public.skus', 'lock-contention', 'high', 0.6, 'POST /reserve'),
    f('inefficient-query:1', 'inefficient-query', 'high', 0.5, 'POST /reserve', stmt('SELECT stock FROM skus WHERE sku = $1 FOR UPDATE')),
    f('inefficient-query:2', 'inefficient-query', 'medium', 0.4, 'GET /report', stmt('SELECT * FROM skus ORDER BY random() LIMIT $1')),
  ]);
  assert.deepEqual(ranked.map((x) => x.id), ['lock-contention:public.skus', 'inefficient-query:2']);
});

test('service-wide GC pressure ranks after a huge cache reply that produces the garbage', () => {
  const ranked = rankFindings([
    f('gc-pressure:service', 'gc-pressure', 'high', 0.3),
    f('cache-slow-command:smembers', 'cache-slow-command', 'medium', 0.25, 'GET /seats', { endpoints: ['GET /seats'] }),
  ]);
  assert.deepEqual(ranked.map((x) => x.category), ['cache-slow-command', 'gc-pressure']);
  assert.deepEqual(rankFindings([f('gc-pressure:service', 'gc-pressure', 'high', 0.3), f('error-rate:x', 'error-rate', 'medium', 0.2, 'GET /x')]).map((x) => x.category), ['gc-pressure', 'error-rate']);
});

test('a generator late by a few ms does not explain a 195 ms wait on a dependency; one late by 300 ms does', () => {
  const gen = (p99: number) => f('generator-saturated:generator', 'generator-saturated', 'medium', 0.1, undefined, { metrics: { generatorDelayP99Ms: p99 } });
  const dep = f('slow-dependency:GET /forecast', 'slow-dependency', 'high', 0.9, 'GET /forecast', { metrics: { waitMsPerRequest: 195 } });
  assert.ok(rankFindings([gen(17), dep]).some((x) => x.category === 'slow-dependency'));
  assert.ok(!rankFindings([gen(300), dep]).some((x) => x.category === 'slow-dependency'));
  // A slow-dependency finding's wait is read from its metric only: without it (no wait known) any generator at medium explains it.
  const labelDep = f('slow-dependency:GET /forecast', 'slow-dependency', 'high', 0.9, 'GET /forecast', { evidence: [{ label: 'unexplained wait per request', value: 195, unit: 'ms', source: 'cost model' }] });
  assert.ok(!rankFindings([gen(17), labelDep]).some((x) => x.category === 'slow-dependency'));
  // The generator's delay is read from its metric only: its evidence label decides nothing (no delay known: it explains any wait).
  const labelOnly = f('generator-saturated:generator', 'generator-saturated', 'medium', 0.1, undefined, { evidence: [{ label: 'generator event-loop delay p99', value: 17, unit: 'ms', source: 'generator' }] });
  assert.ok(!rankFindings([labelOnly, dep]).some((x) => x.category === 'slow-dependency'));
});

test('a saturated CPU that is a quarter or more garbage collection ranks after the GC pressure', () => {
  const gc = (ms: number) => f('gc-pressure:service', 'gc-pressure', 'high', 0.4, undefined, { metrics: { gcMsPerSecond: ms } });
  const cpu = f('cpu-saturation:service', 'cpu-saturation', 'high', 0.9, 'GET /pricing', { metrics: { serviceCpuPercent: 98 } });
  assert.deepEqual(rankFindings([cpu, gc(290)]).map((x) => x.category), ['gc-pressure', 'cpu-saturation']);
  assert.deepEqual(rankFindings([cpu, gc(120)]).map((x) => x.category), ['cpu-saturation', 'gc-pressure']);
  // Evidence rows with the same labels but no metrics decide nothing.
  const gcRow = f('gc-pressure:service', 'gc-pressure', 'high', 0.4, undefined, { evidence: [{ label: 'GC time mean', value: 290, unit: 'ms/s', source: 'prom' }] });
  const cpuRow = f('cpu-saturation:service', 'cpu-saturation', 'high', 0.9, 'GET /pricing', { evidence: [{ label: 'service CPU mean', value: 98, unit: '% of one core', source: 'proc' }] });
  assert.deepEqual(rankFindings([cpuRow, gcRow]).map((x) => x.category), ['cpu-saturation', 'gc-pressure']);
});

test('a finding another one explains is folded into it: linked, ranked after it, at most low', async () => {
  const { rankFindings: rank } = await import('../../src/diagnose/rank.js');
  const base = { rule: 'r', title: 't', summary: 's', evidence: [], recommendation: { text: 'x' }, confidence: 0.9 };
  const overload = { ...base, id: 'overload:run', category: 'overload', severity: 'critical', impact: 0.6, explains: [{ category: 'error-rate' }] } as const;
  const errors = { ...base, id: 'error-rate:GET /a', category: 'error-rate', severity: 'critical', endpoint: 'GET /a', impact: 1 } as const;
  const index = { ...base, id: 'missing-index:t', category: 'missing-index', severity: 'high', endpoint: 'GET /b', impact: 0.5 } as const;
  const out = rank([errors, index, overload] as never);
  assert.deepEqual(out.map((f) => f.id), ['overload:run', 'missing-index:t', 'error-rate:GET /a']);
  const folded = out.find((f) => f.id === 'error-rate:GET /a')!;
  assert.equal(folded.severity, 'low');
  assert.deepEqual(folded.causedBy, ['overload:run']);
  // Endpoints named in the link limit it.
  const scoped = rank([errors, { ...overload, explains: [{ category: 'error-rate', endpoints: ['GET /z'] }] }] as never);
  assert.equal(scoped.find((f) => f.id === 'error-rate:GET /a')!.severity, 'critical');
});

test('an explains link marked "contributes" ranks the finding after its cause and keeps its severity; a symptom is capped at low', () => {
  const blocked = f('event-loop-blocked:service', 'event-loop-blocked', 'high', 0.9, 'GET /search');
  const saturated = f('cpu-saturation:service', 'cpu-saturation', 'high', 0.5, 'GET /search', { explains: [{ category: 'event-loop-blocked', as: 'contributes' }] });
  const ranked = rankFindings([blocked, saturated]);
  assert.deepEqual(ranked.map((x) => [x.category, x.severity]), [['cpu-saturation', 'high'], ['event-loop-blocked', 'high']]);
  assert.deepEqual(ranked[1]!.causedBy, ['cpu-saturation:service']);
  // The same link as a symptom (the default) caps it.
  const symptom = f('cpu-saturation:service', 'cpu-saturation', 'high', 0.5, 'GET /search', { explains: [{ category: 'event-loop-blocked' }] });
  assert.deepEqual(rankFindings([blocked, symptom]).map((x) => [x.category, x.severity]), [['cpu-saturation', 'high'], ['event-loop-blocked', 'low']]);
});

test('a cause ranks where its symptom would: it is pulled up to just before it, not the symptom pushed down', () => {
  // A high buffer-cache symptom whose cause (the table's scans) is only low, with a medium finding between.
  const cache = f('db-cache-hit:shared_buffers', 'db-config', 'high', 1, undefined, { causedBy: ['missing-index:quiz_attempts'] });
  const other = f('stale-statistics:enrolments', 'stale-statistics', 'medium', 0.5);
  const scans = f('missing-index:quiz_attempts', 'missing-index', 'low', 0.1);
  const ranked = rankFindings([other, scans, cache]);
  assert.deepEqual(ranked.map((x) => x.id), ['missing-index:quiz_attempts', 'db-cache-hit:shared_buffers', 'stale-statistics:enrolments']);
  // ... and is as severe as what it causes.
  assert.equal(ranked[0]!.severity, 'high');
  assert.match(ranked[0]!.summary, /Raised to high: it causes "db-cache-hit:shared_buffers"/);
  // A symptom folded into its cause (capped at low) raises nothing.
  const overload = f('overload:run', 'overload', 'critical', 0.6, undefined, { explains: [{ category: 'error-rate' }] });
  assert.equal(rankFindings([overload, f('error-rate:GET /a', 'error-rate', 'critical', 1, 'GET /a')]).find((x) => x.category === 'overload')!.severity, 'critical');
});

test('one statement is one problem: missing-index findings and an inefficient query are matched by metrics.statement', () => {
  const stmt = (statement: string) => ({ metrics: { statement } });
  const sql = 'SELECT * FROM orders WHERE customer_id = $1';
  const ranked = rankFindings([
    f('missing-index:public.orders(customer_id)', 'missing-index', 'high', 0.6, 'GET /orders', stmt(sql)),
    f('missing-index:public.orders(customer_id,created_at)', 'missing-index', 'high', 0.4, 'GET /orders', stmt(sql)),
    f('inefficient-query:42', 'inefficient-query', 'high', 0.5, 'GET /orders', stmt(sql)),
    f('inefficient-query:43', 'inefficient-query', 'medium', 0.3, 'GET /report', stmt('SELECT count(*) FROM orders')),
  ]);
  assert.deepEqual(ranked.map((x) => x.id), ['missing-index:public.orders(customer_id)', 'inefficient-query:43']);
  // The display row alone (same label, same text) matches nothing: both findings stay.
  const row = { evidence: [{ label: 'statement', value: sql, source: 'pg_stat_statements' }] };
  const unmatched = rankFindings([f('missing-index:a', 'missing-index', 'high', 0.6, 'GET /orders', row), f('inefficient-query:42', 'inefficient-query', 'high', 0.5, 'GET /orders', row)]);
  assert.equal(unmatched.length, 2);
});

test('GC that is a quarter of a saturated CPU leads it, and the saturation still leads the event loop it contributes to', () => {
  // The holdout's gc-pressure case: 204 ms/s of GC in a CPU of 776 ms/s (26 %). The saturation's own link to the
  // event-loop finding used to pull it back above the GC.
  const cpu = f('cpu-saturation:service', 'cpu-saturation', 'high', 0.6, undefined, {
    metrics: { serviceCpuPercent: 77.6 },
    explains: [{ category: 'event-loop-blocked', as: 'contributes' }],
  });
  const loop = f('event-loop-blocked:GET /pricing', 'event-loop-blocked', 'medium', 0.96, 'GET /pricing');
  const gc = f('gc-pressure:service', 'gc-pressure', 'high', 0.4, 'GET /pricing', { metrics: { gcMsPerSecond: 204.3 } });
  assert.deepEqual(rankFindings([cpu, loop, gc]).map((x) => x.category), ['gc-pressure', 'cpu-saturation', 'event-loop-blocked']);
  // GC under a quarter of the CPU: the saturation is the first thing to fix.
  const lightGc = { ...gc, metrics: { gcMsPerSecond: 150 } };
  assert.equal(rankFindings([cpu, loop, lightGc])[0]!.category, 'cpu-saturation');
});

test('one endpoint missing the cache on its repeats is one finding, however it was measured', () => {
  const ranked = rankFindings([
    f('cache-miss-counter:menu', 'cache-miss', 'high', 0.1, 'GET /menu', { metrics: { missesRepeatsOf: 'GET /menu' } }),
    f('cache-miss:repeats:GET /menu', 'cache-miss', 'high', 0.1, 'GET /menu', { metrics: { missesRepeatsOf: 'GET /menu' } }),
    f('cache-miss:repeats:GET /report', 'cache-miss', 'high', 0.5, 'GET /report', { metrics: { missesRepeatsOf: 'GET /report' } }),
    f('cache-miss:hit-ratio', 'cache-miss', 'info', 0.02, 'GET /menu'),
  ]);
  assert.deepEqual(ranked.map((x) => x.id), ['cache-miss:repeats:GET /report', 'cache-miss-counter:menu', 'cache-miss:hit-ratio']);
});

test('a link to a statement selects whatever finding the statement became: the index it misses ranks after the cache that multiplies its calls', () => {
  const sql = 'SELECT * FROM tickets WHERE status = $1';
  const ranked = rankFindings([
    f('missing-index:public.tickets(status)', 'missing-index', 'high', 0.65, 'GET /map', { metrics: { statement: sql } }),
    f('missing-index:public.riders(email)', 'missing-index', 'high', 0.7, 'GET /riders', { metrics: { statement: 'SELECT * FROM riders WHERE email = $1' } }),
    f('cache-miss:repeats:GET /map', 'cache-miss', 'high', 0.5, 'GET /map', { explains: [{ category: 'missing-index', statements: [sql], as: 'contributes' }] }),
  ]);
  // The other statement's index, larger, keeps its place ahead of both.
  assert.deepEqual(ranked.map((x) => `${x.id}/${x.severity}`), ['missing-index:public.riders(email)/high', 'cache-miss:repeats:GET /map/high', 'missing-index:public.tickets(status)/high']);
});
