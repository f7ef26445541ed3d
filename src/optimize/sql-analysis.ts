/**
 * What an index could help in a statement, read with the real PostgreSQL
 * parser (libpg-query): the tables it reads and the columns (or simple
 * function-of-a-column expressions such as `lower(email)`) it filters,
 * joins or sorts on. Select-list columns are ignored: an index on them
 * would not change the plan (Dexter takes every column and lets the cost
 * comparison sort it out; we prune early to keep the candidate set small).
 *
 * @module
 */
import { fingerprintSync, loadModule, normalizeSync, parseSync } from 'libpg-query';

/** A table named in the statement. */
export interface TableRef {
  schema: string | null;
  name: string;
  /** Alias, or the table name itself when none. */
  alias: string;
}

/** A column or expression the statement filters/joins/sorts on. */
export interface ColumnUse {
  /** Qualifier as written (alias or table), null when unqualified. */
  qualifier: string | null;
  column: string;
  /** Function applied to the column, e.g. `lower`; null for the plain column. */
  func: string | null;
}

/** The parse of one statement. */
export interface StatementShape {
  tables: TableRef[];
  uses: ColumnUse[];
  /** Number of `$n` parameters. */
  params: number;
}

let loaded: Promise<void> | undefined;

/** Load the parser's WASM module once. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/** Normalize constants to `$n` (idempotent on pg_stat_statements texts). Call {@link loadParser} first. */
export function normalizeStatement(query: string): string {
  try {
    return normalizeSync(query);
  } catch {
    return query;
  }
}

/** libpg-query fingerprint; null when the text does not parse (e.g. truncated). */
export function fingerprintStatement(query: string): string | null {
  try {
    return fingerprintSync(query);
  } catch {
    return null;
  }
}

type Node = Record<string, unknown>;

/** Functions whose result an expression index can serve (immutable, one column argument). */
const INDEXABLE_FUNCTIONS = new Set(['lower', 'upper', 'date', 'md5', 'btrim', 'trim', 'abs']);

/**
 * Parse one SELECT/UPDATE/DELETE statement. Returns null for anything else
 * or for text that does not parse. Call {@link loadParser} first.
 */
export function analyzeStatement(query: string): StatementShape | null {
  let tree: { stmts?: { stmt?: Node }[] };
  try {
    tree = parseSync(query) as unknown as { stmts?: { stmt?: Node }[] };
  } catch {
    return null;
  }
  if (!tree.stmts || tree.stmts.length !== 1) return null;
  const stmt = tree.stmts[0]!.stmt ?? {};
  const tables: TableRef[] = [];
  const uses: ColumnUse[] = [];
  let params = 0;

  const collectParams = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(collectParams);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Node)) {
      if (key === 'ParamRef') params = Math.max(params, Number((value as { number?: number }).number ?? 0));
      collectParams(value);
    }
  };
  collectParams(stmt);

  const addTable = (rv: Node): void => {
    const name = String(rv.relname ?? '');
    if (!name) return;
    const alias = (rv.alias as { aliasname?: string } | undefined)?.aliasname ?? name;
    tables.push({ schema: typeof rv.schemaname === 'string' ? rv.schemaname : null, name, alias });
  };
  const walkFrom = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walkFrom);
    if (node === null || typeof node !== 'object') return;
    const n = node as Node;
    if (n.RangeVar) addTable(n.RangeVar as Node);
    if (n.JoinExpr) {
      const j = n.JoinExpr as Node;
      walkFrom(j.larg);
      walkFrom(j.rarg);
      walkUses(j.quals);
    }
  };
  const columnOf = (node: unknown): { qualifier: string | null; column: string } | null => {
    const ref = (node as Node | null)?.ColumnRef as { fields?: Node[] } | undefined;
    if (!ref?.fields) return null;
    const names = ref.fields.map((f) => (f.String as { sval?: string } | undefined)?.sval);
    if (names.some((s) => s === undefined)) return null; // `t.*`
    if (names.length === 1) return { qualifier: null, column: names[0]! };
    if (names.length === 2) return { qualifier: names[0]!, column: names[1]! };
    return { qualifier: names[names.length - 2]!, column: names[names.length - 1]! };
  };
  const walkUses = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walkUses);
    if (node === null || typeof node !== 'object') return;
    const n = node as Node;
    const col = columnOf(n);
    if (col) {
      uses.push({ ...col, func: null });
      return;
    }
    if (n.FuncCall) {
      const f = n.FuncCall as { funcname?: Node[]; args?: unknown[] };
      const fname = (f.funcname?.at(-1)?.String as { sval?: string } | undefined)?.sval?.toLowerCase();
      const only = f.args?.length === 1 ? columnOf(f.args[0]) : null;
      if (fname && only && INDEXABLE_FUNCTIONS.has(fname)) {
        uses.push({ ...only, func: fname });
        return;
      }
    }
    if (n.SubLink || n.SelectStmt) return; // subqueries are planned on their own
    for (const value of Object.values(n)) walkUses(value);
  };

  const body = (stmt.SelectStmt ?? stmt.UpdateStmt ?? stmt.DeleteStmt) as Node | undefined;
  if (!body) return null;
  if (stmt.SelectStmt) {
    if (body.op && body.op !== 'SETOP_NONE') return null;
    walkFrom(body.fromClause);
    walkUses(body.whereClause);
    for (const s of (body.sortClause as Node[] | undefined) ?? []) walkUses((s.SortBy as Node | undefined)?.node);
  } else {
    addTable(body.relation as Node);
    walkFrom(body.fromClause ?? body.usingClause);
    walkUses(body.whereClause);
  }
  return { tables, uses: dedupeUses(uses), params };
}

function dedupeUses(uses: ColumnUse[]): ColumnUse[] {
  const seen = new Set<string>();
  return uses.filter((u) => {
    const key = `${u.qualifier}.${u.column}.${u.func}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A single plannable SELECT/UPDATE/DELETE/WITH (Dexter plans nothing else). */
export function isPlannable(query: string): boolean {
  const q = query.trim().replace(/;\s*$/, '');
  return !q.includes(';') && /^(select|with|update|delete)\b/i.test(q);
}
