/**
 * Guardrails: conditions under which a statistically clean difference
 * still must not be reported as a verdict, because the two sides were not
 * measured under the same conditions. Each returns reasons, never throws.
 *
 * @module
 */
import type { RunResult } from '../result/types.js';
import { pooledErrorRate } from './extract.js';
import type { ComparisonRow, InconclusiveReason, LatencyBasis } from './types.js';

/** Achieved rate must reach this share of the target (open model). */
export const MIN_ACHIEVED_SHARE = 0.99;

/** Offered load of the two sides may differ by at most this share. */
export const MAX_OFFERED_LOAD_DIFFERENCE = 0.01;

/** Requests needed per run for a percentile q: n ≥ 50 / (1 − q) (p95: 1,000; p99: 5,000). */
export function minTailSamples(q: number): number {
  return Math.ceil(50 / (1 - q) - 1e-9);
}

/** Open-model scenarios that achieved less than 99 % of their target rate. */
export function rateShortfall(runs: readonly RunResult[]): InconclusiveReason[] {
  const short: string[] = [];
  const details: string[] = [];
  for (const run of runs) {
    for (const s of run.scenarios) {
      if (s.model !== 'open' || s.targetRate === null || s.targetRate <= 0) continue;
      if (s.achievedRate < MIN_ACHIEVED_SHARE * s.targetRate) {
        if (!short.includes(run.id)) short.push(run.id);
        details.push(`${run.id}/${s.name} ${s.achievedRate.toFixed(1)} of ${s.targetRate.toFixed(1)} it/s`);
      }
    }
  }
  if (short.length === 0) return [];
  return [
    {
      code: 'rate-shortfall',
      message: `achieved rate below 99% of target (${details.join('; ')}): the sides did not see the same offered load`,
      runs: short,
    },
  ];
}

/** Total target rate of a run's open-model scenarios (0 when none). */
function offeredLoad(run: RunResult): number {
  return run.scenarios.reduce((s, x) => s + (x.model === 'open' && x.targetRate ? x.targetRate : 0), 0);
}

/** The two sides were run at different target rates. */
export function offeredLoadDiffers(before: readonly RunResult[], after: readonly RunResult[]): InconclusiveReason[] {
  const loads = [...before, ...after].map(offeredLoad);
  if (loads.every((l) => l === 0)) return [];
  const lo = Math.min(...loads);
  const hi = Math.max(...loads);
  if (hi - lo <= MAX_OFFERED_LOAD_DIFFERENCE * hi) return [];
  return [
    {
      code: 'offered-load-differs',
      message: `target rates differ between runs (${lo.toFixed(1)}…${hi.toFixed(1)} it/s): compare at the same offered load`,
      runs: [],
    },
  ];
}

/** Runs whose generator marked itself saturated (or, with its delays measured, whose timing it or the host distorted). */
function limitedRuns(runs: readonly RunResult[]): RunResult[] {
  return runs.filter((r) => r.generator.saturated || r.generator.limitedBy === 'generator-cpu' || r.generator.limitedBy === 'host-contention');
}

function describeLimit(r: RunResult): string {
  const g = r.generator;
  if (g.limitedBy === 'host-contention') return `${r.id}: host contention (generator delays ${Math.round((g.distortion?.share ?? 0) * 100)} % of the latency)`;
  return `${r.id}: ${g.evidence.map((e) => `${e.label} ${e.value}${e.unit} > ${e.limit}${e.unit}`).join(', ') || 'saturated'}`;
}

/**
 * How much of a run's latency at one percentile the generator's delays can
 * account for (ms): the start lag (response − service time, in the response
 * time only) plus the event-loop delay (a late loop reads every response
 * late), each at p50 for the median and at p99 for the tail. Undefined when
 * the run does not carry its start lag (results written before it was
 * recorded).
 */
export function generatorContaminationMs(run: RunResult, quantile: number, basis: LatencyBasis | null): number | undefined {
  const g = run.generator;
  if (!g.startLag && basis !== 'service') return undefined;
  const tail = quantile > 0.5;
  const loop = tail ? g.eventLoopDelay.p99 : g.eventLoopDelay.p50;
  const lag = basis === 'service' ? 0 : tail ? g.startLag!.p99 : g.startLag!.p50;
  return lag + loop;
}

/**
 * Proportional guard on a generator that limited some runs (issue 11 §2):
 * the verdict is withheld only when the measured start lag could explain
 * the difference or hide one, otherwise it stands with the lag as a note.
 * With C = the largest contamination (ms) of any limited run at the primary
 * percentile ({@link generatorContaminationMs}):
 * - improved/regressed: withheld when the change's smallest size consistent
 *   with the interval (its bound nearest zero, in ms of the before median) is
 *   ≤ C — the lag alone could have made it;
 * - `~`: withheld when C ≥ the noise threshold × the before median — the lag
 *   could hide a change the comparison would otherwise show.
 * Throughput with a generator that was CPU-bound is withheld (it capped the
 * rate itself); error rates get a note. Runs without a recorded start lag
 * keep the former rule (any limited run withholds the verdict).
 */
