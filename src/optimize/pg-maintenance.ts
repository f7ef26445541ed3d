/**
 * pg-maintenance: `ANALYZE` for stale statistics, `VACUUM (ANALYZE)` for
 * dead-tuple bloat, and per-table autovacuum settings (re-enable a disabled
 * autovacuum; tighter scale factors on big, busy tables). Thresholds follow
 * the diagnosis defaults (src/diagnose/config.ts: staleStats.*, bloat.*).
 *
 * ANALYZE and VACUUM have nothing to undo, and the plan says so; table
 * options are undone from the reloptions saved just before applying.
 *
 * @module
 */
import type pg from 'pg';
import { restoreTableOptions } from './executors.js';
import { qualifiedName } from './pg-session.js';
import type { Action } from './types.js';

/** Thresholds of the maintenance advisor. */
export interface MaintenanceOptions {
  /** Rows modified since the last ANALYZE, as a share of live rows. Default 0.2. */
  staleShare?: number;
  /** ...and at least this many. Default 1000. */
  staleMinRows?: number;
  /** Dead tuples over live + dead. Default 0.1. */
  deadShare?: number;
  /** ...and at least this many. Default 10 000. */
  deadMinRows?: number;
  /** Live rows from which a table gets tighter autovacuum scale factors. Default 1 000 000. */
  bigTableRows?: number;
}

interface TableRow {
  schema: string;
  name: string;
  live: number;
  dead: number;
  modified: number;
  analyzed: boolean;
  reloptions: string[] | null;
}

const NO_UNDO = 'ANALYZE and VACUUM only refresh statistics and free space: there is nothing to undo';

/** Plan maintenance actions from the live statistics of the user tables. */
export async function adviseMaintenance(client: pg.Client, options: MaintenanceOptions = {}): Promise<Action[]> {
  const rows = await client.query<TableRow>(
    `SELECT s.schemaname AS schema, s.relname AS name, s.n_live_tup::float8 AS live, s.n_dead_tup::float8 AS dead,
            s.n_mod_since_analyze::float8 AS modified,
            (s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL) AS analyzed, c.reloptions
       FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid`,
  );
  const actions: Action[] = [];
  for (const t of rows.rows) {
    const target = qualifiedName(t.schema, t.name);
    const label = `${t.schema}.${t.name}`;
    const deadShare = t.dead / Math.max(1, t.live + t.dead);
    const staleShare = t.modified / Math.max(1, t.live);
    const bloated = t.dead >= (options.deadMinRows ?? 10_000) && deadShare >= (options.deadShare ?? 0.1);
    const stale = t.modified >= (options.staleMinRows ?? 1000) && (staleShare >= (options.staleShare ?? 0.2) || !t.analyzed);
    const evidence = [
      { label: 'live rows', value: t.live, source: 'pg_stat_user_tables' },
      { label: 'dead rows', value: t.dead, source: 'pg_stat_user_tables' },
      { label: 'rows modified since last analyze', value: t.modified, source: 'pg_stat_user_tables' },
    ];
    if (bloated || stale) {
      const sql = bloated ? `VACUUM (ANALYZE) ${target}` : `ANALYZE ${target}`;
      actions.push({
        id: `pg-maintenance:${bloated ? 'vacuum' : 'analyze'}:${label}`,
        kind: 'pg-maintenance',
        component: 'database',
        target: label,
        // VACUUM takes no lock that blocks reads or writes, but reads the whole table: moderate.
        risk: bloated ? 'moderate' : 'safe',
        title: bloated ? `VACUUM (ANALYZE) ${label}` : `ANALYZE ${label}`,
        rationale: bloated
          ? `${(deadShare * 100).toFixed(0)} % of the rows are dead (${t.dead}); vacuum frees the space for reuse and refreshes statistics.`
          : `${t.modified} rows changed since the statistics were last gathered${t.analyzed ? '' : ' (never analyzed)'}; the planner estimates from stale numbers.`,
        evidence,
        changes: [
          {
            id: `pg-maintenance:${label}#run`,
            system: 'postgres',
            op: 'maintenance',
            description: sql,
            statements: [sql],
            undo: [],
            undoNote: NO_UNDO,
            params: { schema: t.schema, table: t.name },
          },
        ],
        applicable: true,
      });
    }
    const opts = Object.fromEntries((t.reloptions ?? []).map((o) => [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)]));
    const disabled = opts.autovacuum_enabled === 'false' || opts.autovacuum_enabled === 'off';
    const big = t.live >= (options.bigTableRows ?? 1_000_000) && opts.autovacuum_vacuum_scale_factor === undefined;
    if (disabled || big) {
      const keys = disabled ? ['autovacuum_enabled'] : ['autovacuum_vacuum_scale_factor', 'autovacuum_analyze_scale_factor'];
      const sql = disabled
        ? `ALTER TABLE ${target} RESET (autovacuum_enabled)`
        : `ALTER TABLE ${target} SET (autovacuum_vacuum_scale_factor = '0.05', autovacuum_analyze_scale_factor = '0.02')`;
      actions.push({
        id: `pg-maintenance:autovacuum:${label}`,
        kind: 'pg-maintenance',
        component: 'database',
        target: label,
        risk: 'moderate',
        title: disabled ? `Re-enable autovacuum on ${label}` : `Tighter autovacuum scale factors on ${label}`,
        rationale: disabled
          ? 'autovacuum is disabled on this table: dead rows and stale statistics accumulate until someone vacuums by hand.'
          : `With the default scale factors (0.2 / 0.1) autovacuum waits for ${Math.round(t.live * 0.2)} dead rows on this ${t.live}-row table; 0.05 / 0.02 keeps it ahead.`,
        evidence: [...evidence, { label: 'table options', value: (t.reloptions ?? []).join(', ') || 'none', source: 'pg_class.reloptions' }],
        changes: [
          {
            id: `pg-maintenance:autovacuum:${label}#set`,
            system: 'postgres',
            op: 'table-options',
            description: sql,
            statements: [sql],
            undo: restoreTableOptions(t.schema, t.name, keys, opts),
            undoNote: 'the previous options are read and journaled just before applying',
            params: { schema: t.schema, table: t.name, keys },
          },
        ],
        applicable: true,
      });
    }
  }
  return actions;
}
