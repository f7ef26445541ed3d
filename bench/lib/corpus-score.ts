/**
 * Scoring of the diagnosis corpus (bench/diagnosis-corpus.ts): pure, so the
 * arithmetic is unit-tested apart from the slow runs.
 *
 * A run is right ("top-1") when its top finding at medium severity or above
 * has the expected category AND names the expected endpoint; a finding with
 * the right category but no or another endpoint is counted apart
 * ("category only") and is still a miss. At the `overload` load the fault is
 * judged on the first medium+ finding that is not `overload` (see
 * {@link isRight}); whether the overload was said first is reported apart,
 * against the runs the load measured past capacity ({@link CaseRun.pastCapacity}).
 * The older strict figure (overload first, then the fault) is kept as
 * {@link isRightStrict}. A healthy case is right when the run
 * has no finding at medium or above. Every run counts once: no retries,
 * no best-of-N, errors are misses.
 *
 * @module
 */
import { CONTENDED_SHARE } from './host-load.js';

/** Load level of a corpus run. */
export type LoadLevel = 'moderate' | 'overload';

/** One run of one case, as the runner saw it. */
export interface CaseRun {
  service: string;
  caseId: string;
  load: LoadLevel;
  rep: number;
  /** The case's expectation; null for a healthy case. */
  expect: { category: string; endpoint: string } | null;
  /** Top finding at medium+; null when there was none. */
  top: { category: string; endpoint?: string; severity: string } | null;
  /** The first medium+ finding that is not `overload` (what is judged past capacity, after the overload). */
  topBesidesOverload?: { category: string; endpoint?: string; severity: string } | null;
  /** Medium+ findings other than `overload`. */
  severeBesidesOverload?: number;
  /** Findings at medium+ in the run. */
  severeCount: number;
  /**
   * Whether the load measured the run past capacity (bench/lib/past-capacity.ts: throughput below 95 %
   * of the offered rate, or ≥ 5 % dropped); undefined when unknown (older runs, failed runs).
   */
  pastCapacity?: boolean;
  /**
   * Mean share of the host's CPU that processes outside the run used (bench/lib/host-load.ts); undefined
   * when unknown. At or above `CONTENDED_SHARE` the run is marked contended in the report.
   */
  othersCpuShare?: number;
  /** Why the run produced no result, if it did not. */
  error?: string;
  seconds: number;
}

/**
 * The finding judged against the expectation, and the count of other medium+ findings. At the
 * `overload` load the overload finding is set aside (it is scored by {@link overloadFirst} against
 * the measured {@link CaseRun.pastCapacity}) and the planted fault is judged on the first medium+
 * finding after it (a healthy case: nothing else at medium+). At a moderate load an `overload`
 * finding is judged like any other.
 */
function judged(run: CaseRun): { top: CaseRun['top']; severe: number } | null {
  if (run.load !== 'overload') return { top: run.top, severe: run.severeCount };
  return { top: run.topBesidesOverload ?? null, severe: run.severeBesidesOverload ?? 0 };
}

/** Whether the run said "past capacity" first. */
export function overloadFirst(run: CaseRun): boolean {
  return run.error === undefined && run.top?.category === 'overload';
}

/** The earlier, strict judgement at the `overload` load: overload said first AND the fault right after it. */
export function isRightStrict(run: CaseRun): boolean {
  return run.load === 'overload' ? overloadFirst(run) && isRight(run) : isRight(run);
}

/** Whether a run's judged finding is the expected one (category and endpoint). */
export function isRight(run: CaseRun): boolean {
  const j = run.error === undefined ? judged(run) : null;
  if (j === null) return false;
  if (run.expect === null) return j.severe === 0;
  return j.top !== null && j.top.category === run.expect.category && j.top.endpoint === run.expect.endpoint;
}

/** Whether a run's judged finding has the expected category, whatever its endpoint. */
export function isCategoryRight(run: CaseRun): boolean {
  const j = run.error === undefined ? judged(run) : null;
  if (j === null) return false;
  if (run.expect === null) return j.severe === 0;
  return j.top !== null && j.top.category === run.expect.category;
}

/** Per-category figures over a set of runs. */
export interface CategoryScore {
  category: string;
  runs: number;
  cases: number;
  /** Share of runs whose top finding is right (category and endpoint). */
  top1: number;
  /** Lowest and highest per-case top-1 rate: the spread over cases and repetitions. */
  caseMin: number;
  caseMax: number;
  /** Share of runs whose top finding has the right category (any endpoint). */
  categoryOnly: number;
  /** Of all runs whose judged finding claimed this category, the share that was right; null when none claimed it. */
  precision: number | null;
}

/** Score per expected category ('healthy' for cases expecting nothing). */
export function scoreByCategory(runs: readonly CaseRun[]): CategoryScore[] {
  const categories = [...new Set(runs.map((r) => r.expect?.category ?? 'healthy'))].sort();
  return categories.map((category) => {
    const mine = runs.filter((r) => (r.expect?.category ?? 'healthy') === category);
    const byCase = new Map<string, CaseRun[]>();
    for (const r of mine) byCase.set(`${r.service}/${r.caseId}`, [...(byCase.get(`${r.service}/${r.caseId}`) ?? []), r]);
    const caseRates = [...byCase.values()].map((rs) => rs.filter(isRight).length / rs.length);
    // The finding judged, not the raw top: past capacity the raw top is the overload finding.
    const claimed = category === 'healthy' ? [] : runs.filter((r) => r.error === undefined && judged(r)?.top?.category === category);
    return {
      category,
      runs: mine.length,
      cases: byCase.size,
      top1: mine.filter(isRight).length / mine.length,
      caseMin: Math.min(...caseRates),
      caseMax: Math.max(...caseRates),
      categoryOnly: mine.filter(isCategoryRight).length / mine.length,
      precision: category === 'healthy' ? null : claimed.length === 0 ? null : claimed.filter(isRight).length / claimed.length,
    };
  });
}