export function generatorLimited(
  runs: readonly RunResult[],
  primaryRow: ComparisonRow | undefined,
  quantile: number | undefined,
): { reasons: InconclusiveReason[]; notes: string[] } {
  const limited = limitedRuns(runs);
  if (limited.length === 0) return { reasons: [], notes: [] };
  const evidence = limited.map(describeLimit).join('; ');
  const refuse = (why: string) => ({
    reasons: [{ code: 'generator-saturated' as const, message: `the load generator limited the result (${evidence})${why ? `: ${why}` : ''}`, runs: limited.map((r) => r.id) }],
    notes: [],
  });
  if (!primaryRow) return refuse('');
  if (quantile === undefined) {
    if (primaryRow.metric === 'throughput' && limited.some((r) => r.generator.saturated)) return refuse('its own CPU capped the rate it could offer');
    return { reasons: [], notes: [`the load generator was limited in ${limited.length} run(s) (${evidence}); ${primaryRow.label} does not depend on its timing`] };
  }
  const contamination = limited.map((r) => generatorContaminationMs(r, quantile, primaryRow.basis));
  if (contamination.some((c) => c === undefined)) return refuse('the runs do not record their start lag, so its effect cannot be measured');
  const c = Math.max(...(contamination as number[]));
  const base = primaryRow.before.median;
  const note = `the load generator's delays reach ${c.toFixed(1)} ms at ${primaryRow.label} in ${limited.length} run(s) (${evidence})`;
  if (primaryRow.verdict === 'improved' || primaryRow.verdict === 'regressed') {
    const bounds = primaryRow.ci ? [primaryRow.ci.lower, primaryRow.ci.upper] : [primaryRow.logRatio];
    const nearest = Math.min(...bounds.map((b) => Math.abs(Math.expm1(b)) * base));
    if (nearest <= c) return refuse(`the change (at least ${nearest.toFixed(1)} ms) is within the ${c.toFixed(1)} ms the generator's delays can account for`);
    return { reasons: [], notes: [`${note}: smaller than the change (at least ${nearest.toFixed(1)} ms), so the verdict stands`] };
  }
  const detectable = primaryRow.threshold * base;
  if (c >= detectable) return refuse(`the ${c.toFixed(1)} ms of generator delay could hide a change of ${detectable.toFixed(1)} ms (the noise threshold)`);
  return { reasons: [], notes: [`${note}: below the ${detectable.toFixed(1)} ms noise threshold, so it cannot hide a change`] };
}

/**
 * Error rates differ materially when the pooled rates of the two sides
 * differ by more than a tenth of the tail the primary percentile reads
 * (`0.1 · (1 − q)`: 0.5 percentage points for p95, 0.1 for p99, 5 for
 * p50), or by more than 1 point when the primary metric is not a
 * percentile. Failed requests leave the latency histogram's tail (they are
 * survivors' statistics), so a shift of that size moves the percentile's
 * rank by ≥ 10 % of its tail.
 */
export function errorRatesDiffer(
  before: readonly RunResult[],
  after: readonly RunResult[],
  primaryQuantile: number | undefined,
): InconclusiveReason[] {
  const a = pooledErrorRate(before);
  const b = pooledErrorRate(after);
  const limit = primaryQuantile === undefined ? 0.01 : 0.1 * (1 - primaryQuantile);
  if (Math.abs(a - b) <= limit) return [];
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  return [
    {
      code: 'error-rates-differ',
      message: `error rates differ (${pct(a)} before, ${pct(b)} after; limit ±${pct(limit)}): latency of the survivors is not comparable`,
      runs: [],
    },
  ];
}

/** The sides used different load models (open vs closed), so their latencies measure different things. */
export function loadModelsDiffer(before: readonly RunResult[], after: readonly RunResult[]): InconclusiveReason[] {
  const models = new Set([...before, ...after].map((r) => r.model));
  if (models.size <= 1) return [];
  return [
    {
      code: 'load-models-differ',
      message: `runs mix load models (${[...models].join(', ')}): compare open with open and closed with closed`,
      runs: [],
    },
  ];
}

/** Runs with fewer than 50/(1−q) requests behind percentile q. */
export function tooFewTailSamples(runIds: readonly string[], counts: readonly number[], q: number, label: string): InconclusiveReason[] {
  const need = minTailSamples(q);
  const few = runIds.filter((_, i) => counts[i] < need);
  if (few.length === 0) return [];
  return [
    {
      code: 'too-few-tail-samples',
      message: `${label}: ${few.length} run(s) have fewer than ${need} requests (need 50/(1−q) for a stable percentile)`,
      runs: few,
    },
  ];
}
