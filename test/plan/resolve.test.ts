import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTuneupError } from '../../src/errors.js';
import { resolvePlan, type ResolveInput } from '../../src/plan/index.js';

const requests = [{ path: '/' }];
const base = { baseUrl: 'http://127.0.0.1:9', requests };

function problems(raw: unknown, extra: Partial<ResolveInput> = {}): string {
  try {
    resolvePlan({ raw, env: {}, ...extra });
  } catch (error) {
    assert.ok(isTuneupError(error), String(error));
    assert.equal(error.code, extra.overrides ? error.code : 'TUNEUP_PLAN_INVALID');
    return error.message;
  }
  assert.fail('expected the plan to be rejected');
}

const scenario = (s: Record<string, unknown>) => ({ ...base, scenarios: { s } });

describe('resolvePlan validation (k6 rules)', () => {
  it('applies every default', () => {
    const plan = resolvePlan({
      raw: {
        ...base,
        scenarios: {
          a: { executor: 'constant-vus', duration: '1s' },
          b: { executor: 'ramping-vus', stages: [{ duration: '1s', target: 3 }] },
          c: { executor: 'per-vu-iterations' },
          d: { executor: 'ramping-arrival-rate', stages: [{ duration: 500, target: 5 }], preAllocatedVUs: 1 },
        },
      },
      env: {},
    });
    const [a, b, c, d] = plan.scenarios;
    assert.equal(plan.timeoutMs, 60_000);
    assert.deepEqual(a.executor === 'constant-vus' && [a.vus, a.durationMs, a.startTimeMs, a.gracefulStopMs], [1, 1000, 0, 30_000]);
    assert.deepEqual(b.executor === 'ramping-vus' && [b.startVUs, b.gracefulRampDownMs], [1, 30_000]);
    assert.deepEqual(c.executor === 'per-vu-iterations' && [c.vus, c.iterations, c.maxDurationMs], [1, 1, 600_000]);
    assert.deepEqual(d.executor === 'ramping-arrival-rate' && [d.startRate, d.timeUnitMs, d.maxVUs, d.model], [0, 1000, 1, 'open']);
  });

  it('rejects invalid scenario names', () => {
    assert.match(problems({ ...base, scenarios: { 'my scenario': { executor: 'constant-vus', duration: '1s' } } }), /invalid scenario name "my scenario"/);
  });

  it('rejects k6-invalid combinations', () => {
    assert.match(problems(scenario({ executor: 'shared-iterations', vus: 5, iterations: 2 })), /iterations \(2\) can't be less than the number of VUs \(5\)/);
    assert.match(
      problems(scenario({ executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1s', target: 0 }] })),
      /either startVUs or one of the stage targets must be greater than 0/,
    );
    assert.match(problems(scenario({ executor: 'constant-arrival-rate', rate: 1, duration: '1s', preAllocatedVUs: 0 })), /needs at least 1 VU/);
    assert.match(problems(scenario({ executor: 'constant-arrival-rate', rate: 1, duration: '1s' })), /s\.preAllocatedVUs: required option is missing \(expected a number\)/);
    assert.match(problems(scenario({ executor: 'constant-vus', duration: '0s' })), /s\.duration: must be greater than 0/);
    assert.match(problems(scenario({ executor: 'constant-vus', duration: '1s', vus: 1.5 })), /s\.vus: expected an integer, got 1.5/);
    assert.match(problems(scenario({ executor: 'constant-vus', duration: 'ten seconds' })), /s\.duration: invalid duration "ten seconds"/);
    assert.match(problems(scenario({ executor: 'ramping-vus', stages: [] })), /s\.stages: needs at least 1 item/);
    assert.match(problems(scenario({ duration: '1s' })), /scenarios\.s: missing "executor"/);
  });

  it('lists every problem at once', () => {
    const message = problems({
      ...base,
      timeout: 'soon',
      scenarios: { a: { executor: 'constant-vus' }, b: { executor: 'constant-arrival-rate', rate: 'fast', duration: '1s', preAllocatedVUs: 1 } },
      thresholds: { http_req_failed: ['p(95)<1'] },
      extra: 1,
    });
    assert.match(message, /invalid plan \(5 problems\)/);
    assert.match(message, /^ {2}extra: unknown option "extra"; allowed: /m);
    assert.match(message, /timeout: invalid duration "soon"/);
    assert.match(message, /scenarios\.a\.duration: required option is missing/);
    assert.match(message, /scenarios\.b\.rate: expected a number, got "fast"/);
    assert.match(message, /thresholds\.http_req_failed: "p\(95\)<1": "p\(95\)" is not valid for http_req_failed, a rate metric; use rate/);
  });

  it('checks exec against the functions of a code plan', () => {
    const fn = async () => undefined;
    const raw = { scenarios: { s: { executor: 'constant-vus', duration: '1s', exec: 'brwose' } } };
    assert.match(problems(raw, { functions: { browse: fn } }), /scenarios\.s\.exec: no function "brwose" in functions \(did you mean "browse"\?\)/);
    assert.match(problems({ ...raw, baseUrl: 'http://h' }), /exec needs a code plan/);
  });

  it('needs something to run and a baseUrl for paths', () => {
    assert.match(problems({ scenarios: { s: { executor: 'constant-vus', duration: '1s' } } }), /scenario "s" has nothing to run/);
    assert.match(problems({ requests, scenarios: { s: { executor: 'constant-vus', duration: '1s' } } }), /requests\[0\]\.path: a "path" needs a baseUrl/);
    assert.match(problems({ ...base, baseUrl: 'ftp://x' }), /baseUrl: expected an http:\/\/ or https:\/\/ URL/);
    assert.match(problems({ ...base }), /the plan has no scenarios/);
  });

  it('builds the JSON view for RunResult.plan', () => {
    const plan = resolvePlan({
      raw: { ...base, name: 'n', scenarios: { s: { executor: 'constant-vus', duration: '1s' } }, thresholds: { http_reqs: 'count>1' }, slo: { p95: 200 } },
      source: 'plan.yaml',
      env: {},
    });
    assert.deepEqual(plan.json, {
      name: 'n',
      source: 'plan.yaml',
      baseUrl: 'http://127.0.0.1:9',
      scenarios: { s: { executor: 'constant-vus', duration: '1s' } },
      thresholds: { http_reqs: ['count>1'] },
      slo: { p95: 200 },
    });
  });

  it('makes every threshold abort in a breakpoint profile, adding a guard when none is given', () => {
    const plan = resolvePlan({ raw: { ...base, profile: { name: 'breakpoint', rate: 10 } }, env: {} });
    assert.deepEqual(
      plan.thresholds.map((t) => [t.metric.key, t.expression.source, t.abortOnFail, t.delayAbortEvalMs]),
      [['http_req_failed', 'rate<0.05', true, 10_000]],
    );
    const withOwn = resolvePlan({
      raw: { ...base, profile: { name: 'breakpoint', rate: 10 }, thresholds: { http_req_duration: ['p(95)<300'] } },
      env: {},
    });
    assert.deepEqual(withOwn.thresholds.map((t) => [t.expression.source, t.abortOnFail]), [['p(95)<300', true]]);
  });

  it('requires a rate for profiles other than smoke, and a profile for --rate', () => {
    assert.match(problems({ ...base, profile: { name: 'load' } }), /profile\.rate: profile "load" needs rate/);
    assert.match(problems({ ...base, scenarios: { s: { executor: 'constant-vus', duration: '1s' } } }, { overrides: { rate: 5 } }), /--rate \/ TUNEUP_RATE needs a profile/);
    const smoke = resolvePlan({ raw: { ...base, profile: { name: 'smoke' } }, env: {} });
    assert.equal(smoke.scenarios[0].executor, 'constant-vus');
    assert.ok(smoke.scenarios[0].fixed, 'the plan-level single request is fixed');
  });

  it('layers TUNEUP_* env over the file and flags over env', () => {
    const raw = { ...base, timeout: '5s', scenarios: { s: { executor: 'constant-vus', duration: '1s' } } };
    assert.equal(resolvePlan({ raw, env: {} }).timeoutMs, 5000);
    assert.equal(resolvePlan({ raw, env: { TUNEUP_TIMEOUT: '7s' } }).timeoutMs, 7000);
    assert.equal(resolvePlan({ raw, env: { TUNEUP_TIMEOUT: '7s' }, overrides: { timeout: '9s' } }).timeoutMs, 9000);
    assert.match(resolvePlan({ raw, env: { TUNEUP_DURATION: '5m' } }).warnings.join(), /only applies to profiles/);
    const moved = resolvePlan({ raw, env: {}, overrides: { baseUrl: 'http://10.0.0.1:8080/' } });
    assert.equal(moved.scenarios[0].fixed?.url, 'http://10.0.0.1:8080/');
  });
});
