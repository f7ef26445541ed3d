/**
 * The RunResult contract: the JSON every later stage reads (diagnose,
 * optimize, compare, report, slo). It is versioned by `schemaVersion`;
 * any incompatible change bumps the version and adds a migration in
 * `src/result/migrate.ts`.
 *
 * Units: durations in milliseconds (floating point), histograms in
 * microseconds (integers, 3 significant digits), byte counts in bytes,
 * times as milliseconds since the Unix epoch (`*At`) or offsets in ms from
 * `startedAt` (`t`, `offsetMs`).
 *
 * @module
 */

/** Current RunResult schema version. */
export const RUN_RESULT_SCHEMA_VERSION = 1 as const;

/** Tags attached to a metric series. Keys are low-cardinality by design. */
export type Tags = Record<string, string>;

/** k6's four metric kinds. */
export type MetricType = 'counter' | 'rate' | 'trend' | 'gauge';

/** Percentile summary of a trend, in milliseconds. */
export interface TrendStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
}

/**
 * One metric for one tag set, accumulated over the whole run.
 * Exactly the fields of its `type` are present.
 */
export interface MetricSeries {
  /** k6-style metric name, e.g. `http_req_duration`. */
  name: string;
  type: MetricType;
  /** Unit of the values: `ms` for time trends, `bytes`, or `''` (dimensionless). */
  unit: 'ms' | 'bytes' | '';
  /** The full tag set of this series (scenario, endpoint, method, status, ...). */
  tags: Tags;
  /** counter: sum of the values. */
  count?: number;
  /** rate: number of non-zero (true) samples. */
  passes?: number;
  /** rate: number of zero (false) samples. */
  fails?: number;
  /** gauge: last value, and its extremes. */
  value?: number;
  min?: number;
  max?: number;
  /** trend: HDR histogram of the values in µs, V2 compressed base64 (`HISTFAAA...`). */
  histogram?: string;
  /** trend: summary computed from the histogram (ms). */
  stats?: TrendStats;
}

/** Latency model of a scenario: open (arrival-rate) or closed (VU loop). */
export type LoadModel = 'open' | 'closed';

/** Per-scenario outcome. */
export interface ScenarioResult {
  name: string;
  executor: string;
  model: LoadModel;
  /** The validated scenario options, as given (after profile expansion). */
  options: Record<string, unknown>;
  /** Offset of the scenario start from the run start (ms). */
  startOffsetMs: number;
  /** Wall-clock duration of the scenario including graceful stop (ms). */
  durationMs: number;
  iterations: number;
  /** Iterations completed with an uncaught error in the scenario function. */
  failedIterations: number;
  /** Iterations that could not start (no free VU / no time left). Open model only. */
  droppedIterations: number;
  /** Iterations that started later than their intended time by more than the late-start tolerance. */
  lateStarts: number;
  /** Target iterations per second for open models (averaged over the scenario), else null. */
  targetRate: number | null;
  /** Achieved iterations per second. */
  achievedRate: number;
  /** Highest number of VUs simultaneously busy. */
  maxBusyVUs: number;
  /** VUs allocated (preAllocated plus any added up to maxVUs). */
  allocatedVUs: number;
  /** Iterations interrupted by gracefulStop expiry. */
  interruptedIterations: number;
}

/** Per-endpoint summary, the table every report shows. Derived from `metrics`. */
export interface EndpointSummary {
  /** Route template, e.g. `GET /api/orders/:id`. */
  endpoint: string;
  method: string;
  requests: number;
  /** Requests per second over the run's active duration. */
  rps: number;
  /** Requests that failed (connection error, timeout, reset, or non-expected status). */
  failed: number;
  /** failed / requests. */
  errorRate: number;
  /** Count by error kind (see {@link ErrorKind}). */
  errors: Partial<Record<ErrorKind, number>>;
  /** Count by HTTP status code (as a string, e.g. `"200"`). */
  statuses: Record<string, number>;
  /** Service time (actual send → last byte), k6's http_req_duration. */
  serviceTime: TrendStats;
  /** Response time (intended start → last byte). Equals service time plus iteration start lag. */
  responseTime: TrendStats;
  /** Time to first byte (send → first response byte), k6's http_req_waiting. */
  waiting: TrendStats;
  bytesReceived: number;
  bytesSent: number;
  /** Mean response body size (bytes). */
  meanResponseBytes: number;
}

