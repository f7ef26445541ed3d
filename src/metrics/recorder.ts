/**
 * The metrics recorder: what the engine's hot path writes into. One per
 * thread; worker threads post `snapshot()` to the main thread, which merges
 * them with `mergeSnapshots`.
 *
 * Memory is bounded by the number of tag sets and intervals, never by the
 * number of samples: every trend is an HDR histogram, every interval is
 * reduced to counts, percentiles and encoded histograms when it closes, and
 * long runs are coarsened (see `intervals.ts`). Measured: a busy
 * (endpoint, status) tag set costs ~100–130 KB (three to four 30–40 KB
 * compact histograms); a rare one (errors) a few KB while it stays sparse
 * (`metric.ts`); 500 endpoints × 2 statuses ≈ 80 MiB.
 *
 * Hot path: `EndpointHandle.record` looks up the (status, error) sub-series
 * of its handle (last-used cache, then a Map keyed by a number), bumps a few
 * counters and records six HDR values (seven on a new connection) with the
 * bit-twiddling `recordValue` of `fast-record.ts`. It builds no string and
 * allocates no object once the sub-series exists (about 170–310 ns of CPU
 * per record, see `test/metrics/record.perf.ts`).
 *
 * Conventions:
 * - a sample lands in the interval that is open when it is recorded; with a
 *   tick every ~100 ms a sample can fall up to one tick late;
 * - the `iterations` column counts iterations *finished* in the interval
 *   (`recordIteration` is called at the end of an iteration);
 * - VUs, target rate and generator health are the last values set before the
 *   interval closed, carried into later intervals until set again;
 * - `vus_max` is the engine's `setGauge('vus_max', allocated)` when it calls
 *   it, otherwise the highest busy-VU count seen by `setLoad`;
 * - custom trends (`addTrend`) are milliseconds kept at µs resolution;
 *   negative values are recorded as 0 (HDR histograms hold no negatives).
 *
 * @module
 */
import type { ErrorKind, Tags } from '../result/types.js';
import type { EndpointHandle, LiveStats, MetricsRecorder } from './recorder-types.js';
import { createCompactHistogram, type Histogram } from './hdr.js';
import { encodeFast } from './encode.js';
import { LiveMetric, type MetricUnit } from './metric.js';
import { summarize } from './summary.js';
import { recordValue } from './fast-record.js';
import { OTHER_ENDPOINT } from './endpoint.js';
import { combineRows, percentilesOf } from './intervals.js';
import { emptyPercentiles, type EndpointCell, type IntervalRow, type MetricsSnapshot, type SnapshotMetric } from './snapshot.js';
import { seriesKey, tagsMatch } from './tags.js';
import { Aggregator, type AggregatedMetric } from './query.js';
import type { MetricType } from '../result/types.js';
import { LoadFactsRecorder, type EndpointFacts } from './load-facts.js';

/** A closed interval row and its length (ms; longer than the base interval once a long run coarsens). */
export interface StreamedRow {
  row: IntervalRow;
  intervalMs: number;
}

/** Options of {@link createRecorder}. */
export interface RecorderOptions {
  /**
   * Start of the run on the monotonic clock that is later passed to
   * `tick(nowMs)` (performance.now() based, like the engine's `Clock.now()`).
   * Intervals are aligned on it: interval i covers
   * `[runStartMs + i·intervalMs, runStartMs + (i+1)·intervalMs)`. Pass 0 if you
   * tick with offsets from the run start.
   */
  runStartMs: number;
  /** Interval length of the series (ms). Default 1000. */
  intervalMs?: number;
  /** Distinct endpoints kept before the rest fold into `(other)`. Default 500. */
  maxEndpoints?: number;
  /**
   * Distinct (scenario, method, endpoint, extra tags) combinations with extra
   * tags kept before further ones are recorded without their extra tags.
   * Default 4 × maxEndpoints.
   */
  maxTagSets?: number;
  /** Rows kept before the series coarsens (doubles its interval). Default 7200 (2 h at 1 s). Must be even. */
  maxIntervals?: number;
  /**
   * Budget (bytes of base64) for per-endpoint interval histograms kept so
   * worker merges stay exact. Default 32 MiB. Beyond it, cells keep only
   * their percentiles (see `intervals.ts` for the merge approximation).
   */
  endpointHistogramBudgetBytes?: number;
}

