/**
 * Rules on PostgreSQL evidence (the postgres probe's snapshots and deltas
 * over the run window, plus the optional EXPLAIN enrichment): missing index,
 * slow/inefficient statements, N+1, pool saturation, lock contention,
 * connection limit, stale statistics, bloat, and configuration (cache hit
 * ratio, work_mem spills). Anchors: PgHero, Dexter, Sentry, APA.
 *
 * @module
 */
import type { Evidence, Finding, Severity } from '../../result/types.js';
import type { BlockedPair, PostgresProbeData, StatementDelta, TableDelta } from '../../probes/postgres/types.js';
import type { PoolGaugeSummary } from '../../probes/prometheus/types.js';
import type { StatementAttribution } from '../demand.js';
import type { RuleConfig } from '../config.js';
import { alignToGrid, meanOf, numbers, quantile } from '../evidence.js';
import type { ExplainedStatement, MeasuredQual } from '../explain-types.js';
import { columnsInFilter, comparesAnExpression, comparesOnlyExpressions, matchesAPattern, patternOperand } from '../plan-filter.js';
import { filterColumns, filterColumnsOn, isUtilityStatement, queryTouchesTable, quoteIdent, sortKeysOnTable, statementShape, tablesInQuery } from '../sql.js';
import { attributionOf, endpointsAtOffsets } from './attribution.js';
import { targetAddress } from './dependency.js';
import { unselectiveAccesses } from './index-selectivity.js';
import { sparseNnls } from '../sparse-fit.js';
import { changesOrLocks } from '../count-identity.js';
import { PG_BLOCK_BYTES, attributionSource, blockedStatementOwners, deadDominatedTables, endpointsByBackendSamples, explainFor, isSlowStatement, severityFromImpact, shortSql, qualsUnavailable, statementEndpoints, statementSeverity, statementText, unselectiveColumns } from './pg-common.js';
import { idleTransactionHolders } from './held-transaction.js';
import { poolHold, saturatedBehindPool, serviceConnections, steadyRows, type ServiceConnections } from './pool-hold.js';
import { fmt, makeFinding, pct, serviceMean, summaryOf, type DiagnosisInput } from './types.js';

function liveRows(t: TableDelta): number {
  return Math.max(t.nLiveTup.after, t.nLiveTup.before);
}

/**
 * The table's row count: the live count, or the planner's (pg_class.reltuples, stored by the last VACUUM or
 * ANALYZE) when larger. The planner's count survives what resets the cumulative statistics — crash recovery,
 * pg_stat_reset(), a database created from a template — after which n_live_tup counts only the rows inserted
 * since (0 on a table only read), and a 200,000-row table scanned in full on every call looked empty.
 */
function tableRows(t: TableDelta): number {
  const planned = t.relTuples !== undefined && t.relTuples >= 0 ? t.relTuples : 0;
  return Math.max(liveRows(t), planned);
}

/** The statements (hot first) that touch a table. */
function statementsOnTable(statements: StatementDelta[], t: TableDelta): StatementDelta[] {
  return statements.filter((s) => s.toplevel && !isUtilityStatement(s.query) && queryTouchesTable(s.query, t.schema, t.name)).sort((a, b) => b.totalExecMs - a.totalExecMs);
}

/** A table the load reads by full sequential scans, with the statement that drives them and the columns to index. */
interface MissingIndex {
  /** The finding id the missing-index rule gives it (other rules link to it by this id). */
  id: string;
  table: TableDelta;
  live: number;
  idxScans: number;
  idxShare: number;
  rowsPerScan: number;
  driver?: StatementDelta;
  columns: string[];
  /** Why those columns: the statement filters on them, or sorts on them to return its first rows (ORDER BY … LIMIT). */
  via: 'filter' | 'sort';
  planEvidence?: ExplainedStatement;
}

/** Statement `s`'s sort keys on table `t` when it wants the first rows in that order (ORDER BY … LIMIT), from the parsed SQL. */
function topNSortKeys(s: StatementDelta, t: TableDelta): string[] {
  const shape = statementShape(s.query);
  return shape && shape.limit ? sortKeysOnTable(shape, t.name) : [];
}

/**
 * Tables read by many full sequential scans during the run (PgHero: index used < 95 % with ≥ 10 000 live
 * rows; unlike PgHero, a table with no index scan at all is included), each with the statement that drives
 * the scans and the columns an index needs. The columns come, in order of preference, from EXPLAIN's Filter
 * on the scan, from EXPLAIN's top-N Sort over the scan (a Sort under a Limit: ORDER BY col LIMIT n reads the
 * whole table to return n rows, where an index in sort order reads n), from the statement's WHERE clause,
 * and from its parsed ORDER BY … LIMIT keys. Shared by the missing-index rule and the rules that link to it.
 */
export function missingIndexes(input: DiagnosisInput, config: RuleConfig): MissingIndex[] {
  return scannedTables(input, config).missing;
}

/**
 * A large table read in full on every call of its heaviest statement because no index on a column can serve
 * that statement's filter on it: the filter compares only expressions of its columns (`(started_at)::date >= …`,
 * `lower(email) = …`), and whatever plain columns it compares were measured to keep most of the table
 * (`status = 'completed'` on a table of completed trips); or the plan applies no filter at the scan at all while
 * the text compares the table's columns (the condition applies above the scan, see `aboveScan`). Not a missing
 * index but a query to change (inefficient-query).
 */
export interface UnservedFilterScan {
  table: TableDelta;
  driver: StatementDelta;
  /** The scan's Filter as EXPLAIN printed it; for a condition above the scan, which the scan lacks, the columns the text compares. */
  filter: string;
  rowsPerScan: number;
  /** The filter compares an expression of a column (a cast, a function), or matches a pattern. */
  expressions: boolean;
  /**
   * The scan is a pattern match's (LIKE `~~`, ILIKE `~~*`), no plain column of the filter measured unselective:
   * what serves it is a trigram index, not a B-tree.
   */
  patterns: boolean;
  /** The plain columns it compares, each measured to keep most of the rows it judged (empty when it compares none). */
  unselective: MeasuredQual[];
  /**
   * The columns of the table the statement's text compares with a parameter or constant while its plan reads the
   * table with no filter at all: the condition is applied above the scan (to a window or an aggregate over the
   * whole table, to a derived table's output, across an OR with another table), so no index on them is used.
   * Empty for a filter the scan does apply.
   */
  aboveScan: string[];
}

/**
 * Tables read by many full sequential scans, split by what drives them: a missing index (see
 * {@link missingIndexes}), or a filter no index on a column can serve (see {@link UnservedFilterScan}).
 */
function scannedTables(input: DiagnosisInput, config: RuleConfig): { missing: MissingIndex[]; unserved: UnservedFilterScan[] } {
  const pg = input.probes.postgres?.data;
  if (!pg) return { missing: [], unserved: [] };
  const out: MissingIndex[] = [];
  const unserved: UnservedFilterScan[] = [];
  for (const t of pg.tables ?? []) {
    const live = tableRows(t);
    if (live < config.get('missingIndex.minRows') || t.seqScan < config.get('missingIndex.minSeqScans')) continue;
    const idx = t.idxScan ?? 0;
    const idxShare = idx / (idx + t.seqScan);
    const mostlyIndexed = idxShare >= config.get('missingIndex.maxIndexShare');
    const rowsPerScan = t.seqTupRead / t.seqScan;
    // Scans that stop early (LIMIT without ORDER BY) do not need an index; full scans do. A parallel
    // sequential scan counts one scan per process (leader + workers), each reading its share of the table.
    // n_live_tup is an estimate that can run ahead of the table (PostgreSQL ≥ 15 flushes a backend's insert
    // counts up to a second late, so an ANALYZE right after a load is overtaken by them): the scan is judged
    // against the smallest size the statistics allow, live rows less those modified since the last ANALYZE
    // (and never below the size at which a table needs an index at all).
    const processesPerScan = 1 + Math.max(0, Number(pg.settings?.max_parallel_workers_per_gather?.value ?? 2) || 0);
    // The floor keeps a never-analyzed table (every row "modified") from admitting early-stopping scans.
    const surelyLive = Math.max(0, live - Math.max(0, t.nModSinceAnalyze), config.get('missingIndex.minRows'));
    if (rowsPerScan < (0.5 * surelyLive) / processesPerScan) continue;
    const hot = statementsOnTable(pg.statements ?? [], t);
    const onTable = (x: { relation: string; schema: string | null }) => x.relation === t.name && (x.schema === null || x.schema === t.schema);
    let found: Pick<MissingIndex, 'driver' | 'columns' | 'via' | 'planEvidence'> | undefined;
    // 1. The plan: a filtered scan, else a top-N sort over the scan. The filter is read again from its text
    //    (plan-filter.ts), so a stored plan is judged as a new one would be.
    let unservedScan: UnservedFilterScan | undefined;
    for (const st of hot) {
      const ex = explainFor(input, st.queryid);
      const filters = (ex?.seqScans ?? []).flatMap((sc) => (onTable(sc) && sc.filter ? [{ filter: sc.filter, columns: columnsInFilter(sc.filter) }] : []));
      const scan = filters.find((f) => f.columns.length > 0);
      const unselective = scan ? unselectiveColumns(input, st.queryid, t, scan.columns, config) : [];
      if (scan && unselective.length < scan.columns.length) {
        // A column that keeps most of the table is no column to index, beside a selective one either.
        found = { driver: st, columns: scan.columns.filter((c) => !unselective.some((q) => q.column === c)), via: 'filter', planEvidence: ex };
        break;
      }
      // The heaviest statement on the table filters it on expressions of its columns, or on columns measured to
      // keep most rows, and nothing else: its scans are the filter's doing, and an index on a column would not
      // be used (the query, or an expression index, is the fix).
      const unservedFilter = scan ?? filters.find((f) => comparesOnlyExpressions(f.filter));
      if (st === hot[0] && unservedFilter) unservedScan = { table: t, driver: st, filter: unservedFilter.filter, rowsPerScan, expressions: comparesAnExpression(unservedFilter.filter), patterns: matchesAPattern(unservedFilter.filter) && unselective.length === 0, unselective, aboveScan: [] };
      // The plan reads the table whole while the text compares its columns: the condition applies above the scan,
      // and the plan, not the text, says what an index would serve.
      const compared = st === hot[0] ? conditionAboveScan(st, ex, t, onTable) : [];
      if (compared.length > 0) unservedScan = { table: t, driver: st, filter: `none at the scan (the text compares ${compared.join(', ')})`, rowsPerScan, expressions: false, patterns: false, unselective: [], aboveScan: compared };
    }
    if (!found && unservedScan) {
      unserved.push(unservedScan);
      continue;
    }
    if (!found) {
      for (const st of hot) {
        const ex = explainFor(input, st.queryid);
        const keys = topNSortKeys(st, t);
        if (ex?.sorts?.some((so) => onTable(so) && so.underLimit) && keys.length > 0) {
          found = { driver: st, columns: keys, via: 'sort', planEvidence: ex };
          break;
        }
      }
    }
    // The table's index-use share is PgHero's test for when no plan is known: one hot primary-key lookup
    // elsewhere can make a table "95 % indexed" while another statement scans it in full every call. With a
    // statement's plan showing that scan, the plan decides; without one, the share does.
    if (mostlyIndexed && !found) continue;
    // 2. The statement text: a WHERE filter, else ORDER BY … LIMIT keys on this table.
    if (!found) {
      // The text stands in for a plan, so not for a statement whose plan shows the condition applied above the scan.
      const st = hot.find((x) => textFilterColumns(x, t).length > 0 && conditionAboveScan(x, explainFor(input, x.queryid), t, onTable).length === 0);
      if (st) found = { driver: st, columns: filterColumnsOn(st.query, t.name).filter((c) => c.op !== 'like').map((c) => c.column), via: 'filter' };
    }
    if (!found) {
      const st = hot.find((x) => topNSortKeys(x, t).length > 0);
      if (st) found = { driver: st, columns: topNSortKeys(st, t), via: 'sort' };
    }
    const columns = (found?.columns ?? []).slice(0, 2);
    out.push({
      id: `missing-index:${t.schema}.${t.name}(${columns.join(',')})`,
      table: t,
      live,
      idxScans: idx,
      idxShare,
      rowsPerScan,
      columns,
      via: found?.via ?? 'filter',
      ...(found?.driver ? { driver: found.driver } : {}),
      ...(found?.planEvidence ? { planEvidence: found.planEvidence } : {}),
    });
  }
  return { missing: out, unserved };
}

/** The columns of `t` that statement `s`'s WHERE compares with a parameter or constant; none for an INSERT. */
function textFilterColumns(s: StatementDelta, t: TableDelta): string[] {
  return /^\s*insert\b/i.test(s.query) ? [] : filterColumnsOn(s.query, t.name).map((c) => c.column);
}

/**
 * The columns of `t` that the statement's text compares with a parameter or constant while its plan reads `t`
 * whole: a sequential scan with no Filter, and no top-N sort over it. A condition PostgreSQL can apply at the scan
 * is always pushed down to it, so one the text has and the scan lacks is applied above it (to a window or an
 * aggregate over every row, to a derived table's output, across an OR with another table's column), and an index on
 * those columns would not serve this query as written: the plan, not the text, decides. Empty when no plan is known,
 * and when the text cannot be read that far: a statement other than a SELECT the parser read (an UPDATE's unqualified
 * columns may be its FROM table's), a table read twice (a self-join: the other read may be the filtered one), and a
 * comparison with a subquery (`col IN (SELECT …)` is planned as a join, which an index on the column does serve).
 */
