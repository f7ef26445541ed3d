/**
 * Evidence `data` of the prometheus probe (`ProbeEvidence.probe === 'prometheus'`).
 *
 * Series columns (all optional, present when the service exposes them):
 * - `eventLoopLagP50Ms`, `eventLoopLagP99Ms`, `eventLoopLagMaxMs` (ms; prom-client's
 *   `nodejs_eventloop_lag_{p50,p99,max}_seconds`, reset at each scrape by prom-client)
 * - `eventLoopLagMs` (ms; the older setImmediate lag gauge)
 * - `gcMsPerS` (ms of GC per second: rate of `nodejs_gc_duration_seconds_sum`, all kinds)
 * - `heapUsedBytes`, `rssBytes` (bytes)
 * - `heapOldUsedBytes` (bytes used in V8's old generation: `nodejs_heap_space_size_used_bytes` of every space but `new` and `new_large_object`)
 * - `cpuPercent` (% of one core: rate of `process_cpu_seconds_total`)
 * - `pool:<metric>{labels}` (any gauge whose name contains `pool`)
 * - `http:<METHOD> <route>:rps` and `http:<METHOD> <route>:meanMs` (from the HTTP duration histogram)
 *
 * @module
 */
import type { Stats } from '../process/series-builder.js';

/** One pool gauge, summarised over the run. */
export interface PoolGaugeSummary {
  /** Metric name, e.g. `pg_pool_waiting_clients`. */
  metric: string;
  labels: Record<string, string>;
  /** Column name in the series. */
  column: string;
  min: number;
  max: number;
  mean: number;
  last: number;
}

/** Per-route totals over the run from the service's own HTTP histogram. */
export interface HttpRouteSummary {
  method: string;
  route: string;
  /** Requests observed by the service over the run (delta of `_count`). */
  requests: number;
  /** Mean duration seen by the service (ms). */
  meanMs: number;
  /** Requests with a 5xx status label. */
  serverErrors: number;
}

/**
 * An application cache as the service's own counter counts it: a counter family whose name says `cache`,
 * split by a result label into hits and misses (prom-client idiom: `cache_requests_total{cache="menu",
 * result="hit"}`), totalled over the run.
 */
export interface AppCacheSummary {
  /** Counter family, e.g. `cache_requests_total`. */
  metric: string;
  /** Its labels without the result label, e.g. `{ cache: 'menu' }`: which cache. */
  labels: Record<string, string>;
  hits: number;
  misses: number;
}

/** `ProbeEvidence.data` of the prometheus probe. */
export interface PrometheusProbeData {
  url: string;
  scrapes: number;
  failedScrapes: number;
  /** Family names seen in the last good scrape. */
  families: string[];
  /** Summaries (ms) of the event-loop lag columns, when exposed. */
  eventLoop?: { p50Ms?: Stats; p99Ms?: Stats; maxMs?: Stats; lagMs?: Stats };
  /** GC milliseconds per second of wall time. */
  gcMsPerS?: Stats;
  heapUsedBytes?: Stats & { first: number; last: number };
  rssBytes?: Stats & { first: number; last: number };
  cpuPercent?: Stats;
  pools: PoolGaugeSummary[];
  http: HttpRouteSummary[];
  /** Application caches counted by the service's own hit/miss counters (absent in results before 2026-12-06). */
  caches?: AppCacheSummary[];
}
