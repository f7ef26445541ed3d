/**
 * Confirm by isolation (pure): which findings of the mixed diagnosis are
 * suspects, and what the isolated runs say about each.
 *
 * A finding is a **suspect** when it is at medium severity or above (or was
 * lowered below it only because its attribution is doubtful:
 * `attributionDoubt`), names an endpoint, and that endpoint rests on a
 * mixed-run estimate: its `attribution` says `mixed-estimate`, or (for
 * findings without the field) its category is one the rules attribute by
 * statement or command regression (missing-index, inefficient-query,
 * n-plus-one, cache-*, event-loop-blocked, large-payload).
 *
 * With the endpoint run alone and diagnosed:
 * - **confirmed** when the isolated diagnosis shows *the same problem* on that
 *   endpoint (see {@link sameProblem}: the same object — table and leading
 *   column, statement, command — for findings about an object; the same
 *   category for findings about the endpoint itself), or the statement the
 *   finding names dominates the endpoint's database time. A doubted finding
 *   confirmed (or moved) gets back the severity, impact and confidence its rule graded the
 *   evidence at: the doubt was about whose the evidence is, which the isolation
 *   settles, and it ranks among the others where the ranking's order puts it;
 * - **moved** (status `confirmed`, `movedFrom` set) when that endpoint alone
 *   does not show it but another isolated endpoint does: the mixed run's
 *   attribution was wrong, the isolation names the owner, and the finding
 *   keeps its severity on the owner (unless the diagnosis already has that
 *   finding on the owner, then it is refuted as a duplicate);
 * - **refuted** otherwise: ranked down to low with its evidence kept — except for categories a short
 *   isolated run has too little traffic to show (cache-miss: too few repeated keys), which stay as
 *   measured, not tested;
 * - **not tested** when the endpoint could not be isolated (the reason says why)
 *   or the finding was not a suspect.
 *
 * A suspect the mixed run could not place on an endpoint (same categories, no
 * `endpoint`) makes every endpoint of the run a candidate: the endpoint whose
 * isolated run shows it confirms it and is named in `shownBy`; when none
 * does, it is refuted.
 *
 * The confirming measurement — the endpoint's cost per request alone (calls,
 * DB ms, main-thread CPU ms, bytes, cache commands) — is recorded as evidence.
 *
 * @module
 */
import type { EndpointDemand, Evidence, Finding, FindingCategory, FindingConfirmation, Severity } from '../../result/types.js';
import type { StatementAttribution } from '../demand.js';
import { compareRanked, SEVERITY_WEIGHT } from '../rank.js';
import { placeMemoryGrowth, type RetainedAlone } from './retained.js';

/** Categories whose endpoint comes from statement or command attribution in a mixed run (when a finding has no `attribution`). */
export const MIXED_ESTIMATE_CATEGORIES: ReadonlySet<FindingCategory> = new Set<FindingCategory>([
  'missing-index',
  'inefficient-query',
  'n-plus-one',
  'cache-miss',
  'cache-slow-command',
  'event-loop-blocked',
  'large-payload',
]);

const LOUD: ReadonlySet<Severity> = new Set<Severity>(['medium', 'high', 'critical']);

/** Was `f` lowered below medium only because its mixed-run attribution is doubtful (see Finding.attributionDoubt)? */
function isDoubted(f: Finding): boolean {
  return !LOUD.has(f.severity) && f.attributionDoubt !== undefined && LOUD.has(f.attributionDoubt.severity);
}

/** `f` with the severity, impact and confidence its rule graded the evidence at, once isolation settled a doubted attribution. */
function settled(f: Finding): Finding {
  if (!isDoubted(f)) return f;
  const { attributionDoubt: doubt, ...rest } = f;
  return { ...rest, severity: doubt!.severity, impact: doubt!.impact, confidence: doubt!.confidence };
}

/** Is `f` a suspect to confirm by isolation (see the module doc)? */
export function isSuspect(f: Finding): boolean {
  if (!(LOUD.has(f.severity) || isDoubted(f)) || f.endpoint === undefined || f.confirmation !== undefined) return false;
  if (f.attribution !== undefined) return f.attribution === 'mixed-estimate';
  return MIXED_ESTIMATE_CATEGORIES.has(f.category);
}

