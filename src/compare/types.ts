/**
 * The Comparison contract: what `compareRuns` returns and what the
 * renderers and the JSON output (`tuneup compare --json`) carry.
 * Versioned by `version`; see docs/compare.md for the field reference.
 *
 * Changes are stored as log-ratios (ln(after/before)) and shown as
 * percentages: exp(x) − 1.
 *
 * @module
 */

/** Metrics a comparison can hold. Percentiles are latency (lower is better). */
export type MetricKind = 'p50' | 'p95' | 'p99' | 'throughput' | 'errors' | 'errors_5xx';

/** Which latency a percentile row measures: response time for open-model runs, service time for closed ones. */
export type LatencyBasis = 'response' | 'service';

/** Row verdict. `~` = no change shown; `equivalent` only when equivalence testing is on. */
export type Verdict = 'improved' | 'regressed' | '~' | 'equivalent';

/** Verdict of the whole comparison (the primary row), or `inconclusive` when a guardrail tripped. */
export type OverallVerdict = Verdict | 'inconclusive';

/** Stable codes of the reasons a comparison or a row cannot reach a verdict. */
export type InconclusiveCode =
  | 'rate-shortfall'
  | 'offered-load-differs'
  | 'generator-saturated'
  | 'error-rates-differ'
  | 'too-few-tail-samples'
  | 'load-models-differ'
  | 'outlier-runs'
  | 'primary-missing'
  | 'no-interval-histograms';

/** Why a verdict was withheld, with the runs concerned. */
export interface InconclusiveReason {
  code: InconclusiveCode;
  message: string;
  /** Run ids that tripped the guardrail (empty when it concerns the pair of sides). */
  runs: string[];
}

/** One side (before or after) of a row. */
export interface RowSide {
  /** Run ids, in the order given. */
  runs: string[];
  /** The metric per run (ms, req/s, or a rate 0..1). */
  values: number[];
  median: number;
  /** Half the range relative to the median ((max − min) / 2 / median); 0 for one run. */
  spread: number;
  /** Per-run sample count behind a percentile (requests); null for other metrics. */
  samples: number[] | null;
}

/** A run flagged by the modified Z-score (kept, never dropped). */
export interface OutlierFlag {
  side: 'before' | 'after';
  run: string;
  /** Modified Z-score of ln(value) within its side. */
  z: number;
}

/** One metric × (overall or one endpoint). */
export interface ComparisonRow {
  metric: MetricKind;
  /** Route template, or null for all endpoints together. */
  endpoint: string | null;
  /** Human label, e.g. `p95 response time`. */
  label: string;
  unit: 'ms' | 'req/s' | 'rate';
  /** For percentile rows: the latency measured. */
  basis: LatencyBasis | null;
  /** Whether a smaller value is better (latency, errors) or a larger one (throughput). */
  direction: 'lower-is-better' | 'higher-is-better';
  before: RowSide;
  after: RowSide;
  /** Hodges–Lehmann (or, in quick mode, whole-run) estimate of ln(after/before). */
  logRatio: number;
  /** exp(logRatio) − 1, as a percentage. */
  deltaPercent: number;
  /** Confidence interval of ln(after/before); null when the sample sizes cannot reach it. */
  ci: { lower: number; upper: number; confidence: number } | null;
  /** Two-sided p-value (NaN when not computed). */
  p: number;
  /** Holm-adjusted p over the secondary rows (equals p for the primary row). */
  pAdjusted: number;
  /** `mann-whitney` (exact or normal), `block-bootstrap` (quick mode) or `descriptive` (no test possible). */
  method: 'mann-whitney-exact' | 'mann-whitney-exact-ties' | 'mann-whitney-normal' | 'block-bootstrap' | 'descriptive';
  /** Noise threshold θ (fraction, e.g. 0.05) the interval had to clear. */
  threshold: number;
  verdict: Verdict;
  /** Reasons this row's verdict cannot be trusted; non-empty → render as inconclusive. */
  inconclusive: InconclusiveReason[];
  outliers: OutlierFlag[];
  /** True for the row that decides the overall verdict. */
  primary: boolean;
}

/** benchstat-style geometric-mean summary of one metric across endpoints. */
export interface GeomeanRow {
  metric: MetricKind;
  label: string;
  /** Geometric mean of the endpoint medians, per side. */
  before: number;
  after: number;
  /** exp(mean of the endpoint log-ratios) − 1, as a percentage. */
  deltaPercent: number;
  endpoints: number;
}

/** The comparison of two sets of runs. */
export interface Comparison {
  version: 1;
  /** `runs`: k runs per side, rank test. `quick`: one run per side, block bootstrap. */
  mode: 'runs' | 'quick';
  /** Shown next to every quick-mode result. */
  modeNote: string | null;
  /** How the runs were ordered: interleaved (drift cancelled), sequential (drift not controlled), or unknown. */
  design: 'interleaved' | 'sequential' | 'unknown';
  before: { runs: string[]; label: string };
  after: { runs: string[]; label: string };
  alpha: number;
  thresholds: Record<MetricKind, number>;
  equivalence: boolean;
  primary: { metric: MetricKind; endpoint: string | null };
  verdict: OverallVerdict;
  /** Comparison-level reasons for `inconclusive` (the primary row's own reasons are included). */
  reasons: InconclusiveReason[];
  /** Things to know that do not withhold the verdict (outliers, sequential design, unfinished runs). */
  warnings: string[];
  rows: ComparisonRow[];
  geomean: GeomeanRow[];
  /** Quick-mode bootstrap settings (seed stored for replay). */
  bootstrap: { resamples: number; blockLength: number; seed: number } | null;
  /** Filled by the interleaving scheduler: pairs run and whether sampling was extended. */
  sampling?: { pairs: number; extended: boolean; firstSide: 'A' | 'B'; stoppedBy: string };
}