function conditionAboveScan(s: StatementDelta, ex: ExplainedStatement | undefined, t: TableDelta, onTable: (x: { relation: string; schema: string | null }) => boolean): string[] {
  if (!ex) return [];
  const scans = ex.seqScans.filter(onTable);
  if (scans.length === 0 || scans.some((sc) => sc.filter) || (ex.sorts ?? []).some((so) => onTable(so) && so.underLimit)) return [];
  const reads = statementShape(s.query)?.tables.filter((x) => x.name.toLowerCase() === t.name.toLowerCase()) ?? [];
  if (reads.length !== 1) return [];
  return filterColumnsOn(s.query, t.name).filter((c) => !c.subquery).map((c) => c.column);
}

/**
 * missing-index: a large table read by many sequential scans during the run, driven by a hot statement
 * (see {@link missingIndexes}): a filter column to index, or the sort column of an ORDER BY … LIMIT.
 */
export function missingIndexRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const out: Finding[] = [];
  for (const m of missingIndexes(input, config)) {
    const { table: t, live, idxScans: idx, idxShare, rowsPerScan, driver, planEvidence } = m;
    const indexCols = m.columns;
    const attribution = driver ? statementEndpoints(input, driver.queryid) : { rows: [], impact: 0 };
    const dbShare = driver ? driver.shareOfExecTime : 0;
    const impact = attribution.impact > 0 ? attribution.impact : Math.max(0.1, dbShare * 0.5);
    // A statement that carries a fifth of the database's time is medium at least (the capacity it frees);
    // otherwise the share of its endpoint's latency grades it, as any per-request cost.
    const severity: Severity = !driver ? 'low' : dbShare >= 0.2 ? severityFromImpact(impact, 'medium') : statementSeverity(driver, attribution, impact, input, config);
    const qualified = `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
    const sql = indexCols.length > 0 ? `CREATE INDEX CONCURRENTLY ON ${qualified} (${indexCols.map(quoteIdent).join(', ')});` : undefined;
    const endpoints = attribution.rows.map((r) => r.endpoint);
    const bySort = m.via === 'sort';
    const evidence: Evidence[] = [
      { label: 'sequential scans during the run', value: t.seqScan, unit: 'scans', source: 'pg_stat_user_tables' },
      { label: 'index scans during the run', value: idx, unit: 'scans', source: 'pg_stat_user_tables' },
      { label: 'rows read per sequential scan', value: rowsPerScan, unit: 'rows', source: 'pg_stat_user_tables' },
      { label: 'live rows', value: live, unit: 'rows', source: 'pg_stat_user_tables' },
    ];
    if (driver) {
      evidence.push(
        { label: 'statement', value: shortSql(driver.query), source: 'pg_stat_statements' },
        { label: 'statement calls', value: driver.calls, unit: 'calls', source: 'pg_stat_statements' },
        { label: 'statement mean time', value: driver.meanExecMs, unit: 'ms', source: 'pg_stat_statements' },
        { label: 'share of DB time', value: driver.shareOfExecTime, unit: 'ratio', source: 'pg_stat_statements' },
      );
    }
    const unestimated = !bySort && planEvidence ? qualsUnavailable(input) : undefined;
    if (unestimated) evidence.push({ label: 'share of the table each filter column keeps', value: unestimated, source: 'pg_qualstats' });
    if (bySort) evidence.push({ label: 'sort keys with LIMIT', value: indexCols.join(', '), source: planEvidence ? 'EXPLAIN (Sort under Limit over Seq Scan) + parsed SQL' : 'parsed SQL (ORDER BY … LIMIT)' });
    for (const r of attribution.rows.slice(0, 3)) evidence.push({ label: `share of ${r.endpoint} latency`, value: r.share, unit: 'ratio', source: attributionSource(r) });
    if (planEvidence) evidence.push({ label: 'plan cost (EXPLAIN)', value: planEvidence.totalCost ?? 0, unit: '', source: 'EXPLAIN (rolled back)' });
    out.push(
      makeFinding({
        rule: 'missing-index',
        category: 'missing-index',
        subject: `${t.schema}.${t.name}(${indexCols.join(',')})`,
        severity,
        endpoint: endpoints[0],
        endpoints,
        title: indexCols.length > 0 ? `Missing index on ${t.name} (${indexCols.join(', ')})${bySort ? ' for ORDER BY … LIMIT' : ''}` : `Sequential scans on ${t.name} (${fmt(live)} rows)`,
        summary: `${t.name} (${fmt(live)} rows) was read by ${t.seqScan} full sequential scans during the run and only ${pct(idxShare)} of its scans used an index.${driver ? ` The statement \`${shortSql(driver.query, 100)}\` runs ${driver.calls} times at ${fmt(driver.meanExecMs)} ms.` : ''}${bySort ? ` It wants the first rows in ${indexCols.join(', ')} order, so PostgreSQL reads and sorts the whole table to return a few: an index in that order reads only those rows.` : ''}${endpoints.length > 0 ? ` It accounts for ${pct(attribution.impact)} of ${endpoints[0]}'s latency.` : ''}`,
        evidence,
        ...(driver ? { metrics: { statement: statementText(driver.query) } } : {}),
        recommendation: {
          text: sql
            ? bySort
              ? `Add an index in the sort order (match ASC/DESC of the ORDER BY; put equality-filtered columns first if the statement filters too); the planner then reads the first rows from the index instead of sorting the table. CONCURRENTLY avoids blocking writes. Check the plan afterwards with EXPLAIN.`
              : `Add an index on the filtered column${indexCols.length > 1 ? 's' : ''}; CONCURRENTLY avoids blocking writes. Check the plan afterwards with EXPLAIN.`
            : 'Find the filter of the scanning statement with EXPLAIN and index its columns.',
          sql,
          link: 'https://github.com/ankane/pghero/blob/master/guides/Suggested-Indexes.md',
        },
        actions: sql ? ['pg-index'] : undefined,
        confidence: planEvidence ? 0.9 : driver && indexCols.length > 0 ? 0.75 : 0.5,
        impact,
        attribution: attributionOf(attribution.rows.map((r) => r.method)),
      }),
    );
  }
  return out;
}

/**
 * A statement with an aggregate over DISTINCT values (`count(DISTINCT col)`, read from the parsed SQL) that
 * costs the database: called at least `slowQuery.calls` times and slow (`slowQuery.meanMs`), spilling its
 * sort to disk, or taking `slowQuery.dbShare` of the database's time. Such a statement is a query to change
 * (cache or estimate the count), so it is reported as inefficient-query, and its spill is not a work_mem finding.
 */
function costlyDistinctAggregate(s: StatementDelta, config: RuleConfig): { label: string; columns: string[] } | undefined {
  const aggs = statementShape(s.query)?.distinctAggregates ?? [];
  if (aggs.length === 0 || s.calls < config.get('slowQuery.calls')) return undefined;
  if (s.meanExecMs < config.get('slowQuery.meanMs') && s.tempBlksWritten <= 0 && s.shareOfExecTime < config.get('slowQuery.dbShare')) return undefined;
  const a = aggs[0]!;
  return { label: `${a.func}(DISTINCT ${a.columns.join(', ') || '…'})`, columns: a.columns };
}

/** Why no index on a column serves the scan's filter, in a sentence of the finding's summary. */
function unservedSummary(u: UnservedFilterScan): string {
  if (u.aboveScan.length > 0) {
    return `Its plan reads ${u.table.name} with no filter at the scan (the table's scans read about ${fmt(u.rowsPerScan)} rows each): the condition on ${u.aboveScan.join(', ')} applies above the scan (to a window or an aggregate over every row, to a derived table's output, or across an OR with another table), so an index on ${u.aboveScan.length > 1 ? 'those columns' : 'that column'} would not serve the query as written.`;
  }
  const kept = u.unselective.map((q) => `${q.comparisons[0] ? `${q.column} ${q.comparisons[0]}` : q.column} keeps ${pct(q.keptShare)} of the rows`).join(', ');
  const why = u.patterns
    ? `(\`${u.filter}\`) matches a pattern (LIKE/ILIKE), which a B-tree index on the column serves only for a constant prefix (LIKE 'abc%' with text_pattern_ops or the C collation), never for ILIKE on letters or a leading wildcard`
    : u.unselective.length === 0
    ? `compares expressions of the columns, not the columns (\`${u.filter}\`)`
    : `(\`${u.filter}\`) compares ${u.expressions ? 'expressions of columns and ' : ''}only columns that keep most of the table (${kept}, as the planner estimates for the constants pg_qualstats saw)`;
  return `Its filter on ${u.table.name} ${why}, so no ${u.patterns ? 'B-tree index' : 'index on a column'} can serve it: PostgreSQL reads about ${fmt(u.rowsPerScan)} rows on every scan.`;
}

/** What to change when no index on a column serves the scan's filter. */
function unservedRecommendation(u: UnservedFilterScan): string {
  const table = `${quoteIdent(u.table.schema)}.${quoteIdent(u.table.name)}`;
  const expression = `Compare the bare column, not a function or cast of it: rewrite the condition as a range on the column's own type (\`created_at::date = $1\` → \`created_at >= $1::date AND created_at < $1::date + 1\`), store the value the filter needs (a normalized e-mail, a generated column), or create an index on exactly that expression (\`CREATE INDEX CONCURRENTLY ON ${table} ((expression))\`).`;
  const unselective = `An index on ${u.unselective.map((q) => q.column).join(', ')} would not be used: ${u.unselective.length > 1 ? 'those comparisons keep' : 'that comparison keeps'} most rows, so PostgreSQL reads the table either way. Read less on every call — a condition that selects few rows (a narrower window on an indexed column), or a result kept between calls (a summary table or materialized view refreshed on write or on a schedule, a cache with a TTL).`;
  if (u.aboveScan.length > 0) {
    return `Let the scan apply the condition on ${u.aboveScan.join(', ')}: move it inside the query, before the aggregate or window (or split an OR across tables into a UNION), where the result allows it; an index on the column then serves it. A result that needs every row (a rank, a percentile over all groups) is kept between calls instead (a summary column or materialized view refreshed on write or on a schedule, a cache with a TTL). Check the plan afterwards with EXPLAIN.`;
  }
  if (u.patterns) {
    const operand = patternOperand(u.filter) ?? 'column';
    return `A trigram index serves LIKE and ILIKE whatever the wildcards: \`CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE INDEX CONCURRENTLY ON ${table} USING gin (${operand} gin_trgm_ops);\` (on the very expression the filter matches). For word search, full-text search (a tsvector column with a GIN index) ranks results too. Check the plan afterwards with EXPLAIN.`;
  }
  if (u.unselective.length === 0) return `${expression} Check the plan afterwards with EXPLAIN.`;
  return `${u.expressions ? `${expression} ` : ''}${unselective} Check the plan afterwards with EXPLAIN.`;
}

/** What to do about a statement that returns too many rows a call. */
const RETURN_FEWER_ROWS = 'Return fewer rows: paginate (LIMIT with a keyset), aggregate in SQL, or select only what the endpoint uses.';

/**
 * inefficient-query: a statement that is slow on average (PgHero: ≥ 100 calls
 * and ≥ 20 ms), that spills to disk (temp blocks: work_mem), or that returns
 * many rows per call, and is not already explained by a missing-index finding.
 */
export function inefficientQueryRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const pg = input.probes.postgres?.data;
  if (!pg) return [];
  // Statements that drive a missing index are that finding's (its fix is the index); statements that read a
  // large table in full because no index on a column can serve their filter are this rule's.
  const scanned = scannedTables(input, config);
  const covered = new Set(scanned.missing.flatMap((m) => (m.driver ? [m.driver.queryid] : [])));
  const unservedBy = new Map(scanned.unserved.map((e) => [e.driver.queryid, e]));
  const bloated = deadDominatedTables(input, config);
  const out: Finding[] = [];
  for (const s of pg.statements ?? []) {
    if (!s.toplevel || isUtilityStatement(s.query) || covered.has(s.queryid)) continue;
    const slow = isSlowStatement(s, config);
    const rowsPerCall = s.calls > 0 ? s.rows / s.calls : 0;
    const manyRows = s.calls >= config.get('slowQuery.calls') && rowsPerCall >= 1000 && s.shareOfExecTime >= config.get('slowQuery.dbShare');
    const distinct = costlyDistinctAggregate(s, config);
    const unserved = unservedBy.get(s.queryid);
    if (!slow && !manyRows && !distinct && !unserved) continue;
    const { rows, impact: attributed } = statementEndpoints(input, s.queryid);
    const impact = attributed > 0 ? attributed : Math.max(0.1, s.shareOfExecTime * 0.5);
    const endpoints = rows.map((r) => r.endpoint);
    const ex = explainFor(input, s.queryid);
    // More rows a call than a page, for an endpoint whose responses are over the payload limit: the statement
    // reads the list the endpoint sends, so the payload is its cause and paginating fixes both.
    const sends = rowsPerCall > config.get('largePayload.pageRows') ? payloadEndpoints(input, config, s.queryid) : [];
    out.push(
      makeFinding({
        rule: 'inefficient-query',
        category: 'inefficient-query',
        subject: s.queryid,
        // PgHero's slow query is a problem on its own; anything else is as severe as the latency it explains.
        severity: statementSeverity(s, { rows }, impact, input, config),
        endpoint: endpoints[0],
        endpoints,
        title: distinct
          ? `${distinct.label} on every call: ${fmt(s.meanExecMs)} ms × ${s.calls} calls`
          : unserved
            ? `${unserved.aboveScan.length > 0 ? `Condition above the scan (${unserved.aboveScan.join(', ')})` : unserved.patterns ? 'Pattern match (LIKE/ILIKE)' : unserved.expressions ? 'Filter on an expression' : 'Filter that keeps most rows'} reads ${unserved.table.name} in full: ${fmt(s.meanExecMs)} ms × ${s.calls} calls`
            : slow ? `Slow statement: ${fmt(s.meanExecMs)} ms × ${s.calls} calls` : `Statement returns ${fmt(rowsPerCall)} rows per call`,
        summary: `\`${shortSql(s.query, 120)}\` took ${fmt(s.totalExecMs)} ms over ${s.calls} calls (${pct(s.shareOfExecTime)} of database time)${endpoints.length > 0 ? `, ${pct(attributed)} of ${endpoints[0]}'s latency` : ''}.${manyRows && sends.length === 0 ? ` It returns ${fmt(rowsPerCall)} rows per call.` : ''}${sends.length > 0 ? ` It returns ${fmt(rowsPerCall)} rows a call, more than a page, to ${sends.join(' and ')}, whose responses are over ${fmt(config.get('largePayload.bytes') / 1000)} kB: it reads the list the endpoint sends, so paginating fixes both.` : ''}${unserved ? ` ${unservedSummary(unserved)}` : ''}${distinct ? ` ${distinct.label} sorts or hashes every matching row on every call, so its cost grows with the table, not with the page returned.${s.tempBlksWritten > 0 ? ` It also spills ${fmt((s.tempBlksWritten * 8) / s.calls)} kB per call to disk.` : ''}` : ''}`,
        evidence: [
          { label: 'statement', value: shortSql(s.query), source: 'pg_stat_statements' },
          { label: 'calls', value: s.calls, unit: 'calls', source: 'pg_stat_statements' },
          { label: 'mean time', value: s.meanExecMs, unit: 'ms', source: 'pg_stat_statements' },
          { label: 'rows per call', value: rowsPerCall, unit: 'rows', source: 'pg_stat_statements' },
          { label: 'share of DB time', value: s.shareOfExecTime, unit: 'ratio', source: 'pg_stat_statements' },
          { label: 'blocks read from disk', value: s.sharedBlksRead, unit: 'blocks', source: 'pg_stat_statements' },
          ...(unserved ? [{ label: `filter on ${unserved.table.name} (${unserved.aboveScan.length > 0 ? 'none at the scan' : unserved.unselective.length > 0 ? 'no selective column' : 'expressions of columns only'})`, value: unserved.filter, source: unserved.aboveScan.length > 0 ? 'EXPLAIN (rolled back) + parsed SQL' : 'EXPLAIN (rolled back)' }] : []),
          ...(unserved?.unselective ?? []).map((q) => ({ label: `share of ${unserved!.table.name} that ${q.column} ${q.comparisons[0] ?? ''} keeps`, value: q.keptShare, unit: 'ratio', source: 'pg_qualstats constants + planner estimate' })),
          ...(ex?.seqScans.length ? [{ label: 'sequential scans in plan', value: ex.seqScans.map((x) => x.relation).join(', '), source: 'EXPLAIN (rolled back)' }] : []),
          ...rows.slice(0, 3).map((r) => ({ label: `calls per request, ${r.endpoint}`, value: r.callsPerRequest, unit: 'calls', source: attributionSource(r) })),
        ],
        metrics: { statement: statementText(s.query) },
        // Scans of a table that is mostly dead rows read them too: the bloat is this statement's cause.
        causedBy: [
          ...bloated.filter((t) => queryTouchesTable(s.query, t.schema, t.name)).map((t) => `table-bloat:${t.schema}.${t.name}`),
          ...sends.map((e) => `large-payload:${e}`),
        ],
        recommendation: {
          text: sends.length > 0
            ? RETURN_FEWER_ROWS
            : distinct
            ? `Do not compute ${distinct.label} per request: keep the count (a counter table or a materialized view refreshed on write or on a schedule), cache it with a TTL, or show an estimate (pg_class.reltuples, a HyperLogLog extension); if it must be exact and live, an index on (${distinct.columns.join(', ') || 'the counted column'}) lets an index-only scan feed the DISTINCT.${s.tempBlksWritten > 0 ? ' Its sort spills to disk (temp blocks), so work_mem is too small for it — but raising work_mem only makes a per-request sort of the whole set cheaper, not unnecessary.' : ''}`
            : unserved
              ? unservedRecommendation(unserved)
              : manyRows && !slow
              ? RETURN_FEWER_ROWS
              : 'Run EXPLAIN (ANALYZE, BUFFERS) on it: index the filtered/joined columns, avoid functions on indexed columns, and select only needed columns. tuneup optimize can test hypothetical indexes (HypoPG).',
          sql: `EXPLAIN (ANALYZE, BUFFERS) ${s.query.trim().replace(/;$/, '')};`,
        },
        actions: ['pg-index'],
        confidence: 0.8,
        impact,
        attribution: attributionOf(rows.map((r) => r.method)),
      }),
    );
  }
  return out;
}

