/**
 * missing-index (an index that does not fit): a hot statement reads its table through an index on other
 * columns and then throws most of what it read away with an equality filter the index lacks. No sequential
 * scan shows it — the table is "indexed" — yet every call reads far more than it keeps. The plan (EXPLAIN's
 * Filter on an Index Scan or Bitmap Heap Scan) names the column; pg_stat_statements' blocks per call say it
 * costs. Dexter's view of an index (does it serve this statement's filter?) rather than PgHero's table-level
 * share of index scans, which counts this access as indexed.
 *
 * @module
 */
import type { Evidence, Finding, Severity } from '../../result/types.js';
import type { IndexDelta, StatementDelta } from '../../probes/postgres/types.js';
import type { RuleConfig } from '../config.js';
import type { ExplainIndexScan } from '../explain-types.js';
import { isUtilityStatement, quoteIdent, sortKeysOnTable, statementShape } from '../sql.js';
import { attributionOf } from './attribution.js';
import { attributionSource, deadDominatedTables, explainFor, isSlowStatement, liveBlocks, shortSql, statementEndpoints, statementSeverity, statementText } from './pg-common.js';
import { fmt, makeFinding, type DiagnosisInput } from './types.js';

/** A plan node that reads a table and then filters: an index access (`index` set) or a sequential scan. */
type FilteredAccess = Pick<ExplainIndexScan, 'schema' | 'relation' | 'indexCondColumns' | 'filter' | 'equalityColumns' | 'planRows' | 'loops'> & {
  index?: string;
  /** The filter's other (range, LIKE) columns: they follow the equality columns in an index. */
  otherColumns: string[];
};

/** A statement whose table access keeps a small part of what it reads, with the index that would fit. */
interface UnselectiveAccess {
  /** The finding id the unselective-index rule gives it (other rules link to it by this id). */
  id: string;
  statement: StatementDelta;
  scan: FilteredAccess;
  /** Equality-filtered columns the index used lacks. */
  missing: string[];
  /** Sort keys of a top-N query the index used does not provide (empty when it does, or for other queries). */
  sortKeys: string[];
  /** Rows the access keeps per call: the plan's rows, or for a top-N query at most the rows returned. */
  kept: number;
  /** Columns of the index that would fit: equality columns (missing first), then sort keys, then ranges. */
  columns: string[];
  blocksPerCall: number;
  used?: IndexDelta;
}

/** Is the statement hot: a tenth of the database's time, or frequent and slow (PgHero's slow query)? */
function isHot(s: StatementDelta, config: RuleConfig): boolean {
  const slow = isSlowStatement(s, config);
  return s.toplevel && !isUtilityStatement(s.query) && s.calls >= config.get('missingIndex.minSeqScans') && (slow || s.shareOfExecTime >= config.get('slowQuery.dbShare'));
}

/**
 * Hot statements whose plan reads a table through an index and then filters with `=` on a column that index
 * lacks, while the statement reads `unselectiveIndex.readPerKept` times more blocks per call than the node
 * keeps rows (and at least `unselectiveIndex.minBlocks`): the filter, not the index, selects the rows.
 */
