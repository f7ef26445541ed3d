/**
 * Helpers the PostgreSQL rules share: which endpoints a statement belongs to (and its share of their
 * latency), a statement's plan from the EXPLAIN enrichment, severity from impact, and statements on one line.
 *
 * @module
 */
import type { Severity } from '../../result/types.js';
import type { StatementDelta, TableDelta } from '../../probes/postgres/types.js';
import type { RuleConfig } from '../config.js';
import type { StatementAttribution } from '../demand.js';
import type { ExplainData, ExplainedStatement, MeasuredQual } from '../explain-types.js';
import { sameStatementText } from '../sql.js';
import { shareAtLeast } from './attribution.js';
import { serviceMean, type DiagnosisInput } from './types.js';

/** Attribution of a statement to endpoints with its share of each endpoint's latency. */
export function statementEndpoints(input: DiagnosisInput, queryid: string): { rows: (StatementAttribution & { share: number })[]; impact: number } {
  const perCallMs = input.probes.postgres?.data.statements?.find((x) => x.queryid === queryid)?.meanExecMs ?? 0;
  const rows = input.demand.statements
    .filter((s) => s.queryid === queryid && s.callsPerRequest >= 0.05)
    .map((s) => {
      const mean = serviceMean(input, s.endpoint);
      const summary = input.result.endpoints.find((e) => e.endpoint === s.endpoint);
      // A request that ran one call of m ms lasted at least m ms. In a mixed run the regression can charge a
      // slow statement to a fast endpoint (collinear request columns); such an endpoint has few requests that
      // long, so it ranks by that share (half its requests or more: fully plausible).
      const plausible = perCallMs > 0 && summary ? Math.min(1, 2 * shareAtLeast(summary.serviceTime, perCallMs)) : 1;
      return { ...s, share: mean > 0 ? Math.min(1, s.execMsPerRequest / mean) : 0, plausible };
    })
    .sort((a, b) => b.share * b.plausible - a.share * a.plausible)
    .map(({ plausible: _p, ...r }) => r);
  return { rows, impact: rows[0]?.share ?? 0 };
}

/** The evidence source of a statement's share of an endpoint's latency: how the cost model attributed it. */
export function attributionSource(r: StatementAttribution): string {
  return `cost model (${r.byCount ? 'count identity' : r.byMethod ? 'regression on the unsafe-method endpoints: the fit on all explained none of its calls' : r.method})`;
}

/**
 * Endpoints by the backend-samples of the statements they own: each listed statement (a pg_stat_activity
 * query_id count, see ActivitySummary) votes its samples for the endpoint the cost model attributes it to
 * most. Most votes first; empty when no statement has an owner (no query_id before PostgreSQL 14).
 */
export function endpointsByBackendSamples(input: DiagnosisInput, statements: readonly { queryid: string; samples: number }[] | undefined): { endpoint: string; samples: number }[] {
  const votes = new Map<string, number>();
  for (const s of statements ?? []) {
    const owner = statementEndpoints(input, s.queryid).rows[0]?.endpoint;
    if (owner) votes.set(owner, (votes.get(owner) ?? 0) + s.samples);
  }
  return [...votes.entries()].map(([endpoint, samples]) => ({ endpoint, samples })).sort((a, b) => b.samples - a.samples);
}

function explainOf(input: DiagnosisInput): ExplainData | undefined {
  const ev = input.result.probes?.find((p) => p.probe === 'explain');
  return ev ? (ev.data as unknown as ExplainData) : undefined;
}

/** The statement's plan from the EXPLAIN enrichment, when it was explained successfully. */
export function explainFor(input: DiagnosisInput, queryid: string): ExplainedStatement | undefined {
  return explainOf(input)?.statements.find((s) => s.queryid === queryid && s.ok);
}

/**
 * The columns among `columns` whose comparisons in the statement's filter keep most of the table: for the
 * constants pg_qualstats saw, the planner estimates they remove less than `missingIndex.minQualSelectivity`
 * of its rows. An index on such a column would not be used —
 * PostgreSQL reads most of the table either way — so it is no missing index. A column never measured is not
 * among them: without a measurement nothing is known.
 */
export function unselectiveColumns(input: DiagnosisInput, queryid: string, table: { schema: string; name: string }, columns: string[], config: RuleConfig): MeasuredQual[] {
  const quals = explainOf(input)?.quals ?? [];
  return columns.flatMap((column) => {
    const q = quals.find((x) => x.queryid === queryid && x.relation === table.name && x.schema === table.schema && x.column === column);
    return q && 1 - q.keptShare < config.get('missingIndex.minQualSelectivity') ? [q] : [];
  });
}

/**
 * Why the enrichment could not estimate what filter columns keep (pg_qualstats not preloaded, not creatable),
 * with how to let it, or undefined when it could (or had no filter to judge).
 */
