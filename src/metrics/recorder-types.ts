/**
 * The metrics recorder contract: what the engine's hot path calls. The
 * implementation (`metrics/recorder.ts`) keeps HDR histograms per tag set
 * and per 1 s interval, with no per-request allocation on the fast path.
 *
 * @module
 */
import type { ErrorKind, Tags } from '../result/types.js';

/**
 * A pre-resolved (scenario, endpoint, method, extra tags) series group. The
 * engine resolves it once per distinct request shape and calls `record` per
 * response, so the hot path builds no strings or tag objects.
 */
export interface EndpointHandle {
  readonly endpoint: string;
  /**
   * Record one finished request.
   * @param status HTTP status, 0 when no response.
   * @param error  failure kind, or undefined on success.
   * @param serviceUs actual send → last byte (µs).
   * @param responseUs intended start → last byte (µs); equal to serviceUs in closed models.
   * @param waitingUs send → first byte (µs).
   * @param connectingUs TCP connect time (µs), 0 when the connection was reused.
   * @param bytesReceived response bytes on the wire.
   * @param bytesSent request bytes on the wire.
   */
  record(
    status: number,
    error: ErrorKind | undefined,
    serviceUs: number,
    responseUs: number,
    waitingUs: number,
    connectingUs: number,
    bytesReceived: number,
    bytesSent: number,
  ): void;
  /**
   * The load's own facts of the same request (see `load-facts.ts`): its key
   * hash (`hashRequestKey`), and its send and last-byte times on the
   * recorder's clock (the clock of `tick`). Call right after `record`.
   * Optional so other handle implementations need not keep them.
   * @param hinted true when the key is the plan's `cacheKey` hint, not the URL.
   */
  noteLoad?(keyHash: number, startMs: number, endMs: number, hinted: boolean, ok?: boolean): void;
}

/** Serializable state of a recorder: what a worker thread posts to the main thread. */
export interface RecorderSnapshot {
  /** Opaque to callers; merge with `mergeSnapshots`, finalize with `buildResultMetrics`. */
  readonly kind: 'tuneup-metrics-snapshot';
  readonly version: 1;
  readonly [key: string]: unknown;
}

/** Running totals for the live terminal display. */
export interface LiveStats {
  elapsedMs: number;
  requests: number;
  failed: number;
  /** Requests per second over the last full interval. */
  rps: number;
  /** p95 of service and response time so far (ms), null before the first sample. */
  p95ServiceMs: number | null;
  p95ResponseMs: number | null;
  iterations: number;
  droppedIterations: number;
  vus: number;
}

/** What the engine calls on the metrics layer. One recorder per thread. */
export interface MetricsRecorder {
  /** Resolve (and cache) the handle for a request shape. */
  endpoint(scenario: string, method: string, endpoint: string, extraTags?: Tags): EndpointHandle;
  /** One finished iteration. `lagUs` = actual start − intended start (0 in closed models). */
  recordIteration(scenario: string, durationUs: number, lagUs: number, failed: boolean): void;
  /** One iteration that could not start (no free VU or no time left). */
  recordDroppedIteration(scenario: string): void;
  /** One check outcome (k6 `checks` rate, tagged `check=<name>`). */
  recordCheck(scenario: string, name: string, passed: boolean, tags?: Tags): void;
  /** Custom metrics from plan code. */
  addCounter(name: string, value: number, tags?: Tags): void;
  addTrend(name: string, valueMs: number, tags?: Tags): void;
  addRate(name: string, passed: boolean, tags?: Tags): void;
  setGauge(name: string, value: number, tags?: Tags): void;
  /** Busy VUs now and the open-model target rate now (iterations/s, 0 if none); sampled into the interval series. */
  setLoad(vus: number, targetRate: number): void;
  /** Generator health for the current interval. */
  setGeneratorHealth(eventLoopDelayP99Ms: number, cpuPercent: number): void;
  /**
   * Close every interval that ended at or before `nowMs`. `nowMs` is on the
   * same monotonic clock as the recorder's `runStartMs` (performance.now()
   * based; with `runStartMs: 0` it is the offset from the run start).
   * Call about every 100 ms: a sample lands in the interval open when it is
   * recorded.
   */
  tick(nowMs: number): void;
  /** Totals for the live display. */
  live(): LiveStats;
  /** A serializable copy of everything recorded so far. */
  snapshot(): RecorderSnapshot;
}