/**
 * n-plus-one: one endpoint runs the same statement fingerprint many times per request (Sentry: ≥ 5
 * repeats; severity rises when the repeats cost ≥ 50 ms per request, round trips included). One finding per
 * endpoint, with every repeated statement as evidence: an ORM loading several relations item by item is one
 * loop to batch, not one problem per statement (each alone would be a small share of the latency).
 */
export function nPlusOneRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const pg = input.probes.postgres?.data;
  if (!pg) return [];
  const byId = new Map((pg.statements ?? []).map((s) => [s.queryid, s]));
  const minCalls = config.get('nPlusOne.callsPerRequest');
  const roundTrip = pgRoundTrip(input, config);
  const rtt = roundTrip.ms;
  const onlyKnownRemotes = !!input.probes.process?.series.values.outboundConnections && !hasUnknownRemote(input);
  const groups = new Map<string, { a: StatementAttribution; s: StatementDelta }[]>();
  for (const a of input.demand.statements) {
    if (a.callsPerRequest < minCalls) continue;
    const s = byId.get(a.queryid);
    if (!s || isUtilityStatement(s.query) || /^\s*insert\b/i.test(s.query)) continue;
    groups.set(a.endpoint, [...(groups.get(a.endpoint) ?? []), { a, s }]);
  }
  const out: Finding[] = [];
  for (const [endpoint, members] of groups) {
    members.sort((x, y) => y.a.callsPerRequest * (y.s.meanExecMs + rtt) - x.a.callsPerRequest * (x.s.meanExecMs + rtt));
    const calls = members.reduce((sum, m) => sum + m.a.callsPerRequest, 0);
    const execMs = members.reduce((sum, m) => sum + m.a.execMsPerRequest, 0);
    // Each call costs a round trip the database does not see. When the service talks to nothing but the
    // probed database/cache, the endpoint's unexplained wait per DB call measures that round trip.
    const demand = input.demand.demands.find((d) => d.endpoint === endpoint);
    const measuredRtt = onlyKnownRemotes && demand?.unexplainedMs !== undefined && (demand.dbCalls ?? 0) >= calls ? demand.unexplainedMs / demand.dbCalls! : 0;
    const perRequestMs = execMs + calls * Math.max(rtt, measuredRtt);
    const mean = serviceMean(input, endpoint);
    // A loop of sequential calls cannot take longer than the requests that run it. Over an estimated
    // attribution (the mixed run's regression, which over a small endpoint soaks up a noisy loop), an estimate
    // beyond the endpoint's service time means its calls were likely another endpoint's: the finding is
    // lowered, with the doubt recorded for `tuneup diagnose` to settle by running the endpoint alone. Over a
    // direct attribution (the endpoint alone) the calls per request are counted, not estimated: an estimate
    // beyond the latency says the round trips were shorter than assumed (a fast host) or the calls overlapped,
    // so the loop's cost is bounded by the requests' own time instead.
    const direct = members.every((m) => m.a.method === 'direct');
    const overrun = mean > 0 && perRequestMs > config.get('nPlusOne.latencyBound') * mean;
    const inconsistent = overrun && !direct;
    const costMs = direct && mean > 0 ? Math.min(perRequestMs, mean) : perRequestMs;
    const share = mean > 0 ? Math.min(1, costMs / mean) : 0;
    const graded: Severity = costMs >= config.get('nPlusOne.totalMs') && share >= 0.3 ? 'high' : 'medium';
    const gradedImpact = Math.max(share, 0.15);
    const severity: Severity = inconsistent ? 'low' : graded;
    const top = members[0]!;
    const col = filterColumns(top.s.query).filter((c) => c.op === 'eq')[0]?.column;
    const many = members.length > 1;
    const evidence: Evidence[] = [
      { label: 'repeated calls per request (all statements)', value: calls, unit: 'calls', source: `pg_stat_statements + cost model (${top.a.method})` },
      { label: 'repeated statements', value: members.length, unit: 'statements', source: 'pg_stat_statements' },
      { label: 'estimated time per request (exec + round trips)', value: perRequestMs, unit: 'ms', source: 'cost model' },
      { label: 'mean service time', value: mean, unit: 'ms', source: 'load' },
      { label: 'round trip per call', value: Math.max(rtt, measuredRtt), unit: 'ms', source: measuredRtt > rtt ? "cost model (the endpoint's unexplained wait per database call)" : roundTrip.source },
    ];
    for (const m of members.slice(0, 10)) {
      evidence.push({ label: `statement (${fmt(m.a.callsPerRequest)}× per request, ${fmt(m.s.meanExecMs)} ms per call)`, value: shortSql(m.s.query), source: 'pg_stat_statements' });
    }
    // The single-statement form, for display (ranking reads `metrics.statement`).
    evidence.push({ label: 'statement', value: shortSql(top.s.query), source: 'pg_stat_statements' }, { label: 'calls per request', value: top.a.callsPerRequest, unit: 'calls', source: `pg_stat_statements + cost model (${top.a.method})` });
    out.push(
      makeFinding({
        rule: 'n-plus-one',
        category: 'n-plus-one',
        subject: endpoint,
        severity,
        endpoint,
        title: many
          ? `N+1 queries: ${endpoint} runs ${members.length} statements ${fmt(calls)}× per request in all`
          : `N+1 queries: ${endpoint} runs the same statement ${fmt(calls)}× per request`,
        summary: `Each ${endpoint} request runs ${many ? `${members.length} statements item by item, ${fmt(calls)} calls in all (the most: \`${shortSql(top.s.query, 80)}\` ${fmt(top.a.callsPerRequest)}×)` : `\`${shortSql(top.s.query, 100)}\` ${fmt(calls)} times (one query per item)`}.${inconsistent ? ` One after another, with round trips, they would take ~${fmt(perRequestMs)} ms per request, but its requests took ${fmt(mean)} ms on average: the mixed run's attribution of these calls to ${endpoint} is not consistent with its latency (they are likely another endpoint's, or run concurrently). Confirm with \`tuneup diagnose\` or \`tuneup profile\` (each endpoint alone).` : `${overrun ? ` Counted with the endpoint alone; at ${fmt(rtt)} ms a round trip they would take ~${fmt(perRequestMs)} ms, more than the ${fmt(mean)} ms its requests took, so the round trips were shorter or the calls overlapped: the loop is at most its whole latency,` : ` With round trips that is ~${fmt(perRequestMs)} ms per request (${pct(share)} of its latency) and`} ${fmt(calls)} database calls where ${many ? `${members.length} batched queries` : 'a single batched query'} would do.`}`,
        evidence,
        metrics: { statement: statementText(top.s.query) },
        recommendation: {
          text: `Fetch all items in one query${many ? ' per relation' : ''}: collect the ids and use \`WHERE id = ANY($1)\` (or a JOIN / eager load in the ORM, e.g. withRelated / include / populate), then map results in memory.`,
          code: col ? `SELECT ... WHERE ${col} = ANY($1::bigint[])  -- one call with all ${col} values instead of one call per item` : 'SELECT ... WHERE id = ANY($1)  -- one call for all items',
        },
        confidence: inconsistent ? 0.3 : direct ? 0.9 : 0.7,
        impact: inconsistent ? 0.05 : gradedImpact,
        attribution: attributionOf(members.map((m) => m.a.method)),
        ...(inconsistent
          ? { attributionDoubt: { severity: graded, impact: gradedImpact, confidence: 0.7, reason: `its ${fmt(calls)} calls per request would take ~${fmt(perRequestMs)} ms one after another, beyond the ${fmt(mean)} ms its requests took` } }
          : {}),
      }),
    );
  }
  return out;
}

/** Round trips timed by the probe at least this many times stand for the service's (a few samples of three). */
const MIN_ROUND_TRIPS = 6;

/**
 * What one database call costs beyond its execution time: the round trip the postgres probe timed during the
 * run (its own trivial statement, from where tuneup runs: the service's when both share the host), else the
 * assumed `nPlusOne.roundTripMs` (older results, or too few samples).
 */
export function pgRoundTrip(input: DiagnosisInput, config: RuleConfig): { ms: number; source: string } {
  const measured = input.probes.postgres?.data.roundTrip;
  if (measured && measured.samples >= MIN_ROUND_TRIPS && measured.medianMs > 0) {
    return { ms: measured.medianMs, source: `postgres probe (median of ${measured.samples} timed round trips of a trivial statement)` };
  }
  return { ms: config.get('nPlusOne.roundTripMs'), source: 'assumed (nPlusOne.roundTripMs; the probe timed no round trip)' };
}

/** Did the service hold a TCP connection to anything but the probed database and cache? */
function hasUnknownRemote(input: DiagnosisInput): boolean {
  const known = [targetAddress(input.probes.postgres?.target), targetAddress(input.probes.redis?.target)].filter((x) => x !== undefined);
  return (input.probes.process?.data.remotes ?? []).some((r) => !known.some((k) => k.port === r.port));
}

/** Series value helpers for pg columns. */
function pgColumn(input: DiagnosisInput, name: string): number[] {
  return numbers(input.probes.postgres?.series.values[name]);
}