/** How a request failed. `http` is a response whose status was not expected (by default >= 400). */
export type ErrorKind = 'connect' | 'timeout' | 'reset' | 'http' | 'protocol' | 'aborted' | 'other';

/**
 * Series on a fixed interval grid (default 1 s) for plots and statistics.
 * Every array has one entry per interval; `t[i]` is the interval's start
 * offset from the run start in ms. Percentiles are null where no sample fell.
 */
export interface IntervalSeries {
  intervalMs: number;
  t: number[];
  /** Requests completed in the interval. */
  requests: number[];
  /** Requests failed in the interval. */
  failed: number[];
  /** Iterations started, and dropped, in the interval. */
  iterations: number[];
  droppedIterations: number[];
  /** VUs busy at the end of the interval (all scenarios). */
  vus: number[];
  /** Target arrival rate (iterations/s) summed over open-model scenarios active then; 0 if none. */
  targetRate: number[];
  /** Percentiles (ms) of service time and of response time per interval. */
  service: PercentileColumns;
  response: PercentileColumns;
  /**
   * Per-interval HDR histograms (µs, compressed base64) of response time over
   * all endpoints; '' for an empty interval. The moving-block bootstrap of
   * `compare` resamples these, never individual requests.
   */
  responseHistograms: string[];
  /** Same for service time. */
  serviceHistograms: string[];
  bytesReceived: number[];
  /** Per-endpoint columns, keyed by endpoint. */
  endpoints: Record<string, EndpointIntervalSeries>;
  /** Generator health per interval. */
  generator: {
    /** Event-loop delay p99 (ms) of the main thread (max over workers when workers run). */
    eventLoopDelayP99: number[];
    /** Generator process CPU (% of one core). */
    cpuPercent: number[];
  };
}

/** Percentile columns of an interval series (ms; null when the interval had no sample). */
export interface PercentileColumns {
  p50: (number | null)[];
  p90: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  max: (number | null)[];
  mean: (number | null)[];
}

