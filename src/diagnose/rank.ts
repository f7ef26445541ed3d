/**
 * Ranking of findings: measured causes at medium or above, then residual
 * waits at medium or above, then notes; within each band by impact (the share
 * of the endpoint's latency, or of the bottleneck demand, that the finding
 * explains) weighted by severity — never by rule order. Also removes duplicates and findings that another,
 * more specific finding already explains.
 *
 * @module
 */
import type { Finding, FindingCategory, Severity } from '../result/types.js';
import { tablesInQuery } from './sql.js';

/** Weight of each severity in the ranking score. */
export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 1, high: 0.75, medium: 0.5, low: 0.25, info: 0.1 };

/** Ranking score: impact × severity weight, nudged by confidence. */
export function score(f: Finding): number {
  return f.impact * SEVERITY_WEIGHT[f.severity] * (0.5 + 0.5 * f.confidence);
}

/**
 * Causes that explain an endpoint's unexplained wait more specifically than
 * slow-dependency does (an N+1 loop's sequential round trips are wait too; a slow
 * cache command is cache time the cost model may not have measured): when one of them names the endpoint (or the whole
 * service), the slow-dependency finding for that endpoint is dropped.
 */
const EXPLAINS_WAIT: FindingCategory[] = ['pool-saturation', 'lock-contention', 'cpu-saturation', 'event-loop-blocked', 'generator-saturated', 'n-plus-one', 'cache-slow-command'];

function endpointsOf(f: Finding): string[] {
  return [...new Set([...(f.endpoint ? [f.endpoint] : []), ...(f.endpoints ?? [])])];
}

/**
 * Deduplicate (same id: keep the higher score), drop findings explained by a
 * more specific one, and sort by band, then score (ties: severity, then id, so
 * the order is deterministic; {@link compareRanked}); the causal passes then
 * put causes before their symptoms.
 */
export function rankFindings(findings: Finding[]): Finding[] {
  const byId = new Map<string, Finding>();
  for (const f of findings) {
    const prev = byId.get(f.id);
    if (!prev || score(f) > score(prev)) byId.set(f.id, f);
  }
  // Symptoms are capped before the sort, so a folded finding's score reflects it.
  let list = causesAsSevere(foldExplained([...byId.values()]));
  // A note (low or info, e.g. "loop delay while the service is idle: host contention?") is not a diagnosis and
  // explains no other finding's wait; only causes at medium or above do.
  const waitCauses = list.filter((f) => EXPLAINS_WAIT.includes(f.category) && SEVERITY_WEIGHT[f.severity] >= SEVERITY_WEIGHT.medium);
  list = list.filter((f) => {
    if (f.category !== 'slow-dependency') return true;
    return !waitCauses.some((c) => {
      const eps = endpointsOf(c);
      // A cause without an endpoint, or the generator, explains every endpoint's wait; CPU and event-loop
      // saturation are judged per endpoint by the slow-dependency rule itself (in the seconds it ran).
      // A generator only briefly late (low) does not explain a wait the service shows.
      // It does so only as far as its own delay reaches: a generator late by 17 ms does not explain 195 ms of wait.
      if (c.category === 'generator-saturated') return c.severity !== 'low' && generatorDelayMs(c) >= 0.5 * waitMs(f);
      return eps.length === 0 || eps.includes(f.endpoint ?? '');
    });
  });
  // One statement needs one index: two missing-index findings driven by the same statement (the table's
  // sequential scans, and its plan's filter) are one problem; keep the higher-ranked.
  const statementOf = (f: Finding) => f.metrics?.statement;
  list = list.filter((f) => f.category !== 'missing-index' || statementOf(f) === undefined || !list.some((g) => g !== f && g.category === 'missing-index' && statementOf(g) === statementOf(f) && (score(g) > score(f) || (score(g) === score(f) && g.id < f.id))));
  // One endpoint missing the cache on the keys it repeats is one problem, however it was measured (the service's
  // own cache counters, the endpoint run alone, the fit of the keyspace's misses): keep the higher-ranked.
  const repeatsOf = (f: Finding) => (f.category === 'cache-miss' ? f.metrics?.missesRepeatsOf : undefined);
  list = list.filter((f) => repeatsOf(f) === undefined || !list.some((g) => g !== f && repeatsOf(g) === repeatsOf(f) && (score(g) > score(f) || (score(g) === score(f) && g.id < f.id))));
  // The same table flagged for a missing index and as an inefficient query is one problem: keep the index finding.
  const indexed = new Set(list.filter((f) => f.category === 'missing-index').flatMap((f) => statementOf(f) ?? []));
  list = list.filter((f) => f.category !== 'inefficient-query' || statementOf(f) === undefined || !indexed.has(statementOf(f)!));
  // A locking statement (FOR UPDATE, UPDATE, DELETE) on a contended relation is slow because it waits for the
  // lock: the lock-contention finding explains it, so it is not also an inefficient query.
  const contended = new Set(list.filter((f) => f.category === 'lock-contention').map((f) => bareTable(f.id.slice(f.id.indexOf(':') + 1))));
  list = list.filter((f) => {
    if (f.category !== 'inefficient-query' || contended.size === 0) return true;
    const sql = statementOf(f) ?? '';
    return !(LOCKING.test(sql) && tablesInQuery(sql).some((t) => contended.has(bareTable(t))));
  });
  list.sort(compareRanked);
  return causedAfterCauses(rootCausesFirst(gcCausesCpu(list)));
}

