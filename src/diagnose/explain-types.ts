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
  planRows: number;
  totalCost: number;
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
}

/** `data` of the `explain` evidence. */
export interface ExplainData {
  statements: ExplainedStatement[];
}
