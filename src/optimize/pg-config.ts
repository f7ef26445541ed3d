/**
 * pg-config: PgTune's recommendation for the database host against the
 * server's current settings, planned only when asked (`--component config`).
 *
 * What an expert would sign off, not the raw formula:
 * - sized from the database host's resources ({@link DbHost}), never from
 *   the machine tuneup runs on;
 * - `max_connections` is never proposed: raising it costs memory per
 *   connection and hides pool problems. The server's own max_connections is
 *   PgTune's connection input, so work_mem is sized for the connections the
 *   server really allows;
 * - shared_buffers is capped at twice the data size (at least 128 MiB): a
 *   cache larger than the data holds nothing and takes memory from the host;
 *   work_mem and maintenance_work_mem at the data size (a sort or a vacuum
 *   of a 40 MiB database never needs 1.5 GiB, and autovacuum workers may
 *   each take maintenance_work_mem);
 * - min_wal_size / max_wal_size only when checkpoints are WAL-driven
 *   (`pg_stat_bgwriter.checkpoints_req` above `checkpoints_timed`): otherwise
 *   a bigger WAL only takes disk and lengthens crash recovery;
 * - resource settings are only raised (a value at or above the target is
 *   left alone), random_page_cost only lowered, and huge_pages only turned
 *   from `off` to `try`;
 * - titles show sizes in human units: `shared_buffers 5.9 GiB (now 128 MiB)`.
 *
 * Reloadable settings (`pg_settings.context` `user`, `superuser` or
 * `sighup`) become `ALTER SYSTEM SET …` + `pg_reload_conf()` changes, undone
 * with the saved previous value (or `ALTER SYSTEM RESET` when
 * postgresql.auto.conf did not set it). Settings that need a restart
 * (`postmaster`) are proposals only.
 *
 * @module
 */
import type pg from 'pg';
import type { DbHost } from './db-host.js';
import { quoteIdent, quoteLiteral } from './pg-session.js';
import { formatKb, pgtune, type StorageType, type TunedSetting, type WorkloadType } from './pgtune.js';
import type { Action } from './types.js';
import { formatSize } from './units.js';

/** The database host and workload (PgTune's inputs). */
export interface PgConfigOptions {
  memoryBytes: number;
  cpus: number;
  /** Default `web` (an HTTP service's database). */
  workload?: WorkloadType;
  /** Default `ssd`. */
  storage?: StorageType;
  /** Connections to size work_mem for. Default: the server's max_connections. */
  connections?: number;
  /** Relative difference below which a numeric setting is left alone. Default 0.1. */
  tolerance?: number;
}

interface SettingRow {
  name: string;
  setting: string;
  unit: string | null;
  context: string;
  vartype: string;
  enumvals: string[] | null;
}

const UNIT_KB: Record<string, number> = { kB: 1, '8kB': 8, MB: 1024, GB: 1048576 };

/** Settings where more means more resources: only ever raised. */
const RAISE_ONLY = new Set([
  'shared_buffers',
  'effective_cache_size',
  'maintenance_work_mem',
  'wal_buffers',
  'work_mem',
  'min_wal_size',
  'max_wal_size',
  'default_statistics_target',
  'effective_io_concurrency',
  'checkpoint_completion_target',
  'max_worker_processes',
  'max_parallel_workers_per_gather',
  'max_parallel_workers',
  'max_parallel_maintenance_workers',
]);

/** Never proposed (see the module comment). */
const NEVER = new Set(['max_connections']);

/** A memory setting's current value in kB, or null when it is not a memory setting. */
function currentKb(row: SettingRow): number | null {
  const factor = row.unit ? UNIT_KB[row.unit] : undefined;
  if (factor === undefined) return null;
  const n = Number(row.setting);
  return n < 0 ? null : n * factor;
}

