/**
 * The stored shape of a `tuneup capacity` result: the section a capacity run
 * adds to its RunResult (`result.capacity`). Plain serializable data; the
 * renderers in src/report/ read only this.
 *
 * @module
 */
import type { ExperimentStep } from '../result/types.js';

/** One capacity step as stored: a diagnose ramp step, with the repeat phase and the step's concurrency. */
export interface CapacityStep extends Omit<ExperimentStep, 'phase'> {
  phase: 'ramp' | 'bisect' | 'repeat';
  /** Mean response time over the step (ms). */
  meanMs: number | null;
  /** Requests in flight on average (Little's law; see `stepConcurrency` in run.ts). */
  concurrency: number | null;
}

/** Sustained/failed count of the runs at one offered rate (repeats included). */
export interface RateTally {
  rate: number;
  runs: number;
  sustained: number;
}

/**
 * The maximum sustainable rate and its uncertainty, from the repeats near the knee.
 * Method ("all-repeats bracket"): `rate` is the highest offered rate sustained in every one of its runs
 * (and below any rate that failed in every run); `upper` is the lowest tested rate above it that failed
 * at least once. The knee lies in [rate, upper) for the runs made; a rate sustained n times out of n can
 * still fail sometimes (with n = 3 runs, a rate failing 30 % of the time passes all three 34 % of the time).
 */
export interface CapacityEstimate {
  status: 'found' | 'not-reached' | 'below-start';
  /** Maximum sustainable rate (iterations/s); for `not-reached` the highest rate tried, a lower bound. */
  rate?: number;
  /** Lowest rate above `rate` that failed at least once; undefined when none did. */
  upper?: number;
  /** Runs per rate near the knee. */
  tallies: RateTally[];
  /** Mean iterations/s finished at the rates that failed (the saturated throughput), with min and max over those steps. */
  saturatedThroughput?: { mean: number; min: number; max: number; steps: number };
  /** How the estimate was made, one sentence. */
  method: string;
  /** Caveats (e.g. a rate below the estimate failed once: the service is noisy there). */
  notes: string[];
}

/** One resource's utilization-law bound for the plan's mix. */
export interface ResourceBound {
  /** `cpu` (service CPU), `main-thread`, `db`, `cache`, as the cost model names them. */
  resource: string;
  /** Demand per iteration of the mix, per server (ms). */
  demandMs: number;
  /** Servers assumed (cores of the database; 1 for a process's CPU and for the main thread). */
  servers: number;
  /** Rate at which this resource is 100 % busy (iterations/s): 1000 / demandMs. */
  saturatesAt: number;
  /** Utilization at the maximum sustainable rate (0..1+). */
  utilizationAtCapacity?: number;
}

/** The bottleneck at the knee from the cost model (present when probes measured resource use). */
export interface CapacityBottleneck {
  /** Resources by the rate at which they saturate, lowest first: the first is the bottleneck. */
  bounds: ResourceBound[];
  /** The step whose run the demands were measured on (offered rate). */
  measuredAt: number;
  /** The cost model's estimator on that run. */
  method: 'profile' | 'regression' | 'none';
  /** The resource the probes showed saturated at the failing step, if any (measured, not modelled). */
  saturated?: { name: string; utilization: number; detail: string };
  notes: string[];
}

/** A Universal Scalability Law fit of throughput against concurrency. */
export interface UslFit {
  /** Throughput of one request in flight (iterations/s per unit of concurrency at N → 0, λ). */
  lambda: number;
  /** Contention (serial fraction), σ ≥ 0. */
  sigma: number;
  /** Coherency (crosstalk), κ ≥ 0. */
  kappa: number;
  /** ⌊√((1 − σ)/κ)⌋: the concurrency of peak throughput; null when κ = 0 (no retrograde region). */
  nMax: number | null;
  /** Throughput the model predicts at nMax (or its asymptote λ/σ when κ = 0 and σ > 0). */
  xMax: number | null;
  /** Coefficient of determination on the measured points. */
  r2: number;
  /** Root-mean-square error (iterations/s) and mean absolute percentage error on the measured points. */
  rmse: number;
  mape: number;
  points: { n: number; x: number; predicted: number }[];
}

/** USL result: a fit, or why there is none. */
export type UslResult = { ok: true; fit: UslFit } | { ok: false; reason: string; points: number };

/** Cost inputs and results. */
export interface CapacityCost {
  /** Target rates (iterations/s) with where they come from (a `--target-rate`, or growth × the base rate). */
  rows: CostRow[];
  /** Capacity of one instance used (iterations/s): the maximum sustainable rate. */
  perInstanceRate: number;
  /** Share kept free (0..1): instances are sized so each runs at most (1 − headroom) × its capacity. */
  headroom: number;
  pricePerHour?: number;
  /** Hours in a month used for the monthly cost (730 = 8760 / 12). */
  hoursPerMonth: number;
}

/** One target rate's sizing. */
export interface CostRow {
  label: string;
  targetRate: number;
  instances: number;
  /** instances × price × hours per month; undefined without a price. */
  monthlyCost?: number;
}

/** Before/after capacity comparison (two capacity results). */
export interface CapacityComparison {
  before: { id: string; rate: number };
  after: { id: string; rate: number };
  /** after / before − 1. */
  gained: number;
  /** At each target rate: instances before and after, and the monthly saving (with a price). */
  rows: { label: string; targetRate: number; instancesBefore: number; instancesAfter: number; monthlySaved?: number }[];
}

/** What `tuneup capacity` adds to its stored RunResult. */
export interface CapacitySection {
  steps: CapacityStep[];
  estimate: CapacityEstimate;
  /** The plan's latency SLOs (percentile thresholds on the whole run) that judged the steps, for the curve. */
  slo?: { label: string; percentile: number; valueMs: number }[];
  bottleneck?: CapacityBottleneck;
  usl: UslResult;
  cost?: CapacityCost;
  comparison?: CapacityComparison;
  /** The plan's own peak rate, when it has one. */
  requestedRate?: number;
  /** Wall time of the search (ms). */
  durationMs: number;
  interrupted?: boolean;
  /** Why the search stopped before its plan, when it did (e.g. every step failing badly). */
  stoppedBecause?: string;
}