/**
 * Is `f` a suspect the mixed run could not place on any endpoint (a statement-attributed category at
 * medium or above without `endpoint`)? Running every endpoint alone tells which one it belongs to.
 */
export function isUnplaced(f: Finding): boolean {
  if (!LOUD.has(f.severity) || f.endpoint !== undefined || f.confirmation !== undefined) return false;
  return f.attribution === 'mixed-estimate' || (f.attribution === undefined && MIXED_ESTIMATE_CATEGORIES.has(f.category));
}

/**
 * Is `f` a memory growth for the memory round to place (medium or above, no endpoint)? A mixed run never
 * names one: with a constant mix every endpoint's requests accumulate in step with time, so the growth
 * fits each of them equally well.
 */
export function isMemorySuspect(f: Finding): boolean {
  return f.category === 'memory-growth' && LOUD.has(f.severity) && f.endpoint === undefined && f.confirmation === undefined;
}

/**
 * Endpoints to run alone, in rank order, each with the ids of the findings it is to confirm: every
 * suspect's endpoint; and when a suspect names no endpoint, every endpoint of the run (`allEndpoints`,
 * busiest first), so the isolation says where it belongs.
 */
export function suspectEndpoints(findings: readonly Finding[], allEndpoints: readonly string[] = []): { endpoint: string; findingIds: string[] }[] {
  const out = new Map<string, string[]>();
  for (const f of findings) {
    if (!isSuspect(f)) continue;
    const ids = out.get(f.endpoint!) ?? [];
    ids.push(f.id);
    out.set(f.endpoint!, ids);
  }
  const unplaced = findings.filter(isUnplaced).map((f) => f.id);
  if (unplaced.length > 0) {
    for (const endpoint of allEndpoints) out.set(endpoint, [...(out.get(endpoint) ?? []), ...unplaced]);
  }
  return [...out].map(([endpoint, findingIds]) => ({ endpoint, findingIds }));
}

/**
 * The second isolation round: suspects whose own endpoint ran alone without showing them, and that no
 * endpoint run alone shows, are looked for on the endpoints not yet isolated (`allEndpoints`, busiest
 * first). Unplaced suspects already ran on every endpoint and are not repeated.
 */
export function reattributionCandidates(findings: readonly Finding[], outcomes: readonly IsolatedOutcome[], allEndpoints: readonly string[]): { endpoint: string; findingIds: string[] }[] {
  const ran = outcomes.filter((o) => o.status === 'ran');
  const isolated = new Set(outcomes.map((o) => o.endpoint));
  const lost = findings.filter((f) => {
    // A category a short isolated run cannot show is not looked for elsewhere either.
    if (!isSuspect(f) || !isolationCanRefute(f.category)) return false;
    const own = ran.find((o) => o.endpoint === f.endpoint);
    return own !== undefined && ran.every((o) => showsFinding(f, o) === undefined);
  });
  if (lost.length === 0) return [];
  const ids = lost.map((f) => f.id);
  return allEndpoints.filter((e) => !isolated.has(e)).map((endpoint) => ({ endpoint, findingIds: ids }));
}

/**
 * Categories an isolated run of a few seconds has too little traffic to show, with why: their absence
 * alone is no refutation (a test without the power to see an effect says nothing of it), so such a
 * suspect is confirmed when the isolated run shows it and otherwise stays as measured, not tested.
 */
const UNDERPOWERED: Partial<Record<FindingCategory, string>> = {
  'cache-miss': 'a cache is judged on the keys the load repeats, and a short isolated run repeats too few of them',
  'gc-pressure': 'GC time per request is estimated from the seconds GC ran, and a few seconds of one endpoint at its own rate hold too few collections to measure it',
};

/** Can an isolated run's silence refute a finding of this category (see {@link UNDERPOWERED})? */
function isolationCanRefute(category: FindingCategory): boolean {
  return UNDERPOWERED[category] === undefined;
}

/** What one isolated run of an endpoint showed (or why it did not run). */
export interface IsolatedOutcome {
  endpoint: string;
  status: 'ran' | 'not-tested';
  reason?: string;
  /** The endpoint's demand measured alone. */
  demand?: EndpointDemand;
  /** The isolated run's findings. */
  findings: Finding[];
  /** Statements the endpoint ran alone, per request. */
  statements: StatementAttribution[];
  /** What the endpoint kept alone in the memory round (see retained.ts). */
  retained?: RetainedAlone;
  /** The endpoint's request rate in the mixed run (requests/s). */
  mixedRps?: number;
}