/** The current value as a person reads it: `128 MiB`, `4`, `on`. */
function currentText(row: SettingRow): string {
  const kb = currentKb(row);
  if (kb !== null) return formatSize(kb * 1024);
  return `${row.setting}${row.unit ? ` ${row.unit}` : ''}`;
}

function targetText(tuned: TunedSetting): string {
  return tuned.kb !== null ? formatSize(tuned.kb * 1024) : tuned.value;
}

/** Why a recommended setting is left alone, or null when it should be proposed. */
function leaveAlone(row: SettingRow, tuned: TunedSetting, tolerance: number): string | null {
  if (tuned.kb !== null) {
    const kb = currentKb(row);
    if (kb === null) return 'derived from another setting'; // -1, e.g. wal_buffers: leave it
    if (kb >= tuned.kb) return 'already at or above the target';
    return (tuned.kb - kb) / Math.max(tuned.kb, 1) > tolerance ? null : 'within tolerance';
  }
  const a = Number(row.setting);
  const b = Number(tuned.value);
  if (Number.isFinite(a) && Number.isFinite(b) && row.vartype !== 'enum' && row.vartype !== 'bool') {
    if (RAISE_ONLY.has(tuned.name) && a >= b) return 'already at or above the target';
    if (tuned.name === 'random_page_cost' && a <= b) return 'already at or below the target';
    return Math.abs(a - b) / Math.max(Math.abs(b), 1e-9) > tolerance ? null : 'within tolerance';
  }
  if (tuned.name === 'huge_pages' && !(row.setting === 'off' && tuned.value === 'try')) return 'only turned from off to try';
  return row.setting.toLowerCase() === tuned.value.toLowerCase() ? 'already set' : null;
}

/** Settings capped at the data size (never below PgTune's floor for them). */
const DATA_CAPPED = new Set(['work_mem', 'maintenance_work_mem']);

/** Checkpoints since the statistics reset: timed (checkpoint_timeout) and requested (WAL volume, or by hand). */
async function checkpoints(client: pg.Client): Promise<{ timed: number; requested: number } | null> {
  try {
    const res = await client.query<{ timed: string; requested: string }>('SELECT checkpoints_timed::text AS timed, checkpoints_req::text AS requested FROM pg_stat_bgwriter');
    const row = res.rows[0];
    return row ? { timed: Number(row.timed), requested: Number(row.requested) } : null;
  } catch {
    return null; // PostgreSQL 17 moved these to pg_stat_checkpointer
  }
}

/** Data size of the cluster, for the shared_buffers cap. */
async function clusterDataBytes(client: pg.Client): Promise<number> {
  const res = await client.query<{ bytes: string }>('SELECT sum(pg_database_size(oid))::bigint::text AS bytes FROM pg_database WHERE datallowconn');
  return Number(res.rows[0]?.bytes ?? 0);
}

