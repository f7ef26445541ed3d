/**
 * Which endpoint owns a memory growth (pure): what each endpoint keeps when it runs alone, and the
 * placement of the mixed run's growth on the endpoint that keeps it.
 *
 * A mixed run of a constant mix cannot say which endpoint leaks: every endpoint's requests accumulate in
 * proportion to time, so the growth fits each of them equally well. The memory round of `tuneup diagnose`
 * runs the endpoints alone, one after the other, each long enough for the collector to catch up with it,
 * and measures what each step adds to memory as the series' **climb** over the step's second half: the
 * sum of its rises between samples, falls left out.
 *
 * - The JavaScript heap is read in its **old generation** (every V8 space but the young generation's). A
 *   request's short-lived garbage dies in the young generation, whose scavenges free it every few
 *   megabytes; what a request keeps survives them and is promoted to the old generation, which gives
 *   memory back only at a major collection. So the old generation's rises are what requests kept (plus
 *   the few objects in flight at a scavenge), and its falls are collections of older garbage. The heap's
 *   total is no measure: it climbs with every request's garbage between two scavenges.
 * - Promotion comes two scavenges after the allocation, seconds later at a modest rate: the first half of a
 *   step still promotes what the step before it kept. Only the second half is judged.
 * - Resident memory (RSS) is the measure when the service exports no V8 heap spaces: it climbs when the
 *   process maps pages for what it keeps (heap it must grow, Buffers, native memory).
 *
 * @module
 */
import type { Evidence, Finding, RunResult } from '../../result/types.js';
import { probeSet } from '../evidence.js';
import type { IsolatedOutcome } from './confirm.js';

/** What one endpoint added to memory in the judged part of its step. */
export interface RetainedAlone {
  /** Rises of the heap's old generation (bytes); absent when the service does not export V8's heap spaces. */
  oldGenerationBytes?: number;
  /** Rises of resident memory (bytes); absent when RSS was not sampled. */
  rssBytes?: number;
  /** Requests the endpoint completed in the judged part of its step. */
  requests: number;
  /** Length of the judged part (s). */
  seconds: number;
}

/** A sample: offset (ms) from the run start, value. */
type Point = readonly [number, number];

/** A probe's series as stored in a result. */
type Series = { t: number[]; values: Record<string, (number | null)[]> };

/** The numeric samples of one column of a probe's series, in time order. */
function points(series: Series | undefined, column: string): Point[] {
  return (series?.t ?? [])
    .map((t, i) => [t, series!.values[column]?.[i]] as const)
    .filter((p): p is Point => typeof p[1] === 'number' && Number.isFinite(p[1]));
}

/**
 * The climb of a series over a window: the sum of its rises between consecutive samples whose later
 * sample lies in (`from`, `to`] (a sample describes the interval that ends at it); undefined without
 * a sample in the window.
 */
export function climbOver(series: readonly Point[], from: number, to: number): number | undefined {
  let sum = 0;
  let seen = false;
  for (let i = 1; i < series.length; i++) {
    const [t, v] = series[i]!;
    if (t <= from || t > to) continue;
    seen = true;
    sum += Math.max(0, v - series[i - 1]![1]);
  }
  return seen ? sum : undefined;
}

/**
 * What each of `endpoints` added to memory in the memory round's run: the climb of the old generation
 * and of RSS over the second half of the intervals it had completions in. Endpoints without completions
 * are left out.
 */
export function retainedAlone(result: RunResult, endpoints: readonly string[]): Map<string, RetainedAlone> {
  const out = new Map<string, RetainedAlone>();
  const probes = probeSet(result);
  const oldGeneration = points(probes.prometheus?.series, 'heapOldUsedBytes');
  const processRss = points(probes.process?.series, 'rssBytes');
  const rss = processRss.length > 0 ? processRss : points(probes.prometheus?.series, 'rssBytes');
  const { t, intervalMs } = result.series;
  for (const endpoint of endpoints) {
    const requests = result.series.endpoints[endpoint]?.requests ?? [];
    const active = requests.map((n, i) => (n > 0 ? i : -1)).filter((i) => i >= 0);
    if (active.length === 0) continue;
    const start = t[active[0]!]!;
    const to = t[active[active.length - 1]!]! + intervalMs;
    const from = start + Math.floor((to - start) / 2 / intervalMs) * intervalMs;
    const judged = active.filter((i) => t[i]! >= from);
    const entry: RetainedAlone = { requests: judged.reduce((a, i) => a + requests[i]!, 0), seconds: (to - from) / 1000 };
    const old = climbOver(oldGeneration, from, to);
    if (old !== undefined) entry.oldGenerationBytes = old;
    const resident = climbOver(rss, from, to);
    if (resident !== undefined) entry.rssBytes = resident;
    out.set(endpoint, entry);
  }
  return out;
}

/**
 * Least share an endpoint's excess must hold to own a memory growth: of all endpoints' excess, and of the
 * growth the mixed run measured. A majority of both: the owner explains most of the growth, and no other
 * endpoint explains as much.
 */
export const OWNER_SHARE = 0.5;

/**
 * One endpoint's part of a memory growth. Every request promotes some garbage to the old generation (what
 * was in flight at a scavenge), which a major collection frees later; the typical endpoint's bytes per
 * request — the median over the endpoints run — is that baseline, and what an endpoint keeps above it is
 * its **excess**: the estimate of what it keeps for good. Its part of the growth is the excess times its
 * request rate in the mixed run.
 */
interface Part {
  outcome: IsolatedOutcome;
  bytesPerRequest: number;
  /** Excess over the median endpoint's bytes per request, times the mixed rate (bytes/s). */
  excessPerSecond: number;
}

