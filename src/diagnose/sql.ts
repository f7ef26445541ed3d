/**
 * Light reading of normalized SQL (pg_stat_statements text with `$1`
 * placeholders): which tables a statement touches and which columns its WHERE
 * clause compares with parameters. Heuristic on purpose — rules must stay
 * pure and fast; the exact answer comes from EXPLAIN (see explain.ts) when
 * the run was enriched.
 *
 * @module
 */
import pg from 'pg';

const UTILITY = /^\s*(BEGIN|COMMIT|ROLLBACK|END|START\s+TRANSACTION|SET|RESET|SHOW|SAVEPOINT|RELEASE|DISCARD|DEALLOCATE|PREPARE|LISTEN|UNLISTEN|NOTIFY|VACUUM|ANALYZE|CHECKPOINT|LOCK)\b/i;

/** True for transaction control and session statements (never a performance subject themselves). */
export function isUtilityStatement(query: string): boolean {
  return UTILITY.test(query);
}

function unquote(name: string): string {
  return name.replace(/"/g, '').toLowerCase();
}

/**
 * Tables named after FROM, JOIN, UPDATE, INTO and DELETE FROM, as `schema.table`
 * when qualified, else the bare name (lower-cased, quotes removed).
 */
export function tablesInQuery(query: string): string[] {
  const out = new Set<string>();
  const re = /\b(?:from|join|update|into)\s+((?:"[^"]+"|[a-z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[a-z_][\w$]*))?)/gi;
  for (const m of query.matchAll(re)) {
    const name = m[1]!.split('.').map((p) => unquote(p.trim())).join('.');
    if (['select', 'lateral', 'unnest', 'generate_series'].includes(name)) continue;
    out.add(name);
  }
  return [...out];
}

/** Does the statement touch `schema.table` (matches qualified or bare names)? */
export function queryTouchesTable(query: string, schema: string, table: string): boolean {
  const want = new Set([`${schema}.${table}`.toLowerCase(), table.toLowerCase()]);
  return tablesInQuery(query).some((t) => want.has(t));
}

/**
 * Columns compared with a parameter or constant in the WHERE clause
 * (`col = $1`, `t.col > $2`, `col IN (...)`, `col = ANY($1)`, `col LIKE $1`),
 * equality first, in order of appearance.
 */
export function filterColumns(query: string): { column: string; op: 'eq' | 'range' | 'like' }[] {
  const where = /\bwhere\b([\s\S]*?)(?:\border\s+by\b|\bgroup\s+by\b|\blimit\b|\boffset\b|\breturning\b|\bfor\s+update\b|$)/i.exec(query);
  if (!where) return [];
  const clause = where[1]!;
  const found: { column: string; op: 'eq' | 'range' | 'like'; at: number }[] = [];
  const re = /((?:"[^"]+"|[a-z_][\w$]*)(?:\.(?:"[^"]+"|[a-z_][\w$]*))?)\s*(=|<>|!=|<=|>=|<|>|\bin\b|\blike\b|\bilike\b|\bbetween\b)\s*(?:any\s*\()?\s*(\$\d+|'[^']*'|-?\d+(?:\.\d+)?|\()/gi;
  for (const m of clause.matchAll(re)) {
    const parts = m[1]!.split('.');
    const column = unquote(parts[parts.length - 1]!);
    if (['and', 'or', 'not'].includes(column)) continue;
    const opRaw = m[2]!.toLowerCase();
    const op = opRaw === '=' || opRaw === 'in' ? 'eq' : opRaw === 'like' || opRaw === 'ilike' ? 'like' : 'range';
    if (!found.some((f) => f.column === column)) found.push({ column, op, at: m.index ?? 0 });
  }
  const rank = { eq: 0, range: 1, like: 2 } as const;
  return found.sort((a, b) => rank[a.op] - rank[b.op] || a.at - b.at).map(({ column, op }) => ({ column, op }));
}

/**
 * PostgreSQL 15's keywords that cannot stand as a bare column or table name
 * (`SELECT word FROM pg_get_keywords() WHERE catcode <> 'U'`); a test
 * compares this list with a real server's.
 */
export const NON_UNRESERVED_KEYWORDS: ReadonlySet<string> = new Set(
  ('all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case cast char character check ' +
    'coalesce collate collation column concurrently constraint create cross current_catalog current_date current_role current_schema ' +
    'current_time current_timestamp current_user dec decimal default deferrable desc distinct do else end except exists extract false fetch ' +
    'float for foreign freeze from full grant greatest group grouping having ilike in initially inner inout int integer intersect interval ' +
    'into is isnull join lateral leading least left like limit localtime localtimestamp national natural nchar none normalize not notnull ' +
    'null nullif numeric offset on only or order out outer overlaps overlay placing position precision primary real references returning ' +
    'right row select session_user setof similar smallint some substring symmetric table tablesample then time timestamp to trailing treat ' +
    'trim true union unique user using values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement xmlexists ' +
    'xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable').split(' '),
);

/**
 * Quote an identifier for SQL when needed, as PostgreSQL's quote_ident:
 * bare when it is a plain lower-case name and not a keyword (`orders`),
 * otherwise with `pg`'s `escapeIdentifier` (`"order"`, `"User"`).
 */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !NON_UNRESERVED_KEYWORDS.has(name) ? name : pg.escapeIdentifier(name);
}
