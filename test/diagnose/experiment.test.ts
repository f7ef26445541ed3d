/**
 * The pure parts of `tuneup diagnose`'s experiment: which findings are
 * suspects, confirmation and refutation from isolated outcomes, the overload
 * finding, the diagnosis rate, the plan's mix, and how an endpoint is
 * isolated from a plan.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointDemand, ExperimentSection, Finding, RunResult } from '../../src/result/types.js';
import type { StatementAttribution } from '../../src/diagnose/demand.js';
import {
  chooseRate,
  diagnosisLengthMs,
  confirmFindings,
  drainMs,
  findIsolation,
  isolationRawPlan,
  isSuspect,
  isUnplaced,
  mixPlan,
  overloadFinding,
  planMix,
  saturatedResource,
  scenarioEndpoints,
  suspectEndpoints,
  withExploration,
  sameProblem,
  reattributionCandidates,
  withOverloadFirst,
  type IsolatedOutcome,
} from '../../src/diagnose/experiment/index.js';
import { resolvePlan, type PlanOptions } from '../../src/plan/index.js';
import { requestEndpointName } from '../../src/plan/workload.js';
import { makeResult } from './helpers.js';

function finding(over: Partial<Finding> & Pick<Finding, 'id' | 'category'>): Finding {
  return {
    rule: over.category,
    severity: 'high',
    title: over.id,
    summary: '',
    evidence: [{ label: 'x', value: 1, source: 'test' }],
    recommendation: { text: 'fix' },
    confidence: 0.9,
    impact: 0.5,
    ...over,
  };
}

const demand = (endpoint: string, over: Partial<EndpointDemand> = {}): EndpointDemand => ({ endpoint, method: 'profile', dbMs: 40, dbCalls: 1, responseBytes: 300, mainThreadCpuMs: 1.5, ...over });
const stmt = (endpoint: string, queryid: string, execMsPerRequest: number): StatementAttribution => ({ queryid, endpoint, callsPerRequest: 1, execMsPerRequest, method: 'direct' });

test('isSuspect: medium+ with an endpoint, attributed by a mixed-run estimate (the field, or the category when the field is absent)', () => {
  assert.equal(isSuspect(finding({ id: 'a', category: 'missing-index', endpoint: 'GET /a' })), true);
  assert.equal(isSuspect(finding({ id: 'a', category: 'missing-index', endpoint: 'GET /a', severity: 'low' })), false);
  assert.equal(isSuspect(finding({ id: 'a', category: 'missing-index' })), false, 'no endpoint');
  assert.equal(isSuspect(finding({ id: 'a', category: 'missing-index', endpoint: 'GET /a', attribution: 'direct' })), false);
  assert.equal(isSuspect(finding({ id: 'a', category: 'slow-dependency', endpoint: 'GET /a' })), false, 'not a statement/command attribution');
  assert.equal(isSuspect(finding({ id: 'a', category: 'slow-dependency', endpoint: 'GET /a', attribution: 'mixed-estimate' })), true);
  const endpoints = suspectEndpoints([
    finding({ id: 'n1', category: 'n-plus-one', endpoint: 'GET /b' }),
    finding({ id: 'mi', category: 'missing-index', endpoint: 'GET /a' }),
    finding({ id: 'big', category: 'large-payload', endpoint: 'GET /b' }),
  ]);
  assert.deepEqual(endpoints, [{ endpoint: 'GET /b', findingIds: ['n1', 'big'] }, { endpoint: 'GET /a', findingIds: ['mi'] }]);
});

test('confirmFindings: confirmed when the endpoint alone shows the category, with its cost per request as evidence', () => {
  const mi = finding({ id: 'missing-index:public.orders(reference)', category: 'missing-index', endpoint: 'GET /orders/:id' });
  const isolated = [finding({ id: 'missing-index:public.orders(reference)', category: 'missing-index', endpoint: 'GET /orders/:id', severity: 'medium' })];
  const outcome: IsolatedOutcome = { endpoint: 'GET /orders/:id', status: 'ran', demand: demand('GET /orders/:id', { dbMs: 45.4 }), findings: isolated, statements: [stmt('GET /orders/:id', '42', 45)] };
  const [out] = confirmFindings([mi], [outcome]);
  assert.equal(out!.confirmation?.status, 'confirmed');
  assert.equal(out!.severity, 'high');
  // The category's own measurement first: DB time, then calls.
  assert.deepEqual(out!.confirmation!.evidence.slice(0, 2).map((e) => [e.label, e.value]), [
    ['DB time per request (alone)', 45.4],
    ['DB calls per request (alone)', 1],
  ]);
  assert.match(out!.confirmation!.evidence.at(-1)!.value as string, /queryid 42: 100 % of DB time/);
});

test('confirmFindings: a finding elsewhere in the isolation run does not confirm it; the same statement dominating does', () => {
  const q = finding({ id: 'inefficient-query:777', category: 'inefficient-query', endpoint: 'GET /a' });
  const otherEndpoint = finding({ id: 'inefficient-query:777', category: 'inefficient-query', endpoint: 'GET /b' });
  const statements = [stmt('GET /a', '777', 30), stmt('GET /a', '5', 3)];
  const outcomes: IsolatedOutcome[] = [
    { endpoint: 'GET /a', status: 'ran', demand: demand('GET /a'), findings: [otherEndpoint], statements },
  ];
  const [out] = confirmFindings([q], outcomes);
  assert.equal(out!.confirmation?.status, 'confirmed');
  assert.match(out!.confirmation!.reason!, /queryid 777\) takes 90\.9 %/);
  const [no] = confirmFindings([q], [{ ...outcomes[0]!, statements: [stmt('GET /a', '777', 3), stmt('GET /a', '5', 30)] }]);
  assert.equal(no!.confirmation?.status, 'refuted');
});

test('confirmFindings: refuted → low, ranked last, evidence kept, when no endpoint alone shows it', () => {
  const wrong = finding({ id: 'n-plus-one:GET /a:9', category: 'n-plus-one', endpoint: 'GET /a', severity: 'critical' });
  const other = finding({ id: 'cache-miss:hit-ratio', category: 'cache-miss', endpoint: 'GET /c' });
  const outcomes: IsolatedOutcome[] = [
    { endpoint: 'GET /a', status: 'ran', demand: demand('GET /a', { dbCalls: 1 }), findings: [], statements: [] },
    { endpoint: 'GET /c', status: 'not-tested', reason: 'sent by a flow', findings: [], statements: [] },
  ];
  const out = confirmFindings([wrong, other], outcomes);
  assert.deepEqual(out.map((f) => f.id), ['cache-miss:hit-ratio', 'n-plus-one:GET /a:9']);
  const refuted = out[1]!;
  assert.equal(refuted.severity, 'low');
  assert.equal(refuted.confirmation?.status, 'refuted');
  assert.equal(refuted.confirmation?.originalSeverity, 'critical');
  assert.match(refuted.confirmation!.reason!, /GET \/a alone does not show n-plus-one$/);
  assert.deepEqual(refuted.evidence, wrong.evidence);
  assert.equal(refuted.confirmation!.evidence[0]!.label, 'DB calls per request (alone)');
  assert.deepEqual(out[0]!.confirmation, { status: 'not-tested', evidence: [], reason: 'sent by a flow' });
});

test('confirmFindings: a finding lowered only for a doubtful attribution is a suspect; the endpoint alone settles it (confirmed: its graded severity back, ranked by score; refuted: stays low)', () => {
  const doubted = finding({
    id: 'n-plus-one:GET /itineraries/:id',
    category: 'n-plus-one',
    endpoint: 'GET /itineraries/:id',
    severity: 'low',
    impact: 0.05,
    confidence: 0.3,
    attribution: 'mixed-estimate',
    attributionDoubt: { severity: 'medium', impact: 1, confidence: 0.7, reason: 'its 32 calls per request would take ~9.8 ms one after another, beyond the 6 ms its requests took' },
  });
  const other = finding({ id: 'missing-index:public.notes(x)', category: 'missing-index', endpoint: 'GET /notes', severity: 'medium', impact: 0.3, attribution: 'direct' });
  assert.equal(isSuspect(doubted), true);
  assert.equal(isSuspect({ ...doubted, attributionDoubt: undefined }), false, 'low without a doubt is not a suspect');
  assert.deepEqual(suspectEndpoints([other, doubted]), [{ endpoint: 'GET /itineraries/:id', findingIds: ['n-plus-one:GET /itineraries/:id'] }]);
  const alone = finding({ id: 'n-plus-one:GET /itineraries/:id', category: 'n-plus-one', endpoint: 'GET /itineraries/:id', severity: 'medium', attribution: 'direct' });
  const ran = (findings: Finding[]): IsolatedOutcome[] => [{ endpoint: 'GET /itineraries/:id', status: 'ran', demand: demand('GET /itineraries/:id', { dbCalls: 33.8 }), findings, statements: [] }];

  const confirmed = confirmFindings([other, doubted], ran([alone]));
  assert.deepEqual(confirmed.map((f) => f.id), ['n-plus-one:GET /itineraries/:id', 'missing-index:public.notes(x)'], 'ranked by its score once settled');
  const n1 = confirmed[0]!;
  assert.equal(n1.severity, 'medium');
  assert.equal(n1.impact, 1);
  assert.equal(n1.confidence, 0.7);
  assert.equal(n1.attributionDoubt, undefined);
  assert.equal(n1.confirmation?.status, 'confirmed');
  assert.equal(n1.confirmation?.originalSeverity, 'low');
  assert.match(n1.confirmation!.reason!, /alone shows it: .*the mixed run's doubt \(its 32 calls per request .*\) is settled/);

  const refuted = confirmFindings([other, doubted], ran([])).find((f) => f.id === doubted.id)!;
  assert.equal(refuted.severity, 'low');
  assert.equal(refuted.confirmation?.status, 'refuted');
  assert.equal(refuted.impact, 0.05);

  // Not isolated (a flow sends it): the doubt stands, low.
  const untested = confirmFindings([doubted], [{ endpoint: 'GET /itineraries/:id', status: 'not-tested', reason: 'sent by a flow', findings: [], statements: [] }])[0]!;
  assert.equal(untested.severity, 'low');
  assert.equal(untested.confirmation?.status, 'not-tested');
});

test('confirmFindings: placed on the wrong endpoint by the mixed run → moved to the endpoint that shows it alone, severity kept', () => {
  const wrong = finding({ id: 'n-plus-one:GET /a:9', category: 'n-plus-one', endpoint: 'GET /a', severity: 'critical' });
  const isolated = [finding({ id: 'n-plus-one:GET /b:9', category: 'n-plus-one', endpoint: 'GET /b' })];
  const outcomes: IsolatedOutcome[] = [
    { endpoint: 'GET /a', status: 'ran', demand: demand('GET /a', { dbCalls: 1 }), findings: isolated, statements: [] },
    { endpoint: 'GET /b', status: 'ran', demand: demand('GET /b', { dbCalls: 21 }), findings: isolated, statements: [] },
  ];
  const [moved] = confirmFindings([wrong], outcomes);
  assert.equal(moved!.endpoint, 'GET /b');
  assert.equal(moved!.severity, 'critical');
  assert.equal(moved!.confirmation?.status, 'confirmed');
  assert.equal(moved!.confirmation?.movedFrom, 'GET /a');
  assert.equal(moved!.confirmation?.shownBy, 'GET /b');
  assert.match(moved!.confirmation!.reason!, /placed it on GET \/a, which alone does not show it; GET \/b alone does/);
  // The owner's measurement, not the wrong endpoint's.
  assert.deepEqual([moved!.confirmation!.evidence[0]!.label, moved!.confirmation!.evidence[0]!.value], ['DB calls per request (alone)', 21]);

  // When the diagnosis already has the problem on the owner, the misplaced copy is a duplicate: refuted.
  const owned = finding({ id: 'n-plus-one:GET /b:9', category: 'n-plus-one', endpoint: 'GET /b', attribution: 'direct' });
  const out = confirmFindings([wrong, owned], outcomes);
  const copy = out.find((f) => f.id === wrong.id)!;
  assert.equal(copy.confirmation?.status, 'refuted');
  assert.equal(copy.confirmation?.shownBy, 'GET /b');
  assert.equal(copy.endpoint, 'GET /a');
});

test('sameProblem: an object finding needs the same object; an endpoint finding the same category', () => {
  const mi = (id: string) => ({ id: `missing-index:${id}`, category: 'missing-index' as const });
  assert.equal(sameProblem(mi('public.orders(reference)'), mi('public.orders(reference)')), true);
  assert.equal(sameProblem(mi('public.orders(reference)'), mi('public.orders(reference,status)')), true, 'same table, same leading column');
  assert.equal(sameProblem(mi('public.orders(reference)'), mi('public.orders(customer_id,id)')), false, 'another index on the same table');
  assert.equal(sameProblem(mi('public.orders(reference)'), mi('public.order_items(reference)')), false);
  assert.equal(sameProblem({ id: 'inefficient-query:1', category: 'inefficient-query' }, { id: 'inefficient-query:2', category: 'inefficient-query' }), false);
  assert.equal(sameProblem({ id: 'n-plus-one:GET /a', category: 'n-plus-one' }, { id: 'n-plus-one:GET /b', category: 'n-plus-one' }), true);
  assert.equal(sameProblem({ id: 'large-payload:GET /a', category: 'large-payload' }, { id: 'n-plus-one:GET /a', category: 'n-plus-one' }), false);
});

test('confirmFindings: another missing index on the same endpoint alone does not confirm the one the mixed run named', () => {
  const mi = finding({ id: 'missing-index:public.orders(reference)', category: 'missing-index', endpoint: 'GET /customers/:id/orders' });
  const other = finding({ id: 'missing-index:public.orders(customer_id,id)', category: 'missing-index', endpoint: 'GET /customers/:id/orders', severity: 'medium' });
  const owner = finding({ id: 'missing-index:public.orders(reference)', category: 'missing-index', endpoint: 'GET /orders/:id' });
  const outcomes: IsolatedOutcome[] = [
    { endpoint: 'GET /customers/:id/orders', status: 'ran', demand: demand('GET /customers/:id/orders'), findings: [other], statements: [] },
  ];
  const confirmed = confirmFindings([mi], outcomes);
  assert.equal(confirmed.find((f) => f.id === mi.id)!.confirmation?.status, 'refuted');
  // The index the endpoint did show alone is reported, found alone, ahead of the refuted one.
  assert.deepEqual(confirmed.map((f) => [f.id, f.confirmation?.status, f.confirmation?.foundAlone]), [
    [other.id, 'confirmed', true],
    [mi.id, 'refuted', undefined],
  ]);
  // The second round looks for it on the endpoints not yet run alone.
  assert.deepEqual(reattributionCandidates([mi], outcomes, ['GET /customers/:id/orders', 'GET /orders/:id', 'GET /health']), [
    { endpoint: 'GET /orders/:id', findingIds: [mi.id] },
    { endpoint: 'GET /health', findingIds: [mi.id] },
  ]);
  const [moved] = confirmFindings([mi], [...outcomes, { endpoint: 'GET /orders/:id', status: 'ran', demand: demand('GET /orders/:id'), findings: [owner], statements: [] }]);
  assert.equal(moved!.endpoint, 'GET /orders/:id');
  assert.equal(moved!.confirmation?.movedFrom, 'GET /customers/:id/orders');
  // Nothing to look for once an isolated endpoint shows it.
  assert.deepEqual(reattributionCandidates([mi], [...outcomes, { endpoint: 'GET /orders/:id', status: 'ran', findings: [owner], statements: [] }], ['GET /health']), []);
});

test('confirmFindings: every finding gets a confirmation; non-suspects say why they were not tested', () => {
  const out = confirmFindings(
    [
      finding({ id: 'db', category: 'db-config' }),
      finding({ id: 'low', category: 'missing-index', endpoint: 'GET /a', severity: 'low' }),
      finding({ id: 'dep', category: 'slow-dependency', endpoint: 'GET /q', attribution: 'direct' }),
      finding({ id: 'mi', category: 'missing-index', endpoint: 'GET /z' }),
    ],
    [],
  );
  assert.deepEqual(out.map((f) => [f.id, f.confirmation?.status, f.confirmation?.reason]), [
    ['db', 'not-tested', 'names no endpoint to isolate'],
    ['low', 'not-tested', 'below medium severity'],
    ['dep', 'not-tested', 'measured directly, not a mixed-run estimate'],
    ['mi', 'not-tested', 'not isolated (experiment budget or interrupted)'],
  ]);
});

function section(over: Partial<ExperimentSection>): ExperimentSection {
  return { steps: [], knee: { status: 'found', sustainedRate: 113, failedRate: 134, reasons: ['throughput 120/s < 95 % of the offered 134/s'] }, chosenRate: 79, chosenBy: 'knee', isolation: [], durationMs: 1, ...over };
}

test('overloadFinding: the plan past the measured capacity is a finding with the capacity, the requested rate and the saturated resource', () => {
  const f = overloadFinding(section({ requestedRate: 400, knee: { status: 'found', sustainedRate: 113, failedRate: 134, reasons: ['x'], saturatedResource: { name: 'PostgreSQL CPU', utilization: 0.93, detail: 'PostgreSQL processes 186 % of 2 cores' } } }));
  assert.ok(f);
  assert.equal(f.category, 'overload');
  assert.equal(f.severity, 'critical');
  assert.match(f.title, /asks for 400\/s; the service sustains about 113\/s/);
  assert.ok(f.evidence.some((e) => e.label === 'saturated resource' && /PostgreSQL CPU/.test(String(e.value))));
  assert.equal(overloadFinding(section({ requestedRate: 100 })), undefined, 'within capacity');
  assert.equal(overloadFinding(section({ requestedRate: 120 }))?.severity, 'medium', 'between the sustained and the failing rate');
  assert.equal(overloadFinding(section({ requestedRate: 400, knee: { status: 'not-reached', sustainedRate: 800, reasons: [] } })), undefined);
  assert.equal(overloadFinding(section({})), undefined, 'a closed plan has no rate');
});

test('withOverloadFirst: adds the finding first, or merges into the load rule\'s own overload finding', () => {
  const ours = overloadFinding(section({ requestedRate: 400 }))!;
  const a = finding({ id: 'mi', category: 'missing-index', endpoint: 'GET /a' });
  assert.deepEqual(withOverloadFirst([a], ours).map((f) => f.id), [ours.id, 'mi']);
  const theirs = finding({ id: 'overload:load', category: 'overload', severity: 'high' });
  const merged = withOverloadFirst([a, theirs], ours);
  assert.deepEqual(merged.map((f) => f.id), ['overload:load', 'mi']);
  assert.ok(merged[0]!.evidence.some((e) => e.label === 'sustained rate (capacity)' && e.value === 113));
  assert.equal(merged[0]!.confirmation?.status, 'confirmed');
});

test('chooseRate: 70 % of the knee, the plan\'s rate when lower, --rate first', () => {
  assert.deepEqual(chooseRate(section({}), { kneeShare: 0.7 }, 400), { rate: 79.1, by: 'knee' });
  assert.deepEqual(chooseRate(section({}), { kneeShare: 0.7 }, 50), { rate: 50, by: 'plan' });
  assert.deepEqual(chooseRate(section({}), { kneeShare: 0.7, rate: 33 }, 400), { rate: 33, by: 'flag' });
  assert.deepEqual(chooseRate(section({ knee: { status: 'not-reached', sustainedRate: 200, reasons: [] } }), { kneeShare: 0.7 }, undefined), { rate: 140, by: 'ramp-cap' });
  assert.deepEqual(chooseRate(section({ knee: { status: 'below-start', failedRate: 5, reasons: [] } }), { kneeShare: 0.7 }, 100), { rate: 1.75, by: 'knee' });
});

test('diagnosisLengthMs: two seconds per unknown of the cost model (endpoints + 1), at least the default, at most two minutes; a length given is kept', () => {
  const sized = { diagnosisMs: 20_000, sizeDiagnosisToMix: true };
  assert.equal(diagnosisLengthMs(sized, 5), 20_000);
  assert.equal(diagnosisLengthMs(sized, 18), 38_000);
  assert.equal(diagnosisLengthMs(sized, 200), 120_000);
  assert.equal(diagnosisLengthMs({ diagnosisMs: 10_000, sizeDiagnosisToMix: false }, 18), 10_000);
});

test('experimentOptionsFromFlags: without --duration the diagnosis run is sized to the mix; with it, the length is the one given', async () => {
  const { experimentOptionsFromFlags } = await import('../../src/cli/experiment-target.js');
  const flags = { isolate: '4s', maxIsolations: '7', step: '5s', maxSteps: '8', bisections: '2' };
  const auto = experimentOptionsFromFlags(flags as never);
  assert.equal(auto.sizeDiagnosisToMix, true);
  assert.equal(auto.diagnosisMs, 20_000);
  const given = experimentOptionsFromFlags({ ...flags, duration: '12s' } as never);
  assert.equal(given.sizeDiagnosisToMix, false);
  assert.equal(given.diagnosisMs, 12_000);
});

const YAML_PLAN: PlanOptions = {
  baseUrl: 'http://127.0.0.1:9/api',
  scenarios: {
    shop: {
      executor: 'constant-arrival-rate',
      rate: 300,
      duration: '30s',
      preAllocatedVUs: 10,
      requests: [
        { path: '/orders/{{ randomInt(1, 100) }}' },
        { path: '/orders/17', weight: 2 },
        { path: '/catalog', name: 'GET /catalog' },
      ],
    },
    checkout: { executor: 'constant-vus', vus: 2, duration: '30s', flow: [{ path: '/cart' }, { method: 'POST', path: '/pay', body: 'x' }] },
    admin: { executor: 'constant-arrival-rate', rate: 100, duration: '30s', preAllocatedVUs: 5, requests: [{ path: '/admin' }] },
  },
};

test('planMix: open scenarios weighted by their rates, closed ones at the mean open share; mixPlan runs them together', () => {
  const plan = resolvePlan({ raw: YAML_PLAN, env: {} });
  const mix = planMix(plan);
  assert.equal(mix.requestedRate, 400);
  assert.deepEqual(mix.closed, ['checkout']);
  assert.deepEqual(mix.shares.map((s) => [s.scenario, Math.round(s.share * 1000) / 1000]), [['shop', 0.5], ['checkout', 0.333], ['admin', 0.167]]);
  const step = mixPlan(plan, mix, 60, { durationMs: 5000, gracefulStopMs: 1000, label: 'step' });
  assert.deepEqual(step.scenarios.map((s) => [s.name, s.executor, s.startTimeMs, s.executor === 'constant-arrival-rate' ? s.rate : 0]), [
    ['shop', 'constant-arrival-rate', 0, 30],
    ['checkout', 'constant-arrival-rate', 0, 20],
    ['admin', 'constant-arrival-rate', 0, 10],
  ]);
  assert.deepEqual(step.thresholds, []);
});

test('requestEndpointName: the name, the templated route, or the static URL templated with the base path', () => {
  assert.equal(requestEndpointName({ path: '/orders/{{ randomInt(1, 100) }}' }, 'http://h/api'), 'GET /orders/:randomInt');
  assert.equal(requestEndpointName({ path: '/orders/17' }, 'http://h/api'), 'GET /api/orders/:id');
  assert.equal(requestEndpointName({ path: '/x', name: 'GET /named' }), 'GET /named');
  assert.equal(requestEndpointName({ path: '/items', json: { a: 1 } }), 'POST /items');
});

function sentBy(entries: [string, string, number][]): RunResult {
  return { metrics: entries.map(([scenario, endpoint, count]) => ({ name: 'http_reqs', type: 'counter', unit: '', tags: { scenario, endpoint }, count })) } as unknown as RunResult;
}

test('findIsolation: its own scenario, one requests: entry, or not testable with the reason', () => {
  const sent = scenarioEndpoints(sentBy([
    ['shop', 'GET /orders/:randomInt', 50],
    ['shop', 'GET /api/orders/:id', 100],
    ['shop', 'GET /catalog', 50],
    ['checkout', 'GET /api/cart', 20],
    ['checkout', 'POST /api/pay', 20],
    ['admin', 'GET /api/admin', 30],
  ]));
  assert.deepEqual(findIsolation('GET /api/admin', sent, YAML_PLAN, YAML_PLAN.baseUrl), { kind: 'scenario', scenario: 'admin' });
  const orders = findIsolation('GET /api/orders/:id', sent, YAML_PLAN, YAML_PLAN.baseUrl);
  assert.equal(orders.kind, 'request');
  assert.deepEqual(orders.kind === 'request' && orders.indexes, [1]);
  const pay = findIsolation('POST /api/pay', sent, YAML_PLAN, YAML_PLAN.baseUrl);
  assert.equal(pay.kind, 'none');
  assert.match(pay.kind === 'none' ? pay.reason : '', /"checkout" \(2 endpoints\) whose iterations call several endpoints/);
  assert.equal(findIsolation('GET /api/orders/:id', sent, undefined).kind, 'none', 'a code plan cannot be split by request');
  assert.match((findIsolation('GET /nowhere', sent) as { reason: string }).reason, /no scenario sent GET \/nowhere/);

  // The derived plan runs only that entry, keeps the rest of the plan, and resolves.
  const raw = isolationRawPlan(YAML_PLAN, orders as Extract<typeof orders, { kind: 'request' }>, { rate: 20, duration: '3s', preAllocatedVUs: 5, maxVUs: 50, gracefulStop: '1s' });
  assert.deepEqual(Object.keys(raw.scenarios!), ['shop']);
  assert.deepEqual((raw.scenarios!.shop as { requests: unknown[] }).requests, [{ path: '/orders/17', weight: 2 }]);
  const plan = resolvePlan({ raw, env: {} });
  assert.equal(plan.scenarios.length, 1);
  assert.equal(plan.scenarios[0]!.fixed?.url, 'http://127.0.0.1:9/api/orders/17');
});

test('drainMs: a failing step is followed by the time its backlog takes to drain, at most 10 s', () => {
  // 140/s offered, 78/s finished over 5 s: ~4 s of work queued, plus a 2 s response time in flight.
  assert.equal(drainMs({ offeredRate: 140, achievedRate: 78, p95Ms: 2000 }, 5000), 5974);
  assert.equal(drainMs({ offeredRate: 50, achievedRate: 50, p95Ms: 300 }, 5000), 300);
  assert.equal(drainMs({ offeredRate: 500, achievedRate: 5, p95Ms: null }, 5000), 10_000);
});

test('a suspect the mixed run could not place: every endpoint runs alone, and the one that shows it confirms it', () => {
  const unplaced = finding({ id: 'missing-index:public.orders(reference)', category: 'missing-index' });
  assert.equal(isUnplaced(unplaced), true);
  assert.equal(isUnplaced(finding({ id: 'db', category: 'db-config' })), false);
  const placed = finding({ id: 'big', category: 'large-payload', endpoint: 'GET /export' });
  assert.deepEqual(suspectEndpoints([placed, unplaced], ['GET /a', 'GET /export']), [
    { endpoint: 'GET /export', findingIds: ['big', unplaced.id] },
    { endpoint: 'GET /a', findingIds: [unplaced.id] },
  ]);
  const isolated = [finding({ id: unplaced.id, category: 'missing-index', endpoint: 'GET /orders/:id' })];
  const ran = (endpoint: string): IsolatedOutcome => ({ endpoint, status: 'ran', demand: demand(endpoint), findings: isolated, statements: [] });
  const [confirmed] = confirmFindings([unplaced], [ran('GET /a'), ran('GET /orders/:id')]);
  assert.equal(confirmed!.confirmation?.status, 'confirmed');
  assert.equal(confirmed!.confirmation?.shownBy, 'GET /orders/:id');
  assert.equal(confirmed!.endpoint, 'GET /orders/:id', 'the finding now names the endpoint the isolation placed it on');
  assert.equal(confirmed!.confirmation?.evidence[0]?.label, 'DB time per request (alone)');
  const [refuted] = confirmFindings([unplaced], [ran('GET /a'), ran('GET /b')]);
  assert.equal(refuted!.confirmation?.status, 'refuted');
  assert.equal(refuted!.severity, 'low');
  assert.match(refuted!.confirmation!.reason!, /no endpoint run alone shows missing-index \(GET \/a, GET \/b\)/);
});

const stats = (median: number) => ({ n: 5, mean: median, median, p90: median, max: median, min: median });

function stepWith(data: Record<string, unknown>, generatorCpu = 10): RunResult {
  return { environment: { cpus: 2 }, generator: { cpuPercent: { mean: generatorCpu, max: generatorCpu } }, probes: [{ probe: 'process', ok: true, data }] } as unknown as RunResult;
}

test('saturatedResource: the most utilized resource at 85 % or more, naming who holds a saturated host', () => {
  assert.deepEqual(saturatedResource(stepWith({ cpuPercent: stats(99), mainThreadCpuPercent: stats(97) })), {
    name: "the service's main thread (event loop)",
    utilization: 0.97,
    detail: 'main thread CPU 97 % of one core',
  });
  assert.equal(saturatedResource(stepWith({ cpuPercent: stats(40), mainThreadCpuPercent: stats(35) })), undefined, 'nothing saturated');
  const pgBound = saturatedResource(stepWith({ cpuPercent: stats(20), mainThreadCpuPercent: stats(18), postgres: { cpuPercent: stats(180) } }));
  assert.equal(pgBound?.name, 'PostgreSQL CPU');
  const group = (median: number) => ({ cpuPercent: stats(median), cpuMsTotal: 0 });
  const host = { cores: 2, cpuPercent: stats(196), stealPercent: stats(0), generatorPid: 1, groups: { target: group(30), postgres: group(20), redis: group(1), generator: group(10), other: group(135) } };
  const contended = saturatedResource(stepWith({ cpuPercent: stats(30), mainThreadCpuPercent: stats(28), host }));
  assert.equal(contended?.name, 'the host CPU');
  assert.equal(contended?.detail, '196 % of 2 cores: other processes 135 %, service 30 %, PostgreSQL 20 %, load generator 10 %, Redis 1 %');
  assert.equal(saturatedResource({ environment: { cpus: 2 }, generator: { cpuPercent: { mean: 5, max: 5 } } } as unknown as RunResult), undefined, 'no process probe');
});

test('a cache-miss suspect its endpoint alone does not show stays as measured (not tested): a short isolated run repeats too few keys to refute it', () => {
  const miss = finding({ id: 'cache-miss:hit-ratio', category: 'cache-miss', endpoint: 'GET /products/:id', severity: 'high' });
  const outcomes: IsolatedOutcome[] = [{ endpoint: 'GET /products/:id', status: 'ran', demand: demand('GET /products/:id', { redisCommands: 2 }), findings: [], statements: [] }];
  const [out] = confirmFindings([miss], outcomes);
  assert.equal(out!.severity, 'high');
  assert.equal(out!.confirmation?.status, 'not-tested');
  assert.match(out!.confirmation!.reason!, /cannot: a cache is judged on the keys the load repeats/);
  // ...and no second round looks for it on other endpoints.
  assert.deepEqual(reattributionCandidates([miss], outcomes, ['GET /products/:id', 'GET /search']), []);
  // Shown alone, it is confirmed as before.
  const [shown] = confirmFindings([miss], [{ ...outcomes[0]!, findings: [finding({ id: 'cache-miss:hit-ratio', category: 'cache-miss', endpoint: 'GET /products/:id' })] }]);
  assert.equal(shown!.confirmation?.status, 'confirmed');
});

test('withExploration: after the suspects, the other endpoints by the time the mixed run spent in them, within the budget', () => {
  const result = makeResult({
    'GET /a': { requests: [10, 10], serviceMeanMs: 5 },
    'GET /slow': { requests: [2, 2], serviceMeanMs: 200 },
    'GET /busy': { requests: [50, 50], serviceMeanMs: 3 },
    'GET /idle': { requests: [0, 0], serviceMeanMs: 1 },
  });
  const suspects = [{ endpoint: 'GET /a', findingIds: ['x'] }];
  // /slow took 800 ms, /busy 300 ms; /idle sent nothing and is never run alone.
  assert.deepEqual(withExploration(suspects, result, 3), [...suspects, { endpoint: 'GET /slow', findingIds: [] }, { endpoint: 'GET /busy', findingIds: [] }]);
  assert.deepEqual(withExploration(suspects, result, 2), [...suspects, { endpoint: 'GET /slow', findingIds: [] }]);
  assert.deepEqual(withExploration(suspects, result, 1), suspects);
});

test('confirmFindings: a problem an endpoint shows alone that the mixed run missed is reported, found alone; others of the isolated run are not', () => {
  const blocked = finding({ id: 'event-loop-blocked:GET /forecast', category: 'event-loop-blocked', endpoint: 'GET /forecast', impact: 0.6 });
  const leak = finding({ id: 'memory-growth', category: 'memory-growth', endpoint: 'GET /forecast' });
  const quiet = finding({ id: 'n-plus-one:GET /forecast', category: 'n-plus-one', endpoint: 'GET /forecast', severity: 'low' });
  const mixed = [finding({ id: 'slow-dependency:GET /quote', category: 'slow-dependency', endpoint: 'GET /quote', impact: 0.9 }), finding({ id: 'db-config', category: 'db-config', impact: 0.1 })];
  const outcomes: IsolatedOutcome[] = [{ endpoint: 'GET /forecast', status: 'ran', demand: demand('GET /forecast'), findings: [blocked, leak, quiet], statements: [] }];
  const out = confirmFindings(mixed, outcomes);
  // The blocked loop, measured alone, goes where the ranking puts it among the mixed run's findings (a measured
  // cause before the residual wait); a memory trend of a few seconds and a low finding are not endpoint costs a
  // mixed run could have missed, and stay out.
  assert.deepEqual(out.map((f) => f.id), ['event-loop-blocked:GET /forecast', 'slow-dependency:GET /quote', 'db-config']);
  assert.equal(out[0]!.confirmation?.foundAlone, true);
  assert.equal(out[0]!.confirmation?.status, 'confirmed');
  // A problem the mixed run already named on that endpoint is confirmed, not added twice.
  const named = confirmFindings([...mixed, { ...blocked, severity: 'medium' }], outcomes);
  assert.equal(named.filter((f) => f.category === 'event-loop-blocked').length, 1);
  assert.equal(named.find((f) => f.category === 'event-loop-blocked')!.confirmation?.foundAlone, undefined);
});