/** Share of the endpoint's database time one statement must take to "dominate" it. */
export const DOMINANT_STATEMENT_SHARE = 0.5;

/** The endpoint's cost per request alone, as evidence rows (the ones the category is about first). */
export function demandEvidence(category: FindingCategory, d: EndpointDemand | undefined, statements: readonly StatementAttribution[]): Evidence[] {
  if (!d) return [];
  const src = 'isolated run';
  const rows: [keyof EndpointDemand, string, string][] = [
    ['dbCalls', 'DB calls per request (alone)', 'calls'],
    ['dbMs', 'DB time per request (alone)', 'ms'],
    ['distinctStatements', 'distinct statements per request (alone)', 'statements'],
    ['redisCommands', 'Redis commands per request (alone)', 'commands'],
    ['mainThreadCpuMs', 'main-thread CPU per request (alone)', 'ms'],
    ['cpuMs', 'service CPU per request (alone)', 'ms'],
    ['responseBytes', 'response size (alone)', 'bytes'],
    ['unexplainedMs', 'unexplained wait per request (alone)', 'ms'],
  ];
  const first: Record<string, (keyof EndpointDemand)[]> = {
    'missing-index': ['dbMs', 'dbCalls'],
    'inefficient-query': ['dbMs', 'dbCalls'],
    'n-plus-one': ['dbCalls', 'distinctStatements', 'redisCommands'],
    'cache-miss': ['redisCommands', 'dbCalls', 'dbMs'],
    'cache-slow-command': ['redisCommands'],
    'event-loop-blocked': ['mainThreadCpuMs', 'cpuMs'],
    'large-payload': ['responseBytes'],
  };
  const order = first[category] ?? [];
  const sorted = [...rows].sort((a, b) => rank(order, a[0]) - rank(order, b[0]));
  const out: Evidence[] = [];
  for (const [key, label, unit] of sorted) {
    const v = d[key];
    if (typeof v === 'number') out.push({ label, value: v, unit, source: src });
  }
  const top = dominantStatement(statements, d.endpoint);
  if (top) {
    out.push({ label: 'top statement (alone)', value: `queryid ${top.queryid}: ${round(top.share * 100)} % of DB time, ${round(top.callsPerRequest)} calls per request`, source: src });
  }
  return out;
}

function rank(order: readonly string[], key: string): number {
  const i = order.indexOf(key);
  return i === -1 ? order.length : i;
}

/** The statement taking the largest share of `endpoint`'s database time, with that share. */
export function dominantStatement(statements: readonly StatementAttribution[], endpoint: string): (StatementAttribution & { share: number }) | undefined {
  const mine = statements.filter((s) => s.endpoint === endpoint && s.execMsPerRequest > 0);
  const total = mine.reduce((a, s) => a + s.execMsPerRequest, 0);
  const top = [...mine].sort((a, b) => b.execMsPerRequest - a.execMsPerRequest)[0];
  return top && total > 0 ? { ...top, share: top.execMsPerRequest / total } : undefined;
}

/**
 * Categories whose finding is about an object the endpoint uses (a table's index, a statement, a cache
 * command): the id names that object, and another object of the same category on the same endpoint is
 * a different problem. Every other category is about the endpoint itself (its calls per request, its
 * main-thread CPU, its payload, its cache use): the category on the endpoint is the identity.
 */
const OBJECT_CATEGORIES: ReadonlySet<FindingCategory> = new Set<FindingCategory>(['missing-index', 'inefficient-query', 'cache-slow-command']);

/**
 * Is isolated finding `g` the same problem as mixed-run finding `f`? Same id; or, for object categories,
 * a missing index on the same table led by the same column (the column list can grow with what the
 * isolated run saw filtered); or, for categories about the endpoint, the same category.
 */