/** Share of healthy runs with any finding at medium or above (null without healthy runs). */
export function healthyFalsePositiveRate(runs: readonly CaseRun[]): number | null {
  const healthy = runs.filter((r) => r.expect === null);
  return healthy.length === 0 ? null : healthy.filter((r) => !isRight(r)).length / healthy.length;
}

const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(0)} %`);

/** A run measured while other processes used at least {@link CONTENDED_SHARE} of the host's CPU. */
function isContended(r: CaseRun): boolean {
  return r.othersCpuShare !== undefined && r.othersCpuShare >= CONTENDED_SHARE;
}

/** The plain-text report: per load level, per category, then every case's runs. */
export function scoreCorpus(
  runs: readonly CaseRun[],
  meta: { mode: string; reps: number; loads: readonly string[]; duration: string; wallSeconds: number; node: string },
): string {
  const lines: string[] = [];
  lines.push(`diagnosis corpus — mode ${meta.mode}, ${meta.reps} rep(s) per case and load, loads ${meta.loads.join(', ')}, duration ${meta.duration}, Node ${meta.node}`);
  lines.push(`${runs.length} runs in ${(meta.wallSeconds / 60).toFixed(1)} min; right = top finding at medium+ has the expected category AND endpoint`);
  for (const load of [...meta.loads, 'all']) {
    const mine = load === 'all' ? runs : runs.filter((r) => r.load === load);
    if (mine.length === 0) continue;
    const overall = mine.filter(isRight).length / mine.length;
    const faulty = mine.filter((r) => r.expect !== null);
    lines.push('');
    const high = mine.filter((r) => r.load === 'overload');
    const past = high.filter((r) => r.pastCapacity === true);
    const keptUp = high.filter((r) => r.pastCapacity === false);
    const overloadNote = high.length
      ? `; measured past capacity ${past.length} of ${high.length} runs, overload said first in ${pct(past.length ? past.filter(overloadFirst).length / past.length : null)} of them` +
        ` and in ${pct(keptUp.length ? keptUp.filter(overloadFirst).length / keptUp.length : null)} of the runs that kept up; strict top-1 (overload first, then the fault) ${pct(high.filter(isRightStrict).length / high.length)}`
      : '';
    const contended = mine.filter(isContended);
    const contentionNote = contended.length > 0 ? `; ${contended.length} of ${mine.length} runs on a contended host (other processes used ≥ ${pct(CONTENDED_SHARE)} of its CPU), top-1 ${pct(contended.filter(isRight).length / contended.length)} there and ${pct(mine.length > contended.length ? mine.filter((r) => !isContended(r) && isRight(r)).length / (mine.length - contended.length) : null)} on the others` : '';
    lines.push(`## load: ${load} — top-1 ${pct(overall)} of ${mine.length} runs; faults ${pct(faulty.length ? faulty.filter(isRight).length / faulty.length : null)}; healthy false positives ${pct(healthyFalsePositiveRate(mine))}${overloadNote}${contentionNote}`);
    lines.push(`${'category'.padEnd(20)} ${'cases'.padStart(5)} ${'runs'.padStart(5)} ${'top-1'.padStart(6)} ${'per-case min–max'.padStart(17)} ${'cat-only'.padStart(8)} ${'precision'.padStart(9)}`);
    for (const s of scoreByCategory(mine)) {
      lines.push(
        `${s.category.padEnd(20)} ${String(s.cases).padStart(5)} ${String(s.runs).padStart(5)} ${pct(s.top1).padStart(6)} ${`${pct(s.caseMin)}–${pct(s.caseMax)}`.padStart(17)} ${pct(s.categoryOnly).padStart(8)} ${pct(s.precision).padStart(9)}`,
      );
    }
  }
  lines.push('');
  lines.push('## runs');
  for (const r of runs) {
    const show = (t: CaseRun['top']): string => (t ? `${t.category} @ ${t.endpoint ?? '-'} (${t.severity})` : 'none at medium+');
    const got =
      r.error !== undefined ? `ERROR ${r.error}` : r.load === 'overload' && r.top?.category === 'overload' ? `overload, then ${show(r.topBesidesOverload ?? null)}` : show(r.top);
    const measured =
      (r.load === 'overload' && r.pastCapacity !== undefined ? ` [${r.pastCapacity ? 'past capacity' : 'kept up'}]` : '') +
      (isContended(r) ? ` [contended: others ${pct(r.othersCpuShare!)} of the host]` : '');
    const want = r.expect ? `${r.expect.category} @ ${r.expect.endpoint}` : 'none at medium+';
    lines.push(`${isRight(r) ? 'ok  ' : 'MISS'} ${r.service}/${r.caseId} ${r.load} #${r.rep}${measured}: got ${got}; want ${want}`);
  }
  return `${lines.join('\n')}\n`;
}
