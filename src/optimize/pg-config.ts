/**
 * pg-config: PgTune's recommendation for the database machine against the
 * server's current settings. Reloadable settings (`pg_settings.context`
 * `user`, `superuser` or `sighup`) become `ALTER SYSTEM SET …` +
 * `pg_reload_conf()` changes, undone with the saved previous value (or
 * `ALTER SYSTEM RESET` when postgresql.auto.conf did not set it).
 * Settings that need a restart (`postmaster`) are proposals only.
 *
 * @module
 */
import type pg from 'pg';
import { quoteIdent, quoteLiteral } from './pg-session.js';
import { pgtune, type StorageType, type TunedSetting, type WorkloadType } from './pgtune.js';
import type { Action } from './types.js';

/** The database machine and workload (PgTune's inputs). */
export interface PgConfigOptions {
  memoryBytes: number;
  cpus: number;
  /** Default `web` (an HTTP service's database). */
  workload?: WorkloadType;
  /** Default `ssd`. */
  storage?: StorageType;
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

/** A memory setting's current value in kB, or null when it is not a memory setting. */
function currentKb(row: SettingRow): number | null {
  const factor = row.unit ? UNIT_KB[row.unit] : undefined;
  if (factor === undefined) return null;
  const n = Number(row.setting);
  return n < 0 ? null : n * factor;
}

function differs(row: SettingRow, tuned: TunedSetting, tolerance: number): boolean {
  if (tuned.kb !== null) {
    const kb = currentKb(row);
    if (kb === null) return false; // -1 means "derived from another setting" (e.g. wal_buffers): leave it
    return Math.abs(kb - tuned.kb) / Math.max(tuned.kb, 1) > tolerance;
  }
  const a = Number(row.setting);
  const b = Number(tuned.value);
  if (Number.isFinite(a) && Number.isFinite(b) && row.vartype !== 'enum' && row.vartype !== 'bool') {
    return Math.abs(a - b) / Math.max(Math.abs(b), 1e-9) > tolerance;
  }
  return row.setting.toLowerCase() !== tuned.value.toLowerCase();
}

/** Plan pg-config actions on a live session. */
export async function adviseConfig(client: pg.Client, options: PgConfigOptions): Promise<{ actions: Action[]; notes: string[] }> {
  const version = Number((await client.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v")).rows[0]?.v ?? 0);
  const workload = options.workload ?? 'web';
  const tuned = pgtune({
    memoryBytes: options.memoryBytes,
    cpus: options.cpus,
    workload,
    storage: options.storage ?? 'ssd',
    majorVersion: Math.floor(version / 10000) || 15,
    connections: options.connections,
  });
  const rows = await client.query<SettingRow>(
    'SELECT name, setting, unit, context, vartype, enumvals FROM pg_settings WHERE name = ANY($1)',
    [tuned.map((t) => t.name)],
  );
  const byName = new Map(rows.rows.map((r) => [r.name, r]));
  const notes: string[] = [];
  const actions: Action[] = [];
  const machine = `${(options.memoryBytes / 1024 ** 3).toFixed(1)} GiB RAM, ${options.cpus} CPU, ${workload} workload, ${options.storage ?? 'ssd'}`;
  for (const t of tuned) {
    const row = byName.get(t.name);
    if (!row || !differs(row, t, options.tolerance ?? 0.1)) continue;
    if (row.enumvals && !row.enumvals.map((v) => v.toLowerCase()).includes(t.value.toLowerCase())) {
      notes.push(`${t.name} = ${t.value} is not supported by this server (allowed: ${row.enumvals.join(', ')})`);
      continue;
    }
    const restart = row.context === 'postmaster' || row.context === 'internal';
    const current = `${row.setting}${row.unit ? ` × ${row.unit}` : ''}`;
    const set = `ALTER SYSTEM SET ${quoteIdent(t.name)} = ${quoteLiteral(t.value)}`;
    actions.push({
      id: `pg-config:${t.name}`,
      kind: 'pg-config',
      component: 'database',
      target: t.name,
      risk: 'moderate',
      title: `Set ${t.name} = ${t.value} (now ${current})`,
      rationale:
        `PgTune's value for ${machine}. ` +
        (restart
          ? 'This setting needs a server restart, so tuneup only proposes it.'
          : `Context ${row.context}: takes effect on reload${row.context === 'user' || row.context === 'superuser' ? ' for new sessions' : ''}.`),
      evidence: [
        { label: 'current', value: current, source: 'pg_settings' },
        { label: 'recommended', value: t.value, source: 'PgTune formula' },
        { label: 'context', value: row.context, source: 'pg_settings' },
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