/** Error kinds in a fixed order; the index is part of a sub-series key. */
const ERROR_KINDS: readonly ErrorKind[] = ['connect', 'timeout', 'reset', 'http', 'protocol', 'aborted', 'other'];
const ERROR_INDEX: Readonly<Record<ErrorKind, number>> = {
  connect: 1,
  timeout: 2,
  reset: 3,
  http: 4,
  protocol: 5,
  aborted: 6,
  other: 7,
};
/** Cells finished per tick at least, and the time (ms) a tick may keep finishing more. */
const CELLS_PER_TICK = 4;
const CELL_TIME_PER_TICK_MS = 1;
/** How many coarsening pairs one tick merges, so a doubling never stalls the event loop. */
const COARSEN_PAIRS_PER_TICK = 8;
/** Distinct folded endpoint names remembered for the warning (the count stops being exact beyond). */
const FOLDED_NAMES_TRACKED = 10_000;
const FOLDED_EXAMPLES = 10;

/** All k6-named metrics of one (handle, status, error) combination. */
class HttpSeries {
  readonly reqs: LiveMetric;
  readonly failedRate: LiveMetric;
  readonly duration: LiveMetric;
  readonly response: LiveMetric;
  readonly waiting: LiveMetric;
  readonly connecting: LiveMetric;
  readonly received: LiveMetric;
  readonly sent: LiveMetric;
  readonly failed: boolean;

  constructor(
    readonly key: number,
    tags: Tags,
    register: (m: LiveMetric) => void,
  ) {
    this.failed = tags.expected_response === 'false';
    const make = (name: string, type: MetricType, unit: MetricUnit) => {
      const m = new LiveMetric(name, type, unit, tags);
      register(m);
      return m;
    };
    this.reqs = make('http_reqs', 'counter', '');
    this.failedRate = make('http_req_failed', 'rate', '');
    this.duration = make('http_req_duration', 'trend', 'ms');
    this.response = make('http_req_response_time', 'trend', 'ms');
    this.waiting = make('http_req_waiting', 'trend', 'ms');
    this.connecting = make('http_req_connecting', 'trend', 'ms');
    this.received = make('data_received', 'counter', 'bytes');
    this.sent = make('data_sent', 'counter', 'bytes');
  }
}

/** Open-interval accumulators of one endpoint name (shared by every handle with that name). */
class EndpointInterval {
  requests = 0;
  failed = 0;
  serviceSumUs = 0;
  bytesReceived = 0;
  /** Swapped for a fresh one when the interval closes (the closed one waits in the recorder's cell queue). */
  histogram: Histogram = createCompactHistogram();
  constructor(readonly name: string) {}
}

/** A closed interval's endpoint cell whose percentiles and encoding are still to be computed. */
interface PendingCell {
  cell: EndpointCell;
  histogram: Histogram;
}

/** Per-scenario iteration metrics. */
class ScenarioSeries {
  readonly iterations: LiveMetric;
  readonly duration: LiveMetric;
  readonly lag: LiveMetric;
  readonly dropped: LiveMetric;
  constructor(scenario: string, register: (m: LiveMetric) => void) {
    const tags = { scenario };
    const make = (name: string, type: MetricType, unit: MetricUnit) => {
      const m = new LiveMetric(name, type, unit, tags);
      register(m);
      return m;
    };
    this.iterations = make('iterations', 'counter', '');
    this.duration = make('iteration_duration', 'trend', 'ms');
    this.lag = make('iteration_start_lag', 'trend', 'ms');
    this.dropped = make('dropped_iterations', 'counter', '');
  }
}

class Handle implements EndpointHandle {
  private readonly subs = new Map<number, HttpSeries>();
  private last: HttpSeries | null = null;

  constructor(
    private readonly recorder: Recorder,
    readonly endpoint: string,
    private readonly baseTags: Tags,
    private readonly interval: EndpointInterval,
    private readonly facts: EndpointFacts,
    private readonly runStartMs: number,
  ) {}

  noteLoad(keyHash: number, startMs: number, endMs: number, hinted: boolean, ok = true): void {
    this.facts.note(keyHash, startMs - this.runStartMs, endMs - this.runStartMs, hinted, ok);
  }

