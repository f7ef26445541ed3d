/**
 * Light reading of normalized SQL (pg_stat_statements text with `$1`
 * placeholders): which tables a statement touches and which columns its WHERE
 * clause compares with parameters. Heuristic on purpose — rules must stay
 * pure and fast; the exact answer comes from EXPLAIN (see explain.ts) when
 * the run was enriched.
 *
 * @module
 */
import { loadModule, parseSync } from 'libpg-query';
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
 * equality first, in order of appearance. A comparison with a subquery
 * (`col IN (SELECT …)`, `col = (VALUES …)`) is marked `subquery`: PostgreSQL
 * plans it as a join, not as a filter on the scan.
 */
export function filterColumns(query: string): { column: string; op: 'eq' | 'range' | 'like'; qualifier?: string; subquery?: true }[] {
  const where = /\bwhere\b([\s\S]*?)(?:\border\s+by\b|\bgroup\s+by\b|\blimit\b|\boffset\b|\breturning\b|\bfor\s+update\b|$)/i.exec(query);
  if (!where) return [];
  const clause = where[1]!;
  const found: { column: string; op: 'eq' | 'range' | 'like'; at: number; qualifier?: string; subquery?: true }[] = [];
  const re = /((?:"[^"]+"|[a-z_][\w$]*)(?:\.(?:"[^"]+"|[a-z_][\w$]*))?)\s*(=|<>|!=|<=|>=|<|>|\bin\b|\blike\b|\bilike\b|\bbetween\b)\s*(?:any\s*\()?\s*(\$\d+|'[^']*'|-?\d+(?:\.\d+)?|\()/gi;
  for (const m of clause.matchAll(re)) {
    const parts = m[1]!.split('.');
    const column = unquote(parts[parts.length - 1]!);
    if (['and', 'or', 'not'].includes(column)) continue;
    const opRaw = m[2]!.toLowerCase();
    const op = opRaw === '=' || opRaw === 'in' ? 'eq' : opRaw === 'like' || opRaw === 'ilike' ? 'like' : 'range';
    const qualifier = parts.length > 1 ? unquote(parts[0]!).toLowerCase() : undefined;
    const subquery = m[3] === '(' && /^\s*(?:select|values|with)\b/i.test(clause.slice((m.index ?? 0) + m[0].length));
    if (!found.some((f) => f.column === column && f.qualifier === qualifier)) found.push({ column, op, at: m.index ?? 0, ...(qualifier ? { qualifier } : {}), ...(subquery ? { subquery: true as const } : {}) });
  }
  const rank = { eq: 0, range: 1, like: 2 } as const;
  return found.sort((a, b) => rank[a.op] - rank[b.op] || a.at - b.at).map(({ at: _at, ...rest }) => rest);
}

/**
 * The WHERE columns of `query` that belong to `table`: qualified by its name or alias, or unqualified when
 * the statement reads that table alone (a join's unqualified column could be any table's). An index on
 * another table's column cannot be created on this one.
 */
export function filterColumnsOn(query: string, table: string): { column: string; op: 'eq' | 'range' | 'like'; subquery?: true }[] {
  const shape = statementShape(query);
  const tables = shape?.tables ?? [];
  const names = new Set([table.toLowerCase(), ...tables.filter((t) => t.name.toLowerCase() === table.toLowerCase()).map((t) => t.alias.toLowerCase())]);
  const alone = tables.length <= 1;
  return filterColumns(query)
    .filter((c) => (c.qualifier ? names.has(c.qualifier) : alone))
    .map(({ column, op, subquery }) => ({ column, op, ...(subquery ? { subquery } : {}) }));
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

/** A column a statement sorts by, as written (`qualifier` is the alias or table, null when unqualified). */
export interface SortKey {
  qualifier: string | null;
  column: string;
}

/** What the rules read of a statement's shape: sort keys, LIMIT, DISTINCT aggregates, tables. */
export interface StatementShape {
  /** ORDER BY keys that are plain columns, in order (stops at the first expression: an index serves a prefix). */
  sortKeys: SortKey[];
  /** A LIMIT (or FETCH FIRST) is present: the query wants the first rows in sort order. */
  limit: boolean;
  /**
   * GROUP BY, DISTINCT or an aggregate at the top level: the rows returned are computed from all the rows
   * read, so a LIMIT does not bound what must be read.
   */
  grouped: boolean;
  /** Aggregates over DISTINCT values, e.g. `count(DISTINCT author_id)`: a sort or hash of every input row. */
  distinctAggregates: { func: string; columns: string[] }[];
  /** Tables in FROM/JOIN with their alias (the name when none). */
  tables: { schema: string | null; name: string; alias: string }[];
  /** How it was read: the PostgreSQL parser, or the regex fallback when the parser is not loaded. */
  parsedBy: 'libpg-query' | 'regex';
}

/** Built-in aggregate functions a select list commonly uses (the parse tree cannot tell an aggregate from a function without the catalog). */
const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'json_agg', 'jsonb_agg', 'bool_and', 'bool_or', 'every', 'stddev', 'variance', 'percentile_cont', 'percentile_disc', 'mode']);