export function qualsUnavailable(input: DiagnosisInput): string | undefined {
  const why = explainOf(input)?.qualsUnavailable;
  if (!why) return undefined;
  const fix = /shared_preload_libraries/.test(why)
    ? 'install pg_qualstats (Debian/Ubuntu: postgresql-<major>-pg-qualstats) and add it to shared_preload_libraries'
    : 'run CREATE EXTENSION pg_qualstats in this database as a superuser';
  return `not estimated: ${why}; to let tuneup tell a column that keeps most rows, ${fix}`;
}

/**
 * Tables whose scans read mostly dead rows: at least `bloat.minDead` dead tuples, more than the live ones, and
 * scanned sequentially during the run. A statement reading such a table is slow first because of the dead
 * rows — VACUUM, not an index or a rewrite, is the first fix — so its findings name the bloat as their cause.
 */
export function deadDominatedTables(input: DiagnosisInput, config: RuleConfig): TableDelta[] {
  return (input.probes.postgres?.data.tables ?? []).filter((t) => t.seqScan > 0 && t.nDeadTup.after >= config.get('bloat.minDead') && t.nDeadTup.after > t.nLiveTup.after);
}

/** PostgreSQL's default block size (BLCKSZ). */
export const PG_BLOCK_BYTES = 8192;

/** Blocks the live rows of a table take (its size × the live share of its tuples). */
export function liveBlocks(t: TableDelta): number {
  const live = t.nLiveTup.after;
  const all = live + t.nDeadTup.after;
  return (t.sizeBytes * (all > 0 ? live / all : 1)) / PG_BLOCK_BYTES;
}

/** Severity from a finding's impact (≥ 0.5 high, ≥ 0.15 medium, else low), never below `floor`. */
export function severityFromImpact(impact: number, floor: Severity = 'low'): Severity {
  const s: Severity = impact >= 0.5 ? 'high' : impact >= 0.15 ? 'medium' : 'low';
  const order: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
  return order.indexOf(s) >= order.indexOf(floor) ? s : floor;
}

/**
 * Severity of a statement finding (missing or unselective index, inefficient query) from the share of an
 * endpoint's latency it explains (≥ 15 % medium, ≥ 50 % high). PgHero's slow query is medium at least, graded
 * by `impact`. A faster statement is graded by the largest share among the endpoints it costs at least
 * `statement.minMsPerRequest` per request: below that, the share of a fast endpoint's few milliseconds is a
 * saving no caller sees. Without an attributed endpoint `impact` (from the share of DB time) grades it when
 * the statement costs that much per request of the run — at least its time over every request, at least its
 * mean per call.
 */
export function statementSeverity(
  s: StatementDelta,
  attribution: { rows: readonly (StatementAttribution & { share: number })[] },
  impact: number,
  input: DiagnosisInput,
  config: RuleConfig,
): Severity {
  if (isSlowStatement(s, config)) return severityFromImpact(impact, 'medium');
  const floor = config.get('statement.minMsPerRequest');
  if (attribution.rows.length === 0) {
    const requests = input.result.endpoints.reduce((a, e) => a + e.requests, 0);
    const perRequestAtLeast = Math.max(s.meanExecMs, requests > 0 ? s.totalExecMs / requests : 0);
    return perRequestAtLeast >= floor ? severityFromImpact(impact) : 'low';
  }
  const material = attribution.rows.filter((r) => r.execMsPerRequest >= floor);
  return material.length > 0 ? severityFromImpact(Math.max(...material.map((r) => r.share))) : 'low';
}

/**
 * A statement as `FindingMetrics.statement` holds it: the normalized text with whitespace collapsed,
 * not shortened, so two findings about one statement compare equal and the SQL still parses.
 */
export function statementText(q: string): string {
  return q.replace(/\s+/g, ' ').trim();
}

/** A statement on one line, cut to `max` characters, for titles and evidence. */
export function shortSql(q: string, max = 160): string {
  const one = statementText(q);
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** PgHero's slow query: at least `slowQuery.calls` calls in the window at a mean of `slowQuery.meanMs` or more. */
export function isSlowStatement(s: StatementDelta, config: RuleConfig): boolean {
  return s.calls >= config.get('slowQuery.calls') && s.meanExecMs >= config.get('slowQuery.meanMs');
}

/**
 * The endpoints whose statements the blocked pairs show waiting: each pair's blocked text matched to a
 * statement ({@link sameStatementText}), and that statement's owners from the cost model. Empty when no pair
 * was seen or none matches.
 */
export function blockedStatementOwners(input: DiagnosisInput, pairs: readonly { blockedQuery: string }[]): string[] {
  const statements = input.probes.postgres?.data.statements ?? [];
  const owners = new Set<string>();
  for (const p of pairs) {
    const s = statements.find((x) => sameStatementText(p.blockedQuery, x.query));
    if (s) for (const r of statementEndpoints(input, s.queryid).rows) owners.add(r.endpoint);
  }
  return [...owners];
}