/** Plan pg-config actions on a live session for the given database host. */
export async function adviseConfig(
  client: pg.Client,
  host: DbHost,
  options: Omit<PgConfigOptions, 'memoryBytes' | 'cpus'> = {},
): Promise<{ actions: Action[]; notes: string[] }> {
  const version = Number((await client.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v")).rows[0]?.v ?? 0);
  const maxConnections = Number((await client.query<{ v: string }>("SELECT current_setting('max_connections') AS v")).rows[0]?.v ?? 100);
  const dataBytes = await clusterDataBytes(client);
  const capBytes = Math.max(128 * 1024 ** 2, 2 * dataBytes);
  const workload = options.workload ?? 'web';
  const storage = options.storage ?? 'ssd';
  const tuned = pgtune({
    memoryBytes: host.memoryBytes,
    cpus: host.cpus,
    workload,
    storage,
    majorVersion: Math.floor(version / 10000) || 15,
    connections: options.connections ?? maxConnections,
    sharedBuffersCapBytes: capBytes,
  })
    .filter((t) => !NEVER.has(t.name))
    .map((t) => {
      if (!DATA_CAPPED.has(t.name) || t.kb === null) return t;
      const capKb = Math.ceil(dataBytes / 1024 ** 2) * 1024;
      return capKb < t.kb ? { ...t, kb: capKb, value: formatKb(capKb) } : t;
    });
  const cp = await checkpoints(client);
  const walDriven = cp !== null && cp.requested > cp.timed;
  const rows = await client.query<SettingRow>(
    'SELECT name, setting, unit, context, vartype, enumvals FROM pg_settings WHERE name = ANY($1)',
    [tuned.map((t) => t.name)],
  );
  const byName = new Map(rows.rows.map((r) => [r.name, r]));
  const machine = `${formatSize(host.memoryBytes)} RAM, ${host.cpus} CPU (${host.source}), ${workload} workload, ${storage}`;
  const notes: string[] = [
    `PostgreSQL settings sized for the database host: ${machine}; work_mem for its max_connections ${maxConnections}; ` +
      `shared_buffers at most ${formatSize(capBytes)} (twice the ${formatSize(dataBytes)} of data, at least 128 MiB), work_mem and maintenance_work_mem ` +
      `at most the data size; max_connections is never raised`,
  ];
  if (!walDriven) {
    notes.push(
      `min_wal_size/max_wal_size left alone: checkpoints are not WAL-driven${cp ? ` (${cp.timed} timed, ${cp.requested} requested since the statistics reset)` : ''}`,
    );
  }
  const actions: Action[] = [];
  for (const t of tuned) {
    if ((t.name === 'min_wal_size' || t.name === 'max_wal_size') && !walDriven) continue;
    const row = byName.get(t.name);
    if (!row || leaveAlone(row, t, options.tolerance ?? 0.1) !== null) continue;
    if (row.enumvals && !row.enumvals.map((v) => v.toLowerCase()).includes(t.value.toLowerCase())) {
      notes.push(`${t.name} = ${t.value} is not supported by this server (allowed: ${row.enumvals.join(', ')})`);
      continue;
    }
    const restart = row.context === 'postmaster' || row.context === 'internal';
    const current = currentText(row);
    const target = targetText(t);
    const set = `ALTER SYSTEM SET ${quoteIdent(t.name)} = ${quoteLiteral(t.value)}`;
    actions.push({
      id: `pg-config:${t.name}`,
      kind: 'pg-config',
      component: 'config',
      target: t.name,
      risk: 'moderate',
      title: `Set ${t.name} ${target} (now ${current})`,
      rationale:
        `PgTune's value for ${machine}. ` +
        (restart
          ? 'This setting needs a server restart, so tuneup only proposes it.'
          : `Context ${row.context}: takes effect on reload${row.context === 'user' || row.context === 'superuser' ? ' for new sessions' : ''}.`),
      evidence: [
        { label: 'current', value: current, source: 'pg_settings' },
        { label: 'recommended', value: target, source: 'PgTune formula' },
        { label: 'context', value: row.context, source: 'pg_settings' },
        { label: 'database host', value: `${formatSize(host.memoryBytes)}, ${host.cpus} CPU`, source: host.source },
      ],
      changes: [
        {
          id: `pg-config:${t.name}#set`,
          system: 'postgres',
          op: 'alter-system',
          description: `ALTER SYSTEM ${t.name} = ${t.value}`,
          statements: [set, 'SELECT pg_reload_conf()'],
          // Refined at apply time with the value postgresql.auto.conf holds then.
          undo: [`ALTER SYSTEM RESET ${quoteIdent(t.name)}`, 'SELECT pg_reload_conf()'],
          undoNote: 'the previous value is read and journaled just before applying',
          params: { setting: t.name, value: t.value },
        },
      ],
      applicable: !restart,
      ...(restart ? { proposalOnlyReason: `${t.name} needs a restart (context postmaster): apply it in a maintenance window` } : {}),
    });
  }
  return { actions, notes };
}