/**
 * Place a memory growth (a finding without endpoint) on the endpoint that keeps it: the endpoint with the
 * largest excess (see {@link Part}) owns it when its excess is more than {@link OWNER_SHARE} of all
 * endpoints' excess and at least that share of the growth the mixed run judged (`memoryGrowthMBPerMin`).
 * The finding then names the endpoint (`endpoint`, `confirmation.shownBy`), with every endpoint's part as
 * evidence. Refuted (low) when every endpoint ran alone and all they promote together, garbage included,
 * is less than that share of the growth: requests do not drive it (a warm-up that ended, memory kept on a
 * timer). Otherwise not tested, with the reason. Read in the heap's old generation, or in RSS when the
 * service exports no heap spaces.
 */
export function placeMemoryGrowth(f: Finding, outcomes: readonly IsolatedOutcome[]): Finding {
  const ran = outcomes.filter((o) => o.status === 'ran' && o.retained && o.retained.requests > 0 && (o.mixedRps ?? 0) > 0);
  const untried = outcomes.filter((o) => !ran.includes(o)).map((o) => o.endpoint);
  if (ran.length === 0) {
    return { ...f, confirmation: { status: 'not-tested', evidence: [], reason: outcomes.length === 0 ? 'the memory round did not run' : 'no endpoint could be run alone long enough to measure what it keeps' } };
  }
  const oldGeneration = ran.every((o) => o.retained!.oldGenerationBytes !== undefined);
  const measure = oldGeneration ? 'old generation' : 'RSS';
  const kept = (o: IsolatedOutcome) => (oldGeneration ? o.retained!.oldGenerationBytes : o.retained!.rssBytes);
  if (ran.some((o) => kept(o) === undefined)) {
    return { ...f, confirmation: { status: 'not-tested', evidence: [], reason: 'the memory round measured neither the heap\'s old generation nor RSS' } };
  }
  const perRequest = ran.map((o) => kept(o)! / o.retained!.requests);
  const baseline = median(perRequest);
  const parts: Part[] = ran
    .map((o, k) => ({ outcome: o, bytesPerRequest: perRequest[k]!, excessPerSecond: Math.max(0, perRequest[k]! - baseline) * o.mixedRps! }))
    .sort((a, b) => b.excessPerSecond - a.excessPerSecond);
  const growthPerSecond = ((f.metrics?.memoryGrowthMBPerMin ?? 0) * 1024 * 1024) / 60;
  const excess = parts.reduce((a, p) => a + p.excessPerSecond, 0);
  const promoted = ran.reduce((a, o, k) => a + perRequest[k]! * o.mixedRps!, 0);
  const top = parts[0]!;
  const evidence = partsEvidence(parts, measure, baseline, growthPerSecond);
  const shareOfExcess = excess > 0 ? top.excessPerSecond / excess : 0;
  const shareOfGrowth = growthPerSecond > 0 ? top.excessPerSecond / growthPerSecond : 0;
  if (shareOfExcess > OWNER_SHARE && shareOfGrowth >= OWNER_SHARE) {
    const endpoint = top.outcome.endpoint;
    return {
      ...f,
      endpoint,
      confirmation: {
        status: 'confirmed',
        evidence,
        reason: `${endpoint} alone kept ${kb(top.bytesPerRequest)} KB per request in the ${measure}, ${kb(top.bytesPerRequest - baseline)} KB above the typical endpoint's: at its mixed rate ${pct(shareOfGrowth)} of the mixed run's growth, and ${pct(shareOfExcess)} of every endpoint's excess`,
        shownBy: endpoint,
      },
    };
  }
  if (untried.length === 0 && promoted < OWNER_SHARE * growthPerSecond) {
    return {
      ...f,
      severity: 'low',
      confirmation: {
        status: 'refuted',
        evidence,
        reason: `every endpoint ran alone, and all they promote at their mixed rates, garbage included, is ${pct(growthPerSecond > 0 ? promoted / growthPerSecond : 0)} of the mixed run's growth: requests do not drive it (a warm-up that ended, or memory kept on a timer)`,
        originalSeverity: f.severity,
      },
    };
  }
  const why = shareOfExcess <= OWNER_SHARE
    ? `no endpoint keeps most of what the endpoints keep above the typical one (largest: ${top.outcome.endpoint}, ${pct(shareOfExcess)})`
    : `${top.outcome.endpoint} keeps the most above the typical endpoint, but only ${pct(shareOfGrowth)} of the mixed run's growth`;
  return { ...f, confirmation: { status: 'not-tested', evidence, reason: `${why}${untried.length > 0 ? `; not run alone: ${untried.join(', ')}` : ''}` } };
}

function partsEvidence(parts: readonly Part[], measure: string, baseline: number, growthPerSecond: number): Evidence[] {
  const mbPerMin = (bytesPerSecond: number) => round((bytesPerSecond * 60) / (1024 * 1024));
  return [
    { label: "mixed run's growth", value: mbPerMin(growthPerSecond), unit: 'MB/min', source: 'diagnosis run' },
    { label: `typical endpoint alone (median, ${measure})`, value: kb(baseline), unit: 'KB per request', source: 'memory round' },
    ...parts.map((p) => ({
      label: `kept alone: ${p.outcome.endpoint}`,
      value: `${kb(p.bytesPerRequest)} KB per request over ${p.outcome.retained!.requests} requests; ${mbPerMin(p.excessPerSecond)} MB/min above the typical endpoint at its mixed rate`,
      source: `memory round (climb of the ${measure})`,
    })),
  ];
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function kb(bytes: number): number {
  return round(bytes / 1024);
}

function pct(share: number): string {
  return `${Math.round(share * 100)} %`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