let parserLoad: Promise<void> | undefined;
let parserReady = false;

/**
 * Load libpg-query's WASM parser once (async; rules are sync). The CLI awaits it before diagnosing; until it
 * is loaded {@link statementShape} reads the text with regular expressions instead.
 */
export function loadSqlParser(): Promise<void> {
  parserLoad ??= loadModule().then(() => {
    parserReady = true;
  });
  return parserLoad;
}

type PgNode = Record<string, unknown>;

function columnRef(node: unknown): SortKey | undefined {
  const fields = ((node as PgNode | undefined)?.ColumnRef as { fields?: PgNode[] } | undefined)?.fields;
  if (!fields) return undefined;
  const names = fields.map((f) => (f.String as { sval?: string } | undefined)?.sval);
  if (names.some((n) => n === undefined)) return undefined;
  const column = names[names.length - 1]!.toLowerCase();
  return { qualifier: names.length > 1 ? names[names.length - 2]!.toLowerCase() : null, column };
}

const shapeCache = new Map<string, StatementShape | undefined>();

/**
 * The shape of one statement, read with the PostgreSQL parser (libpg-query) when it is loaded, else with
 * regular expressions. Undefined for text that does not parse (e.g. truncated) or is not a single SELECT.
 */
export function statementShape(query: string): StatementShape | undefined {
  const key = `${parserReady ? 'p' : 'r'}:${query}`;
  if (shapeCache.has(key)) return shapeCache.get(key);
  const shape = parserReady ? parsedShape(query) : regexShape(query);
  if (shapeCache.size > 5000) shapeCache.clear();
  shapeCache.set(key, shape);
  return shape;
}

function parsedShape(query: string): StatementShape | undefined {
  let tree: { stmts?: { stmt?: PgNode }[] };
  try {
    tree = parseSync(query) as unknown as { stmts?: { stmt?: PgNode }[] };
  } catch {
    return undefined;
  }
  const select = tree.stmts?.length === 1 ? (tree.stmts[0]!.stmt?.SelectStmt as PgNode | undefined) : undefined;
  if (!select) return undefined;
  const sortKeys: SortKey[] = [];
  for (const s of (select.sortClause as PgNode[] | undefined) ?? []) {
    const key = columnRef((s.SortBy as PgNode | undefined)?.node);
    if (!key) break;
    sortKeys.push(key);
  }
  const distinctAggregates: StatementShape['distinctAggregates'] = [];
  const tables: StatementShape['tables'] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const n = node as PgNode;
    const fc = n.FuncCall as PgNode | undefined;
    if (fc?.agg_distinct) {
      const func = ((fc.funcname as PgNode[] | undefined) ?? []).map((f) => (f.String as { sval?: string } | undefined)?.sval ?? '').pop() ?? '';
      distinctAggregates.push({ func: func.toLowerCase(), columns: ((fc.args as unknown[] | undefined) ?? []).map(columnRef).filter((c): c is SortKey => !!c).map((c) => c.column) });
    }
    const rv = n.RangeVar as PgNode | undefined;
    if (rv && typeof rv.relname === 'string') {
      const name = rv.relname.toLowerCase();
      tables.push({ schema: typeof rv.schemaname === 'string' ? rv.schemaname.toLowerCase() : null, name, alias: ((rv.alias as { aliasname?: string } | undefined)?.aliasname ?? name).toLowerCase() });
    }
    for (const v of Object.values(n)) walk(v);
  };
  walk(select);
  const targets = ((select.targetList as PgNode[] | undefined) ?? []).map((t) => (t.ResTarget as PgNode | undefined)?.val);
  const aggregateTarget = targets.some((v) => {
    const fc = (v as PgNode | undefined)?.FuncCall as PgNode | undefined;
    const name = ((fc?.funcname as PgNode[] | undefined) ?? []).map((f) => (f.String as { sval?: string } | undefined)?.sval ?? '').pop()?.toLowerCase();
    return fc !== undefined && (fc.agg_star === true || AGGREGATES.has(name ?? ''));
  });
  const grouped = select.groupClause !== undefined || select.distinctClause !== undefined || aggregateTarget;
  return { sortKeys, limit: select.limitCount !== undefined, grouped, distinctAggregates, tables, parsedBy: 'libpg-query' };
}

