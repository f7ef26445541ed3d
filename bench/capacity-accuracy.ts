/**
 * How close `tuneup capacity` gets to a service's knee, how long it takes,
 * and how well its USL fit matches the measured points. Run:
 *
 *   node --import tsx bench/capacity-accuracy.ts [--capacity 170] [--step 5s] [--sweep-step 4s]
 *
 * The target is the test fixture with a capacity known by construction (a
 * paced FIFO queue: test/capacity/paced-service.ts) on 127.0.0.1. Two
 * measurements, one after the other:
 *
 * 1. `runCapacity` with its defaults (the command's search: ramp, bisection,
 *    3 runs at 3 rates near the knee), timed end to end.
 * 2. A separate fine sweep: constant-rate steps from 80 % to 120 % of the
 *    nominal capacity in 2.5 % increments, each judged by the same knee
 *    criteria; its knee is the highest rate sustained below the first failure.
 *
 * Reported: capacity's estimate and bracket, the sweep's knee, their relative
 * difference (goal: within 10 %), the wall time of the search, and the USL
 * fit's R², RMSE and MAPE on the search's points. Bounded: at most ~40 steps
 * of a few seconds each, all to 127.0.0.1.
 */
import { runCapacity, CAPACITY_DEFAULTS, stepPlan } from '../src/capacity/run.js';
import { runStepLoop } from '../src/capacity/ramp.js';
import { planMix } from '../src/diagnose/experiment/plans.js';
import { assembleRunResult } from '../src/engine/result.js';
import { startRun } from '../src/engine/run.js';
import { parseDuration, resolvePlan } from '../src/plan/index.js';
import { startPacedService } from '../test/capacity/paced-service.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const nominal = Number(arg('--capacity', '170'));
const stepMs = parseDuration(arg('--step', '5s'), '--step');
const sweepStepMs = parseDuration(arg('--sweep-step', '4s'), '--sweep-step');

const service = await startPacedService(nominal, 500);
try {
  const plan = resolvePlan({
    raw: {
      baseUrl: service.url,
      scenarios: { api: { executor: 'constant-arrival-rate', rate: Math.round(nominal / 2), duration: '1m', preAllocatedVUs: 20, requests: [{ path: '/work', name: 'GET /work' }] } },
      thresholds: { http_req_duration: ['p(95)<400'] },
    },
    source: 'bench/capacity-accuracy.ts',
    env: {},
  });

  // 1. The command's search.
  const t0 = Date.now();
  const { capacity } = await runCapacity({ plan }, { ...CAPACITY_DEFAULTS, stepMs });
  const searchMs = Date.now() - t0;

  // 2. The fine sweep, judged by the same criteria (and SLO) through the same step loop.
  const rates = Array.from({ length: 17 }, (_, i) => Math.round(nominal * (0.8 + 0.025 * i) * 10) / 10);
  const mix = planMix(plan);
  const t1 = Date.now();
  const sweep = await runStepLoop<'ramp'>(
    {
      next: (done) => (done.length < rates.length && !done.some((s) => !s.sustained && s.offeredRate > nominal * 1.1) ? { done: false, rate: rates[done.length]!, phase: 'ramp' } : { done: true }),
      run: async (rate) => ({ result: assembleRunResult(await startRun(stepPlan(plan, mix, rate, sweepStepMs), {}).done) }),
    },
    { stepMs: sweepStepMs, gapMs: 1000 },
  );
  const sweepMs = Date.now() - t1;
  const firstFail = sweep.find((s) => !s.sustained)?.offeredRate;
  const knee = Math.max(...sweep.filter((s) => s.sustained && (firstFail === undefined || s.offeredRate < firstFail)).map((s) => s.offeredRate));

  const e = capacity.estimate;
  const lines = [
    `capacity-accuracy ${new Date().toISOString()} node ${process.version}; paced service of nominal capacity ${nominal}/s`,
    `search (${stepMs / 1000} s steps, defaults): ${capacity.steps.length} steps in ${(searchMs / 1000).toFixed(1)} s; estimate ${e.rate}/s, bracket [${e.rate}, ${e.upper ?? '-'}) (${e.status})`,
    `  tallies: ${e.tallies.map((t) => `${t.rate}/s ${t.sustained}/${t.runs}`).join(', ')}`,
    `fine sweep (${sweepStepMs / 1000} s steps, 2.5 % apart): ${sweep.map((s) => `${s.offeredRate}${s.sustained ? '' : '✗'}`).join(' ')} in ${(sweepMs / 1000).toFixed(1)} s; knee ${knee}/s`,
    `estimate vs sweep knee: ${(((e.rate ?? NaN) / knee - 1) * 100).toFixed(1)} % (goal within ±10 %); vs nominal: ${(((e.rate ?? NaN) / nominal - 1) * 100).toFixed(1)} %`,
    capacity.usl.ok
      ? `USL on ${capacity.usl.fit.points.length} points: λ ${capacity.usl.fit.lambda.toFixed(1)}, σ ${capacity.usl.fit.sigma.toPrecision(3)}, κ ${capacity.usl.fit.kappa.toPrecision(3)}, N_max ${capacity.usl.fit.nMax ?? '∞'}; R² ${capacity.usl.fit.r2.toFixed(3)}, RMSE ${capacity.usl.fit.rmse.toFixed(1)}/s, MAPE ${(capacity.usl.fit.mape * 100).toFixed(1)} %`
      : `USL: no fit (${capacity.usl.reason})`,
  ];
  console.log(lines.join('\n'));
} finally {
  await service.close();
}