export function sameProblem(f: Pick<Finding, 'id' | 'category'>, g: Pick<Finding, 'id' | 'category'>): boolean {
  if (g.id === f.id) return true;
  if (g.category !== f.category) return false;
  if (!OBJECT_CATEGORIES.has(f.category)) return true;
  if (f.category !== 'missing-index') return false;
  const lead = (id: string) => /^missing-index:([^()]+)\(([^,)]+)/.exec(id)?.slice(1, 3).join('(');
  const a = lead(f.id);
  return a !== undefined && a === lead(g.id);
}

/** Does the isolated outcome show finding `f` (see the module doc)? Returns the matching isolated finding's description. */
export function showsFinding(f: Finding, outcome: IsolatedOutcome): string | undefined {
  const onEndpoint = (g: Finding) => g.endpoint === outcome.endpoint || (g.endpoints?.includes(outcome.endpoint) ?? false);
  // The isolation run may hold other endpoints' steps too: only findings on this endpoint count.
  const same = outcome.findings.find((g) => g.severity !== 'info' && onEndpoint(g) && sameProblem(f, g));
  if (same) return `${same.category} at ${same.severity}: ${same.title}`;
  const top = dominantStatement(outcome.statements, outcome.endpoint);
  if (top && top.share >= DOMINANT_STATEMENT_SHARE && f.id.includes(top.queryid)) {
    return `the statement it names (queryid ${top.queryid}) takes ${round(top.share * 100)} % of the endpoint's DB time`;
  }
  return undefined;
}

/**
 * Set `confirmation` on every finding from the isolated outcomes; refuted findings drop to low
 * severity and rank after the others (their evidence kept). Pure: returns new findings.
 */
export function confirmFindings(findings: readonly Finding[], outcomes: readonly IsolatedOutcome[], memoryOutcomes: readonly IsolatedOutcome[] = []): Finding[] {
  const byEndpoint = new Map(outcomes.map((o) => [o.endpoint, o]));
  const out = findings.map((f): Finding => {
    if (f.confirmation) return f;
    if (isMemorySuspect(f)) return placeMemoryGrowth(f, memoryOutcomes);
    if (isUnplaced(f)) return confirmUnplaced(f, outcomes);
    if (!isSuspect(f)) {
      const reason = f.endpoint === undefined
        ? 'names no endpoint to isolate'
        : !LOUD.has(f.severity)
          ? 'below medium severity'
          : 'measured directly, not a mixed-run estimate';
      return { ...f, confirmation: { status: 'not-tested', evidence: [], reason } };
    }
    const outcome = byEndpoint.get(f.endpoint!);
    if (!outcome || outcome.status !== 'ran') {
      return { ...f, confirmation: { status: 'not-tested', evidence: [], reason: outcome?.reason ?? 'not isolated (experiment budget or interrupted)' } };
    }
    const evidence = demandEvidence(f.category, outcome.demand, outcome.statements);
    const shown = showsFinding(f, outcome);
    if (shown) {
      const doubt = isDoubted(f) ? `; the mixed run's doubt (${f.attributionDoubt!.reason}) is settled` : '';
      const confirmation: FindingConfirmation = { status: 'confirmed', evidence, reason: `${f.endpoint} alone shows it: ${shown}${doubt}`, ...(doubt ? { originalSeverity: f.severity } : {}) };
      return { ...settled(f), confirmation };
    }
    const elsewhere = outcomes.find((o) => o !== outcome && o.status === 'ran' && showsFinding(f, o) !== undefined);
    const duplicate = elsewhere && findings.some((g) => g !== f && g.endpoint === elsewhere.endpoint && sameProblem(f, g));
    if (elsewhere && !duplicate) return moveTo(f, elsewhere);
    if (!elsewhere && !isolationCanRefute(f.category)) {
      const reason = `${f.endpoint} alone did not show it, but a run of a few seconds cannot: ${UNDERPOWERED[f.category]}`;
      return { ...f, confirmation: { status: 'not-tested', evidence, reason } };
    }
    const confirmation: FindingConfirmation = {
      status: 'refuted',
      evidence,
      reason: `${f.endpoint} alone does not show ${f.category}${elsewhere ? `; ${elsewhere.endpoint} alone does` : ''}`,
      originalSeverity: f.severity,
      ...(elsewhere ? { shownBy: elsewhere.endpoint } : {}),
    };
    return { ...f, severity: 'low', confirmation };
  });
  // Refuted findings rank after everything else, in their previous order; problems only an endpoint alone
  // showed, and doubted ones the isolation settled, go among the others where the ranking's order puts them.
  const raised = new Set(out.filter((f, i) => SEVERITY_WEIGHT[f.severity] > SEVERITY_WEIGHT[findings[i]!.severity]));
  const kept = out.filter((f) => f.confirmation?.status !== 'refuted' && !raised.has(f));
  for (const g of [...raised, ...foundAlone(out, outcomes)]) {
    const at = kept.findIndex((f) => compareRanked(g, f) < 0);
    kept.splice(at === -1 ? kept.length : at, 0, g);
  }
  return [...kept, ...out.filter((f) => f.confirmation?.status === 'refuted')];
}