  record(
    status: number,
    error: ErrorKind | undefined,
    serviceUs: number,
    responseUs: number,
    waitingUs: number,
    connectingUs: number,
    bytesReceived: number,
    bytesSent: number,
  ): void {
    const key = status * 8 + (error === undefined ? 0 : ERROR_INDEX[error] ?? 7);
    let s = this.last;
    if (s === null || s.key !== key) {
      s = this.subs.get(key) ?? this.createSeries(key, status, error);
      this.last = s;
    }
    const failed = s.failed;
    s.reqs.count++;
    if (failed) s.failedRate.passes++;
    else s.failedRate.fails++;
    s.duration.recordUs(serviceUs);
    s.response.recordUs(responseUs);
    s.waiting.recordUs(waitingUs);
    s.connecting.recordUs(connectingUs);
    s.received.count += bytesReceived;
    s.sent.count += bytesSent;

    const ep = this.interval;
    if (ep.requests === 0) this.recorder.activeEndpoints.push(ep);
    ep.requests++;
    if (failed) ep.failed++;
    // Interval histograms get whole µs ≥ 1 (`!(x >= 1)` also catches NaN).
    const serviceValue = !(serviceUs >= 1) ? 1 : Math.round(serviceUs);
    ep.serviceSumUs += serviceValue;
    ep.bytesReceived += bytesReceived;
    recordValue(ep.histogram, serviceValue);

    this.recorder.recordRequest(failed, serviceValue, !(responseUs >= 1) ? 1 : Math.round(responseUs), bytesReceived);
  }

  private createSeries(key: number, status: number, error: ErrorKind | undefined): HttpSeries {
    const tags: Tags = { ...this.baseTags, status: String(status), expected_response: error === undefined ? 'true' : 'false' };
    if (error !== undefined) tags.error = ERROR_KINDS[(ERROR_INDEX[error] ?? 7) - 1];
    const s = new HttpSeries(key, tags, this.recorder.register);
    this.subs.set(key, s);
    return s;
  }
}

/**
 * The recorder implementation. Use {@link createRecorder}; the class is
 * exported for its extra methods (`query`, `warnings`).
 */
export class Recorder implements MetricsRecorder {
  /** Endpoints with at least one request in the open interval (filled by handles). */
  readonly activeEndpoints: EndpointInterval[] = [];
  /** Adds a live series to the registry (bound so handles can pass it along). */
  readonly register = (m: LiveMetric): void => {
    this.all.push(m);
    let list = this.byName.get(m.name);
    if (!list) this.byName.set(m.name, (list = []));
    list.push(m);
  };

  /** The load's own facts (repeated keys, in-flight requests), fed by `EndpointHandle.noteLoad`. */
  readonly loadFacts: LoadFactsRecorder;
  private readonly runStartMs: number;
  private readonly baseIntervalMs: number;
  private intervalMs: number;
  private readonly maxEndpoints: number;
  private readonly maxIntervals: number;
  private histogramBudget: number;

  private readonly all: LiveMetric[] = [];
  /** The same series indexed by metric name, for queries. */
  private readonly byName = new Map<string, LiveMetric[]>();
  private readonly handles = new Map<string, Map<string, Map<string, Handle>>>();
  private readonly taggedHandles = new Map<string, Handle>();
  private readonly endpointIntervals = new Map<string, EndpointInterval>();
  private readonly folded = new Set<string>();
  private foldedExamples: string[] = [];
  private readonly scenarios = new Map<string, ScenarioSeries>();
  private readonly keyed = new Map<string, LiveMetric>();
  private readonly vusGauge: LiveMetric;
  private readonly vusMaxGauge: LiveMetric;
  private vusMaxExplicit = false;
  private readonly maxTagSets: number;
  private droppedTagSets = 0;

  // Open interval.
  private openStartMs = 0;
  private openRequests = 0;
  private openFailed = 0;
  private openIterations = 0;
  private openDropped = 0;
  private openBytes = 0;
  private readonly openResponse = createCompactHistogram();
  private readonly openService = createCompactHistogram();

  // Carried state sampled at interval close.
  private vus = 0;
  private targetRate = 0;
  private loopDelayP99 = 0;
  private cpuPercent = 0;

  // Endpoint cells of closed intervals waiting for percentiles and encoding (see finishCells).
  private pendingCells: PendingCell[] = [];
  private pendingHead = 0;
  private readonly spareHistograms: Histogram[] = [];

  // Closed intervals and pending coarsening.
  private rows: IntervalRow[] = [];
  private coarsen: { read: number; write: number; end: number } | null = null;
  // Rows closed since the last takeClosedRows (streaming outputs); null while nobody watches.
  private rowStream: StreamedRow[] | null = null;

