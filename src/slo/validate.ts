/**
 * `tuneup monitor validate`: the SLI expressions of {@link errorRatio},
 * evaluated by a live Prometheus through `/api/v1/query`, judged against each
 * SLO's objective over its period, with the budget left and the state of the
 * page and ticket burn-rate alerts.
 *
 * @module
 */
import { TuneupError } from '../errors.js';
import { errorBudget, errorRatio } from './promql.js';
import type { SloSet, SloSpec } from './spec.js';
import { burnWindows, recordedWindows } from './windows.js';

/** Verdict of one SLO. */
export type SloVerdict = 'pass' | 'breach' | 'no-data';

/** State of a burn-rate alert evaluated from raw SLI windows. */
export type BurnState = 'firing' | 'ok' | 'no-data';

/** One SLO judged against a live Prometheus. */
export interface SloStatus {
  slo: SloSpec;
  verdict: SloVerdict;
  /** Share of bad requests over the period (undefined: no traffic or no series). */
  errorRatio?: number;
  /** The error budget, 1 − objective. */
  budget: number;
  /** 1 − errorRatio / budget: 1 untouched, 0 spent, below 0 breached. */
  budgetRemaining?: number;
  /** The page and ticket alerts as the exported rules would decide now. */
  alerts: { page: BurnState; ticket: BurnState };
  /** The PromQL evaluated for the period. */
  query: string;
}

/** Result of {@link validateSlos}. */
export interface SloValidation {
  /** Prometheus base URL. */
  url: string;
  /** Evaluation time (ms since the epoch). */
  at: number;
  periodMs: number;
  statuses: SloStatus[];
  /** True when at least one SLO is breached. */
  breached: boolean;
}

/** Options of {@link validateSlos}. */
export interface ValidateOptions {
  /** Prometheus base URL, e.g. `http://127.0.0.1:9090`. */
  url: string;
  /** Per-query timeout (default 10 s). */
  timeoutMs?: number;
  /** Evaluation time (default: now, as Prometheus sees it). */
  at?: number;
}

/**
 * Judge every SLO of the set against a live Prometheus.
 * @throws TuneupError `TUNEUP_PROMETHEUS_UNREACHABLE`, `TUNEUP_PROMETHEUS_QUERY_FAILED`.
 */
export async function validateSlos(set: SloSet, options: ValidateOptions): Promise<SloValidation> {
  const url = options.url.replace(/\/+$/, '');
  const at = options.at ?? Date.now();
  const ask = (expr: string): Promise<number | undefined> => instantQuery(url, expr, at, options.timeoutMs ?? 10_000);
  const statuses = await Promise.all(set.slos.map((slo) => judge(set, slo, ask)));
  return { url, at, periodMs: set.periodMs, statuses, breached: statuses.some((s) => s.verdict === 'breach') };
}

async function judge(set: SloSet, slo: SloSpec, ask: (expr: string) => Promise<number | undefined>): Promise<SloStatus> {
  const budget = errorBudget(slo);
  const query = errorRatio(slo, set.conventions, set.periodMs);
  const windows = recordedWindows(set.periodMs);
  const [ratio, ...windowRatios] = await Promise.all([ask(query), ...windows.map((w) => ask(errorRatio(slo, set.conventions, w)))]);
  const byWindow = new Map(windows.map((w, i) => [w, windowRatios[i]]));
  const alert = (severity: 'page' | 'ticket'): BurnState => {
    let sawData = false;
    for (const w of burnWindows(set.periodMs).filter((b) => b.severity === severity)) {
      const short = byWindow.get(w.shortMs);
      const long = byWindow.get(w.longMs);
      if (short === undefined || long === undefined) continue;
      sawData = true;
      if (short > w.factor * budget && long > w.factor * budget) return 'firing';
    }
    return sawData ? 'ok' : 'no-data';
  };
  const alerts = { page: alert('page'), ticket: alert('ticket') };
  if (ratio === undefined) return { slo, verdict: 'no-data', budget, alerts, query };
  const budgetRemaining = 1 - ratio / budget;
  return { slo, verdict: ratio > budget ? 'breach' : 'pass', errorRatio: ratio, budget, budgetRemaining, alerts, query };
}

const NOT_PROMETHEUS = 'give the base URL of Prometheus itself (the one serving /graph), not a dashboard or a service';

interface QueryResponse {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: Array<{ value?: [number, string] }> };
}

/** The value of a one-element instant vector, or undefined when empty or NaN (0/0: no traffic). */
async function instantQuery(url: string, expr: string, at: number, timeoutMs: number): Promise<number | undefined> {
  const body = new URLSearchParams({ query: expr, time: String(at / 1000) });
  let response: Response;
  try {
    response = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    throw new TuneupError('TUNEUP_PROMETHEUS_UNREACHABLE', `cannot reach Prometheus at ${url}: ${cause}`, {
      location: '--prometheus',
      cause: error,
      hint: 'give the base URL of a running Prometheus (e.g. http://127.0.0.1:9090), without /api/v1',
    });
  }
  let parsed: QueryResponse;
  try {
    parsed = (await response.json()) as QueryResponse;
  } catch (error) {
    throw new TuneupError('TUNEUP_PROMETHEUS_UNREACHABLE', `${url}/api/v1/query answered HTTP ${response.status} without JSON: not a Prometheus HTTP API`, {
      location: '--prometheus',
      cause: error,
      hint: NOT_PROMETHEUS,
    });
  }
  if (parsed.status !== 'success' && parsed.status !== 'error') {
    throw new TuneupError('TUNEUP_PROMETHEUS_UNREACHABLE', `${url}/api/v1/query answered HTTP ${response.status} without a Prometheus status: not a Prometheus HTTP API`, {
      location: '--prometheus',
      hint: NOT_PROMETHEUS,
    });
  }
  if (parsed.status === 'error') {
    throw new TuneupError('TUNEUP_PROMETHEUS_QUERY_FAILED', `Prometheus rejected an SLO query (${parsed.errorType ?? `HTTP ${response.status}`}): ${parsed.error ?? 'no error text'}\n  query: ${expr.replace(/\s*\n\s*/g, ' ')}`, {
      location: '--prometheus',
      hint: 'check the metric and label names under slo.metrics (docs/slo.md)',
    });
  }
  const first = parsed.data?.result?.[0]?.value?.[1];
  const value = first === undefined ? NaN : Number(first);
  return Number.isFinite(value) ? value : undefined;
}