/** Endpoints that use the database, with their unexplained-wait share of latency. */
function dbEndpointsWaiting(input: DiagnosisInput): { endpoint: string; waitShare: number; waitMs: number }[] {
  return input.demand.demands
    .filter((d) => (d.dbCalls ?? 0) >= 0.5 || input.demand.statements.some((s) => s.endpoint === d.endpoint && s.callsPerRequest >= 0.5))
    .map((d) => {
      const mean = serviceMean(input, d.endpoint);
      const wait = d.unexplainedMs ?? 0;
      return { endpoint: d.endpoint, waitShare: mean > 0 ? wait / mean : 0, waitMs: wait };
    })
    .sort((a, b) => b.waitShare - a.waitShare);
}

/** The service's CPU (% of one core) on the run's grid: the process probe, else prometheus; empty when neither has it. */
function serviceCpuOnGrid(input: DiagnosisInput): (number | null)[] {
  for (const ev of [input.probes.process, input.probes.prometheus]) {
    const v = ev?.series.values.cpuPercent;
    if (ev && v && numbers(v).length > 0) return alignToGrid(input.result.series, ev.series, v);
  }
  return [];
}

/**
 * Endpoints by their share of the time requests spent with, or waiting for, a pooled connection:
 * requests × (statement time + unexplained wait) per request. The endpoint holding connections longest
 * dominates it whether it holds them in queries or across other work (a remote call inside a checkout),
 * and its own requests queue longest behind it.
 */
function poolTimeShares(input: DiagnosisInput, dbEndpoints: string[]): { endpoint: string; share: number }[] {
  const time = dbEndpoints.map((endpoint) => {
    const exec = input.demand.statements.filter((a) => a.endpoint === endpoint).reduce((sum, a) => sum + a.execMsPerRequest, 0);
    const wait = input.demand.demands.find((d) => d.endpoint === endpoint)?.unexplainedMs ?? 0;
    return { endpoint, ms: (summaryOf(input, endpoint)?.requests ?? 0) * (exec + wait) };
  });
  const total = time.reduce((a, t) => a + t.ms, 0);
  return time.map((t) => ({ endpoint: t.endpoint, share: total > 0 ? t.ms / total : 0 })).sort((a, b) => b.share - a.share);
}

/**
 * A service gauge's typical level while the load ran: the median of its samples in the seconds with requests
 * (idle samples before and after the load say nothing of saturation), or the `fallback` mean for a result
 * stored without the gauge's series.
 */
function sustainedGauge(input: DiagnosisInput, column: string, fallback: number): number {
  const loaded = loadedSamples(input, column);
  return loaded && loaded.length >= 3 ? quantile(loaded, 0.5) : fallback;
}

/** A gauge's samples in the seconds with requests, after the run's start-up transient; undefined without its series. */
function loadedSamples(input: DiagnosisInput, column: string): number[] | undefined {
  const ev = input.probes.prometheus;
  const values = ev?.series.values[column];
  if (!ev || !values) return undefined;
  const grid = input.result.series;
  const aligned = alignToGrid(grid, ev.series, values);
  return numbers(steadyRows(input, 'any').map((i) => aligned[i] ?? null));
}

/** Is gauge `g` the `state` count (idle, total) of the pool whose waiting count is `waiting` (see {@link poolExhausted})? */
function isStateOfSamePool(g: PoolGaugeSummary, waiting: PoolGaugeSummary, state: 'idle' | 'total'): boolean {
  if (g === waiting || ![g.metric, ...Object.values(g.labels)].some((x) => new RegExp(state, 'i').test(x))) return false;
  if (g.metric !== waiting.metric) return g.metric === waiting.metric.replace(/wait(ing)?/i, state) && JSON.stringify(g.labels) === JSON.stringify(waiting.labels);
  // One metric: the labels differ only in the one that names the state.
  const keys = new Set([...Object.keys(g.labels), ...Object.keys(waiting.labels)]);
  return [...keys].filter((k) => g.labels[k] !== waiting.labels[k]).length <= 1;
}

/** How a pool's own gauges say it was exhausted (see {@link poolExhausted}). */
interface PoolExhaustion {
  /** Share of the loaded samples with no idle connection. */
  idleZeroShare: number;
  /** A client was seen waiting in some sample. */
  waiterSeen: boolean;
}

/**
 * pg-pool's signature of a saturated pool, from its own gauges: no idle connection (idle 0 with the pool
 * open) in most of the loaded samples, and clients waiting in some. The waiting count is a queue sampled at
 * scrape instants and swings between 0 and a few; an empty idle list is a state that lasts. Gauges of one
 * pool share their labels but the one that names the state (`db_pool_connections{pool="reports",state=…}`),
 * or their metric name but the state word (`pg_pool_waiting_count`, `pg_pool_idle_count`).
 *
 * A waiter need not be caught by a 1 Hz scrape: when the pool's total stayed at its maximum (it could open no
 * other connection) and no connection was idle in most samples, most arrivals found none idle — Poisson
 * arrivals see time averages (PASTA) — and queued for one. Without a waiter seen, that holds only with the
 * endpoints' wait to show for it (the caller's check).
 */
function poolExhausted(input: DiagnosisInput, waiting: PoolGaugeSummary, gauges: readonly PoolGaugeSummary[]): PoolExhaustion | undefined {
  const idle = gauges.find((g) => isStateOfSamePool(g, waiting, 'idle'));
  if (!idle) return undefined;
  const samples = loadedSamples(input, idle.column);
  if (!samples || samples.length < 3) return undefined;
  const idleZeroShare = samples.filter((v) => v < 0.5).length / samples.length;
  if (idleZeroShare < 0.5) return undefined;
  if (waiting.max >= 1) return { idleZeroShare, waiterSeen: true };
  const total = gauges.find((g) => isStateOfSamePool(g, waiting, 'total'));
  const totals = total ? loadedSamples(input, total.column) : undefined;
  if (!totals || totals.length < 3) return undefined;
  const cap = Math.max(...totals);
  const pinned = cap >= 1 && totals.filter((v) => v >= cap - 0.5).length / totals.length >= 0.6;
  return pinned ? { idleZeroShare, waiterSeen: false } : undefined;
}

/**
 * pool-saturation: the service's database connections are pinned at a small
 * cap and busy nearly all the time while requests wait (pg-pool's signature:
 * totalCount == max, idleCount == 0, waitingCount > 0), and it is not lock
 * contention. A `*pool*waiting*` gauge from the service's metrics confirms it.
 */