/**
 * The order of the sort (before the causal passes): by band (see {@link band}), then score, then severity, then
 * id, so the order is deterministic. Negative when `a` ranks before `b`. Exported for passes that insert a
 * finding into a ranked list (confirm by isolation).
 */
export function compareRanked(a: Finding, b: Finding): number {
  return band(a) - band(b) || score(b) - score(a) || SEVERITY_WEIGHT[b.severity] - SEVERITY_WEIGHT[a.severity] || a.id.localeCompare(b.id);
}

/**
 * Findings that name a cause only by what is left over: slow-dependency is the time the cost model could not
 * give to CPU, database or cache. It has no mechanism of its own, and no scale either unless the plan states an
 * objective or a reference run was given (a partner's 200 ms is its design in one service and its fault in
 * another), so it ranks after the findings that measured a mechanism.
 */
const RESIDUAL: ReadonlySet<FindingCategory> = new Set<FindingCategory>(['slow-dependency']);

/**
 * The ranking band: measured causes at medium or above (0), then residual findings at medium or above (1),
 * then the notes (2, low and info). Within a band, the score orders.
 */
function band(f: Finding): number {
  if (SEVERITY_WEIGHT[f.severity] < SEVERITY_WEIGHT.medium) return 2;
  return RESIDUAL.has(f.category) ? 1 : 0;
}

/** Does the `explains` selector `e` name finding `f` (its category, and its ids, statements, endpoints or ownership when given)? */
function selects(e: NonNullable<Finding['explains']>[number], f: Finding): boolean {
  return (
    e.category === f.category &&
    (!e.ids || e.ids.includes(f.id)) &&
    (!e.statements || (f.metrics?.statement !== undefined && e.statements.includes(f.metrics.statement))) &&
    (!e.unowned || endpointsOf(f).length === 0) &&
    (!e.endpoints?.length || endpointsOf(f).some((ep) => e.endpoints!.includes(ep)))
  );
}

/**
 * The generic fold of `explains` links: a finding another one explains (its category, on one of the named
 * endpoints or on any when none are named) is that finding's symptom. It stays in the list with its evidence,
 * gains a `causedBy` link (so {@link causedAfterCauses} ranks it after its cause) and is capped at low
 * severity, so it never stands as a diagnosis of its own: past capacity, the timeouts and waits every
 * endpoint shows are the queue's, not separate faults. A link marked `as: 'contributes'` only orders: the
 * explained finding ranks after its cause and keeps its severity (it is a problem of its own as well).
 */
export function foldExplained(list: Finding[]): Finding[] {
  const explainers = list.filter((f) => f.explains?.length);
  if (explainers.length === 0) return list;
  return list.map((f) => {
    const causes = explainers.filter((x) => x !== f && x.explains!.some((e) => selects(e, f)));
    if (causes.length === 0) return f;
    // A finding some cause explains only as a contributor keeps its severity; a symptom is capped at low.
    const onlyContributes = causes.every((x) => x.explains!.every((e) => !selects(e, f) || e.as === 'contributes'));
    const capped = onlyContributes ? f.severity : SEVERITY_WEIGHT[f.severity] > SEVERITY_WEIGHT.low ? 'low' : f.severity;
    return { ...f, severity: capped, causedBy: [...new Set([...(f.causedBy ?? []), ...causes.map((c) => c.id)])] };
  });
}

/** Is `f` a symptom some other finding in `list` explains (a link that caps, not one that only orders)? */
function isFoldedSymptom(f: Finding, list: Finding[]): boolean {
  return list.some((x) => x !== f && (x.explains ?? []).some((e) => e.as !== 'contributes' && selects(e, f)));
}

/**
 * A cause is at least as severe as what it causes: a finding that a `causedBy` link names as the cause of a
 * more severe finding takes that severity (and says so). The link is set by a rule that measured both facts
 * (e.g. 92 % of the buffer reads came from scans of one unindexed table), so the scans are as serious as the
 * cache misses they make. Symptoms folded into a cause are already capped at low, so they raise nothing, and
 * are not raised either.
 */
