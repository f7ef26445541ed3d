/**
 * Deciding what the postgres probe can see, and saying how to fix what it
 * cannot: pg_stat_statements availability (PgHero's "Query stats not
 * enabled" check), privileges, and statistics settings.
 *
 * @module
 */
import type { StatementsStatus } from './types.js';
import type { Queryable, ServerInfo, SettingRow, StatementsProbe } from './queries.js';
import { PROBE_MARKER, readStatementsInstallation } from './queries.js';

/**
 * Check pg_stat_statements: installed, preloaded, created in this database,
 * tracking, and readable. Never throws for a missing extension; the result
 * says what is missing and the exact steps to enable it.
 */
export async function checkStatements(db: Queryable, server: ServerInfo): Promise<StatementsStatus> {
  const install = await readStatementsInstallation(db);
  const unavailable = diagnoseInstallation(install, server.database);
  if (unavailable) return unavailable;
  try {
    await db.query(`SELECT /* ${PROBE_MARKER} */ 1 FROM pg_stat_statements(false) LIMIT 1`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      available: false,
      version: install.extensionVersion,
      track: install.track,
      limitation: `pg_stat_statements cannot be read: ${message}`,
      enable: /shared_preload_libraries/.test(message)
        ? preloadSteps(server.database, false)
        : `Grant the probe's role access: GRANT pg_read_all_stats TO ${server.currentUser};`,
    };
  }
  return { available: true, version: install.extensionVersion, track: install.track, limitation: null, enable: null };
}

/** The unavailable status implied by the installation state, or null when it looks usable. */
export function diagnoseInstallation(install: StatementsProbe, database: string): StatementsStatus | null {
  const base = { available: false, version: install.extensionVersion, track: install.track };
  if (install.availableVersion === null && install.extensionVersion === null) {
    return {
      ...base,
      limitation: 'pg_stat_statements is not installed on the server: per-statement times and calls are not measured.',
      enable:
        "Install PostgreSQL's contrib modules (Debian/Ubuntu: the postgresql-<major> package; RHEL: postgresql<major>-contrib), then " +
        preloadSteps(database, true),
    };
  }
  if (install.preloaded === false) {
    return {
      ...base,
      limitation: 'pg_stat_statements is not in shared_preload_libraries: per-statement times and calls are not measured.',
      enable: preloadSteps(database, install.extensionVersion === null),
    };
  }
  if (install.extensionVersion === null) {
    return {
      ...base,
      limitation: `The pg_stat_statements extension is not created in database "${database}": per-statement times and calls are not measured.`,
      enable:
        install.preloaded === true
          ? `Run in database "${database}": CREATE EXTENSION pg_stat_statements;`
          : `If pg_stat_statements is not yet in shared_preload_libraries, ${preloadSteps(database, true)} Otherwise run in database "${database}": CREATE EXTENSION pg_stat_statements;`,
    };
  }
  if (install.track === 'none') {
    return {
      ...base,
      limitation: 'pg_stat_statements.track is none: no statement is recorded.',
      enable: "ALTER SYSTEM SET pg_stat_statements.track = 'top'; SELECT pg_reload_conf();",
    };
  }
  return null;
}

function preloadSteps(database: string, needsCreate: boolean): string {
  return (
    "add pg_stat_statements to shared_preload_libraries in postgresql.conf (e.g. ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'; " +
    'keep any libraries already listed), restart PostgreSQL' +
    (needsCreate ? `, then run in database "${database}": CREATE EXTENSION pg_stat_statements;` : '.')
  );
}

/** Limitations from privileges and statistics settings (besides pg_stat_statements). */
export function settingLimitations(server: ServerInfo, settings: SettingRow[]): string[] {
  const out: string[] = [];
  const value = (name: string): string | undefined => settings.find((s) => s.name === name)?.setting;
  if (!server.canReadAllStats) {
    out.push(
      `Role ${server.currentUser} is neither superuser nor a member of pg_read_all_stats: other roles' queries and statement texts are hidden. ` +
        `Fix: GRANT pg_read_all_stats TO ${server.currentUser};`,
    );
  }
  if (value('track_counts') === 'off') {
    out.push('track_counts is off: table and index scan counters do not move. Fix: ALTER SYSTEM SET track_counts = on; SELECT pg_reload_conf();');
  }
  if (value('track_activities') === 'off') {
    out.push('track_activities is off: pg_stat_activity shows no queries or wait events. Fix: ALTER SYSTEM SET track_activities = on; SELECT pg_reload_conf();');
  }
  if (value('track_io_timing') === 'off') {
    out.push('track_io_timing is off: block read/write times are not measured (they read 0). Fix: ALTER SYSTEM SET track_io_timing = on; SELECT pg_reload_conf();');
  }
  return out;
}
