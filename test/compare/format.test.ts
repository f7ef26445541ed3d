import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeText, deltaText } from '../../src/compare/format.js';
import type { ComparisonRow } from '../../src/compare/types.js';

const side = (median: number) => ({ median, values: [median, median, median, median, median], spread: 0 }) as unknown as ComparisonRow['before'];

function row(unit: ComparisonRow['unit'], before: number, after: number): ComparisonRow {
  return {
    metric: unit === 'rate' ? 'errors' : 'p95',
    endpoint: null,
    label: 'x',
    unit,
    basis: null,
    direction: 'lower-is-better',
    before: side(before),
    after: side(after),
    logRatio: Math.log(after / before),
    deltaPercent: (after / before - 1) * 100,
    ci: { lower: Math.log(after / before) - 0.01, upper: Math.log(after / before) + 0.01, confidence: 0.95 },
    p: 0.4,
    pAdjusted: 0.4,
    method: 'mann-whitney-exact',
    threshold: 0.05,
    verdict: '~',
    inconclusive: [],
    outliers: [],
    primary: true,
  } as unknown as ComparisonRow;
}

test('rates change in percentage points: two near-zero rates are not "+9.5 %" apart', () => {
  const r = row('rate', 0.00002, 0.0000219);
  assert.equal(deltaText(r), '0.00 pp');
  assert.match(changeText(r), /^~ 0\.00 pp \(p=0\.400 n=5\+5\)$/);
  assert.equal(deltaText(row('rate', 0.01, 0.0152)), '+0.52 pp');
});

test('latencies keep their relative change and interval', () => {
  const r = row('ms', 100, 60);
  assert.equal(deltaText(r), '−40.0%');
  assert.match(changeText(r), /^~ −40\.0% \[/);
});
