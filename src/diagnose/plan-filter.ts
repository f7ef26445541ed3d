/**
 * Reading a plan node's Filter (or Index Cond) text, as EXPLAIN prints it:
 * which plain columns it compares, and whether it compares only expressions
 * of columns — a filter no index on a column can serve. Pure, so the rules
 * judge a stored plan's filter text with the current reading, whatever the
 * enrichment recorded when the run was taken.
 *
 * @module
 */

/**
 * Casts PostgreSQL prints on a column that an index on the column still serves: `varchar`, `char` and
 * `name` are binary-coercible to `text`, whose operators EXPLAIN shows (`((email)::text = 'a'::text)`).
 * Any other cast (`(started_at)::date`, `(qty)::numeric`) computes a new value from the column, which a
 * B-tree on the column does not hold.
 */
const COLUMN_CASTS = String.raw`(?:::(?:text|character varying|varchar|bpchar|character|name|citext)\b)?`;

/** Keeps a match from starting inside a name or after `::` (the `date` of `(x)::date >= …`). */
const NOT_INSIDE_A_NAME = String.raw`(?<![\w$:.])`;

/**
 * An SQL identifier as EXPLAIN prints it: plain (`customer_id`), or double-quoted when it needs quoting
 * (`"Order"`, `"customerId"`, with `""` for a quote inside) — ORMs such as Sequelize quote their aliases.
 */
const IDENTIFIER = String.raw`(?:[a-z_][\w$]*|"(?:[^"]|"")+")`;

/**
 * A column as a plan filter prints it: optionally qualified, in parentheses, under a text cast
 * (two groups: the name as written, then the bare column).
 */
const COLUMN = String.raw`\(?((?:${IDENTIFIER}\.)?(${IDENTIFIER}))\)?${COLUMN_CASTS}`;

/** The column a {@link COLUMN} match names: a quoted name as written (it is case-sensitive), a plain one lower-cased. */
function columnName(written: string): string {
  return written.startsWith('"') ? written.slice(1, -1).replace(/""/g, '"') : written.toLowerCase();
}

/** A comparison operator of a plan filter (LIKE prints as `~~`, ILIKE as `~~*`). */
const COMPARISON = String.raw`(=|<>|<=|>=|<|>|~~\*?)`;

/**
 * Plain columns compared in a plan Filter, equality first:
 * `((o.customer_id = $1) AND ((o.status)::text = 'paid'::text))` → ['customer_id', 'status'].
 * A column inside a function call (`lower(email)`) or under a cast other than to text
 * (`(started_at)::date`) is not a plain column: an index on the column would not help.
 */
export function columnsInFilter(filter: string): string[] {
  const eq: string[] = [];
  const other: string[] = [];
  for (const { column, operator } of plainComparisons(filter)) {
    const list = operator === '=' ? eq : other;
    if (!eq.includes(column) && !other.includes(column)) list.push(column);
  }
  return [...eq, ...other];
}

/**
 * A pattern match (LIKE prints as `~~`, ILIKE as `~~*`). A B-tree on the column serves one only for a constant
 * pattern anchored at its start (LIKE 'abc%', with `text_pattern_ops` or the C collation) and never ILIKE on
 * letters (PostgreSQL manual, "Indexes and LIKE"): a plan Filter holds a pattern the index did not serve.
 */
const PATTERN_MATCH = /^~~\*?$/;

/**
 * Every comparison of a plain column in a plan Filter, in order, repeats included. A pattern match is not one:
 * it compares the column with a pattern, which no B-tree on the column served (see {@link PATTERN_MATCH}).
 */
function plainComparisons(filter: string): { column: string; operator: string }[] {
  const out: { column: string; operator: string }[] = [];
  // Group 1 is a function name before the column (`lower(email)`), skipped below.
  const re = new RegExp(String.raw`${NOT_INSIDE_A_NAME}(\w+\s*)?${COLUMN}\s*${COMPARISON}\s`, 'gi');
  for (const m of filter.matchAll(re)) {
    const before = m[1]?.trim();
    if (before && /^[a-z_]\w*$/i.test(before) && !/^(and|or|not)$/i.test(before)) continue; // function(col)
    const column = columnName(m[3]!);
    if (['and', 'or', 'not', 'null', 'true', 'false'].includes(column) || PATTERN_MATCH.test(m[4]!)) continue;
    out.push({ column, operator: m[4]! });
  }
  return out;
}

/**
 * Does the filter also compare something other than a plain column — a cast or a function of one
 * (`(started_at)::date >= …`)? Counted as the comparisons the filter makes beyond its plain columns'.
 */
export function comparesAnExpression(filter: string): boolean {
  const comparisons = filter.match(new RegExp(String.raw`\s${COMPARISON}\s`, 'g'))?.length ?? 0;
  return comparisons > plainComparisons(filter).length;
}

/** Does the plan Filter match a pattern (LIKE `~~`, ILIKE `~~*`)? See {@link PATTERN_MATCH}. */
export function matchesAPattern(filter: string): boolean {
  return /\s~~\*?\s/.test(filter);
}

/** What a plan Filter matches a pattern against: `name` of `(p.name ~~* $1)`, `lower(name)` of `(lower(p.name) ~~ $1)`. */
export function patternOperand(filter: string): string | undefined {
  const m = /(?:(\w+)\()?\(?(?:[\w"]+\.)?([\w"]+)\)?(?:::\w+)?\)?\s~~\*?\s/.exec(filter);
  if (!m) return undefined;
  return m[1] ? `${m[1]}(${m[2]})` : m[2];
}

/** The plain columns a plan Filter compares with `=` (a subset of {@link columnsInFilter}'s). */
export function equalityColumnsInFilter(filter: string): string[] {
  const eq = [...filter.matchAll(new RegExp(String.raw`${NOT_INSIDE_A_NAME}${COLUMN}\s*=\s`, 'gi'))].map((m) => columnName(m[2]!));
  const plain = columnsInFilter(filter);
  return [...new Set(eq)].filter((c) => plain.includes(c));
}

/**
 * Does the filter compare values (it has a comparison operator) but never a plain column — only
 * expressions of columns: `((started_at)::date >= (CURRENT_DATE - 7))`, `(lower((email)::text) = $1)`,
 * `(COALESCE(harbour_id, $1) = $1)`? No index on a column can serve such a filter (pg_qualstats' index
 * advisor lists such quals as "unoptimised"); the query, or an index on that very expression, can.
 * A filter without a comparison (`(NOT archived)`, `(deleted_at IS NULL)`) is not one.
 */
export function comparesOnlyExpressions(filter: string): boolean {
  return new RegExp(String.raw`\s${COMPARISON}\s`).test(filter) && columnsInFilter(filter).length === 0;
}