  // Totals for live().
  private totalRequests = 0;
  private totalFailed = 0;
  private totalIterations = 0;
  private totalDropped = 0;
  private lastNowMs: number;
  private readonly cumResponse = createCompactHistogram();
  private readonly cumService = createCompactHistogram();

  constructor(options: RecorderOptions) {
    this.runStartMs = options.runStartMs;
    this.baseIntervalMs = this.intervalMs = options.intervalMs ?? 1000;
    this.maxEndpoints = options.maxEndpoints ?? 500;
    this.maxTagSets = options.maxTagSets ?? 4 * this.maxEndpoints;
    const maxIntervals = options.maxIntervals ?? 7200;
    this.maxIntervals = Math.max(2, maxIntervals - (maxIntervals % 2));
    this.histogramBudget = options.endpointHistogramBudgetBytes ?? 32 * 1024 * 1024;
    this.lastNowMs = options.runStartMs;
    this.loadFacts = new LoadFactsRecorder({ slotMs: this.baseIntervalMs, maxSlots: this.maxIntervals });
    this.vusGauge = this.gauge('vus', {});
    this.vusMaxGauge = this.gauge('vus_max', {});
  }

  endpoint(scenario: string, method: string, endpoint: string, extraTags?: Tags): EndpointHandle {
    const hasExtra = extraTags !== undefined && Object.keys(extraTags).length > 0;
    if (!hasExtra) {
      const cached = this.handles.get(scenario)?.get(method)?.get(endpoint);
      if (cached) return cached;
    }
    const name = this.admitEndpoint(endpoint);
    // A folded name resolves to the (other) handle, cached under (other) only,
    // so an unbounded stream of raw names does not grow the handle cache.
    if (!hasExtra && name !== endpoint) return this.endpoint(scenario, method, OTHER_ENDPOINT);
    const key = hasExtra ? seriesKey(`${scenario}\u0000${method}\u0000${name}`, extraTags) : '';
    if (hasExtra) {
      const cached = this.taggedHandles.get(key);
      if (cached) return cached;
      // High-cardinality extra tags (a request id as a tag) would grow memory
      // without bound; past the cap the request is recorded without them.
      if (this.taggedHandles.size >= this.maxTagSets) {
        this.droppedTagSets++;
        return this.endpoint(scenario, method, endpoint);
      }
    }
    let interval = this.endpointIntervals.get(name);
    if (!interval) this.endpointIntervals.set(name, (interval = new EndpointInterval(name)));
    // Standard tags win over extra tags of the same name: they define the series.
    const tags: Tags = { ...(extraTags ?? {}), scenario, endpoint: name, method };
    const handle = new Handle(this, name, tags, interval, this.loadFacts.endpoint(name), this.runStartMs);
    if (hasExtra) this.taggedHandles.set(key, handle);
    else {
      let byMethod = this.handles.get(scenario);
      if (!byMethod) this.handles.set(scenario, (byMethod = new Map()));
      let byName = byMethod.get(method);
      if (!byName) byMethod.set(method, (byName = new Map()));
      byName.set(endpoint, handle);
    }
    return handle;
  }

  /** The name to record under: the endpoint itself, or `(other)` once the cap is reached. */
  private admitEndpoint(endpoint: string): string {
    if (this.endpointIntervals.has(endpoint) || endpoint === OTHER_ENDPOINT) return endpoint;
    // `(other)` does not count against the cap.
    const distinct = this.endpointIntervals.size - (this.endpointIntervals.has(OTHER_ENDPOINT) ? 1 : 0);
    if (distinct < this.maxEndpoints) return endpoint;
    if (this.folded.size < FOLDED_NAMES_TRACKED && !this.folded.has(endpoint)) {
      this.folded.add(endpoint);
      if (this.foldedExamples.length < FOLDED_EXAMPLES) this.foldedExamples.push(endpoint);
    }
    return OTHER_ENDPOINT;
  }

  /** Called by handles for every request: overall interval and totals. Values in whole µs (≥ 1). */
  recordRequest(failed: boolean, serviceUs: number, responseUs: number, bytesReceived: number): void {
    this.openRequests++;
    this.totalRequests++;
    if (failed) {
      this.openFailed++;
      this.totalFailed++;
    }
    this.openBytes += bytesReceived;
    recordValue(this.openService, serviceUs);
    recordValue(this.openResponse, responseUs);
  }

