/**
 * Run schedulers for `tuneup ab` and `tuneup validate`: interleave the two
 * variants A B A B … with a random first side (drift cancels), and keep
 * adding pairs while the primary metric is unresolved (tachometer's
 * auto-sampling) up to a maximum and a time budget. Pure: the runner and
 * the clock are injected, so the policy is tested without load.
 *
 * @module
 */
import type { RunResult } from '../result/types.js';
import { compareRuns, type CompareOptions } from './compare.js';
import { hashSeed } from './stats/prng.js';
import type { Comparison } from './types.js';
import { isUnresolved } from './verdict.js';

/** A variant: A is the baseline ("before"), B the candidate ("after"). */
export type Side = 'A' | 'B';

/** Options of {@link runInterleaved} and {@link runAgainstBaseline}. */
export interface ScheduleOptions {
  /** Runs one variant once and returns its result. Called strictly one at a time. */
  runOnce: (side: Side, index: number) => Promise<RunResult>;
  /** Pairs (or candidate runs) before the first look (default 5). */
  pairs?: number;
  /** Upper bound when extending (default 10). */
  maxPairs?: number;
  /** Stop extending when the next pair would end after this many ms from the start (default: no budget). */
  budgetMs?: number;
  /** Seed of the first-side draw (stored in the result). */
  seed?: number;
  /** Milliseconds clock (default Date.now). */
  now?: () => number;
  /** Passed to compareRuns. */
  compare?: CompareOptions;
  /** Progress callback (the CLI prints it; the library never does). */
  onProgress?: (event: { side: Side; index: number; runId: string; pairs: number }) => void;
}

/** Outcome of a schedule. */
export interface ScheduleOutcome {
  a: RunResult[];
  b: RunResult[];
  comparison: Comparison;
}

/** Why sampling stopped. */
export type StopReason = 'resolved' | 'max-pairs' | 'time-budget' | 'guardrail';

/**
 * True when more runs could change the answer: no guardrail tripped and
 * the primary row is `~` with its interval straddling ±θ (or no interval yet).
 */
export function needsMoreRuns(comparison: Comparison): boolean {
  if (comparison.reasons.length > 0) return false;
  const primary = comparison.rows.find((r) => r.primary);
  if (!primary) return false;
  return isUnresolved(primary.verdict, primary.ci?.lower ?? null, primary.ci?.upper ?? null, primary.threshold);
}

function stopAfterLook(comparison: Comparison, pairs: number, maxPairs: number, fitsBudget: boolean): StopReason | null {
  if (!needsMoreRuns(comparison)) return comparison.reasons.length > 0 ? 'guardrail' : 'resolved';
  if (pairs >= maxPairs) return 'max-pairs';
  if (!fitsBudget) return 'time-budget';
  return null;
}

function bounds(options: ScheduleOptions): { pairs: number; maxPairs: number; now: () => number } {
  const pairs = Math.max(1, Math.floor(options.pairs ?? 5));
  return { pairs, maxPairs: Math.max(pairs, Math.floor(options.maxPairs ?? 10)), now: options.now ?? Date.now };
}

/**
 * `tuneup ab`: run A and B interleaved, first side drawn from the seed,
 * `pairs` pairs, then one more pair at a time while {@link needsMoreRuns},
 * until `maxPairs` or the budget (estimated from the mean pair duration so far).
 */
export async function runInterleaved(options: ScheduleOptions): Promise<ScheduleOutcome> {
  const { pairs: minPairs, maxPairs, now } = bounds(options);
  const seed = options.seed ?? 1;
  // The top bit of a well-mixed hash: one fair coin per seed (a PRNG's first draw is not).
  const firstSide: Side = hashSeed(seed) >>> 31 === 0 ? 'A' : 'B';
  const order: Side[] = firstSide === 'A' ? ['A', 'B'] : ['B', 'A'];
  const a: RunResult[] = [];
  const b: RunResult[] = [];
  const start = now();
  let pairs = 0;
  let comparison: Comparison | undefined;
  let stoppedBy: StopReason = 'max-pairs';
  while (true) {
    for (const side of order) {
      const run = await options.runOnce(side, side === 'A' ? a.length : b.length);
      (side === 'A' ? a : b).push(run);
      options.onProgress?.({ side, index: (side === 'A' ? a : b).length - 1, runId: run.id, pairs });
    }
    pairs++;
    if (pairs < minPairs) continue;
    comparison = compareRuns(a, b, { design: 'interleaved', labels: { before: 'A', after: 'B' }, ...options.compare });
    const perPair = (now() - start) / pairs;
    const fitsBudget = options.budgetMs === undefined || now() - start + perPair <= options.budgetMs;
    const stop = stopAfterLook(comparison, pairs, maxPairs, fitsBudget);
    if (stop) {
      stoppedBy = stop;
      break;
    }
  }
  comparison.sampling = { pairs, extended: pairs > minPairs, firstSide, stoppedBy };
  return { a, b, comparison };
}

/**
 * `tuneup validate`: the baseline runs are fixed (A); run the candidate (B)
 * `pairs` times, then one more at a time while unresolved. The design is
 * sequential (the baseline ran earlier), and the comparison says so.
 */
export async function runAgainstBaseline(baseline: readonly RunResult[], options: ScheduleOptions): Promise<ScheduleOutcome> {
  const { pairs: minRuns, maxPairs: maxRuns, now } = bounds(options);
  const b: RunResult[] = [];
  const start = now();
  let comparison: Comparison | undefined;
  let stoppedBy: StopReason = 'max-pairs';
  while (true) {
    const run = await options.runOnce('B', b.length);
    b.push(run);
    options.onProgress?.({ side: 'B', index: b.length - 1, runId: run.id, pairs: b.length });
    if (b.length < minRuns) continue;
    comparison = compareRuns(baseline, b, { design: 'sequential', labels: { before: 'baseline', after: 'candidate' }, ...options.compare });
    const perRun = (now() - start) / b.length;
    const fitsBudget = options.budgetMs === undefined || now() - start + perRun <= options.budgetMs;
    const stop = stopAfterLook(comparison, b.length, maxRuns, fitsBudget);
    if (stop) {
      stoppedBy = stop;
      break;
    }
  }
  comparison.sampling = { pairs: b.length, extended: b.length > minRuns, firstSide: 'B', stoppedBy };
  return { a: [...baseline], b, comparison };
}