/** Per-endpoint interval columns; used by plots and the demand regression of diagnose. */
export interface EndpointIntervalSeries {
  requests: number[];
  failed: number[];
  /** Sum of service time (ms) of requests completed in the interval. */
  serviceSumMs: number[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  bytesReceived: number[];
}

/**
 * The load's own facts for one endpoint: what tuneup knows from the requests
 * it sent, whatever the probes saw (`metrics/load-facts.ts`).
 */
export interface EndpointLoadFacts {
  requests: number;
  /** Requests whose key (method + path with query, or the plan's `cacheKey`) was requested earlier in the run. */
  repeats: number;
  /** Distinct keys seen (remembered ones; a lower bound when `capped`). */
  distinctKeys: number;
  /**
   * repeats / requests: the hit ratio a perfect cache (no expiry, no
   * eviction) could reach on this load. A lower bound when `untracked` > 0.
   */
  idealHitRatio: number;
  /** Requests with a new key after the key bound was reached (may or may not be repeats). */
  untracked: number;
  /** True when the key bound was reached: the ideal ratio lies in [repeats, repeats + untracked] / requests. */
  capped: boolean;
  /** Where the key came from: the plan's `cacheKey` hint, the URL, or both. */
  keySource: 'url' | 'cache-key' | 'mixed';
  /** Mean in-flight requests over the run (Little's law: total request time / active duration). */
  meanInFlight: number;
}

/** Interval columns of the load facts (the grid of {@link LoadFacts.t}). */
export interface EndpointLoadFactsSeries {
  /** Requests completed in the interval. */
  requests: number[];
  /** Of those, requests that repeated an earlier key (the warm-up curve: repeats / requests per interval). */
  repeats: number[];
  /** Mean in-flight requests in the interval: request time (send → last byte) overlapping it / its length. */
  inFlight: number[];
}

/** The load's own facts per endpoint (absent in results written before they were recorded). */
export interface LoadFacts {
  intervalMs: number;
  /** Interval start offsets (ms) from the run start. */
  t: number[];
  endpoints: Record<string, EndpointLoadFacts & { series: EndpointLoadFactsSeries }>;
  /** How the facts of several threads/segments were merged, and what that implies. */
  merge: { parts: number; exact: boolean; note?: string };
}

/**
 * What a piece of generator evidence measures (`engine/health.ts` sets it; readers decide by it, never by
 * the label, which is display text and gains a `segment i/n: ` prefix when segments merge):
 * - `event-loop-delay`: the generator's event-loop delay p99 (ms);
 * - `cpu`: share of seconds with the generator's CPU past its limit (%);
 * - `late-starts`: share of open-model iterations started late (%);
 * - `dropped-iterations`: share of scheduled iterations dropped for lack of a free VU (%);
 * - `distortion`: the generator's delays as a share of the measured latency (%).
 */
export type GeneratorEvidenceKind = 'event-loop-delay' | 'cpu' | 'late-starts' | 'dropped-iterations' | 'distortion';

/** One piece of evidence that the generator, not the target, limited the run. */
export interface GeneratorEvidence {
  /**
   * What it measures. Absent in results written before 2026-12-05: read it with
   * `generatorEvidenceKind` (`result/legacy.ts`), which falls back to the label for those.
   */
  kind?: GeneratorEvidenceKind;
  /** Display text; never compared. */
  label: string;
  value: number;
  unit: string;
  limit: number;
}

/** The generator's self-measurement. */
export interface GeneratorHealth {
  /** True when the generator limited the result; the summary warns and compare refuses a verdict. */
  saturated: boolean;
  /** Why `saturated` is true (empty when false). */
  evidence: GeneratorEvidence[];
  /**
   * What limited the run's timing (absent in older results): `generator-cpu` — the generator's own CPU
   * was exhausted (then `saturated`); `host-contention` — its delays distorted the latencies while its
   * own CPU was available, so other processes held the CPU (not `saturated`); `none`.
   */
  limitedBy?: 'generator-cpu' | 'host-contention' | 'none';
  /** The generator's delays as a share of the measured latency (start lag vs response time, loop delay vs service time), and the limit past which they distort it. */
  distortion?: { share: number; basis: string; limit: number };
  /** Iteration start lag over open-model iterations (ms): response time − service time of each request. */
  startLag?: { mean: number; p50: number; p99: number };
  /** Lateness facts past their reporting limits (loop delay, late starts, drops), whether or not they decided `saturated`. */
  lateness?: GeneratorEvidence[];
  eventLoopDelay: { p50: number; p99: number; max: number };
  /** Mean and max CPU of the generator process, % of one core (can exceed 100 with workers). */
  cpuPercent: { mean: number; max: number };
  /** Late starts (open model): iterations started more than `lateStartToleranceMs` after their intended time. */
  lateStarts: number;
  lateStartToleranceMs: number;
  droppedIterations: number;
  workers: number;
  /** Peak resident set size of the generator process (bytes). */
  maxRssBytes: number;
}

/** Outcome of one threshold expression. */
export interface ThresholdResult {
  /** The metric key as written, e.g. `http_req_duration{endpoint:GET /api/orders/:id}`. */
  metric: string;
  /** The expression as written, e.g. `p(95)<200`. */
  expression: string;
  /** The observed value of the aggregation (e.g. the p95 in ms), null if no sample matched. */
  observed: number | null;
  passed: boolean;
  abortOnFail: boolean;
  /** True when this threshold aborted the run. */
  aborted: boolean;
}

/** Severity of a finding. */
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** The fixed finding taxonomy (design.md); extend by design, not by accident. */
export type FindingCategory =
  | 'missing-index'
  | 'inefficient-query'
  | 'n-plus-one'
  | 'cache-miss'
  | 'cache-slow-command'
  | 'pool-saturation'
  | 'lock-contention'
  | 'event-loop-blocked'
  | 'cpu-saturation'
  | 'memory-growth'
  | 'gc-pressure'
  | 'slow-dependency'
  | 'large-payload'
  | 'error-rate'
  | 'stale-statistics'
  | 'table-bloat'
  | 'db-config'
  | 'connection-limit'
  | 'generator-saturated'
  /** The offered load exceeds what the system sustains: everything queues, per-endpoint signals are smeared. */
  | 'overload'
  /** Other processes hold the host's CPU (the generator or the service waits for a core). */
  | 'host-contention';

/** One number backing a finding. */
export interface Evidence {
  label: string;
  value: number | string;
  unit?: string;
  /** Where it came from, e.g. `pg_stat_statements`, `redis INFO`, `load`. */
  source: string;
}

/**
 * The typed numbers of a finding that ranking and other passes decide by (design.md: "findings with
 * typed metrics"). Each is set by the rule that builds the matching evidence row, which stays for
 * display; a finding sets only the fields of its kind. Never parsed from evidence labels.
 * Results written before 2026-12-05 have no `metrics`.
 */
export interface FindingMetrics {
  /**
   * The SQL statement the finding is about: pg_stat_statements' normalized text with whitespace
   * collapsed, not shortened (the `statement` evidence row shows it shortened). Set by missing-index
   * (the driving statement), inefficient-query, and n-plus-one (its most repeated statement).
   */
  statement?: string;
  /** Wait per request (ms) the cost model leaves unexplained by measured resources (slow-dependency). */
  waitMsPerRequest?: number;
  /** The load generator's event-loop delay p99 (ms) over the run (generator-saturated). */
  generatorDelayP99Ms?: number;
  /** Mean time spent in garbage collection (ms per second of run) (gc-pressure). */
  gcMsPerSecond?: number;
  /** Mean CPU of the service process (% of one core) (cpu-saturation). */
  serviceCpuPercent?: number;
  /** Slope of the memory series (MB per minute) (memory-growth). */
  memoryGrowthMBPerMin?: number;
  /**
   * The endpoint whose repeated requests miss the cache (cache-miss findings that judge one endpoint's
   * repeats: from the service's own cache counters, an endpoint run alone, or the fit of the keyspace misses).
   */
  missesRepeatsOf?: string;
}

/** A diagnosis result (see design.md, Diagnosis). */
export interface Finding {
  /** Stable id: rule id plus subject, e.g. `missing-index:public.orders(customer_id)`. */
  id: string;
  /** The rule that produced it. */
  rule: string;
  category: FindingCategory;
  severity: Severity;
  endpoint?: string;
  endpoints?: string[];
  title: string;
  summary: string;
  /** Display rows: label, value, unit, source. Decisions read `metrics`, never these labels. */
  evidence: Evidence[];
  /** Typed numbers the ranking decides by (see {@link FindingMetrics}); absent in results written before 2026-12-05. */
  metrics?: FindingMetrics;
  recommendation: { text: string; sql?: string; config?: Record<string, string>; code?: string; link?: string };
  /** Optimize action ids that implement the fix. */
  actions?: string[];
  /** 0..1 */
  confidence: number;
  /** Share (0..1) of the endpoint's latency or bottleneck demand this explains; used for ranking. */
  impact: number;
  /**
   * How the finding's endpoint was tied to its evidence. `direct`: measured with the endpoint alone
   * (a profile step, a one-endpoint run) or read off per-request evidence. `mixed-estimate`: estimated from
   * a mixed run by the per-second regression of the cost model, so it can be wrong when endpoints' rates
   * move together or requests queue — `tuneup diagnose` confirms such a finding by running the endpoint
   * alone. Absent when the finding names no endpoint or the rule does not attribute.
   */
  attribution?: 'mixed-estimate' | 'direct';
  /**
   * Set when the rule lowered this finding only because its mixed-run attribution is doubtful (e.g. an N+1
   * loop whose sequential calls would take longer than the requests said to run them): what the finding
   * would be were the endpoint its owner. `tuneup diagnose` runs that endpoint alone to settle it; confirmed
   * there, the finding gets this severity, impact and confidence back (see experiment/confirm.ts).
   */
  attributionDoubt?: AttributionDoubt;
  /**
   * Ids of findings that cause this one (e.g. the missing indexes behind a low buffer-cache hit ratio).
   * Ranking puts a cause before its symptoms; set by the rule that sees both facts, never from finding text.
   */
  causedBy?: string[];
  /**
   * What this finding explains in other findings (e.g. overload smears every endpoint's latency): findings
   * of these categories on these endpoints (all endpoints when absent) are symptoms of this one.
   */
  explains?: {
    category: FindingCategory;
    endpoints?: string[];
    /**
     * `symptom` (the default): the explained finding is only a symptom and is capped at low. `contributes`:
     * it is a finding of its own that this one partly explains; it ranks after this one and keeps its severity.
     */
    as?: 'symptom' | 'contributes';
    /** Only findings of the category that name no endpoint (e.g. GC time no endpoint's requests own). */
    unowned?: true;
    /** Only these findings (by id), for a link a rule measured between two objects (a cache and its miss path). */
    ids?: string[];
    /**
     * Only findings about one of these statements (their `metrics.statement`), for a link a rule measured to a
     * statement whatever finding the statement became (a slow statement, the index it misses).
     */
    statements?: string[];
  }[];
  /**
   * Set by `tuneup diagnose` on every finding: whether running the finding's endpoint alone (confirm by
   * isolation) showed the same problem. Absent on findings of `tuneup run` / `analyze` (passive diagnosis).
   */
  confirmation?: FindingConfirmation;
}

/** What a finding lowered for a doubtful attribution would be with its endpoint confirmed (see {@link Finding.attributionDoubt}). */
export interface AttributionDoubt {
  /** The severity the rule grades the evidence at, before the doubt lowered it. */
  severity: Severity;
  /** The impact (share of the endpoint's latency) before the doubt lowered it. */
  impact: number;
  /** The confidence with the endpoint confirmed (0..1). */
  confidence: number;
  /** One sentence: why the attribution is doubtful. */
  reason: string;
}

/**
 * Outcome of confirming a finding by isolation (`tuneup diagnose`).
 * - `confirmed`: the endpoint run alone shows the same category (or the same statement dominating).
 * - `refuted`: the endpoint run alone does not show it; `evidence` holds the isolated measurement and,
 *   when another isolated run shows the problem, which endpoint that was (`shownBy`). Ranked down to low.
 * - `not-tested`: the finding was not a mixed-run estimate, or its endpoint could not be isolated (`reason`).
 */
export interface FindingConfirmation {
  status: 'confirmed' | 'refuted' | 'not-tested';
  /** The confirming (or refuting) measurements of the isolated run, e.g. calls and DB ms per request. */
  evidence: Evidence[];
  /** One sentence: why it was not tested, or what the isolated run showed. */
  reason?: string;
  /** Endpoint that does show the problem when run alone (refuted findings when known; moved and unplaced findings). */
  shownBy?: string;
  /**
   * The endpoint the mixed run had named, when isolation showed the problem belongs to another:
   * the finding's `endpoint` now names the one that shows it alone (`shownBy`).
   */
  movedFrom?: string;
  /** Severity before confirmation changed it (refuted findings are ranked down to low). */
  originalSeverity?: Severity;
  /** The mixed run did not show it; the endpoint run alone did (a measurement, not a mixed-run estimate). */
  foundAlone?: boolean;
}

/** One step of the capacity ramp of `tuneup diagnose` (rates in iterations per second of the plan's mix). */
export interface ExperimentStep {
  phase: 'ramp' | 'bisect';
  offeredRate: number;
  /** Iterations finished per second in the step's steady part (after its first second). */
  achievedRate: number;
  /** Response time (intended start → last byte) percentiles over the step, ms. */
  p50Ms: number | null;
  p95Ms: number | null;
  errorRate: number;
  droppedIterations: number;
  /** Fitted growth of the per-second median service time over the steady part, each endpoint against itself (ms): the queue-growth signal. */
  latencyGrowthMs: number | null;
  durationMs: number;
  /** True when the step kept up with the offered rate (see `reasons` otherwise). */
  sustained: boolean;
  /** Why the step was past the knee, one short phrase each. */
  reasons: string[];
  /** Set when the load was stopped before the step's end because it failed badly. */
  stoppedEarly?: string;
}

/** One isolated run of `tuneup diagnose` (a suspect endpoint alone). */
export interface ExperimentIsolation {
  endpoint: string;
  /** Findings this run was to confirm. */
  findingIds: string[];
  status: 'ran' | 'not-tested';
  /** Why it was not run (e.g. the scenario's iterations call several endpoints). */
  reason?: string;
  /** How the endpoint was isolated: its own scenario, or one entry (index) of a YAML `requests:` list. */
  via?: { scenario: string; request?: number };
  rate?: number;
  durationMs?: number;
  requests?: number;
  /** The endpoint's measured cost per request when alone (profile estimator). */
  demand?: EndpointDemand;
  /** Memory round: what the endpoint added to memory alone, the climb of the heap's old generation and of RSS over its step's second half (experiment/retained.ts). */
  retained?: { oldGenerationBytes?: number; rssBytes?: number; requests: number; seconds: number };
  /** The isolated run's findings (below info), by id, category, severity and endpoint. */
  findings?: { id: string; category: FindingCategory; severity: Severity; endpoint?: string; endpoints?: string[] }[];
}

/** The experiment `tuneup diagnose` ran: capacity ramp, the knee, the chosen rate and the isolation runs. */
export interface ExperimentSection {
  steps: ExperimentStep[];
  knee: {
    /** `found`: a sustained and a failing rate bracket the knee; `not-reached`: every step sustained up to the ramp's cap; `below-start`: even the lowest step failed. */
    status: 'found' | 'not-reached' | 'below-start';
    /** Highest offered rate sustained (the measured capacity), iterations/s. */
    sustainedRate?: number;
    /** Lowest offered rate that failed. */
    failedRate?: number;
    /** Why the failing step failed. */
    reasons: string[];
    /** The resource the probes showed saturated at the failing step, if any. */
    saturatedResource?: { name: string; utilization: number; detail: string };
  };
  /** The plan's own peak arrival rate (iterations/s), when its scenarios have one. */
  requestedRate?: number;
  /** Rate of the diagnosis run (iterations/s) and why it was chosen. */
  chosenRate: number;
  chosenBy: 'knee' | 'plan' | 'flag' | 'ramp-cap';
  /** Length of the diagnosis run (ms): the option's, or longer for a mix of many endpoints (experiment/run.ts `diagnosisLengthMs`). */
  diagnosisMs?: number;
  isolation: ExperimentIsolation[];
  /** The memory round: each endpoint alone for longer, to place a memory growth the mixed run showed (absent without one). */
  memory?: ExperimentIsolation[];
  /** Wall time of the whole experiment (ms). */
  durationMs: number;
  /** Set when the experiment was interrupted (Ctrl-C) before its end. */
  interrupted?: boolean;
}

/** Time series sampled by a probe, aligned on the run clock. */
export interface ProbeSeries {
  /** Offsets (ms) from the run start of each sample. */
  t: number[];
  /** Named columns, each the same length as `t`; null where a sample failed. */
  values: Record<string, (number | null)[]>;
  /** Unit of each column. */
  units: Record<string, string>;
}

/** What a probe returns at the end of a run. `data` is probe-specific (see src/probes/<name>/types.ts). */
export interface ProbeEvidence {
  /** Probe name: `postgres`, `redis`, `prometheus`, `process`, `otlp`. */
  probe: string;
  /** Where it pointed, with any password removed. */
  target: string;
  /** False when the probe never managed to sample. */
  ok: boolean;
  /** What the probe could not see and how to enable it (e.g. pg_stat_statements missing). */
  limitations: string[];
  /** Sampling errors (the probe survives them), first few kept. */
  errors: { offsetMs: number; message: string }[];
  series: ProbeSeries;
  /** Probe-specific snapshots and deltas. */
  data: Record<string, unknown>;
  /** Cost of probing: samples taken and mean sample duration (ms). */
  overhead: { samples: number; meanSampleMs: number };
}

/** Per-endpoint demand profile (operational analysis), produced by diagnose. */
export interface EndpointDemand {
  endpoint: string;
  /** Demand per request on each resource, in ms (or count for calls). */
  cpuMs?: number;
  /** CPU per request on the service's main thread alone (for Node.js the event loop: synchronous work that blocks it). */
  mainThreadCpuMs?: number;
  /** Garbage-collection time per request (ms): the collection of what the request allocated, wherever it paused. Absent without a GC series. */
  gcMs?: number;
  dbMs?: number;
  dbCalls?: number;
  distinctStatements?: number;
  redisCommands?: number;
  responseBytes?: number;
  /**
   * Mean service time (ms) the model judged: the run's, or its steady part's when the run began with a
   * start-up transient (see `src/diagnose/transient.ts`). Absent in results from before it existed.
   */
  serviceMs?: number;
  unexplainedMs?: number;
  /**
   * Set when `unexplainedMs` is a lower bound, not an estimate: the run had too few seconds to estimate each
   * endpoint's CPU and database time, so all of the process's CPU and all of the database's time over the run
   * were charged to this endpoint (utilization law: no endpoint can use more than the whole).
   */
  unexplainedBound?: { cpuMsAtMost: number; dbMsAtMost?: number; cacheMsAtMost?: number };
  /** The resource with the highest demand. */
  bottleneck?: string;
  /** 1 / max demand: the utilization-law throughput bound (req/s). */
  maxThroughput?: number;
  /** 'profile' when measured alone, 'regression' when estimated from a mixed run. */
  method: 'profile' | 'regression';
  /**
   * Standard errors of regression estimates (ms; commands for `redisCommands`), where the fit can tell; absent
   * for profile estimates (exact) and for demands the fit set to zero. Rules judge a regression demand by its
   * lower bound (or its upper bound, when they ask what an endpoint can at most have done).
   */
  stdError?: { cpuMs?: number; mainThreadCpuMs?: number; gcMs?: number; redisCommands?: number };
}

/** The reference runs of a diagnosis (src/diagnose/reference.ts). */
export interface DiagnosisReference {
  /** Ids of the runs given as reference. */
  runs: string[];
  /** Runs left out, with why (a run past its capacity measured its queue). */
  excluded: { runId: string; reason: string }[];
}

/** Final status of a run. */
export type RunStatus = 'completed' | 'interrupted' | 'aborted-by-threshold' | 'aborted-by-script' | 'failed';

/** The whole result of one run. Stored at `.tuneup/runs/<id>/result.json`. */
export interface RunResult {
  schemaVersion: typeof RUN_RESULT_SCHEMA_VERSION;
  tool: { name: 'tuneup'; version: string };
  /** Run id, sortable by time: `YYYYMMDD-HHMMSS-xxxx`. */
  id: string;
  status: RunStatus;
  /** Human-readable reason when status is not `completed`. */
  statusReason?: string;
  /** Epoch ms. */
  startedAt: number;
  endedAt: number;
  durationMs: number;
  /** The plan as run (validated, profiles expanded, secrets removed). */
  plan: {
    name?: string;
    source?: string;
    baseUrl?: string;
    /** Scenario name → validated options. */
    scenarios: Record<string, Record<string, unknown>>;
    thresholds: Record<string, unknown[]>;
    /** Optional SLOs and goals the later stages read. */
    slo?: Record<string, unknown>;
    /** Success goals declared for an optimization (e.g. `{ p95: '-20%' }`), read by compare/validate. */
    goals?: Record<string, unknown>;
  };
  environment: {
    node: string;
    platform: string;
    arch: string;
    cpus: number;
    totalMemoryBytes: number;
    hostname: string;
    argv?: string[];
  };
  /** Model of each scenario; `mixed` when both occur. */
  model: LoadModel | 'mixed';
  scenarios: ScenarioResult[];
  /** Every metric series per tag set. */
  metrics: MetricSeries[];
  /** Per-endpoint table (derived from metrics, stored for convenience). */
  endpoints: EndpointSummary[];
  /** Totals over all endpoints. */
  totals: {
    requests: number;
    failed: number;
    errorRate: number;
    rps: number;
    errors: Partial<Record<ErrorKind, number>>;
    serviceTime: TrendStats;
    responseTime: TrendStats;
    bytesReceived: number;
    bytesSent: number;
    iterations: number;
    droppedIterations: number;
    checks: { passes: number; fails: number };
  };
  series: IntervalSeries;
  generator: GeneratorHealth;
  thresholds: ThresholdResult[];
  /** Probe evidence (diagnose issue). */
  probes?: ProbeEvidence[];
  /** Findings (diagnose issue), ranked by impact. */
  findings?: Finding[];
  /** Demand profile per endpoint (diagnose issue). */
  demands?: EndpointDemand[];
  /** The earlier runs the diagnosis judged dependency waits against (`--reference`); absent without one. */
  diagnosisReference?: DiagnosisReference;
  /** The experiment of `tuneup diagnose` (capacity ramp, chosen rate, isolation runs); absent for other commands. */
  experiment?: ExperimentSection;
  /**
   * Load of the same mix the target served just before this run (ms): the capacity ramp of `tuneup diagnose`
   * before its diagnosis run. A process that served it is past its warm-up (JIT, heap sizing, pools opening),
   * whatever this run's own length. Absent when nothing preceded the run.
   */
  precededByLoadMs?: number;
  /** The breakpoint search of `tuneup capacity` (steps, capacity estimate, bottleneck, USL, cost); absent for other commands. */
  capacity?: import('../capacity/types.js').CapacitySection;
  /** The load's own facts: repeated keys (ideal cache hit ratio) and in-flight requests per endpoint. Optional: older results lack it. */
  loadFacts?: LoadFacts;
  /** Warnings for the summary (e.g. endpoint cardinality capped). */
  warnings: string[];
  /** Free-form labels given with `--tag key=value` (e.g. git sha, variant). */
  labels: Record<string, string>;
}