export function poolSaturationRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const pgEv = input.probes.postgres;
  // A waiting-clients gauge: named so (pg_pool_waiting_count), or labelled so (db_pool_connections{state="waiting"}).
  const waitingGauges = (input.probes.prometheus?.data.pools ?? []).filter((p) => [p.metric, ...Object.values(p.labels)].some((x) => /wait|pending|queue/i.test(x)));
  // Saturation is a queue that lasts: a gauge judged by its median sample, so the burst of a cold start (a
  // freshly started pool opening its connections while the first second's requests pile up) is not a fault.
  const allGauges = input.probes.prometheus?.data.pools ?? [];
  // Endpoints whose wait a lock explains are lock contention, not pool queueing — a lock the requests lose
  // little to (low) explains no one's wait.
  const lock = analyzeLockContention(input, config);
  const locked = new Set(lock && lock.severity !== 'low' ? lock.endpoints : []);
  const waiting = dbEndpointsWaiting(input).filter((w) => w.waitShare >= config.get('pool.waitShare') && w.waitMs >= config.get('pool.minWaitMs') && !locked.has(w.endpoint));
  const exhaustion = new Map(waitingGauges.map((p) => [p, poolExhausted(input, p, allGauges)] as const));
  const gaugeWaiting = waitingGauges.filter((p) => {
    const exhausted = exhaustion.get(p);
    return sustainedGauge(input, p.column, p.mean) >= 1 || exhausted?.waiterSeen || (exhausted && waiting.length > 0);
  });
  // Judge the connections in the seconds when the waiting endpoints ran (in a profile run, their own steps),
  // after the run's start-up transient.
  const grid = input.result.series;
  const rows = steadyRows(input, waiting.map((w) => w.endpoint));
  const col = (name: string) => {
    const ev = input.probes.postgres;
    return ev?.series.values[name] ? alignToGrid(grid, ev.series, ev.series.values[name]) : [];
  };
  const pick = (xs: (number | null)[]) => rows.map((i) => xs[i]).filter((v): v is number => v !== null && v !== undefined);
  const own = serviceConnections(input);
  const conns = pick(own.connections);
  const busyCol = pick(own.busy);
  const lockWait = pick(col('pg.waiting_lock'));
  let pinned = false;
  let busyShare = 0;
  let occupancy = 0;
  let cap = 0;
  if (conns.length >= 2) {
    cap = Math.round(Math.max(...conns));
    const atCap = conns.filter((c) => c >= cap - 0.5).length / conns.length;
    pinned = cap > 0 && cap <= config.get('pool.maxConnections') && atCap >= 0.6;
    const meanConns = conns.reduce((a, b) => a + b, 0) / conns.length;
    const meanBusy = busyCol.reduce((a, b) => a + b, 0) / Math.max(1, busyCol.length);
    busyShare = meanConns > 0 ? meanBusy / meanConns : 0;
    // Little's law on the database side: statement time per second (exact, pg_stat_statements) plus one round
    // trip per call is the mean number of connections executing for the service. A 1 Hz sample of states
    // misses short statements; this does not. An upper bound when other clients run statements too.
    const exec = pick(col('pg.exec_ms_per_s'));
    const calls = pick(col('pg.calls_per_s'));
    if (exec.length > 0 && cap > 0) {
      const meanExec = exec.reduce((a, b) => a + b, 0) / exec.length;
      const meanCalls = calls.length > 0 ? calls.reduce((a, b) => a + b, 0) / calls.length : 0;
      occupancy = (meanExec + meanCalls * pgRoundTrip(input, config).ms) / 1000 / cap;
    }
    busyShare = Math.max(busyShare, Math.min(1, occupancy));
  }
  const meanLockWait = lockWait.length > 0 ? lockWait.reduce((a, b) => a + b, 0) / lockWait.length : 0;
  const lockBound = cap > 0 && meanLockWait / cap >= 0.3;
  const fromPg = pinned && busyShare >= config.get('pool.busyShare') && waiting.length > 0 && !lockBound;
  const fromGauge = gaugeWaiting.length > 0;
  if (!fromPg && !fromGauge) return poolHeadroomNote(input, config, own);
  const maxConnections = Number(pgEv?.data.settings?.max_connections?.value ?? NaN);
  const evidence: Evidence[] = [];
  if (conns.length > 0) {
    evidence.push(
      { label: 'service connections (max, pinned)', value: cap, unit: 'connections', source: own.source },
      { label: 'busy share of those connections', value: busyShare, unit: 'ratio', source: occupancy >= busyShare ? 'pg_stat_statements exec time + round trips (Little\'s law)' : own.source },
    );
  }
  const gaugeName = (g: (typeof gaugeWaiting)[number]) => `${g.metric}${Object.keys(g.labels).length > 0 ? `{${Object.entries(g.labels).map(([k, v]) => `${k}="${v}"`).join(',')}}` : ''}`;
  for (const g of gaugeWaiting) {
    evidence.push({ label: `${gaugeName(g)} (mean)`, value: g.mean, unit: 'clients', source: 'service /metrics' });
    const exhausted = exhaustion.get(g);
    if (exhausted) evidence.push({ label: `share of samples with no idle connection in that pool${exhausted.waiterSeen ? '' : ', its total at its maximum'}`, value: exhausted.idleZeroShare, unit: 'ratio', source: 'service /metrics' });
  }
  // A queue no scrape caught is described by the idle connections the pool never had (see poolExhausted).
  const firstGauge = gaugeWaiting[0];
  const unseenQueue = firstGauge !== undefined && firstGauge.mean < 0.5 && exhaustion.get(firstGauge)?.waiterSeen === false;
  const gaugeState = firstGauge === undefined ? '' : unseenQueue
    ? `no idle connection in ${pct(exhaustion.get(firstGauge)!.idleZeroShare)} of the samples, at its maximum size`
    : `${fmt(firstGauge.mean)} clients waiting on average`;
  for (const w of waiting.slice(0, 3)) evidence.push({ label: `unexplained wait, ${w.endpoint}`, value: w.waitMs, unit: 'ms/request', source: 'cost model' });
  const pgCpu = numbers(input.probes.process?.series.values.pgCpuPercent);
  if (pgCpu.length > 0) evidence.push({ label: 'PostgreSQL CPU (mean)', value: pgCpu.reduce((a, b) => a + b, 0) / pgCpu.length, unit: '% of one core', source: '/proc (postgres processes)' });
  if (Number.isFinite(maxConnections)) evidence.push({ label: 'max_connections', value: maxConnections, unit: 'connections', source: 'pg_settings' });
  // The endpoint to fix is the one holding the connections longest, not the one queueing most: behind a full
  // pool every endpoint waits alike, and a short request's wait is the largest share of its latency.
  // Lock waits are time holding a connection too, but the lock-contention finding explains those endpoints.
  const hog = poolTimeShares(input, dbEndpointsWaiting(input).map((w) => w.endpoint).filter((e) => !locked.has(e)))[0];
  const top = waiting[0];
  // Time idle in a transaction is holding time no statement shows: when it is most of the checked-out time,
  // the holder is the endpoint whose statement those transactions ran last.
  const hold = poolHold(input);
  const idleHolder = hold && hold.idleInTransactionShare >= config.get('pool.idleInTxShare') ? idleTransactionHolders(input)[0] : undefined;
  const culprit = idleHolder ?? (hog && hog.share >= 0.3 ? hog.endpoint : top?.endpoint);
  if (idleHolder) evidence.push({ label: `checked-out connections idle in a transaction, most often after a statement of ${idleHolder}`, value: hold!.idleInTransactionShare, unit: 'ratio', source: `${hold!.source}; pg_stat_activity (query_id)` });
  else if (hog && hog.share >= 0.3) evidence.push({ label: `share of time in or waiting for the pool, ${hog.endpoint}`, value: hog.share, unit: 'ratio', source: 'cost model' });
  const impact = top ? top.waitShare : 0.4;
  // Judged in the same seconds as the connections: in a profile run another endpoint's step may saturate the CPU.
  const cpuInRows = pick(serviceCpuOnGrid(input));
  const cpuBound = cpuInRows.length >= 3 && quantile(cpuInRows, 0.9) >= config.get('cpu.saturatedPercent');
  // A full pool is a queue in front of what its connections wait on. When they spend their checked-out time
  // executing statements and the CPU those run on (the database's, or the host's it shares) is saturated,
  // more connections add no throughput: the pool is where the queue sits, and the work per statement is
  // what to fix. Checked-out time spent not executing (a remote call or a sleep while holding the
  // connection, in a transaction or not) is the service's own hold, and the finding stands.
  const executing = cap > 0 ? Math.min(cap, occupancy * cap) : 0;
  const heldIdleShare = hold ? Math.max(0, 1 - executing / hold.checkedOut) : undefined;
  const behind = saturatedBehindPool(input, config);
  const queueOfSaturated = !cpuBound && behind !== undefined && heldIdleShare !== undefined && heldIdleShare < config.get('pool.heldIdleShare');
  if (behind && heldIdleShare !== undefined) {
    evidence.push(...behind.evidence, { label: 'checked-out time not executing a statement', value: heldIdleShare, unit: 'ratio', source: `${hold!.source}; pg_stat_statements (Little's law)` });
  }
  const suggested = cap > 0 ? Math.min(cap * 2, Number.isFinite(maxConnections) ? Math.floor(maxConnections * 0.5) : cap * 2) : undefined;
  return [
    makeFinding({
      rule: 'pool-saturation',
      category: 'pool-saturation',
      subject: 'db-pool',
      // With the service's CPU saturated, connections stay checked out while their callbacks wait for the CPU:
      // a full pool is then a symptom, reported low so the CPU finding leads.
      severity: cpuBound || queueOfSaturated ? 'low' : impact >= 0.5 ? 'high' : 'medium',
      endpoint: culprit,
      endpoints: [...new Set([...(culprit ? [culprit] : []), ...waiting.map((w) => w.endpoint)])],
      title: `${fromPg && cap > 0 ? `Database connection pool saturated at ${cap} connections` : fromGauge ? `Database connection pool saturated: ${gaugeState}` : 'Database connection pool saturated'}${culprit && hog?.endpoint === culprit ? ` (${culprit} holds them longest)` : ''}`,
      summary: `${fromPg && cap > 0 ? `The service held ${cap} connections, busy ${pct(busyShare)} of the time, ` : ''}${fromGauge ? (unseenQueue ? `The pool behind ${gaugeName(firstGauge!)} had ${gaugeState}: most requests found no connection free and queued for one (no 1 Hz scrape caught a waiter), ` : `${gaugeName(firstGauge!)} averaged ${fmt(firstGauge!.mean)} waiting clients, `) : ''}while requests spent ${top ? `${pct(top.waitShare)} of ${top.endpoint}'s latency` : 'their time'} waiting for a connection — not in the database.${cpuBound ? ' The service\'s CPU is saturated too, which keeps connections checked out longer: fix the CPU first.' : ''}${queueOfSaturated ? ` The connections spent ${pct(1 - heldIdleShare!)} of their checked-out time executing statements, on ${behind!.name}, which is saturated: more connections would add no throughput. The pool is where the queue sits; make each statement cheaper (the other findings) or add database capacity.` : ''}`,
      evidence,
      recommendation: {
        text: `Raise the pool size${suggested ? ` (e.g. max: ${suggested}, within max_connections)` : ''}, and shorten the time each request holds a connection: no remote calls or waits inside a transaction, batch N+1 queries. Set connectionTimeoutMillis so a full pool fails fast instead of queueing forever.`,
        config: suggested ? { 'pg.Pool max': String(suggested), connectionTimeoutMillis: '2000' } : { connectionTimeoutMillis: '2000' },
      },
      confidence: fromPg && fromGauge ? 0.9 : 0.75,
      impact,
    }),
  ];
}

/**
 * A fixed pool that is always fully open but lightly busy, with no request waiting for it, and larger than
 * the database's cores: worth an `info` note, never more — an open idle connection costs the server little,
 * and the pool is not what limits the service; but its size is not the database's parallelism either (ten
 * connections on two cores execute two statements at a time), which is what capacity estimates must use.
 * Without known cores there is nothing to say.
 */
function poolHeadroomNote(input: DiagnosisInput, config: RuleConfig, own: ServiceConnections): Finding[] {
  const grid = input.result.series;
  const rows = grid.t.map((_, i) => i).filter((i) => Object.values(grid.endpoints).some((e) => (e.requests[i] ?? 0) > 0));
  const conns = rows.map((i) => own.connections[i]).filter((v): v is number => v !== null && v !== undefined);
  const busy = rows.map((i) => own.busy[i]).filter((v): v is number => v !== null && v !== undefined);
  if (conns.length < 3) return [];
  const cap = Math.round(Math.max(...conns));
  const atCap = conns.filter((c) => c >= cap - 0.5).length / conns.length;
  const cores = input.demand.dbCores?.cores;
  if (cores === undefined || cap <= cores || cap > config.get('pool.maxConnections') || atCap < 0.9) return [];
  const busyShare = busy.reduce((a, b) => a + b, 0) / Math.max(1, busy.length) / cap;
  if (busyShare >= config.get('pool.busyShare')) return [];
  return [
    makeFinding({
      rule: 'pool-saturation',
      category: 'pool-saturation',
      subject: 'db-pool',
      severity: 'info',
      title: `Connection pool: ${cap} connections open throughout, ${pct(busyShare)} busy`,
      summary: `The service kept ${cap} connections open for the whole run and they were busy ${pct(busyShare)} of the time, with no request waiting for one: the pool has headroom and does not limit the service at this load. The database has ${cores} core${cores > 1 ? 's' : ''}, so at most ${cores} statements execute at once whatever the pool size: capacity is bounded by the cores, not by ${cap} connections.`,
      evidence: [
        { label: 'service connections (open throughout)', value: cap, unit: 'connections', source: own.source },
        { label: 'busy share of those connections', value: busyShare, unit: 'ratio', source: own.source },
        { label: 'database cores', value: cores, unit: 'cores', source: input.demand.dbCores!.source },
      ],
      recommendation: { text: 'Nothing to fix at this load. If several instances share the database, size the sum of their pools below max_connections (or use PgBouncer).' },
      confidence: 0.6,
      impact: 0,
    }),
  ];
}

/** What the lock evidence says, read once by the lock-contention rule and by the pool rule (which must not call another rule). */
interface LockAnalysis {
  pairs: BlockedPair[];
  worst: BlockedPair | undefined;
  lockShare: number;
  /**
   * Share of the lock's writers' request time spent waiting on locks, and queueing for the connections lock
   * waiters hold (see {@link lockWaitShareOfRequests}). Undefined for results from before the 10 Hz wait
   * sampler, whose 1 Hz samples are too coarse for a wait time.
   */
  requestWaitShare: number | undefined;
  /** Backend-milliseconds spent waiting on locks over the probe's window: `queueLength` × the window. */
  lockWaitMs: number | undefined;
  /** Mean number of backends waiting on locks per wait sample (Little's law on the wait sampler). */
  queueLength: number | undefined;
  /** Mean share of the service's open connections waiting on a lock, and whether that starves the pool. */
  poolShare: number;
  starvesPool: boolean;
  deadlocks: number;
  relation: string | null;
  /**
   * Endpoints whose statements touch the contended relation, or that ran when pairs were seen: the lock's waiters
   * first (the owners of the statements seen blocked, else the endpoints whose statements on the relation change
   * rows or take locks), most calls on the relation first, then blocked owners whose statements do not name it
   * (a foreign-key wait), then the relation's other endpoints, most calls first.
   */
  endpoints: string[];
  severity: Severity;
  impact: number;
}


/** Analyse lock waits, blocked pairs and deadlocks; null when they do not reach the lock-contention trigger. */
function analyzeLockContention(input: DiagnosisInput, config: RuleConfig): LockAnalysis | null {
  const pg = input.probes.postgres?.data;
  if (!pg) return null;
  const pairs = (pg.blockedPairs ?? []).filter((p) => p.maxWaitMs >= config.get('lock.minBlockedMs'));
  const waits = pg.activity?.waitEvents ?? [];
  const totalWait = waits.reduce((a, w) => a + w.count, 0);
  // The share's denominator comes from the same samples as its numerator: the wait sampler's active
  // backends when it ran (results since it exists), else the series' active column (1 Hz, older results).
  const sampling = pg.activity?.waitSampling;
  const activeSamples = sampling ? sampling.activeBackendSamples : pgColumn(input, 'pg.active').reduce((a, b) => a + b, 0);
  const lockSamples = waits.filter((w) => w.type === 'Lock').reduce((a, w) => a + w.count, 0);
  const lockShare = activeSamples > 0 ? lockSamples / activeSamples : totalWait > 0 ? lockSamples / totalWait : 0;
  const deadlocks = pg.databaseStats?.deadlocks ?? 0;
  if (pairs.length === 0 && lockShare < config.get('lock.waitShare') && deadlocks === 0) return null;
  if (pairs.length === 0 && lockSamples === 0 && deadlocks === 0) return null;
  // Every pair seen names the lock and its endpoints, even those seen once (the trigger above needs repeats).
  const seenPairs = pg.blockedPairs ?? [];
  const worst = [...seenPairs].sort((a, b) => b.samples - a.samples || b.maxWaitMs - a.maxWaitMs)[0];
  // Row locks (transactionid) name no relation: the blocked statement's table does. With no pair seen (the 1 Hz
  // sampler caught only wait events), the locking statement that spent the most time is the likeliest waiter.
  const locking = (pg.statements ?? []).filter((st) => changesOrLocks(st.query)).sort((a, b) => b.totalExecMs - a.totalExecMs)[0];
  const relation = worst?.relation ?? (worst ? (tablesInQuery(worst.blockedQuery)[0] ?? null) : locking ? (tablesInQuery(locking.query)[0] ?? null) : null);
  // Endpoints whose statements touch the contended relation, most calls first, else those running when the pairs were seen.
  const endpoints = new Set<string>();
  /** Of those, the endpoints whose statements on the relation take row locks: only they can wait on one. */
  const writers = new Set<string>();
  if (relation) {
    const [schema, table] = relation.includes('.') ? relation.split('.') : ['public', relation];
    const volume = new Map<string, number>();
    for (const a of input.demand.statements) {
      const s = pg.statements.find((x) => x.queryid === a.queryid);
      if (!s || !queryTouchesTable(s.query, schema!, table!)) continue;
      volume.set(a.endpoint, (volume.get(a.endpoint) ?? 0) + a.callsPerRequest * (summaryOf(input, a.endpoint)?.requests ?? 0));
      if (changesOrLocks(s.query)) writers.add(a.endpoint);
    }
    for (const [e] of [...volume].sort((x, y) => y[1] - x[1])) endpoints.add(e);
  }
  // A blocked request lasted at least as long as it waited: weigh endpoints by how many of their requests took the typical wait.
  const minWaitMs = seenPairs.length > 0 ? quantile(seenPairs.map((p) => p.maxWaitMs), 0.5) : 0;
  if (endpoints.size === 0) for (const e of endpointsAtOffsets(input, seenPairs.flatMap((p) => [p.firstSeenOffsetMs, p.lastSeenOffsetMs]), minWaitMs)) endpoints.add(e);
  // Little's law on the wait sampler: the mean waiters per sample, times the window, is the backend-time spent
  // waiting. Per sample, not × the interval: a tick is skipped while the previous one is pending, which happens
  // most under contention, so counting ticks × interval would undercount the waits.
  const queueLength = sampling && sampling.samples > 0 ? lockSamples / sampling.samples : undefined;
  const windowMs = pg.window?.afterAt != null && pg.window.beforeAt != null ? pg.window.afterAt - pg.window.beforeAt : sampling ? sampling.samples * sampling.intervalMs : 0;
  const lockWaitMs = queueLength === undefined ? undefined : queueLength * windowMs;
  // Only a request whose statement waited on the lock waited: when the pairs show the blocked statements, their
  // owners' request time is the share's denominator. A writer of the relation never seen blocked (another row,
  // another moment) would dilute it: venue's ticket sale, 600 ms a request, hid a hold counter's lock.
  const blockedOwners = blockedStatementOwners(input, seenPairs);
  const lockers = blockedOwners.length > 0 ? blockedOwners : writers.size > 0 ? [...writers] : [...endpoints];
  const poolShare = lockPoolShare(input, lockers);
  const starvesPool = poolShare >= config.get('lock.poolShare');
  // A lock waiter holds its pooled connection, so a writer queueing for a connection waits behind the lock
  // too: of the writers' wait the cost model leaves unexplained (the pool queue among it), the share of the
  // connections held by lock waiters is the lock's.
  const queuedBehind = lockers.reduce((a, e) => a + (summaryOf(input, e)?.requests ?? 0) * (input.demand.demands.find((d) => d.endpoint === e)?.unexplainedMs ?? 0), 0) * poolShare;
  const requestWaitShare = lockWaitMs === undefined ? undefined : lockWaitShareOfRequests(input, lockWaitMs + queuedBehind, lockers);
  // The lock is named on the endpoints that wait on it: those seen blocked, else those whose statements take locks
  // on the relation, before those that only read it. Under MVCC a plain SELECT waits on no row lock and on no
  // table lock but ACCESS EXCLUSIVE (PostgreSQL 15 docs §13.3.1), so a reader of the relation with the most
  // calls is not the lock's endpoint (past capacity it was named over the writer that waited: bistro's menu
  // over the reservations that took the table lock).
  const named = [...new Set([...[...endpoints].filter((e) => lockers.includes(e)), ...lockers, ...endpoints])];
  const facts = { pairs, worst, lockShare, requestWaitShare, lockWaitMs, queueLength, poolShare, starvesPool, deadlocks, relation, endpoints: named };
  return { ...facts, severity: lockSeverity(facts, config), impact: lockImpact(facts, config) };
}

/**
 * Mean share of the service's open connections waiting on a lock, in the seconds the lock's endpoints ran (in
 * a mixed run every second; in a profile run their own steps, where the lock can hold the pool while the
 * other steps never touch it). A lock wait holds a pooled connection: when half the service's connections
 * wait on locks, every request that needs one queues behind them, and the DB-using endpoints' waits are the
 * lock's, not a remote's.
 */
function lockPoolShare(input: DiagnosisInput, lockers: string[]): number {
  const ev = input.probes.postgres;
  const waiting = ev?.series.values['pg.waiting_lock'];
  if (!ev || !waiting) return 0;
  const grid = input.result.series;
  const waitingCol = alignToGrid(grid, ev.series, waiting);
  const open = serviceConnections(input).connections;
  const rows = steadyRows(input, lockers.length === 0 ? 'any' : lockers);
  const waitingMean = meanOf(numbers(rows.map((i) => waitingCol[i] ?? null)));
  const openMean = meanOf(numbers(rows.map((i) => open[i] ?? null)));
  return waitingMean !== undefined && openMean ? Math.min(1, waitingMean / openMean) : 0;
}

/**
 * Backend-ms waiting on locks over the request time (requests × mean service time) of `endpoints` (every
 * endpoint when empty). The endpoints are the lock's writers when known: under MVCC a reader never waits on
 * a row lock, and counting its requests would dilute the share.
 */
function lockWaitShareOfRequests(input: DiagnosisInput, lockWaitMs: number, endpoints: string[]): number {
  const chosen = endpoints.length > 0 ? endpoints : input.result.endpoints.map((e) => e.endpoint);
  const requestMs = chosen.reduce((a, e) => a + (summaryOf(input, e)?.requests ?? 0) * serviceMean(input, e), 0);
  return requestMs > 0 ? Math.min(1, lockWaitMs / requestMs) : 0;
}

type LockFacts = Omit<LockAnalysis, 'severity' | 'impact'>;

/**
 * A lock with a lasting queue: `lock.queueLength` backends or more wait on locks per sample on average. By
 * Little's law and M/M/1, one waiter on average is a lock busy about 62 % of the time, where waits of a
 * holder's length are common: a resource near saturation, whatever share of the (queued) request time it is.
 */
function lockSaturated(lock: LockFacts, config: RuleConfig): boolean {
  return (lock.queueLength ?? 0) >= config.get('lock.queueLength');
}

/**
 * High with a deadlock, a pair blocked for `lock.minBlockedMs` or more, half the service's connections
 * waiting (every endpoint queues behind the lock), or a lasting queue (see {@link lockSaturated}); otherwise
 * as severe as the share of the writers' request time spent waiting on it, like every latency finding.
 * Results from before the wait sampler keep the share of active backends waiting (medium, high from 0.3).
 */
function lockSeverity(lock: LockFacts, config: RuleConfig): Severity {
  if (lock.deadlocks > 0 || lock.starvesPool || lock.pairs.length > 0 || lockSaturated(lock, config)) return 'high';
  if (lock.requestWaitShare !== undefined) return severityFromImpact(lock.requestWaitShare);
  return lock.lockShare >= 0.3 || (lock.worst?.maxWaitMs ?? 0) >= config.get('lock.minBlockedMs') ? 'high' : 'medium';
}

/**
 * What the requests lose to the lock sets its weight when the wait sampler measured it (results from before
 * that sampler keep the share of active backends waiting). A lock that holds the pool also owns the requests'
 * wait for a connection, which the lock-wait time does not count: the share of the pool it holds stands for
 * it. A saturated lock weighs by how busy its queue says it is: L waiting on average is an M/M/1 server about
 * L / (1 + L) busy (a lower estimate: L counts the waiters, not the holder).
 */
function lockImpact(lock: LockFacts, config: RuleConfig): number {
  if (lock.requestWaitShare === undefined) return Math.max(lock.lockShare, lock.worst ? 0.3 : 0.1);
  const queue = lock.queueLength ?? 0;
  return Math.max(lock.requestWaitShare, lock.pairs.length > 0 ? 0.3 : 0, lock.starvesPool ? lock.poolShare : 0, lockSaturated(lock, config) ? queue / (1 + queue) : 0);
}

/** lock-contention: backends waiting on heavyweight locks, blocked pairs, or deadlocks (PgHero blocked_queries; APA deadlocks). */
export function lockContentionRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const lock = analyzeLockContention(input, config);
  if (!lock) return [];
  const { pairs, worst, lockShare, deadlocks, relation } = lock;
  const heldOpen = worst && /idle in transaction/.test(worst.blockingState);
  const evidence: Evidence[] = [
    { label: 'active backend samples waiting on a lock', value: lockShare, unit: 'ratio', source: 'pg_stat_activity' },
    { label: 'blocked pairs seen', value: pairs.length, unit: 'pairs', source: 'pg_locks / pg_blocking_pids' },
  ];
  if (worst) {
    evidence.push(
      { label: 'longest lock wait seen', value: worst.maxWaitMs, unit: 'ms', source: 'pg_stat_activity' },
      { label: 'blocked statement', value: shortSql(worst.blockedQuery), source: 'pg_stat_activity' },
      { label: 'blocking statement', value: shortSql(worst.blockingQuery), source: 'pg_stat_activity' },
      { label: 'blocker state', value: worst.blockingState, source: 'pg_stat_activity' },
    );
    if (worst.lockMode) evidence.push({ label: 'lock', value: `${worst.lockType ?? ''} ${worst.lockMode}${relation ? ` on ${relation}` : ''}`.trim(), source: 'pg_locks' });
  }
  if (deadlocks > 0) evidence.push({ label: 'deadlocks', value: deadlocks, unit: 'deadlocks', source: 'pg_stat_database' });
  const { requestWaitShare, poolShare, starvesPool } = lock;
  const eps = lock.endpoints;
  if (requestWaitShare !== undefined) {
    evidence.push({ label: "time waiting on locks (mean waiters per sample × the probe's window)", value: lock.lockWaitMs!, unit: 'ms', source: 'pg_stat_activity (wait sampler)' });
    evidence.push({ label: "share of the locking endpoints' request time spent waiting on locks", value: requestWaitShare, unit: 'ratio', source: 'pg_stat_activity (wait sampler) + load' });
    if (lock.queueLength !== undefined) evidence.push({ label: "backends waiting on locks, mean (Little's law)", value: lock.queueLength, unit: 'backends', source: 'pg_stat_activity (wait sampler)' });
  }
  if (starvesPool) evidence.push({ label: "share of the service's connections waiting on a lock (mean)", value: poolShare, unit: 'ratio', source: 'pg_stat_activity' });
  const out: Finding[] = [
    makeFinding({
      rule: 'lock-contention',
      category: 'lock-contention',
      subject: relation ?? 'database',
      severity: lock.severity,
      endpoint: eps[0],
      endpoints: eps,
      title: relation ? `Lock contention on ${relation}` : 'Lock contention in the database',
      summary: `${pct(lockShare)} of active database time was spent waiting for locks${worst ? `; \`${shortSql(worst.blockedQuery, 80)}\` waited up to ${fmt(worst.maxWaitMs)} ms behind \`${shortSql(worst.blockingQuery, 80)}\` (${worst.blockingState})` : ''}${deadlocks > 0 ? `; ${deadlocks} deadlock(s)` : ''}.${requestWaitShare !== undefined ? ` The requests ${eps.length > 0 ? `of ${eps.slice(0, 3).join(', ')} ` : ''}spent ${pct(requestWaitShare)} of their time waiting on locks.` : ''}${starvesPool ? ` ${pct(poolShare)} of the service's connections waited on a lock, so requests of every endpoint that needs a connection queued behind them.` : ''}`,
      evidence,
      recommendation: {
        text: heldOpen
          ? 'A transaction is held open while the application does other work: commit before remote calls or slow code, keep transactions short, and set idle_in_transaction_session_timeout.'
          : 'Keep transactions short and touch rows in a consistent order; replace hot-row counters with inserts aggregated later, use SELECT … FOR UPDATE SKIP LOCKED for queues, and set lock_timeout so waits fail fast.',
        sql: heldOpen ? "ALTER ROLE current_user SET idle_in_transaction_session_timeout = '10s';" : "SET lock_timeout = '2s';",
      },
      confidence: pairs.length > 0 ? 0.85 : 0.65,
      impact: lock.impact,
    }),
  ];
  if (starvesPool) out[0]!.explains = [{ category: 'slow-dependency', endpoints: dbEndpointsWaiting(input).map((w) => w.endpoint) }];
  return out;
}

/**
 * connection-limit (PostgreSQL): the connections near a limit that refuses new ones — the server's
 * (max_connections − superuser_reserved_connections, with the probe's own connection counted) or a login
 * role's own (`CONNECTION LIMIT`, pg_roles.rolconnlimit, against that role's connections: "too many
 * connections for role" long before the server's limit). One finding per limit reached.
 */
export function pgConnectionLimitRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const pg = input.probes.postgres?.data;
  if (!pg) return [];
  const out: Finding[] = [];
  // A limit counts its own connections (the server's every client's, a role's only that role's), so only their last
  // statements say whose work holds it. The new sessions the openers are fitted on are the database's, every role's:
  // worked out once, when a limit is near, and for a role kept to the endpoints its own connections ran.
  let sessionOpeners: ConnectionCulprits['openers'] | undefined;
  const openers = () => (sessionOpeners ??= connectionOpeners(input, config));
  const serverCulprits = (): ConnectionCulprits => ({ openers: openers(), holders: endpointsByBackendSamples(input, pg.activity?.connectionStatements) });
  const roleCulprits = (held: readonly { queryid: string; samples: number }[] | undefined) => (): ConnectionCulprits => {
    // A result that kept no statements per role cannot tie the database's sessions to the role: no opener, no holder.
    if (!held) return { openers: [], holders: [] };
    const holders = endpointsByBackendSamples(input, held);
    const own = new Set(holders.map((h) => h.endpoint));
    return { openers: openers().filter((o) => own.has(o.endpoint)), holders, own };
  };
  const max = Number(pg.settings?.max_connections?.value ?? NaN);
  const reserved = Number(pg.settings?.superuser_reserved_connections?.value ?? 3);
  if (Number.isFinite(max) && max > 0) {
    const seen = Math.max(pg.activity?.max?.connections ?? 0, ...pgColumn(input, 'pg.connections'));
    const evidence = input.probes.postgres!;
    out.push(
      ...connectionLimitFinding(input, config, serverCulprits, {
        subject: 'postgres',
        name: 'PostgreSQL',
        // The probe's own connection is excluded from `seen` and from the column; it counts against the limit.
        seen: seen + 1,
        usable: max - (Number.isFinite(reserved) ? reserved : 3),
        connections: input.result.series ? alignToGrid(input.result.series, evidence.series, evidence.series.values['pg.connections']).map((c) => (c === null ? null : c + 1)) : [],
        what: `Up to ${seen} client connections against max_connections ${max} (${reserved} reserved for superusers)`,
        refusal: 'sorry, too many clients already',
        evidence: [
          { label: 'connections (max seen)', value: seen, unit: 'connections', source: 'pg_stat_activity' },
          { label: 'max_connections', value: max, unit: 'connections', source: 'pg_settings' },
          { label: 'superuser_reserved_connections', value: reserved, unit: 'connections', source: 'pg_settings' },
          ...(pg.activity?.byApplication ?? []).slice(0, 3).map((g) => ({ label: `connections of "${g.key}"`, value: g.maxConnections, unit: 'connections', source: 'pg_stat_activity' })),
        ],
        config: { max_connections: String(Math.ceil(max * 1.5)) },
      }),
    );
  }
  for (const { role, limit } of pg.roleConnectionLimits ?? []) {
    const group = pg.activity?.byUser?.find((g) => g.key === role);
    if (!group || limit <= 0) continue;
    out.push(
      ...connectionLimitFinding(input, config, roleCulprits(group.connectionStatements), {
        subject: `role:${role}`,
        name: `PostgreSQL role ${role}`,
        seen: group.maxConnections,
        usable: limit,
        connections: input.result.series ? alignToGrid(input.result.series, input.probes.postgres!.series, group.connections) : [],
        what: `Up to ${group.maxConnections} connections of role ${role} against its own CONNECTION LIMIT ${limit}`,
        refusal: `too many connections for role "${role}"`,
        evidence: [
          { label: `connections of role ${role} (max seen)`, value: group.maxConnections, unit: 'connections', source: 'pg_stat_activity (usename)' },
          { label: `CONNECTION LIMIT of role ${role}`, value: limit, unit: 'connections', source: 'pg_roles.rolconnlimit' },
        ],
        sql: `ALTER ROLE ${quoteIdent(role)} CONNECTION LIMIT ${Math.ceil(limit * 1.5)};`,
      }),
    );
  }
  return out;
}

/**
 * Endpoints that open database sessions per request, most first: the probed database's new sessions per
 * second (pg_stat_database.sessions, PostgreSQL 14+) regressed on the endpoints' requests per second with
 * the sparse fit the statements use (a few endpoints open connections, not all a little), kept from
 * `connections.opensPerRequest`. A pooled endpoint opens about none. Empty without the series.
 */
function connectionOpeners(input: DiagnosisInput, config: RuleConfig): { endpoint: string; perRequest: number }[] {
  const ev = input.probes.postgres;
  const grid = input.result.series;
  const column = ev?.series.values['pg.sessions_per_s'];
  if (!ev || !column || !grid?.endpoints) return [];
  const sessions = alignToGrid(grid, ev.series, column);
  const endpoints = Object.keys(grid.endpoints);
  const intervalS = grid.intervalMs / 1000;
  const rows = grid.t.map((_, i) => i).filter((i) => sessions[i] !== null && endpoints.some((e) => (grid.endpoints[e]!.requests[i] ?? 0) > 0));
  if (endpoints.length === 0 || rows.length < endpoints.length + 1) return [];
  const fit = sparseNnls(
    rows.map((i) => endpoints.map((e) => (grid.endpoints[e]!.requests[i] ?? 0) / intervalS)),
    rows.map((i) => sessions[i]!),
  );
  return endpoints
    .map((endpoint, k) => ({ endpoint, perRequest: fit.x[k]! }))
    .filter((o) => o.perRequest >= config.get('connections.opensPerRequest'))
    .sort((a, b) => b.perRequest - a.perRequest);
}

/** One limit that refuses connections: who reaches it, and the finding when it is near. */
interface ConnectionLimitScope {
  subject: string;
  /** The limit's owner in titles ("PostgreSQL", "PostgreSQL role app"). */
  name: string;
  /** Connections counted against the limit at their highest. */
  seen: number;
  /** Connections the limit allows. */
  usable: number;
  /** Connections counted against the limit per grid interval. */
  connections: (number | null)[];
  /** The limit and how close the connections came, for the summary. */
  what: string;
  /** The error a refused connection gets. */
  refusal: string;
  evidence: Evidence[];
  /** A server setting to raise (the server's limit), or the SQL that raises it (a role's). */
  config?: Record<string, string>;
  sql?: string;
}

/** Endpoints that open the connections (new sessions per request) and that hold them (their last statements). */
interface ConnectionCulprits {
  openers: { endpoint: string; perRequest: number }[];
  holders: { endpoint: string; samples: number }[];
  /**
   * The endpoints whose connections the limit counts, when known (a role's: those its own connections ran). An
   * endpoint outside it failing while the role is at its limit fails for another reason.
   */
  own?: ReadonlySet<string>;
}

/** The finding for one limit, when its connections reach `connections.ratio` of it (see {@link pgConnectionLimitRule}). */
function connectionLimitFinding(input: DiagnosisInput, config: RuleConfig, culprits: () => ConnectionCulprits, scope: ConnectionLimitScope): Finding[] {
  const { seen, usable } = scope;
  if (usable <= 0) return [];
  const ratio = seen / usable;
  if (ratio < config.get('connections.ratio')) return [];
  /*
   * Endpoints whose failures happened while the connections were near the limit
   * (≥ `connections.ratio` in that interval): new connections are refused there, so
   * those failures are the limit's doing. Only endpoints failing at least
   * `errorRate.ratio` of their requests, most of their failures (≥ 80 %) in such
   * intervals, most failures first.
   */
  const endpointsFailingAtLimit = (): { endpoint: string; failedAtLimit: number; errorRate: number }[] => {
    const grid = input.result.series;
    if (!grid?.endpoints) return [];
    const atLimit = scope.connections.map((c) => c !== null && c / usable >= config.get('connections.ratio'));
    const out: { endpoint: string; failedAtLimit: number; errorRate: number }[] = [];
    for (const e of input.result.endpoints) {
      if (e.requests < config.get('errorRate.minRequests') || e.errorRate < config.get('errorRate.ratio')) continue;
      const failed = grid.endpoints[e.endpoint]?.failed ?? [];
      const total = failed.reduce((a, b) => a + b, 0);
      const atLimitFailed = failed.reduce((a, b, i) => a + (atLimit[i] ? b : 0), 0);
      // Most, not all: a failure can land in the second before the sample that saw the limit.
      if (total > 0 && atLimitFailed >= 0.8 * total) out.push({ endpoint: e.endpoint, failedAtLimit: atLimitFailed, errorRate: e.errorRate });
    }
    return out.sort((a, b) => b.failedAtLimit - a.failedAtLimit);
  };
  // With no failure to name the endpoint, the connections do: each one counts for the statement it ran last
  // (an idle pooled connection too), so the endpoint owning the most backend-samples is where they come from.
  const { openers, holders, own } = culprits();
  const failing = ratio >= 1 ? endpointsFailingAtLimit().filter((f) => !own || own.has(f.endpoint)) : [];
  const worstErrorRate = Math.max(0, ...failing.map((f) => f.errorRate));
  const heldSamples = holders.reduce((a, h) => a + h.samples, 0);
  const holder = failing.length === 0 && holders[0] ? { ...holders[0], share: holders[0].samples / heldSamples } : undefined;
  // An endpoint that opens a connection per request is where the connections come from, whoever then fails
  // for want of one (the endpoints that fail at the limit are where the refusals land).
  const opener = openers[0];
  return [
    makeFinding({
      rule: 'pg-connection-limit',
      category: 'connection-limit',
      subject: scope.subject,
      severity: failing.length > 0 ? 'critical' : ratio >= 1 ? 'high' : 'medium',
      endpoint: opener?.endpoint ?? failing[0]?.endpoint ?? holder?.endpoint,
      endpoints: [...new Set([...(opener ? [opener.endpoint] : []), ...(failing.length > 0 ? failing.map((f) => f.endpoint) : holders.slice(0, 3).map((h) => h.endpoint))])],
      title: `${failing.length > 0 ? `${scope.name} refuses connections: ${pct(ratio)} of the limit, ${failing[0]!.endpoint} fails ${pct(failing[0]!.errorRate)} of requests` : `${scope.name} connections at ${pct(ratio)} of the limit${!opener && holder ? `, ${pct(holder.share)} of them last ran ${holder.endpoint}'s statements` : ''}`}${opener ? `; ${opener.endpoint} opens ${fmt(opener.perRequest)} new connections per request` : ''}`,
      summary: `${scope.what}: new connections fail with "${scope.refusal}" when it is reached.${opener ? ` ${opener.endpoint} opens ${fmt(opener.perRequest)} new database connections per request (new sessions per second follow its requests): a client or pool per request, where a shared pool would reuse a few.` : ''}${failing.length > 0 ? ` ${failing.map((f) => f.endpoint).join(', ')} failed while connections were at the limit: these errors are the limit's doing.` : ''}${!opener && holder ? ` Counted by the statement each connection ran last, ${pct(holder.share)} of the connections belong to ${holder.endpoint}: the pool (or pools) serving it open the most.` : ''}`,
      evidence: [
        ...scope.evidence,
        ...failing.slice(0, 3).map((f) => ({ label: `failed requests at the limit, ${f.endpoint}`, value: f.failedAtLimit, unit: 'requests', source: 'load + pg_stat_activity' })),
        ...(holder && !opener ? [{ label: `share of the connections whose last statement is ${holder.endpoint}'s`, value: holder.share, unit: 'ratio', source: 'pg_stat_activity (query_id) + cost model' }] : []),
        ...(opener ? [{ label: `new connections per request, ${opener.endpoint}`, value: opener.perRequest, unit: 'connections', source: 'pg_stat_database sessions + load (sparse regression)' }] : []),
      ],
      recommendation: {
        text: 'Put a pooler (PgBouncer, transaction mode) in front of PostgreSQL or shrink the application pools so their sum stays below the limit; create one pool per process (not per request or per tenant) and close clients you open; raising max_connections needs a restart and costs memory per connection, a role\'s CONNECTION LIMIT does not.',
        ...(scope.config ? { config: scope.config } : {}),
        ...(scope.sql ? { sql: scope.sql } : {}),
      },
      confidence: failing.length > 0 ? 0.95 : 0.9,
      // Refused connections explain the failures the error-rate finding reports (impact: its failed share, at least
      // a third) and the connection churn around them, so the cause ranks above its symptom.
      impact: failing.length > 0 ? Math.min(1, Math.max(0.35, worstErrorRate) + 0.1) : 0.3,
    }),
  ];
}

