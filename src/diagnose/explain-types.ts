/**
 * The evidence added by the EXPLAIN enrichment (`enrichWithExplain`): a
 * ProbeEvidence named `explain` whose `data` is {@link ExplainData}. Kept
 * apart from explain.ts so the pure rules import types only, never pg.
 *
 * @module
 */

/** A sequential scan node found in a plan. */
export interface ExplainSeqScan {
  schema: string | null;
  relation: string;
  /** The node's Filter, e.g. `(customer_id = 42)`. */
  filter: string | null;
  /** Columns named in the filter, in order. */
  filterColumns: string[];
  /** Of those, the ones compared with `=` (absent in results enriched before they were recorded). */
  equalityColumns?: string[];
  planRows: number;
  /** Runs of the node per execution of the statement (see {@link ExplainIndexScan.loops}). */
  loops?: number;
  totalCost: number;
}

/** A Sort node that sorts the rows of a sequential scan (a top-N sort when under a Limit). */
export interface ExplainSort {
  schema: string | null;
  /** The scanned relation whose rows are sorted. */
  relation: string;
  /** The node's Sort Key, e.g. `["b.created_at DESC"]`. */
  sortKey: string[];
  /** A Limit node sits above the Sort: only the first rows are wanted, which an index in sort order reads directly. */
  underLimit: boolean;
}

/**
 * An index access that filters rows after reading them (an Index Scan's, or a Bitmap Heap Scan's, Filter):
 * the rows the index found are fetched, then the filter throws some away. When the filter is an equality
 * on a column the index lacks, an index leading with that column would read only the rows kept.
 */
export interface ExplainIndexScan {
  schema: string | null;
  relation: string;
  /** The index read (for a Bitmap Heap Scan, its Bitmap Index Scan's). */
  index: string;
  /** Columns of the index condition, in order. */
  indexCondColumns: string[];
  /** The node's Filter, e.g. `(e.merchant_id = $1)`. */
  filter: string;
  /** Columns the filter compares with `=`. */
  equalityColumns: string[];
  /** Rows the planner expects the node to keep (after the filter), per run of the node. */
  planRows: number;
  /** Runs of the node the planner expects per execution of the statement (the inner side of a Nested Loop runs once per outer row); absent in results enriched before it was recorded. */
  loops?: number;
}

/** The plan summary of one statement. */
export interface ExplainedStatement {
  queryid: string;
  query: string;
  ok: boolean;
  /** Why EXPLAIN failed (statement_timeout, a parameter type it could not infer, ...). */
  error?: string;
  /** Root node's total cost. */
  totalCost?: number;
  seqScans: ExplainSeqScan[];
  /** Names of indexes used. */
  indexes: string[];
  /** Sorts over sequential scans (absent in results enriched before they were recorded). */
  sorts?: ExplainSort[];
  /** Index accesses with a Filter (absent in results enriched before they were recorded). */
  indexScans?: ExplainIndexScan[];
}

/**
 * How much of a table one filter column keeps, for the constants the statement compared it with: pg_qualstats
 * records the constants each column was compared with (pg_stat_statements normalizes them away), and the
 * planner estimates the rows `column op constant` alone keeps. pg_qualstats' own filtered counts cannot give
 * this: for an AND it credits every qual with what the whole conjunction removed.
 */
export interface MeasuredQual {
  /** pg_stat_statements' queryid of the statement the qual belongs to. */
  queryid: string;
  schema: string;
  relation: string;
  column: string;
  /** The comparisons estimated, as pg_qualstats printed them (`= 'completed'::text`), most frequent first. */
  comparisons: string[];
  /** Executions those comparisons were seen in (pg_qualstats occurences, sampled). */
  occurrences: number;
  /** The planner's estimate of the share of the table's rows the comparison keeps (weighted by occurrences). */
  keptShare: number;
}

/** `data` of the `explain` evidence. */
export interface ExplainData {
  statements: ExplainedStatement[];
  /** Measured selectivity of the explained statements' filter columns (absent before 2026-12-06 and when pg_qualstats could not be read). */
  quals?: MeasuredQual[];
  /** Why the quals were not read (pg_qualstats not preloaded, not installed and not creatable, …). */
  qualsUnavailable?: string;
}