export function unselectiveAccesses(input: DiagnosisInput, config: RuleConfig): UnselectiveAccess[] {
  const pg = input.probes.postgres?.data;
  if (!pg) return [];
  const out: UnselectiveAccess[] = [];
  const bloated = deadDominatedTables(input, config);
  for (const s of pg.statements ?? []) {
    if (!isHot(s, config)) continue;
    const blocksPerCall = (s.sharedBlksHit + s.sharedBlksRead) / Math.max(1, s.calls);
    if (blocksPerCall < config.get('unselectiveIndex.minBlocks')) continue;
    const plan = explainFor(input, s.queryid);
    const accesses: FilteredAccess[] = [
      ...(plan?.indexScans ?? []).map((x) => ({ ...x, otherColumns: [] })),
      // A sequential scan in the generic plan EXPLAIN sees, whatever the executions chose (an index on the
      // range column for some constants): the same test, with no index used.
      ...(plan?.seqScans ?? [])
        .filter((x) => x.filter && x.equalityColumns?.length)
        .map((x) => ({ schema: x.schema, relation: x.relation, indexCondColumns: [], filter: x.filter!, equalityColumns: x.equalityColumns!, planRows: x.planRows, loops: x.loops, otherColumns: x.filterColumns.filter((c) => !x.equalityColumns!.includes(c)) })),
    ];
    // A top-N query (ORDER BY … LIMIT, nothing computed over all rows) keeps only the rows it returns: what the
    // access reads beyond them is read to be sorted and thrown away.
    const shape = statementShape(s.query);
    const topN = shape !== undefined && shape.limit && !shape.grouped;
    for (const scan of accesses) {
      const onTable = (pg.indexes ?? []).filter((i) => i.table === scan.relation && (scan.schema === null || i.schema === scan.schema));
      const used = scan.index ? onTable.find((i) => i.name === scan.index) : undefined;
      // Through an index: the equality columns it lacks. Scanning the table: those no index leads with.
      const indexed = scan.index
        ? new Set([...scan.indexCondColumns, ...(used?.columns ?? [])].map((c) => c.toLowerCase()))
        : new Set(onTable.flatMap((i) => (i.columns[0] ? [i.columns[0].toLowerCase()] : [])));
      const missing = scan.equalityColumns.filter((c) => !indexed.has(c));
      // The sort a top-N query needs from this table, when the index used does not give it: its columns after
      // the equality-matched ones must start with the sort keys (else every match is read, then sorted).
      const sortKeys = topN && scan.index ? sortKeysOnTable(shape, scan.relation) : [];
      const equalities = new Set([...scan.indexCondColumns, ...scan.equalityColumns].map((c) => c.toLowerCase()));
      const order = (used?.columns ?? []).map((c) => c.toLowerCase()).filter((c) => !equalities.has(c));
      const unsorted = sortKeys.length > 0 && sortKeys.some((k, j) => order[j] !== k);
      if (missing.length === 0 && !unsorted) continue;
      // Rows kept per call: per run of the node times its runs (an inner side of a join runs per outer row);
      // for a top-N query no more than the statement returns per call.
      const planned = Math.max(1, scan.planRows * (scan.loops ?? 1));
      const kept = topN ? Math.max(1, Math.min(planned, s.rows / Math.max(1, s.calls))) : planned;
      if (blocksPerCall < config.get('unselectiveIndex.readPerKept') * kept) continue;
      // An index access over-reads at most the rows it reads per scan (pg_stat_user_indexes): an index that reads
      // about what the node keeps filters well, whatever the statement reads elsewhere (its other plan nodes —
      // a join's other side — own those blocks).
      // A table whose live rows fill fewer blocks than the limit allows, read far beyond them, is read for its
      // dead rows: the bloat, not a missing index, makes the access costly (the table-bloat finding says so).
      const deadTable = bloated.find((t) => t.name === scan.relation && (scan.schema === null || t.schema === scan.schema));
      if (deadTable && liveBlocks(deadTable) < config.get('unselectiveIndex.readPerKept') * kept) continue;
      const keptPerScan = kept / Math.max(1, scan.loops ?? 1);
      if (used && used.idxScan > 0 && used.idxTupRead / used.idxScan < config.get('unselectiveIndex.readPerKept') * keptPerScan) continue;
      // Equality columns first, then the sort keys, then ranges: the order in which a B-tree serves them.
      const equality = [...missing, ...scan.indexCondColumns.filter((c) => !missing.includes(c))];
      const columns = [...new Set([...equality, ...(unsorted ? sortKeys : []), ...scan.otherColumns])].slice(0, unsorted ? 4 : 3);
      const subject = `${scan.schema ?? used?.schema ?? 'public'}.${scan.relation}(${columns.join(',')})`;
      out.push({ id: `missing-index:${subject}`, statement: s, scan, missing, sortKeys: unsorted ? sortKeys : [], kept, columns, blocksPerCall, ...(used ? { used } : {}) });
      break;
    }
  }
  return out;
}