/**
 * Problems an endpoint showed alone that the mixed run did not show on it: endpoint categories a mixed run
 * estimates (MIXED_ESTIMATE_CATEGORIES) at medium or above, on the isolated endpoint. Alone, each second
 * serves that endpoint, so its costs are measured, not separated by a regression: the finding is reported
 * as confirmed, found alone, with the isolated run's evidence.
 */
function foundAlone(findings: readonly Finding[], outcomes: readonly IsolatedOutcome[]): Finding[] {
  const out: Finding[] = [];
  for (const o of outcomes) {
    if (o.status !== 'ran') continue;
    for (const g of o.findings) {
      if (!LOUD.has(g.severity) || g.endpoint !== o.endpoint || !MIXED_ESTIMATE_CATEGORIES.has(g.category)) continue;
      const known = [...findings, ...out].some((f) => (f.endpoint === o.endpoint || (f.endpoints?.includes(o.endpoint) ?? false)) && sameProblem(f, g));
      if (known) continue;
      const confirmation: FindingConfirmation = {
        status: 'confirmed',
        evidence: demandEvidence(g.category, o.demand, o.statements),
        reason: `found when ${o.endpoint} ran alone; the mixed run could not separate it from the other endpoints`,
        foundAlone: true,
      };
      out.push({ ...g, confirmation });
    }
  }
  return out;
}

/**
 * The mixed run placed `f` on the wrong endpoint; `owner` alone shows it. The finding moves to the owner
 * with its severity (the mixed run measured the size of the problem; the isolation only says whose it is).
 */
function moveTo(f: Finding, owner: IsolatedOutcome): Finding {
  const from = f.endpoint!;
  const endpoints = f.endpoints?.map((e) => (e === from ? owner.endpoint : e));
  const confirmation: FindingConfirmation = {
    status: 'confirmed',
    evidence: demandEvidence(f.category, owner.demand, owner.statements),
    reason: `the mixed run placed it on ${from}, which alone does not show it; ${owner.endpoint} alone does: ${showsFinding(f, owner)}`,
    shownBy: owner.endpoint,
    movedFrom: from,
  };
  return { ...settled(f), endpoint: owner.endpoint, ...(endpoints ? { endpoints: [...new Set(endpoints)] } : {}), confirmation: isDoubted(f) ? { ...confirmation, originalSeverity: f.severity } : confirmation };
}

/** A suspect without an endpoint: confirmed by the endpoint whose isolated run shows it, which it then names (`endpoint`, `shownBy`); refuted when none that ran does. */
function confirmUnplaced(f: Finding, outcomes: readonly IsolatedOutcome[]): Finding {
  const ran = outcomes.filter((o) => o.status === 'ran');
  if (ran.length === 0) {
    return { ...f, confirmation: { status: 'not-tested', evidence: [], reason: 'names no endpoint, and no endpoint could be run alone' } };
  }
  const owner = ran.find((o) => showsFinding(f, o) !== undefined);
  if (owner) {
    return {
      ...f,
      endpoint: owner.endpoint,
      confirmation: { status: 'confirmed', evidence: demandEvidence(f.category, owner.demand, owner.statements), reason: `${owner.endpoint} alone shows it: ${showsFinding(f, owner)}`, shownBy: owner.endpoint },
    };
  }
  const names = ran.map((o) => o.endpoint).join(', ');
  return { ...f, severity: 'low', confirmation: { status: 'refuted', evidence: [], reason: `no endpoint run alone shows ${f.category} (${names})`, originalSeverity: f.severity } };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
