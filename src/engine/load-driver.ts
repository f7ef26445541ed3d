/**
 * The interface between the run orchestrator and whatever generates the
 * load (this thread, or worker threads).
 *
 * @module
 */
import type { SnapshotMetric } from '../metrics/index.js';
import type { LiveStats, RecorderSnapshot } from '../metrics/recorder-types.js';
import type { StreamedRow } from '../metrics/recorder.js';
import type { ScenarioResult } from '../result/types.js';
import type { LoopDelaySummary } from './health.js';
import type { ScenarioOutcome } from './scenarios.js';

/** What a load driver (this thread, or worker threads) hands back. */
export interface CombinedLoad {
  snapshot: RecorderSnapshot;
  scenarios: ScenarioResult[];
  errors: string[];
  errorCount: number;
  loopDelays: LoopDelaySummary[];
  cpuSamples: number[];
  maxRssBytes: number;
  counters: { openIterations: number; lateStarts: number; dropped: number };
  loadThreads: number;
}

/** A running load, whatever generates it. */
export interface LoadDriver {
  /**
   * Resolves with the clock time of t = 0 once the load really starts
   * (worker threads first load their modules and the plan). Never rejects;
   * failures surface through `done`.
   */
  started: Promise<number>;
  live(): LiveStats;
  /** Current metrics (for live abortOnFail thresholds). */
  metricsNow(): readonly SnapshotMetric[];
  /**
   * Interval rows every load thread has closed since the previous call,
   * combined (streaming outputs). Only when the driver was asked to watch rows.
   */
  takeRows?(): StreamedRow[];
  done: Promise<CombinedLoad>;
}

/** Kept iteration error messages and their total count over scenarios. */
export function collectErrors(outcomes: readonly ScenarioOutcome[]): { errors: string[]; errorCount: number } {
  const errors: string[] = [];
  let errorCount = 0;
  for (const o of outcomes) {
    errorCount += o.errorCount;
    for (const m of o.errors) if (errors.length < 5 && !errors.includes(m)) errors.push(m);
  }
  return { errors, errorCount };
}