export function causesAsSevere(list: Finding[]): Finding[] {
  const raised = new Map<string, Finding>();
  for (const symptom of list) {
    for (const id of symptom.causedBy ?? []) {
      const cause = raised.get(id) ?? list.find((f) => f.id === id);
      if (!cause || SEVERITY_WEIGHT[cause.severity] >= SEVERITY_WEIGHT[symptom.severity]) continue;
      // A cause that is itself another finding's symptom stays capped: raising it would undo that fold (the
      // symptom's own cause already ranks first).
      if (isFoldedSymptom(cause, list)) continue;
      raised.set(id, { ...cause, severity: symptom.severity, summary: `${cause.summary} Raised to ${symptom.severity}: it causes "${symptom.title}".` });
    }
  }
  return raised.size === 0 ? list : list.map((f) => raised.get(f.id) ?? f);
}

/**
 * The generic causal pass: a symptom never leads its cause, and a cause ranks at least where its symptom
 * would. A finding whose `causedBy` names findings ranked below it pulls them up to just before itself (in
 * their order): the buffer-cache misses a missing index causes rank where the misses would, led by the
 * index. A symptom capped at low by {@link foldExplained} already ranks below its cause. Links to findings
 * not in the list (deduplicated or not produced) are ignored.
 */
export function causedAfterCauses(list: Finding[]): Finding[] {
  const out = [...list];
  // Chains (GC → CPU → event loop) may need more than one sweep; a cycle of links would never settle, so the
  // sweeps are bounded by the list's length.
  for (let sweep = 0; sweep < list.length; sweep++) {
    let moved = false;
    for (const f of list) {
      if (!f.causedBy?.length) continue;
      const at = out.indexOf(f);
      const below = out.filter((x, i) => i > at && f.causedBy!.includes(x.id));
      if (below.length === 0) continue;
      const rest = out.filter((x) => !below.includes(x));
      rest.splice(rest.indexOf(f), 0, ...below);
      out.splice(0, out.length, ...rest);
      moved = true;
    }
    if (!moved) break;
  }
  return out;
}

/** The generator's event-loop delay p99 (ms) a generator-saturated finding reports; Infinity when it reports none (CPU-bound: everything is late). */
function generatorDelayMs(f: Finding): number {
  const v = f.metrics?.generatorDelayP99Ms;
  return v !== undefined && v > 0 ? v : Number.POSITIVE_INFINITY;
}

/** The unexplained wait per request (ms) a slow-dependency finding reports (0 when absent, so any generator cause wins). */
function waitMs(f: Finding): number {
  return f.metrics?.waitMsPerRequest ?? 0;
}

/** Statements that take row locks. */
const LOCKING = /\bfor\s+(no\s+key\s+)?(update|share)\b|^\s*(update|delete)\b/i;

/** `public.orders` → `orders`, unquoted and lower-case. */
function bareTable(name: string): string {
  return (name.split('.').pop() ?? name).replace(/"/g, '').toLowerCase();
}

/**
 * Symptoms that a root cause on the same endpoint produces: parsing a huge cache reply or serialising a huge
 * response is synchronous CPU that blocks the event loop, but the fix is the reply's or the response's size.
 */
const SYMPTOM_OF: Partial<Record<FindingCategory, FindingCategory[]>> = {
  'event-loop-blocked': ['cache-slow-command', 'large-payload'],
  // Each huge reply or response is also garbage to collect; GC pressure is service-wide, so any such cause counts.
  'gc-pressure': ['cache-slow-command', 'large-payload'],
};

/**
 * A saturated CPU of which garbage collection takes a quarter or more is GC pressure first: allocating less
 * is what frees the CPU. Said as a link — the cpu-saturation finding gains a `causedBy` to the gc-pressure
 * one — so the one causal pass orders it with the other links (the saturation in turn leads the event-loop
 * finding it contributes to: GC, then CPU, then the loop).
 */
function gcCausesCpu(list: Finding[]): Finding[] {
  const gc = list.find((f) => f.category === 'gc-pressure');
  const cpu = list.find((f) => f.category === 'cpu-saturation');
  if (!gc || !cpu) return list;
  // GC time (ms/s) the gc-pressure finding measured, and the service CPU (% of a core) the cpu-saturation one did.
  const gcMs = gc.metrics?.gcMsPerSecond;
  const cpuPercent = cpu.metrics?.serviceCpuPercent;
  if (gcMs === undefined || !cpuPercent || gcMs < 0.25 * cpuPercent * 10) return list;
  return list.map((f) => (f === cpu ? { ...f, causedBy: [...new Set([...(f.causedBy ?? []), gc.id])] } : f));
}

/** Move each symptom finding to just after its root-cause finding (on the same endpoint, when it names one), if that ranked lower. */
function rootCausesFirst(list: Finding[]): Finding[] {
  const out = [...list];
  for (const symptom of list) {
    const causes = SYMPTOM_OF[symptom.category];
    if (!causes) continue;
    const from = out.indexOf(symptom);
    const causeAt = out.findIndex((f, i) => i > from && causes.includes(f.category) && (!symptom.endpoint || endpointsOf(f).includes(symptom.endpoint)));
    if (causeAt < 0) continue;
    out.splice(from, 1);
    out.splice(causeAt, 0, symptom);
  }
  return out;
}