/** Tables used by the run's statements, with their share of DB time. */
function tableHeat(input: DiagnosisInput, t: TableDelta): number {
  const pg = input.probes.postgres?.data;
  if (!pg) return 0;
  return statementsOnTable(pg.statements ?? [], t).reduce((a, s) => a + s.shareOfExecTime, 0);
}

/** Endpoints whose attributed statements touch the table, most calls first. */
function endpointsTouching(input: DiagnosisInput, t: TableDelta): string[] {
  const pg = input.probes.postgres?.data;
  if (!pg) return [];
  const ids = new Set(statementsOnTable(pg.statements ?? [], t).map((s) => s.queryid));
  const calls = new Map<string, number>();
  for (const a of input.demand.statements) if (ids.has(a.queryid)) calls.set(a.endpoint, (calls.get(a.endpoint) ?? 0) + a.callsPerRequest);
  return [...calls.entries()].filter(([, c]) => c >= 0.05).sort((a, b) => b[1] - a[1]).map(([e]) => e);
}

/** stale-statistics: many rows changed since the last ANALYZE on a table the load uses (autovacuum is behind or disabled). */
export function staleStatisticsRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const pg = input.probes.postgres?.data;
  if (!pg) return [];
  const out: Finding[] = [];
  for (const t of pg.tables ?? []) {
    // The planner's row count (pg_class.reltuples, stored by the last VACUUM or ANALYZE) survives what resets
    // the cumulative statistics — crash recovery, pg_stat_reset(), a database created from a template — so
    // staleness is judged against it: after a reset n_live_tup starts near 0 and last_analyze is empty while
    // the planner still holds the analyzed table.
    const planned = t.relTuples !== undefined && t.relTuples >= 0 ? t.relTuples : undefined;
    const live = Math.max(1, tableRows(t));
    const modifiedShare = t.nModSinceAnalyze / live;
    if (t.nModSinceAnalyze < config.get('staleStats.minModified') || modifiedShare < config.get('staleStats.modifiedShare')) continue;
    const used = t.seqScan + (t.idxScan ?? 0) > 0;
    if (!used) continue;
    const heat = tableHeat(input, t);
    const lastAnalyze = Math.max(t.lastAnalyzeAt ?? 0, t.lastAutoanalyzeAt ?? 0);
    const neverAnalyzed = lastAnalyze === 0 && (t.relTuples === undefined || t.relTuples < 0);
    const qualified = `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
    out.push(
      makeFinding({
        rule: 'stale-statistics',
        category: 'stale-statistics',
        subject: `${t.schema}.${t.name}`,
        endpoint: endpointsTouching(input, t)[0],
        endpoints: endpointsTouching(input, t),
        // Stale statistics harm through plans. A table under PgHero's size for when sequential scans matter, by
        // the live count and by the planner's, has one sensible plan (read its few pages) whatever its estimate
        // (marina: 1,000–1,200 updates per run to a 100-row stock table were a medium finding in its healthy build).
        severity: live >= config.get('missingIndex.minRows') && (heat >= 0.1 || modifiedShare >= 1) ? 'medium' : 'low',
        title: `Stale planner statistics on ${t.name}`,
        summary: `${fmt(t.nModSinceAnalyze)} rows (${pct(modifiedShare)} of ${fmt(live)}) changed since the last ANALYZE${neverAnalyzed ? ' (never analyzed)' : lastAnalyze > 0 ? '' : ' (no ANALYZE recorded since the statistics were reset)'}; the planner's row estimates are off, which leads to bad plans.${t.autovacuumEnabled ? '' : ' Autovacuum is disabled on this table.'}`,
        evidence: [
          { label: 'rows modified since analyze', value: t.nModSinceAnalyze, unit: 'rows', source: 'pg_stat_user_tables' },
          { label: 'live rows', value: liveRows(t), unit: 'rows', source: 'pg_stat_user_tables' },
          ...(planned !== undefined ? [{ label: "rows the planner holds", value: planned, unit: 'rows', source: 'pg_class.reltuples' }] : []),
          { label: 'last analyze', value: lastAnalyze > 0 ? new Date(lastAnalyze).toISOString() : 'never', source: 'pg_stat_user_tables' },
          { label: 'share of DB time on this table', value: heat, unit: 'ratio', source: 'pg_stat_statements' },
        ],
        recommendation: {
          text: t.autovacuumEnabled
            ? 'Run ANALYZE now; if it recurs, lower autovacuum_analyze_scale_factor for this table.'
            : 'Run ANALYZE now and re-enable autovacuum on the table.',
          sql: t.autovacuumEnabled ? `ANALYZE ${qualified};` : `ANALYZE ${qualified};\nALTER TABLE ${qualified} RESET (autovacuum_enabled);`,
        },
        actions: ['pg-maintenance'],
        confidence: 0.8,
        impact: Math.max(0.05, heat * 0.5),
      }),
    );
  }
  return out;
}

