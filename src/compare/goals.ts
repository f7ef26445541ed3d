/**
 * Optimization goals ("p95 −20 %, throughput +30 %, 5xx −50 %") declared in
 * the plan and judged against a comparison's confidence intervals.
 *
 * A goal is **met** only when the whole interval of the change lies at or
 * beyond the target, **not met** when the whole interval falls short of it,
 * and **undetermined** otherwise (the interval straddles the target, there
 * is no interval, or the comparison is inconclusive).
 *
 * @module
 */
import { ExitCode, TuneupError } from '../errors.js';
import type { Comparison, ComparisonRow, MetricKind } from './types.js';

/** A declared goal: the metric should change by `change` (e.g. `-20%`). */
export interface Goal {
  metric: MetricKind;
  /** Route template; omitted = overall. */
  endpoint?: string;
  /** Signed relative change as written, e.g. `-20%` or `+30%`. */
  change: string;
}

/** Outcome of one goal. */
export interface GoalResult {
  goal: Goal;
  /** Target change as a fraction (−0.2 for `-20%`). */
  target: number;
  status: 'met' | 'not-met' | 'undetermined';
  /** Estimated change (%), null when the metric was not compared. */
  observedPercent: number | null;
  /** Interval of the change (%), null when none. */
  intervalPercent: [number, number] | null;
  /** Why `undetermined`, or a one-line explanation otherwise. */
  reason: string;
}

const METRICS: readonly MetricKind[] = ['p50', 'p95', 'p99', 'throughput', 'errors', 'errors_5xx'];

/** Parse `-20%`, `+30 %`, `-0.2` into a fraction; throws on anything else or on ≤ −100 %. */
export function parseChange(text: string, location = 'goals'): number {
  const m = /^\s*([+-])\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) {
    throw new TuneupError('TUNEUP_GOAL_INVALID', `goal change "${text}" is not a signed percentage`, {
      hint: 'write the change with its sign, e.g. "-20%" for 20 % lower or "+30%" for 30 % higher',
      location,
    });
  }
  const magnitude = Number(m[2]) / (m[3] === '%' ? 100 : 1);
  const value = m[1] === '-' ? -magnitude : magnitude;
  if (value <= -1) {
    throw new TuneupError('TUNEUP_GOAL_INVALID', `goal change "${text}" would make the metric zero or negative`, {
      hint: 'a decrease must be smaller than 100 %',
      location,
    });
  }
  return value;
}

function checkMetric(metric: unknown, location: string): MetricKind {
  if (typeof metric === 'string' && (METRICS as readonly string[]).includes(metric)) return metric as MetricKind;
  throw new TuneupError('TUNEUP_GOAL_INVALID', `unknown goal metric ${JSON.stringify(metric)}`, {
    hint: `use one of ${METRICS.join(', ')}`,
    location,
  });
}

/**
 * Read goals from a plan's `goals` field. Two spellings:
 * - a list: `[{ metric: 'p95', endpoint: 'GET /x', change: '-20%' }, …]`
 * - a map: `{ p95: '-20%', 'p95 GET /x': '-30%', throughput: '+30%' }`
 *   (the key is the metric, optionally followed by a space and the endpoint).
 *
 * @throws TuneupError `TUNEUP_GOAL_INVALID` naming the bad entry.
 */
export function parseGoals(input: unknown): Goal[] {
  if (input === undefined || input === null) return [];
  if (Array.isArray(input)) {
    return input.map((entry, i) => {
      const location = `goals[${i}]`;
      if (typeof entry !== 'object' || entry === null) {
        throw new TuneupError('TUNEUP_GOAL_INVALID', 'a goal must be an object', { location, hint: "e.g. { metric: 'p95', change: '-20%' }" });
      }
      const e = entry as Record<string, unknown>;
      const metric = checkMetric(e.metric, `${location}.metric`);
      if (typeof e.change !== 'string') {
        throw new TuneupError('TUNEUP_GOAL_INVALID', 'a goal needs a change such as "-20%"', { location: `${location}.change`, hint: 'write change: "-20%"' });
      }
      parseChange(e.change, `${location}.change`);
      return { metric, change: e.change, ...(typeof e.endpoint === 'string' ? { endpoint: e.endpoint } : {}) };
    });
  }
  if (typeof input === 'object') {
    return Object.entries(input as Record<string, unknown>).map(([key, value]) => {
      const location = `goals.${key}`;
      const space = key.indexOf(' ');
      const metric = checkMetric(space < 0 ? key : key.slice(0, space), location);
      if (typeof value !== 'string') {
        throw new TuneupError('TUNEUP_GOAL_INVALID', 'a goal value must be a change such as "-20%"', { location, hint: `write ${key}: "-20%"` });
      }
      parseChange(value, location);
      return { metric, change: value, ...(space < 0 ? {} : { endpoint: key.slice(space + 1).trim() }) };
    });
  }
  throw new TuneupError('TUNEUP_GOAL_INVALID', 'goals must be a list or a map', { location: 'goals', hint: "e.g. goals: { p95: '-20%' }" });
}

const pct = (logRatio: number) => (Math.exp(logRatio) - 1) * 100;

/** Judge each goal against the comparison (see the module comment for the rule). */
export function evaluateGoals(goals: readonly Goal[], comparison: Comparison): GoalResult[] {
  const guardrails = comparison.reasons.filter((r) => r.code !== 'too-few-tail-samples' && r.code !== 'primary-missing' && r.code !== 'no-interval-histograms');
  return goals.map((goal) => {
    const target = parseChange(goal.change);
    const row: ComparisonRow | undefined = comparison.rows.find((r) => r.metric === goal.metric && r.endpoint === (goal.endpoint ?? null));
    const base = { goal, target };
    if (!row) {
      return { ...base, status: 'undetermined', observedPercent: null, intervalPercent: null, reason: `${goal.metric} ${goal.endpoint ?? 'overall'} was not compared` };
    }
    const observedPercent = row.deltaPercent;
    const intervalPercent: [number, number] | null = row.ci ? [pct(row.ci.lower), pct(row.ci.upper)] : null;
    const withRow = { ...base, observedPercent, intervalPercent };
    if (guardrails.length > 0) return { ...withRow, status: 'undetermined', reason: `comparison inconclusive: ${guardrails.map((r) => r.code).join(', ')}` };
    if (row.inconclusive.length > 0) return { ...withRow, status: 'undetermined', reason: row.inconclusive.map((r) => r.message).join('; ') };
    if (!row.ci) return { ...withRow, status: 'undetermined', reason: 'no confidence interval (too few runs or no interval data)' };
    const goalLog = Math.log(1 + target);
    const wantsDecrease = target < 0;
    const met = wantsDecrease ? row.ci.upper <= goalLog : row.ci.lower >= goalLog;
    const missed = wantsDecrease ? row.ci.lower > goalLog : row.ci.upper < goalLog;
    if (met) return { ...withRow, status: 'met', reason: `the whole interval is at or beyond ${goal.change}` };
    if (missed) return { ...withRow, status: 'not-met', reason: `the whole interval falls short of ${goal.change}` };
    return { ...withRow, status: 'undetermined', reason: `the interval straddles ${goal.change}; more runs would tell` };
  });
}
