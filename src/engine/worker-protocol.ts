/**
 * Messages between the main thread and a load worker thread. Everything is
 * structured-clone data: the plan travels as data (functions stripped) or
 * is re-created in the worker from a {@link PlanSource}.
 *
 * @module
 */
import type { LiveStats } from '../metrics/recorder-types.js';
import type { SnapshotMetric, StreamedRow } from '../metrics/index.js';
import type { ResolvedPlan } from '../plan/types.js';
import type { LocalLoadResult } from './local-load.js';
import type { ExecutionSegment } from './segments.js';

/**
 * How a worker re-creates a plan that runs plan code: it imports `module`
 * (a file: URL or package specifier) and awaits `module[exportName](...args)`,
 * which must resolve to the same {@link ResolvedPlan} as in the main thread
 * (e.g. the plan loader with the plan file path and the CLI options).
 */
export interface PlanSource {
  module: string;
  exportName: string;
  args: unknown[];
}

/** `workerData` of a load worker. */
export interface WorkerInit {
  /** The plan as data (every scenario has a `fixed` request), or undefined with `planSource`. */
  plan?: ResolvedPlan;
  planSource?: PlanSource;
  segment: ExecutionSegment;
  lateStartToleranceMs: number;
  /** Post the recorder's metrics every interval (live abortOnFail thresholds). */
  wantMetrics: boolean;
  /** Post the interval rows closed since the last post (streaming outputs). */
  wantRows?: boolean;
}

/** Main → worker. */
export type ToWorker =
  | { type: 'go'; /** Run start as `performance.timeOrigin + now` (absolute ms), shared by all threads. */ runStartAbsMs: number }
  | { type: 'cpu'; cpuPercent: number }
  | { type: 'stop' }
  | { type: 'hardStop' };

/** Worker → main. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'interval'; live: LiveStats; eventLoopDelayP99Ms: number; metrics?: SnapshotMetric[] }
  | { type: 'rows'; rows: StreamedRow[] }
  | { type: 'done'; result: LocalLoadResult }
  | { type: 'error'; error: { message: string; code?: string; hint?: string; location?: string; stack?: string } };