  recordIteration(scenario: string, durationUs: number, lagUs: number, _failed: boolean): void {
    const s = this.scenario(scenario);
    s.iterations.count++;
    s.duration.recordUs(durationUs);
    s.lag.recordUs(lagUs);
    this.openIterations++;
    this.totalIterations++;
  }

  recordDroppedIteration(scenario: string): void {
    this.scenario(scenario).dropped.count++;
    this.openDropped++;
    this.totalDropped++;
  }

  recordCheck(scenario: string, name: string, passed: boolean, tags?: Tags): void {
    const m = this.series('checks', 'rate', '', { ...(tags ?? {}), scenario, check: name });
    if (passed) m.passes++;
    else m.fails++;
  }

  addCounter(name: string, value: number, tags?: Tags): void {
    this.series(name, 'counter', '', tags ?? {}).count += value;
  }

  addTrend(name: string, valueMs: number, tags?: Tags): void {
    this.series(name, 'trend', 'ms', tags ?? {}).recordUs(valueMs * 1000);
  }

  addRate(name: string, passed: boolean, tags?: Tags): void {
    const m = this.series(name, 'rate', '', tags ?? {});
    if (passed) m.passes++;
    else m.fails++;
  }

  setGauge(name: string, value: number, tags?: Tags): void {
    if (name === 'vus_max' && (tags === undefined || Object.keys(tags).length === 0)) this.vusMaxExplicit = true;
    this.series(name, 'gauge', '', tags ?? {}).setGauge(value);
  }

  setLoad(vus: number, targetRate: number): void {
    this.vus = vus;
    this.targetRate = targetRate;
    this.vusGauge.setGauge(vus);
    // Without an explicit vus_max from the engine, the highest busy count is the best estimate.
    if (!this.vusMaxExplicit && (this.vusMaxGauge.min === Infinity || vus > this.vusMaxGauge.value)) {
      this.vusMaxGauge.setGauge(vus);
    }
  }

  setGeneratorHealth(eventLoopDelayP99Ms: number, cpuPercent: number): void {
    this.loopDelayP99 = eventLoopDelayP99Ms;
    this.cpuPercent = cpuPercent;
  }

  tick(nowMs: number): void {
    // Ticks far apart (the caller does not tick every ~100 ms): nothing to
    // spread the work over, so queued cells are finished in this tick.
    const sparse = nowMs - this.lastNowMs >= this.baseIntervalMs / 4;
    if (nowMs > this.lastNowMs) this.lastNowMs = nowMs;
    const offset = nowMs - this.runStartMs;
    while (offset >= this.openStartMs + this.intervalMs) this.closeInterval();
    if (this.pendingHead < this.pendingCells.length) this.finishCells(sparse);
    if (this.coarsen) this.coarsenStep(COARSEN_PAIRS_PER_TICK);
  }

  live(): LiveStats {
    const lastRow = this.rows.length > 0 ? this.rows[this.rows.length - 1] : null;
    const p95 = (cum: Histogram, open: Histogram) => {
      const h = cum.totalCount > 0 ? cum : open;
      return h.totalCount > 0 ? h.getValueAtPercentile(95) / 1000 : null;
    };
    return {
      elapsedMs: Math.max(0, this.lastNowMs - this.runStartMs),
      requests: this.totalRequests,
      failed: this.totalFailed,
      rps: lastRow ? lastRow.requests / (this.intervalMs / 1000) : 0,
      p95ServiceMs: p95(this.cumService, this.openService),
      p95ResponseMs: p95(this.cumResponse, this.openResponse),
      iterations: this.totalIterations,
      droppedIterations: this.totalDropped,
      vus: this.vus,
    };
  }