/**
 * The shape {@link statementShape} reads before the parser is loaded: regular expressions over the text, good
 * for simple statements. Exported so the fallback can be checked whatever the process has loaded.
 */
export function regexShape(query: string): StatementShape | undefined {
  if (!/^\s*(select|with)\b/i.test(query)) return undefined;
  const sortKeys: SortKey[] = [];
  const order = /\border\s+by\s+([\s\S]*?)(?:\blimit\b|\boffset\b|\bfetch\b|\bfor\s+update\b|$)/i.exec(query);
  for (const part of order ? order[1]!.split(',') : []) {
    const m = /^\s*((?:"[^"]+"|[a-z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[a-z_][\w$]*))?)\s*(?:asc|desc)?\s*(?:nulls\s+(?:first|last))?\s*$/i.exec(part);
    if (!m) break;
    const names = m[1]!.split('.').map((x) => unquote(x.trim()));
    sortKeys.push({ qualifier: names.length > 1 ? names[names.length - 2]! : null, column: names[names.length - 1]! });
  }
  const distinctAggregates = [...query.matchAll(/\b(count|sum|avg|array_agg|string_agg)\s*\(\s*distinct\s+((?:[a-z_][\w$]*\.)?[a-z_][\w$]*)/gi)].map((m) => ({ func: m[1]!.toLowerCase(), columns: [unquote(m[2]!.split('.').pop()!)] }));
  const tables = [...query.matchAll(/\b(?:from|join)\s+((?:"[^"]+"|[a-z_][\w$]*)(?:\.(?:"[^"]+"|[a-z_][\w$]*))?)(?:\s+(?:as\s+)?(?!where\b|join\b|on\b|order\b|group\b|limit\b|left\b|right\b|inner\b|cross\b|full\b)([a-z_][\w$]*))?/gi)].map((m) => {
    const parts = m[1]!.split('.').map(unquote);
    const name = parts[parts.length - 1]!;
    return { schema: parts.length > 1 ? parts[0]! : null, name, alias: (m[2] ?? name).toLowerCase() };
  });
  const grouped = /\bgroup\s+by\b|^\s*select\s+distinct\b/i.test(query) || new RegExp(`\\b(?:${[...AGGREGATES].join('|')})\\s*\\(`, 'i').test(query.split(/\bfrom\b/i)[0] ?? '');
  return { sortKeys, limit: /\blimit\b|\bfetch\s+first\b/i.test(query), grouped, distinctAggregates, tables, parsedBy: 'regex' };
}

/** Sort keys of `shape` that belong to table `name` (qualified by its alias or name, or unqualified with one table). */
export function sortKeysOnTable(shape: StatementShape, name: string): string[] {
  const aliases = new Set(shape.tables.filter((t) => t.name === name.toLowerCase()).flatMap((t) => [t.alias, t.name]));
  if (aliases.size === 0) return [];
  const single = new Set(shape.tables.map((t) => t.name)).size === 1;
  const out: string[] = [];
  for (const k of shape.sortKeys) {
    if (k.qualifier ? !aliases.has(k.qualifier) : !single) break;
    out.push(k.column);
  }
  return out;
}

/** A statement's text with every constant and parameter as `$`, spaces collapsed and lower-cased: what a literal text and its normalized form share. */
function constantsAsParameters(text: string): string {
  return text
    .replace(/'(?:[^']|'')*'/g, '$')
    .replace(/\$\d+/g, '$')
    .replace(/(?<![\w$.])-?\d+(?:\.\d+)?\b/g, '$')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * Is `literal` — a statement as pg_stat_activity shows it, with its constants, perhaps cut short (to 200
 * characters, or with a trailing ellipsis) — a run of the normalized statement `normalized` (pg_stat_statements'
 * text, constants as `$1`, `$2`, …)? Compared with every constant and parameter as `$`: a whole text must
 * equal it; a cut one must begin it, up to its last whole word and with 20 characters at least, so a cut
 * `UPDATE t…` matches nothing.
 */
export function sameStatementText(literal: string, normalized: string): boolean {
  const cut = /(?:…|\.\.\.)\s*$/.test(literal) || literal.length >= 190;
  let a = constantsAsParameters(literal.replace(/(?:…|\.\.\.)\s*$/, ''));
  const b = constantsAsParameters(normalized);
  if (cut) {
    // The last word may be cut in the middle (`capac…`, an unterminated string).
    const space = a.lastIndexOf(' ');
    a = space > 0 ? a.slice(0, space) : a;
    return a.length >= 20 && b.startsWith(a);
  }
  return a === b;
}
