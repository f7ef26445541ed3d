import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTuneupError } from '../../src/errors.js';
import {
  collectThresholds,
  parseExpression,
  parseMetricKey,
  parseThreshold,
} from '../../src/thresholds/index.js';

function thresholdError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isTuneupError(error), `expected a TuneupError, got ${String(error)}`);
    assert.equal(error.code, 'TUNEUP_THRESHOLD_INVALID');
    return error.message;
  }
  assert.fail('expected an error');
}

describe('parseExpression', () => {
  it('parses every operator', () => {
    for (const op of ['>', '>=', '<=', '<', '==', '===', '!='] as const) {
      const e = parseExpression(`avg${op}12.5`);
      assert.equal(e.operator, op, op);
      assert.equal(e.value, 12.5);
      assert.equal(e.method, 'avg');
    }
  });

  it('parses every aggregation', () => {
    for (const m of ['avg', 'min', 'max', 'med', 'count', 'rate', 'value'] as const) {
      assert.equal(parseExpression(`${m}<1`).method, m);
    }
    const p = parseExpression('p(99.9)<300');
    assert.equal(p.method, 'p');
    assert.equal(p.percentile, 99.9);
    assert.equal(p.value, 300);
  });

  it('allows whitespace around the operator and keeps the source', () => {
    const e = parseExpression('  p( 95 )  <=  -1e3 ');
    assert.deepEqual(
      { method: e.method, percentile: e.percentile, operator: e.operator, value: e.value, source: e.source },
      { method: 'p', percentile: 95, operator: '<=', value: -1000, source: '  p( 95 )  <=  -1e3 ' },
    );
  });

  it('rejects percentiles outside 0–100', () => {
    assert.match(thresholdError(() => parseExpression('p(101)<5', 'http_req_duration')), /p\(101\) is outside 0–100/);
    assert.match(thresholdError(() => parseExpression('p(-1)<5')), /outside 0–100/);
    assert.equal(parseExpression('p(0)<5').percentile, 0);
    assert.equal(parseExpression('p(100)<5').percentile, 100);
  });

  it('explains malformed expressions with position and expectation', () => {
    const cases: [string, RegExp][] = [
      ['p95<200', /expected an aggregation .* at position 1 .*got "p"/],
      ['p(95<200', /expected '\)' to close p\( at position 5/],
      ['p()<200', /expected a percentile number inside p\( \) at position 3/],
      ['avg<>200', /expected a number after '<' at position 5 \('>200'\)/],
      ['avg 200', /expected an operator .* at position 5/],
      ['avg<', /expected a number after '<' at position 5 \(end of expression\)/],
      ['avg<200ms', /unexpected text after the number at position 8 \('ms'\)/],
      ['average<200', /got "average"/],
      ['medd<200', /did you mean "med"/],
      ['', /expected an aggregation/],
    ];
    for (const [expr, pattern] of cases) {
      const message = thresholdError(() => parseExpression(expr, 'http_req_duration'));
      assert.match(message, pattern, `${expr}: ${message}`);
      assert.match(message, /http_req_duration/, 'names the metric key');
    }
  });
});

describe('parseMetricKey', () => {
  it('parses a bare name', () => {
    assert.deepEqual(parseMetricKey('http_reqs'), { key: 'http_reqs', name: 'http_reqs', filter: {} });
  });

  it('splits each pair on its first colon so values keep spaces, colons and slashes', () => {
    const key = 'http_req_duration{endpoint:GET /api/orders/:id, status:200}';
    assert.deepEqual(parseMetricKey(key).filter, { endpoint: 'GET /api/orders/:id', status: '200' });
    assert.deepEqual(parseMetricKey('x{url:http://h:80/a}').filter, { url: 'http://h:80/a' });
  });

  it('accepts quoted values containing commas', () => {
    assert.deepEqual(parseMetricKey('http_req_duration{endpoint:"GET /a,b",status:\'2,0\'}').filter, {
      endpoint: 'GET /a,b',
      status: '2,0',
    });
  });

  it('rejects malformed keys', () => {
    assert.match(thresholdError(() => parseMetricKey('http_req_duration{status:200')), /missing its closing '}'/);
    assert.match(thresholdError(() => parseMetricKey('http_req_duration{status}')), /has no ':'/);
    assert.match(thresholdError(() => parseMetricKey('http_req_duration{}')), /empty tag filter/);
    assert.match(thresholdError(() => parseMetricKey('9bad')), /invalid metric name "9bad"/);
    assert.match(thresholdError(() => parseMetricKey('m{a:1,a:2}')), /appears twice/);
    assert.match(thresholdError(() => parseMetricKey('m{a:"open}')), /unterminated/);
  });
});

describe('parseThreshold', () => {
  it('accepts the object form', () => {
    const spec = parseThreshold('http_req_failed', { threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '10s' });
    assert.equal(spec.abortOnFail, true);
    assert.equal(spec.delayAbortEvalMs, 10_000);
    assert.equal(spec.metric.name, 'http_req_failed');
    assert.equal(spec.expression.method, 'rate');
  });

  it('checks the aggregation against built-in metric types', () => {
    assert.match(
      thresholdError(() => parseThreshold('http_req_failed', 'p(95)<1')),
      /"p\(95\)" is not valid for http_req_failed, a rate metric; use rate/,
    );
    assert.match(thresholdError(() => parseThreshold('http_req_duration', 'rate<1')), /a trend metric; use avg, min, max, med or p\(N\)/);
    assert.match(thresholdError(() => parseThreshold('vus', 'count<1')), /gauge metric; use value/);
    assert.match(thresholdError(() => parseThreshold('http_reqs', 'avg<1')), /counter metric; use count or rate/);
    assert.equal(parseThreshold('http_reqs', 'rate>10').expression.method, 'rate');
    assert.equal(parseThreshold('http_reqs', 'count>10').expression.method, 'count');
  });

  it('rejects bad object forms', () => {
    assert.match(thresholdError(() => parseThreshold('http_reqs', { threshold: 'count>1', abortOnFial: true } as never)), /did you mean "abortOnFail"/);
    assert.match(thresholdError(() => parseThreshold('http_reqs', { threshold: 'count>1', delayAbortEval: 'soon' })), /delayAbortEval/);
    assert.match(thresholdError(() => parseThreshold('http_reqs', { abortOnFail: true } as never)), /needs "threshold"/);
  });

  it('collects every problem and warns on unknown metrics', () => {
    const result = collectThresholds({
      http_req_duration: ['p(95)<200', 'p(99)<>1'],
      'http_req_failed{': ['rate<0.1'],
      http_req_duraton: ['avg<1'],
      my_custom: ['value>1'],
    });
    assert.equal(result.problems.length, 2);
    assert.equal(result.specs.length, 3);
    assert.equal(result.warnings.length, 2);
    assert.match(result.warnings[0], /did you mean "http_req_duration"/);
  });
});