/** table-bloat: many dead tuples (APA: ≥ 10 % and > 10 000), worse when the load scans the table. */
export function tableBloatRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const pg = input.probes.postgres?.data;
  if (!pg) return [];
  const out: Finding[] = [];
  for (const t of pg.tables ?? []) {
    const dead = t.nDeadTup.after;
    const live = t.nLiveTup.after;
    const share = dead / Math.max(1, dead + live);
    if (dead < config.get('bloat.minDead') || share < config.get('bloat.deadShare')) continue;
    const heat = tableHeat(input, t);
    const scanned = t.seqScan > 0;
    const qualified = `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
    out.push(
      makeFinding({
        rule: 'table-bloat',
        category: 'table-bloat',
        subject: `${t.schema}.${t.name}`,
        endpoint: endpointsTouching(input, t)[0],
        endpoints: endpointsTouching(input, t),
        severity: (scanned && heat >= 0.1) || (!t.autovacuumEnabled && share >= 0.3) ? 'medium' : 'low',
        title: `${t.name} is bloated: ${pct(share)} dead rows`,
        summary: `${fmt(dead)} dead versus ${fmt(live)} live rows; scans read the dead rows too.${t.autovacuumEnabled ? '' : ' Autovacuum is disabled on this table.'}`,
        evidence: [
          { label: 'dead tuples', value: dead, unit: 'rows', source: 'pg_stat_user_tables' },
          { label: 'dead share', value: share, unit: 'ratio', source: 'pg_stat_user_tables' },
          { label: 'table size', value: t.sizeBytes, unit: 'bytes', source: 'pg_table_size' },
          { label: 'sequential scans during the run', value: t.seqScan, unit: 'scans', source: 'pg_stat_user_tables' },
          { label: 'last autovacuum', value: t.lastAutovacuumAt ? new Date(t.lastAutovacuumAt).toISOString() : 'never', source: 'pg_stat_user_tables' },
        ],
        recommendation: {
          text: t.autovacuumEnabled ? 'VACUUM the table now and tune autovacuum (autovacuum_vacuum_cost_limit, per-table scale factor) so it keeps up.' : 'VACUUM the table and re-enable autovacuum on it.',
          sql: t.autovacuumEnabled ? `VACUUM (ANALYZE) ${qualified};` : `VACUUM (ANALYZE) ${qualified};\nALTER TABLE ${qualified} RESET (autovacuum_enabled);`,
        },
        actions: ['pg-maintenance'],
        confidence: 0.8,
        impact: Math.max(0.05, heat * share),
      }),
    );
  }
  return out;
}

/**
 * Blocks read from outside shared buffers per relation (each table's heap, each index) against its size in
 * blocks: the reads beyond a relation's size are re-reads (a block evicted and read again), a lower bound of
 * them. Undefined when no relation read a block.
 */
export function firstTouchReads(pg: PostgresProbeData): { reads: number; rereads: number; rereadShare: number } | undefined {
  const relations = [
    ...(pg.tables ?? []).map((t) => ({ read: t.heapBlksRead, bytes: t.sizeBytes })),
    ...(pg.indexes ?? []).map((i) => ({ read: i.idxBlksRead, bytes: i.sizeBytes })),
  ].filter((r) => r.read > 0 && r.bytes > 0);
  const reads = relations.reduce((a, r) => a + r.read, 0);
  if (reads <= 0) return undefined;
  const rereads = relations.reduce((a, r) => a + Math.max(0, r.read - r.bytes / PG_BLOCK_BYTES), 0);
  return { reads, rereads, rereadShare: rereads / reads };
}

/** Endpoints the statement is attributed to whose mean response is over `largePayload.bytes`. */
function payloadEndpoints(input: DiagnosisInput, config: RuleConfig, queryid: string): string[] {
  const large = new Set(input.result.endpoints.filter((e) => e.requests > 0 && e.meanResponseBytes >= config.get('largePayload.bytes')).map((e) => e.endpoint));
  return statementEndpoints(input, queryid).rows.map((r) => r.endpoint).filter((e) => large.has(e));
}


/** db-config: low buffer cache hit ratio (APA < 98 %, PgHero < 99 %) and statements spilling sorts/hashes to disk (work_mem). */
export function dbConfigRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const pg = input.probes.postgres?.data;
  if (!pg) return [];
  const out: Finding[] = [];
  const ratio = pg.cacheHit?.window;
  const blksRead = pg.databaseStats?.blksRead ?? 0;
  if (ratio !== null && ratio !== undefined && ratio < config.get('dbCacheHit.ratio') && blksRead >= config.get('dbCacheHit.minBlocksRead')) {
    const sb = pg.settings?.shared_buffers;
    // Reads bunched in the first half are a cold cache warming up (after a restart or a bulk load), not a
    // working set too big for memory; and with track_io_timing on, reads that cost little time cost little.
    const reads = pgColumn(input, 'pg.blks_read_per_s');
    const allReads = reads.reduce((a, b) => a + b, 0);
    const lateReads = reads.slice(Math.floor(reads.length / 2)).reduce((a, b) => a + b, 0);
    const warmingUp = reads.length >= 4 && allReads > 0 && lateReads / allReads < 0.25;
    // A cache too small for the working set evicts blocks that are needed again, so some relation is read beyond
    // its size; reads within every relation's size may all be first touches (a cold cache), whenever they came.
    const firstTouch = firstTouchReads(pg);
    const cold = firstTouch !== undefined && firstTouch.rereadShare < config.get('dbCacheHit.rereadShare');
    // The cost that matters is the users': read time against the time all requests took, not against the
    // statements' (a fast query that reads one block from the OS cache is "mostly I/O" and still fast).
    const readMs = pg.databaseStats?.blkReadMs ?? 0;
    const requestMs = input.result.endpoints.reduce((a, e) => a + e.requests * e.serviceTime.mean, 0);
    const readShare = readMs > 0 && requestMs > 0 ? readMs / requestMs : undefined;
    const cheapReads = readShare !== undefined && readShare < 0.05;
    const material = !warmingUp && !cold && !cheapReads;
    // Full scans of tables that lack an index read the table through the cache and evict the working set:
    // the missing indexes whose tables read blocks from outside shared buffers cause (part of) the misses.
    const causes = missingIndexes(input, config).filter((m) => m.table.heapBlksRead > 0);
    const causedReads = causes.reduce((a, m) => a + m.table.heapBlksRead, 0);
    // An index that does not fit a hot statement reads far more blocks than it keeps: a cause too.
    const unfit = unselectiveAccesses(input, config).filter((u) => (pg.tables ?? []).some((t) => t.name === u.scan.relation && t.heapBlksRead > 0));
    // The blocks a statement read are its doing: one that read a large share of them shapes the working set,
    // and its own finding (a slow or inefficient query, an index it lacks) is where the fix starts.
    const readers = blksRead > 0 ? (pg.statements ?? []).filter((s) => s.toplevel && s.sharedBlksRead / blksRead >= config.get('dbCacheHit.statementReadShare')) : [];
    const readersShare = readers.reduce((a, s) => a + s.sharedBlksRead, 0) / Math.max(1, blksRead);
    out.push(
      makeFinding({
        rule: 'db-cache-hit',
        category: 'db-config',
        subject: 'shared_buffers',
        // With the read time measured, the misses' cost to the users is known and sets the severity like any
        // per-request cost; the hit ratio alone decides only when it is not measured.
        severity: !material ? 'low' : readShare !== undefined ? severityFromImpact(readShare, 'low') : ratio < config.get('dbCacheHit.ratio') - 0.05 ? 'high' : 'medium',
        title: `Buffer cache hit ratio ${pct(ratio)} during the run${warmingUp || cold ? ' (cold cache warming up)' : ''}`,
        summary: warmingUp
          ? `${fmt(blksRead)} blocks were read from outside shared buffers, ${pct(1 - lateReads / allReads)} of them in the first half of the run: the cache was cold (a restart or a bulk load) and warmed up. Judge the hit ratio on a longer run.`
          : cold
            ? `${fmt(blksRead)} blocks were read from outside shared buffers, but no relation was read beyond its size (re-reads ${pct(firstTouch!.rereadShare)} of the reads): they may all be first touches of a cold cache (a restart, a new database, data this run touched first), which says nothing about whether the working set fits. Judge the hit ratio on a longer run.`
          : cheapReads
            ? `${fmt(blksRead)} blocks were read from outside shared buffers, but reading them took ${fmt(readMs)} ms, ${pct(readMs / requestMs)} of the time the requests took (the OS page cache served them): not worth a restart now.`
            : causes.length > 0
              ? `${fmt(blksRead)} blocks were read from outside shared buffers during the run, ${pct(Math.min(1, causedReads / Math.max(1, blksRead)))} of them by full scans of ${causes.map((m) => m.table.name).join(', ')}, which lack an index: index them first, then judge the cache again.`
              : readers.length > 0
                ? `${fmt(blksRead)} blocks were read from outside shared buffers during the run, ${pct(Math.min(1, readersShare))} of them by ${readers.length === 1 ? 'one statement' : `${readers.length} statements`} (${readers.map((s) => `\`${shortSql(s.query, 60)}\``).join(', ')}): make ${readers.length === 1 ? 'it' : 'them'} read less first, then judge the cache again.`
                : `${fmt(blksRead)} blocks were read from outside shared buffers during the run; the working set does not fit in memory, so queries wait on I/O.`,
        evidence: [
          { label: 'cache hit ratio (window)', value: ratio, unit: 'ratio', source: 'pg_stat_database' },
          { label: 'blocks read', value: blksRead, unit: 'blocks', source: 'pg_stat_database' },
          ...(reads.length >= 4 && allReads > 0 ? [{ label: 'share of reads in the second half', value: lateReads / allReads, unit: 'ratio', source: 'pg_stat_database' }] : []),
          ...(firstTouch ? [{ label: 're-reads (reads of a relation beyond its size) / reads', value: firstTouch.rereadShare, unit: 'ratio', source: 'pg_statio_user_tables, pg_statio_user_indexes' }] : []),
          ...(readMs > 0 ? [{ label: 'time reading blocks', value: readMs, unit: 'ms', source: 'pg_stat_database (track_io_timing)' }] : []),
          ...(pg.cacheHit.tableWindow !== null ? [{ label: 'table hit ratio', value: pg.cacheHit.tableWindow, unit: 'ratio', source: 'pg_statio_user_tables' }] : []),
          ...(pg.cacheHit.indexWindow !== null ? [{ label: 'index hit ratio', value: pg.cacheHit.indexWindow, unit: 'ratio', source: 'pg_statio_user_indexes' }] : []),
          ...(sb?.bytes ? [{ label: 'shared_buffers', value: sb.bytes, unit: 'bytes', source: 'pg_settings' }] : []),
          ...(causes.length > 0 ? [{ label: 'share of blocks read by sequential scans of tables missing an index', value: blksRead > 0 ? Math.min(1, causedReads / blksRead) : 0, unit: 'ratio', source: 'pg_statio_user_tables' }] : []),
          ...(readers.length > 0 ? [{ label: 'share of blocks read by the statements that read the most', value: Math.min(1, readersShare), unit: 'ratio', source: 'pg_stat_statements shared_blks_read' }] : []),
        ],
        // A statement's own finding is inefficient-query (keyed by its queryid); a statement that drives a
        // missing index is already named through its table; a statement whose endpoint answers with a payload
        // over the limit reads those rows for it (the fix is to return fewer). Links to findings not produced
        // are ignored.
        causedBy: [
          ...causes.map((m) => m.id),
          ...unfit.map((u) => u.id),
          ...readers.map((s) => `inefficient-query:${s.queryid}`),
          ...readers.flatMap((s) => payloadEndpoints(input, config, s.queryid).map((e) => `large-payload:${e}`)),
        ],
        recommendation: {
          text: 'Raise shared_buffers towards 25 % of RAM (PgTune; needs a restart) and effective_cache_size to ~75 % of RAM, or reduce the working set (indexes instead of full scans, archive old rows).',
          config: { shared_buffers: '25% of RAM', effective_cache_size: '75% of RAM' },
        },
        actions: ['pg-config'],
        confidence: 0.8,
        impact: readShare !== undefined ? Math.min(1, readShare) : Math.min(1, (1 - ratio) * 5),
      }),
    );
  }
  const workMem = pg.settings?.work_mem;
  for (const s of pg.statements ?? []) {
    if (!s.toplevel || s.tempBlksWritten <= 0 || s.calls < 10 || s.shareOfExecTime < 0.05) continue;
    // A per-request DISTINCT aggregate that spills is a query to change (inefficient-query says how), not a setting.
    if (costlyDistinctAggregate(s, config)) continue;
    const { rows, impact } = statementEndpoints(input, s.queryid);
    const perCallKb = (s.tempBlksWritten * 8) / s.calls;
    out.push(
      makeFinding({
        rule: 'work-mem-spill',
        category: 'db-config',
        subject: `work_mem:${s.queryid}`,
        severity: s.shareOfExecTime >= 0.2 ? 'medium' : 'low',
        endpoint: rows[0]?.endpoint,
        endpoints: rows.map((r) => r.endpoint),
        title: `Statement spills ${fmt(perCallKb)} kB to disk per call (work_mem)`,
        summary: `\`${shortSql(s.query, 100)}\` wrote ${s.tempBlksWritten} temporary blocks over ${s.calls} calls: its sort or hash does not fit in work_mem${workMem ? ` (${workMem.value}${workMem.unit ?? ''})` : ''}.`,
        evidence: [
          { label: 'temp blocks written', value: s.tempBlksWritten, unit: 'blocks', source: 'pg_stat_statements' },
          { label: 'per call', value: perCallKb, unit: 'kB', source: 'pg_stat_statements' },
          { label: 'share of DB time', value: s.shareOfExecTime, unit: 'ratio', source: 'pg_stat_statements' },
        ],
        recommendation: {
          text: 'Raise work_mem for the role (or just this query\'s session) above the spill size — PgTune: (RAM − shared_buffers) / (3 × (max_connections + workers)) — or add an index that provides the sort order.',
          sql: `ALTER ROLE current_user SET work_mem = '${Math.max(4096, Math.ceil((perCallKb * 2) / 1024) * 1024)}kB';`,
        },
        actions: ['pg-config'],
        confidence: 0.8,
        impact: Math.max(0.05, impact),
      }),
    );
  }
  return out;
}