/** missing-index from an index that does not fit the statement's equality filter (see the module). */
export function unselectiveIndexRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  return unselectiveAccesses(input, config).map(({ statement: s, scan, missing, sortKeys, kept, columns, blocksPerCall, used }) => {
    const attribution = statementEndpoints(input, s.queryid);
    const impact = attribution.impact > 0 ? attribution.impact : Math.max(0.1, s.shareOfExecTime * 0.5);
    // The statement being hot says the database spends time on it, not that a request waits on it: the share of
    // an endpoint's latency it explains sets the severity, as for any per-request cost; PgHero's slow query is a
    // problem on its own (medium at least), as inefficient-query holds it.
    const severity: Severity = statementSeverity(s, attribution, impact, input, config);
    const schema = scan.schema ?? used?.schema ?? 'public';
    // makeFinding builds the id from rule and subject; the subject matches the id db-config links to.

    const sql = `CREATE INDEX CONCURRENTLY ON ${quoteIdent(schema)}.${quoteIdent(scan.relation)} (${columns.map(quoteIdent).join(', ')});`;
    const endpoints = attribution.rows.map((r) => r.endpoint);
    const evidence: Evidence[] = [
      { label: 'statement', value: shortSql(s.query), source: 'pg_stat_statements' },
      { label: 'statement calls', value: s.calls, unit: 'calls', source: 'pg_stat_statements' },
      { label: 'statement mean time', value: s.meanExecMs, unit: 'ms', source: 'pg_stat_statements' },
      { label: 'share of DB time', value: s.shareOfExecTime, unit: 'ratio', source: 'pg_stat_statements' },
      { label: 'blocks read per call', value: blocksPerCall, unit: 'blocks', source: 'pg_stat_statements (shared hit + read)' },
      { label: scan.index ? 'index used, then filtered' : 'scan, then filtered', value: `${scan.index ?? 'Seq Scan'}: Filter ${scan.filter}`, source: 'EXPLAIN (rolled back)' },
      { label: 'rows the planner expects it to keep', value: scan.planRows, unit: 'rows', source: 'EXPLAIN' },
      ...(sortKeys.length > 0 ? [{ label: 'rows returned per call (ORDER BY … LIMIT)', value: s.rows / Math.max(1, s.calls), unit: 'rows', source: 'pg_stat_statements' }] : []),
    ];
    if (used && used.idxScan > 0) evidence.push({ label: `rows read per scan of ${used.name}`, value: used.idxTupRead / used.idxScan, unit: 'rows', source: 'pg_stat_user_indexes' });
    for (const r of attribution.rows.slice(0, 3)) evidence.push({ label: `share of ${r.endpoint} latency`, value: r.share, unit: 'ratio', source: attributionSource(r) });
    return makeFinding({
      rule: 'missing-index',
      category: 'missing-index',
      subject: `${schema}.${scan.relation}(${columns.join(',')})`,
      severity,
      endpoint: endpoints[0],
      endpoints,
      title: `Missing index on ${scan.relation} (${columns.join(', ')})${scan.index ? `: ${scan.index} does not ${[missing.length > 0 ? `filter ${missing.join(', ')}` : '', sortKeys.length > 0 ? `give the order of ${sortKeys.join(', ')}` : ''].filter(Boolean).join(' or ')}` : `: each call reads far more than it keeps`}`,
      summary:
        `\`${shortSql(s.query, 100)}\` reads ${scan.relation} ${scan.index ? `through ${scan.index}` : 'without an index on the filtered column (the plan scans it)'}` +
        `${missing.length > 0 ? ` and then filters on ${missing.join(', ')} with \`${scan.filter}\`` : ''}${sortKeys.length > 0 ? `${missing.length > 0 ? ',' : ' and'} reads every match to sort it by ${sortKeys.join(', ')} for the first rows (ORDER BY … LIMIT)` : ''}: ` +
        `each call reads ${fmt(blocksPerCall)} blocks to keep about ${fmt(kept)} rows. An index on (${columns.join(', ')}) reads only the rows it keeps${sortKeys.length > 0 ? ', already in order' : ''}.` +
        `${endpoints.length > 0 ? ` It accounts for ${Math.round(attribution.impact * 100)} % of ${endpoints[0]}'s latency.` : ''}`,
      evidence,
      metrics: { statement: statementText(s.query) },
      recommendation: {
        text: `Add an index with the equality-filtered column${missing.length > 1 ? 's' : ''} first and the range or sort column after (${columns.join(', ')}); CONCURRENTLY avoids blocking writes. The old index may then be unused: check pg_stat_user_indexes after a while. Check the plan afterwards with EXPLAIN.`,
        sql,
        link: 'https://github.com/ankane/dexter',
      },
      actions: ['pg-index'],
      confidence: 0.8,
      impact,
      attribution: attributionOf(attribution.rows.map((r) => r.method)),
    });
  });
}
