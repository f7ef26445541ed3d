/**
 * Guardrails: conditions under which a statistically clean difference
 * still must not be reported as a verdict, because the two sides were not
 * measured under the same conditions. Each returns reasons, never throws.
 *
 * @module
 */
import type { RunResult } from '../result/types.js';
import { pooledErrorRate } from './extract.js';
import type { InconclusiveReason } from './types.js';

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

/** Runs whose generator marked itself saturated. */
export function generatorSaturated(runs: readonly RunResult[]): InconclusiveReason[] {
  const saturated = runs.filter((r) => r.generator.saturated);
  if (saturated.length === 0) return [];
  const evidence = saturated
    .map((r) => `${r.id}: ${r.generator.evidence.map((e) => `${e.label} ${e.value}${e.unit} > ${e.limit}${e.unit}`).join(', ') || 'saturated'}`)
    .join('; ');
  return [
    {
      code: 'generator-saturated',
      message: `the load generator limited the result (${evidence})`,
      runs: saturated.map((r) => r.id),
    },
  ];
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
