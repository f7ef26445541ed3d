/**
 * Index removal proposals (PgHero's duplicate and unused index checks):
 * - duplicate: a valid btree index whose keys are a prefix of another valid
 *   btree index on the same table (same predicate-less shape), not unique and
 *   not backing a constraint: `moderate`;
 * - unused: no scan during the run and none since the statistics were reset,
 *   at least `minUnusedBytes` big, not unique/primary: `disruptive` (a window
 *   without scans is weaker evidence: the index may serve a monthly report).
 * Apply is `DROP INDEX CONCURRENTLY`; rollback re-creates the index from the
 * definition saved just before dropping (`CREATE INDEX CONCURRENTLY IF NOT EXISTS`).
 *
 * HypoPG 1.3.1 (Debian 12) has no `hypopg_hide_index`, so the dry run cannot
 * show the plan without the index; the evidence is the catalog and scan counts.
 *
 * @module
 */
import type pg from 'pg';
import type { IndexDelta } from '../probes/postgres/types.js';
import { concurrentRecreate } from './executors.js';
import { formatBytes } from './pg-index.js';
import { qualifiedName } from './pg-session.js';
import type { Action } from './types.js';

/** Thresholds of the index-removal advisor. */
export interface DropIndexOptions {
  /** Smallest unused index worth dropping. Default 10 MiB. */
  minUnusedBytes?: number;
}

interface IndexRow {
  schema: string;
  table: string;
  name: string;
  keys: string[];
  definition: string;
  unique: boolean;
  constraint: boolean;
  size: number;
  scans: number;
}

/** Plan drop-index actions from the catalog and the run's index scan deltas. */
export async function adviseIndexRemoval(client: pg.Client, runIndexes: IndexDelta[], options: DropIndexOptions = {}): Promise<Action[]> {
  const res = await client.query<IndexRow>(
    `SELECT n.nspname AS schema, t.relname AS table, c.relname AS name,
            array(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS keys,
            pg_get_indexdef(i.indexrelid) AS definition, i.indisunique AS unique,
            EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid) AS constraint,
            pg_relation_size(i.indexrelid)::float8 AS size, COALESCE(s.idx_scan, 0)::float8 AS scans
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam
       LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
      WHERE i.indisvalid AND i.indpred IS NULL AND am.amname = 'btree'
        AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`,
  );
  const all = res.rows;
  const actions: Action[] = [];
  const proposed = new Set<string>();
  for (const a of all) {
    if (a.unique || a.constraint) continue;
    const cover = all.find(
      (b) => b !== a && b.schema === a.schema && b.table === a.table && b.keys.length >= a.keys.length && a.keys.every((k, i) => b.keys[i] === k) &&
        (b.keys.length > a.keys.length || b.unique || b.name < a.name),
    );
    if (cover) {
      proposed.add(`${a.schema}.${a.name}`);
      actions.push(dropAction(a, 'moderate', `duplicate of ${cover.name}`, `Its keys (${a.keys.join(', ')}) are a prefix of ${cover.schema}.${cover.name} (${cover.keys.join(', ')}), which serves the same lookups; every write pays for both.`, [
        { label: 'covered by', value: cover.definition, source: 'pg_index' },
      ]));
    }
  }
  const minBytes = options.minUnusedBytes ?? 10 * 1024 * 1024;
  for (const a of all) {
    if (a.unique || a.constraint || proposed.has(`${a.schema}.${a.name}`) || a.size < minBytes) continue;
    const run = runIndexes.find((r) => r.schema === a.schema && r.name === a.name);
    if (!run || run.idxScan > 0 || a.scans > 0) continue;
    actions.push(dropAction(a, 'disruptive', 'unused', `No scan during the run and none since the statistics were last reset; it costs ${formatBytes(a.size)} and slows every write. Check rarely-run jobs before dropping.`, [
      { label: 'scans during the run', value: run.idxScan, source: 'pg_stat_user_indexes' },
      { label: 'scans since stats reset', value: a.scans, source: 'pg_stat_user_indexes' },
    ]));
  }
  return actions;
}

function dropAction(index: IndexRow, risk: Action['risk'], why: string, rationale: string, extra: Action['evidence']): Action {
  const label = `${index.schema}.${index.name}`;
  return {
    id: `pg-drop-index:${label}`,
    kind: 'pg-drop-index',
    component: 'database',
    target: `${index.schema}.${index.table}`,
    risk,
    title: `Drop ${why} index ${label}`,
    rationale,
    evidence: [{ label: 'definition', value: index.definition, source: 'pg_get_indexdef' }, { label: 'size', value: index.size, unit: 'bytes', source: 'pg_relation_size' }, ...extra],
    changes: [
      {
        id: `pg-drop-index:${label}#drop`,
        system: 'postgres',
        op: 'drop-index',
        description: `drop index ${label}`,
        statements: [`DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(index.schema, index.name)}`],
        undo: [concurrentRecreate(index.definition)],
        params: { schema: index.schema, index: index.name, definition: index.definition },
      },
    ],
    applicable: true,
  };
}
