/**
 * EXPLAIN costs of normalized statements (`$1` placeholders) on PostgreSQL
 * 15, which lacks `EXPLAIN (GENERIC_PLAN)` (16+): PREPARE the statement,
 * force a generic plan and EXPLAIN EXECUTE it with NULL arguments (Dexter's
 * method for PostgreSQL < 16). Plain EXPLAIN never executes the statement.
 *
 * The prepared statement is deallocated after every EXPLAIN: a prepared
 * statement caches its generic plan, and creating a hypothetical index does
 * not invalidate that cache, so reusing it would hide the index.
 *
 * @module
 */
import type pg from 'pg';

/** A plan node of `EXPLAIN (FORMAT JSON)`. */
export type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

/** What {@link explainGeneric} returns. */
export interface ExplainedPlan {
  /** Root total cost. */
  cost: number;
  /** Every index name used anywhere in the plan. */
  indexNames: string[];
  /** Compact one-line-per-node rendering. */
  lines: string[];
}

/**
 * Set the session up for generic plans and bounded planning time. Call once
 * per session before {@link explainGeneric}.
 */
export async function prepareExplainSession(client: pg.Client, statementTimeoutMs = 5000): Promise<void> {
  await client.query('SET plan_cache_mode = force_generic_plan');
  await client.query(`SET statement_timeout = ${Math.max(1, Math.round(statementTimeoutMs))}`);
  await client.query('SET lock_timeout = 1000');
}

/**
 * EXPLAIN one statement as a generic plan.
 *
 * @param query - a single SELECT/UPDATE/DELETE (checked by the caller)
 * @param params - number of `$n` parameters
 */
export async function explainGeneric(client: pg.Client, query: string, params: number): Promise<ExplainedPlan> {
  const text = query.trim().replace(/;\s*$/, '');
  let raw: unknown;
  if (params > 0) {
    await client.query('DEALLOCATE ALL');
    await client.query(`PREPARE tuneup_optimize_stmt AS ${text}`);
    try {
      const args = new Array<string>(params).fill('NULL').join(', ');
      raw = (await client.query(`EXPLAIN (FORMAT JSON) EXECUTE tuneup_optimize_stmt(${args})`)).rows[0]?.['QUERY PLAN'];
    } finally {
      await client.query('DEALLOCATE tuneup_optimize_stmt').catch(() => undefined);
    }
  } else {
    raw = (await client.query(`EXPLAIN (FORMAT JSON) ${text}`)).rows[0]?.['QUERY PLAN'];
  }
  const parsed = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  const root = (Array.isArray(parsed) ? parsed[0] : parsed) as { Plan?: PlanNode } | undefined;
  const plan = root?.Plan;
  if (!plan) throw new Error('EXPLAIN returned no plan');
  const indexNames = new Set<string>();
  const lines: string[] = [];
  const walk = (node: PlanNode, depth: number): void => {
    if (typeof node['Index Name'] === 'string') indexNames.add(node['Index Name']);
    lines.push(`${'  '.repeat(depth)}${depth > 0 ? '-> ' : ''}${describeNode(node)}`);
    for (const child of node.Plans ?? []) walk(child, depth + 1);
  };
  walk(plan, 0);
  return { cost: Number(plan['Total Cost'] ?? 0), indexNames: [...indexNames], lines };
}

function describeNode(node: PlanNode): string {
  const parts = [String(node['Node Type'] ?? '?')];
  if (typeof node['Index Name'] === 'string') parts.push(`using ${node['Index Name']}`);
  if (typeof node['Relation Name'] === 'string') parts.push(`on ${node['Relation Name']}`);
  parts.push(`(cost=${fmt(node['Startup Cost'])}..${fmt(node['Total Cost'])} rows=${String(node['Plan Rows'] ?? '?')})`);
  for (const key of ['Index Cond', 'Recheck Cond', 'Filter', 'Hash Cond', 'Sort Key']) {
    const value = node[key];
    if (value !== undefined) parts.push(`${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  }
  return parts.join(' ');
}

function fmt(value: unknown): string {
  return Number(value ?? 0).toFixed(2);
}
