/**
 * The capacity section rendered as terminal text, Markdown and HTML from one
 * hand-made section, and the command's input checks (bad flags give a
 * TuneupError with its code and a hint, never a stack trace).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CapacitySection, CapacityStep } from '../../src/capacity/types.js';
import { sizeFleet } from '../../src/capacity/cost.js';
import { fitUsl, uslThroughput } from '../../src/capacity/usl.js';
import { capacityHeadline, renderCapacityMarkdown, renderCapacitySummary } from '../../src/report/capacity-text.js';
import { capacityChartData, capacitySection } from '../../src/report/capacity-html.js';
import { optionsFromFlags, sizingFromFlags } from '../../src/cli/commands/capacity-action.js';
import { isTuneupError } from '../../src/errors.js';

function step(offeredRate: number, sustained: boolean, phase: CapacityStep['phase'] = 'ramp'): CapacityStep {
  const achievedRate = Math.min(offeredRate, 170);
  return {
    phase, offeredRate, achievedRate, p50Ms: 6, p95Ms: sustained ? 8 : 600, meanMs: 7, concurrency: achievedRate * 0.007 * (sustained ? 1 : 30),
    errorRate: 0, droppedIterations: 0, latencyGrowthMs: 0, durationMs: 5000, sustained, reasons: sustained ? [] : ['throughput 170/s < 95 % of the offered 200/s'],
  };
}

const points = [1, 2, 4, 8, 16, 32].map((n) => ({ n, x: uslThroughput(n, { lambda: 100, sigma: 0.05, kappa: 0.001 }) }));
const section: CapacitySection = {
  steps: [step(85, true), step(170, true), step(340, false), step(240, false, 'bisect'), step(170, true, 'repeat'), step(185, false, 'repeat')],
  estimate: { status: 'found', rate: 170, upper: 185, tallies: [{ rate: 170, runs: 2, sustained: 2 }, { rate: 185, runs: 1, sustained: 0 }], method: 'highest offered rate sustained in every one of its runs', notes: [], saturatedThroughput: { mean: 170, min: 169, max: 171, steps: 3 } },
  slo: [{ label: 'http_req_duration p(95)<400', percentile: 95, valueMs: 400 }],
  bottleneck: { bounds: [{ resource: 'cpu', demandMs: 5.5, servers: 1, saturatesAt: 181.8, utilizationAtCapacity: 0.935 }], measuredAt: 170, method: 'profile', notes: [] },
  usl: fitUsl(points),
  cost: sizeFleet(170, { targets: [{ label: '2×', rate: 200 }], headroom: 0.3, pricePerHour: 0.1 }),
  durationMs: 60_000,
};

test('terminal and Markdown say the capacity, its bracket, each table and the cost', () => {
  assert.equal(capacityHeadline(section), 'capacity: 170/s (2 of 2 runs sustained); fails at 185/s (0 of 1 runs sustained) — the knee lies in [170, 185)/s');
  const text = renderCapacitySummary(section, { color: false });
  for (const part of ['Steps', 'Bottleneck at the knee', 'cpu', '182/s', 'Universal Scalability Law', 'Instances and cost', '730 h', '146.00', 'SLO judged on every step']) {
    assert.ok(text.includes(part), `terminal lacks ${part}:\n${text}`);
  }
  const md = renderCapacityMarkdown(section);
  assert.match(md, /^### capacity: 170\/s/);
  assert.match(md, /\| 2× \| 200\/s \| 2 \| 146\.00 \|/);
});

test('HTML: the section, the curve data (one point per offered rate, knee bracket, SLO) and the USL curve', () => {
  const html = capacitySection(section);
  assert.match(html, /id="chart-capacity"/);
  assert.match(html, /id="chart-usl"/);
  const data = capacityChartData(section) as { rates: number[]; achieved: number[]; knee: number; upper: number; slo: { valueMs: number }; usl: { n: number[] } };
  assert.deepEqual(data.rates, [85, 170, 185, 240, 340]);
  assert.equal(data.knee, 170);
  assert.equal(data.upper, 185);
  assert.equal(data.slo.valueMs, 400);
  assert.ok(data.usl.n.length > 6);
  assert.equal(capacitySection(undefined), '');
});

test('bad input is a TuneupError with a code and a hint', () => {
  const base = { headroom: '0.3' };
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      assert.ok(isTuneupError(error), String(error));
      assert.ok(error.hint, 'a hint');
      return error.code;
    }
    return 'no error';
  };
  assert.equal(code(() => sizingFromFlags({ ...base, headroom: '1' })), 'TUNEUP_OPTION_INVALID');
  assert.equal(code(() => sizingFromFlags({ ...base, growth: '2,x' })), 'TUNEUP_OPTION_INVALID');
  assert.equal(code(() => sizingFromFlags({ ...base, targetRate: '-5' })), 'TUNEUP_OPTION_INVALID');
  assert.deepEqual(sizingFromFlags({ ...base, growth: '2, 3,5', pricePerHour: '0.2' }), { targets: [], growth: [2, 3, 5], headroom: 0.3, pricePerHour: 0.2 });
  const flags = { step: '5s', gap: '1s', maxSteps: '10', bisections: '3', repeats: '3', repeatPoints: '3', headroom: '0.3' };
  assert.equal(code(() => optionsFromFlags({ ...flags, step: '1s' })), 'TUNEUP_OPTION_INVALID');
  assert.equal(code(() => optionsFromFlags({ ...flags, repeatPoints: '1' })), 'TUNEUP_OPTION_INVALID');
  assert.equal(code(() => optionsFromFlags({ ...flags, startRate: '50', maxRate: '10' })), 'TUNEUP_OPTION_INVALID');
  assert.equal(optionsFromFlags({ ...flags, repeats: '1' }).repeat.repeats, 1);
});