  /**
   * Everything recorded so far as plain JSON (see `snapshot.ts`), including
   * the open interval when it has samples. Finishes queued endpoint cells and
   * any pending coarsening first. Closed interval rows are shared with the
   * recorder, not copied: treat the snapshot as read-only (postMessage and
   * JSON copy it anyway).
   */
  snapshot(): MetricsSnapshot {
    this.finishCells(true);
    if (this.coarsen) this.coarsenStep(Infinity);
    const intervals = this.rows.slice();
    // The open (partial) interval is included when anything happened in it, so nothing recorded is lost.
    if (this.openRequests > 0 || this.openIterations > 0 || this.openDropped > 0) intervals.push(this.buildRow(false));
    const metrics = this.metricsSnapshot();
    return {
      kind: 'tuneup-metrics-snapshot',
      version: 1,
      intervalMs: this.intervalMs,
      baseIntervalMs: this.baseIntervalMs,
      metrics,
      intervals,
      folded: { count: this.folded.size, examples: this.foldedExamples.slice(), limit: this.maxEndpoints },
      droppedTagSets: this.droppedTagSets,
      parts: 1,
      loadFacts: this.loadFacts.snapshot(),
    };
  }

  /**
   * Only the metric series of a snapshot (no interval rows): the cheaper
   * call for evaluating thresholds during the run, e.g. in a worker that
   * posts its metrics every second. Plain JSON, mergeable with `mergeMetrics`.
   */
  metricsSnapshot(): SnapshotMetric[] {
    const metrics: SnapshotMetric[] = [];
    for (const m of this.all) if (m.samples() > 0) metrics.push(m.toSnapshot());
    return metrics;
  }

  /**
   * Aggregate the live series `name` whose tags include `filter`, without
   * serializing anything: the fast path for `abortOnFail` thresholds during
   * the run. Same semantics as `queryMetric` on the built result.
   */
  query(name: string, filter: Tags = {}): AggregatedMetric | null {
    const agg = new Aggregator();
    for (const m of this.byName.get(name) ?? []) {
      if (tagsMatch(m.tags, filter) && m.samples() > 0) agg.addLive(m);
    }
    return agg.result();
  }

  /** Number of live series (all metrics × tag sets); for tests and diagnostics. */
  seriesCount(): number {
    return this.all.length;
  }

  private scenario(name: string): ScenarioSeries {
    let s = this.scenarios.get(name);
    if (!s) this.scenarios.set(name, (s = new ScenarioSeries(name, this.register)));
    return s;
  }

  private gauge(name: string, tags: Tags): LiveMetric {
    return this.series(name, 'gauge', '', tags);
  }

  /** Find or create a keyed series. Custom metrics pay for one key string per call; the HTTP path never comes here. */
  private series(name: string, type: MetricType, unit: MetricUnit, tags: Tags): LiveMetric {
    const key = seriesKey(name, tags);
    let m = this.keyed.get(key);
    if (!m) {
      m = new LiveMetric(name, type, unit, { ...tags });
      this.keyed.set(key, m);
      this.register(m);
    }
    return m;
  }

  /**
   * Start keeping closed rows for {@link takeClosedRows} (streaming outputs).
   * Off by default so a recorder nobody drains holds no second list.
   */
  watchRows(): void {
    this.rowStream ??= [];
  }

  /**
   * Rows closed since the previous call (after {@link watchRows}), with
   * their endpoint cells finished, each with its interval length. The rows
   * are the ones the final snapshot holds (unless coarsened later): treat
   * them as read-only.
   */
  takeClosedRows(): StreamedRow[] {
    if (this.rowStream === null || this.rowStream.length === 0) return [];
    this.finishCells(true);
    const out = this.rowStream;
    this.rowStream = [];
    return out;
  }

  /** Close the open interval: reduce it to a row, reset the accumulators, start the next one. */
  private closeInterval(): void {
    const row = this.buildRow(true);
    this.rows.push(row);
    this.rowStream?.push({ row, intervalMs: this.intervalMs });
    this.openStartMs += this.intervalMs;
    const n = this.rows.length;
    if (this.coarsen === null && n >= this.maxIntervals && n % 2 === 0) {
      // Double the interval from now on and merge the existing rows pairwise, a few per tick.
      // Coarsening reads finished cells, so finish the queue now (rare: once per doubling);
      // cells queued later belong to rows after `end`, which coarsening does not touch.
      this.finishCells(true);
      this.intervalMs *= 2;
      this.coarsen = { read: 0, write: 0, end: n };
    }
  }

  private coarsenStep(maxPairs: number): void {
    const c = this.coarsen!;
    for (let i = 0; i < maxPairs && c.read < c.end; i++) {
      const a = this.rows[c.read];
      const b = this.rows[c.read + 1];
      this.rows[c.write++] = combineRows([a, b], 'sequential', a.t);
      c.read += 2;
    }
    if (c.read >= c.end) {
      this.rows.splice(c.write, c.end - c.write);
      this.coarsen = null;
    }
  }

  /**
   * Finish queued endpoint cells: at least a quarter of the queue (so it
   * drains within a few ticks whatever the endpoint count) and at least
   * CELLS_PER_TICK, then more while under CELL_TIME_PER_TICK_MS; `all` drains it.
   */
  private finishCells(all: boolean): void {
    const started = performance.now();
    const backlog = this.pendingCells.length - this.pendingHead;
    const minimum = Math.max(CELLS_PER_TICK, Math.ceil(backlog / 4));
    let done = 0;
    while (this.pendingHead < this.pendingCells.length) {
      if (!all && done >= minimum && performance.now() - started > CELL_TIME_PER_TICK_MS) break;
      const { cell, histogram } = this.pendingCells[this.pendingHead++];
      this.finishCell(cell, histogram, true);
      histogram.reset();
      this.spareHistograms.push(histogram);
      done++;
    }
    if (this.pendingHead === this.pendingCells.length) {
      this.pendingCells = [];
      this.pendingHead = 0;
    }
  }

  /** Fill a cell's percentiles and, while the budget lasts, its encoded histogram. */
  private finishCell(cell: EndpointCell, histogram: Histogram, spendBudget: boolean): void {
    const s = summarize(histogram);
    cell.p50 = s.p50 / 1000;
    cell.p95 = s.p95 / 1000;
    cell.p99 = s.p99 / 1000;
    if (this.histogramBudget > 0) {
      cell.histogram = encodeFast(histogram);
      if (spendBudget) this.histogramBudget -= cell.histogram.length;
    }
  }

  /** Reduce the open interval to a row; with `reset`, also clear it and fold it into the cumulative histograms. */
  private buildRow(reset: boolean): IntervalRow {
    const endpoints: Record<string, EndpointCell> = {};
    for (const ep of this.activeEndpoints) {
      const cell: EndpointCell = {
        requests: ep.requests,
        failed: ep.failed,
        serviceSumUs: ep.serviceSumUs,
        bytesReceived: ep.bytesReceived,
        p50: null,
        p95: null,
        p99: null,
        histogram: null,
      };
      endpoints[ep.name] = cell;
      if (reset) {
        // Percentiles and encoding happen over the next ticks (finishCells), not
        // all at once here: with many endpoints that would stall the event loop
        // once per interval and show up as late starts.
        this.pendingCells.push({ cell, histogram: ep.histogram });
        ep.histogram = this.spareHistograms.pop() ?? createCompactHistogram();
      } else {
        this.finishCell(cell, ep.histogram, false);
      }
    }
    const row: IntervalRow = {
      t: this.openStartMs,
      requests: this.openRequests,
      failed: this.openFailed,
      iterations: this.openIterations,
      droppedIterations: this.openDropped,
      vus: this.vus,
      targetRate: this.targetRate,
      bytesReceived: this.openBytes,
      responseHistogram: encodeFast(this.openResponse),
      serviceHistogram: encodeFast(this.openService),
      response: this.openRequests > 0 ? percentilesOf(this.openResponse) : emptyPercentiles(),
      service: this.openRequests > 0 ? percentilesOf(this.openService) : emptyPercentiles(),
      eventLoopDelayP99: this.loopDelayP99,
      cpuPercent: this.cpuPercent,
      endpoints,
    };
    if (reset) {
      for (const ep of this.activeEndpoints) {
        ep.requests = 0;
        ep.failed = 0;
        ep.serviceSumUs = 0;
        ep.bytesReceived = 0;
      }
      this.activeEndpoints.length = 0;
      if (this.openRequests > 0) {
        this.cumResponse.add(this.openResponse);
        this.cumService.add(this.openService);
        this.openResponse.reset();
        this.openService.reset();
      }
      this.openRequests = 0;
      this.openFailed = 0;
      this.openIterations = 0;
      this.openDropped = 0;
      this.openBytes = 0;
    }
    return row;
  }
}

/**
 * Create the recorder for one thread.
 *
 * @example
 *   const rec = createRecorder({ runStartMs: performance.now() });
 *   const h = rec.endpoint('default', 'GET', 'GET /api/orders/:id');
 *   h.record(200, undefined, 1200, 1200, 900, 0, 512, 80);
 *   rec.tick(performance.now());
 */
export function createRecorder(options: RecorderOptions): Recorder {
  return new Recorder(options);
}
