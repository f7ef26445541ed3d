/**
 * Optimize: turn a run's evidence into actions (dry run by default), apply
 * them with a journal, and roll them back.
 *
 * - {@link planOptimizations}: the dry run. It reads the database (HypoPG
 *   hypothetical indexes, settings, statistics) but changes nothing: when
 *   HypoPG is installed but not created, it is created inside a transaction
 *   that is rolled back.
 * - {@link applyPlan}: runs the actions that fix a finding of the run
 *   (others only when named with `only`), journaling first.
 * - {@link rollbackJournal}: undoes a journal, also after a crash.
 * - {@link listJournals}: the journals, newest first.
 *
 * @module
 */
import type pg from 'pg';
import type { RunResult } from '../result/types.js';
import { isPostgresEvidence } from '../probes/postgres/types.js';
import { TuneupError } from '../errors.js';
import { isLocalDatabase, readServerHost, type DbHost } from './db-host.js';
import { adviseConfig, type PgConfigOptions } from './pg-config.js';
import { adviseIndexRemoval, type DropIndexOptions } from './pg-drop-index.js';
import { adviseIndexes, type IndexAdvisorOptions } from './pg-index.js';
import { adviseMaintenance, type MaintenanceOptions } from './pg-maintenance.js';
import { closePgSession, openPgSession } from './pg-session.js';
import { openRedis } from './apply.js';
import { adviseCode } from './code-advice.js';
import { adviseRedisConfig } from './redis-config.js';
import { redactUrl } from './redact.js';
import { STRATEGY_RISKS, type Action, type Component, type OptimizationPlan, type Strategy } from './types.js';

export { applyPlan, rollbackJournal, selectForApply, type ApplyOptions, type RollbackOptions } from './apply.js';
export { listJournals, readJournal, DEFAULT_JOURNAL_DIR } from './journal.js';
export { redactUrl } from './redact.js';
export type * from './types.js';
export { STRATEGIES, STRATEGY_RISKS } from './types.js';

/** Options of {@link planOptimizations}. */
export interface PlanOptions {
  /** The run's database; without it no database action is planned. */
  pgUrl?: string;
  /** The run's Redis; without it Redis actions are planned from the run's evidence only. */
  redisUrl?: string;
  /** Default `balanced`. */
  strategy?: Strategy;
  /**
   * Only actions on this component. `config` (global PostgreSQL settings)
   * is planned only when asked for here.
   */
  component?: Component;
  /** Index advisor thresholds. */
  index?: IndexAdvisorOptions;
  /**
   * The database host for pg-config (PgTune). Memory and CPUs not given are
   * read from the server (superuser or pg_read_server_files), else taken
   * from the run's machine when the database is local; otherwise planning
   * `config` fails with `TUNEUP_OPTION_MISSING` naming `--db-memory`/`--db-cpus`.
   */
  config?: Partial<PgConfigOptions>;
  /** Index-removal thresholds. */
  dropIndex?: DropIndexOptions;
  /** Maintenance thresholds. */
  maintenance?: MaintenanceOptions;
}

/** Why an action no finding of this run asks for is not applied by default. */
export const NOT_FROM_FINDINGS = "not proposed by this run's findings: apply it only by naming it with --only ID";

/** Why a Redis change a finding asks for still needs an explicit ask. */
const SHARED_REDIS =
  'Redis configuration is server-wide: a limit or eviction policy also applies to other applications\' keys. Apply it only by naming it with --only ID';

/**
 * Plan optimizations for a run (the dry run). Never changes the database:
 * index proposals use HypoPG hypothetical indexes in a private session,
 * inside a transaction that is rolled back.
 */
export async function planOptimizations(result: RunResult, options: PlanOptions = {}): Promise<OptimizationPlan> {
  const strategy = options.strategy ?? 'balanced';
  const notes: string[] = [];
  const candidates: Action[] = [];
  let dbHost: DbHost | undefined;
  const wants = (component: Component): boolean =>
    component === 'config' ? options.component === 'config' : options.component === undefined || options.component === component;
  const pgEvidence = (result.probes ?? []).find((p) => isPostgresEvidence(p) && p.ok);

  if (wants('database') || wants('config')) {
    if (!pgEvidence || !isPostgresEvidence(pgEvidence)) {
      notes.push('the run has no PostgreSQL evidence: run with a postgres probe to get database actions');
    } else if (!options.pgUrl) {
      notes.push('no --pg URL: database actions need a connection to the run\'s database (for HypoPG and current settings)');
    } else {
      const client = await openPgSession(options.pgUrl, 'tuneup-optimize-plan');
      try {
        if (wants('database')) {
          const statements = pgEvidence.data.statements ?? [];
          if (!pgEvidence.data.statementsStatus?.available) notes.push('pg_stat_statements was not available during the run: no index proposals');
          const advice = await adviseIndexes(client, statements, options.index);
          candidates.push(...advice.actions);
          notes.push(...advice.notes);
          candidates.push(...(await adviseIndexRemoval(client, pgEvidence.data.indexes ?? [], options.dropIndex)));
          candidates.push(...(await adviseMaintenance(client, options.maintenance)));
        }
        if (wants('config')) {
          dbHost = await databaseHost(client, result, options.pgUrl, options.config);
          const config = await adviseConfig(client, dbHost, options.config);
          candidates.push(...config.actions);
          notes.push(...config.notes);
        }
      } finally {
        await closePgSession(client);
      }
    }
  }
  if (options.component === undefined) {
    const asking = (result.findings ?? []).filter((f) => f.actions?.includes('pg-config')).map((f) => f.id);
    notes.push(
      'global PostgreSQL settings are planned only with --component config (sized from the database host: read from the server, or --db-memory/--db-cpus)' +
        (asking.length > 0 ? `; findings asking for them: ${asking.join(', ')}` : ''),
    );
  }

  if (wants('cache')) {
    if (options.redisUrl) {
      const redis = await openRedis(options.redisUrl);
      try {
        candidates.push(...(await adviseRedisConfig(result, redis)));
      } finally {
        await redis.close().catch(() => undefined);
      }
    } else if ((result.probes ?? []).some((p) => p.probe === 'redis')) {
      notes.push('no --redis URL: Redis configuration actions need a connection to read the current configuration');
    }
  }
  if (options.component === undefined) candidates.push(...adviseCode(result));

  attachFindings(candidates, result);
  for (const action of candidates) markOptIn(action, options.component);
  const admitted = STRATEGY_RISKS[strategy];
  const actions = candidates.filter((a) => admitted.includes(a.risk));
  const skipped = candidates
    .filter((a) => !admitted.includes(a.risk))
    .map((a) => ({ id: a.id, reason: `${a.risk} action: needs --strategy ${a.risk === 'disruptive' ? 'aggressive' : 'balanced'}` }));
  // Finding-linked actions first: they are what this run asks for.
  actions.sort((a, b) => Number(a.optIn !== undefined) - Number(b.optIn !== undefined));
  return {
    schemaVersion: 1,
    runId: result.id,
    createdAt: Date.now(),
    strategy,
    ...(options.component ? { component: options.component } : {}),
    targets: {
      ...(options.pgUrl ? { pg: redactUrl(options.pgUrl) } : {}),
      ...(options.redisUrl ? { redis: redactUrl(options.redisUrl) } : {}),
    },
    actions,
    skipped,
    notes,
    ...(dbHost ? { dbHost } : {}),
  };
}

/**
 * Which actions `--apply` runs without being named: those that fix a
 * finding of this run. Global settings asked for with `--component config`
 * count as asked. Redis changes always need naming; without a finding
 * asking for them they are proposals only.
 */
function markOptIn(action: Action, component: Component | undefined): void {
  if (action.kind === 'code-advice') return;
  const linked = (action.findings?.length ?? 0) > 0;
  if (action.kind === 'redis-config') {
    if (linked) action.optIn = SHARED_REDIS;
    else {
      action.applicable = false;
      action.proposalOnlyReason ??= "no finding of this run asks for it, and Redis configuration is server-wide (other applications' keys too)";
    }
    return;
  }
  if (action.kind === 'pg-config' && component === 'config') return;
  if (!linked) action.optIn = NOT_FROM_FINDINGS;
}

/**
 * The database host's resources: given, read from the server, or the run's
 * machine when the database is local. Throws `TUNEUP_OPTION_MISSING` when
 * none applies: sizing from the wrong machine is worse than not sizing.
 */
async function databaseHost(client: pg.Client, result: RunResult, pgUrl: string, given: Partial<PgConfigOptions> | undefined): Promise<DbHost> {
  const sources: string[] = [];
  let memoryBytes = given?.memoryBytes;
  let cpus = given?.cpus;
  if (memoryBytes !== undefined || cpus !== undefined) sources.push('given');
  if (memoryBytes === undefined || cpus === undefined) {
    const server = await readServerHost(client);
    if (server && ((memoryBytes === undefined && server.memoryBytes) || (cpus === undefined && server.cpus))) {
      memoryBytes ??= server.memoryBytes;
      cpus ??= server.cpus;
      sources.push('read from the server (/proc/meminfo, online CPUs, cgroup limits)');
    }
  }
  if ((memoryBytes === undefined || cpus === undefined) && isLocalDatabase(pgUrl)) {
    const env = result.environment;
    if ((memoryBytes === undefined && env?.totalMemoryBytes) || (cpus === undefined && env?.cpus)) {
      memoryBytes ??= env?.totalMemoryBytes;
      cpus ??= env?.cpus;
      sources.push("the run's machine (the database is local)");
    }
  }
  if (!memoryBytes || !cpus) {
    throw new TuneupError('TUNEUP_OPTION_MISSING', "global PostgreSQL settings need the database host's memory and CPUs, and they could not be read from the server", {
      location: '--db-memory',
      hint:
        'pass them, e.g. --db-memory 16GiB --db-cpus 4 (the database host, not this machine), or plan with a role that may read server files ' +
        '(superuser or pg_read_server_files)',
    });
  }
  return { memoryBytes, cpus, source: sources.join(' and ') };
}

/**
 * Link actions to the findings of this run they fix, from the finding's
 * rule, subject (`id` is `rule:subject`) and the action kinds it names:
 * - pg-index: missing-index on the same table; inefficient-query of a statement the index helps;
 * - pg-drop-index: duplicate-, unused- or invalid-index of that index;
 * - pg-maintenance: stale-statistics / table-bloat of that table;
 * - pg-config: a finding about that setting (`shared_buffers`, `work_mem:<queryid>`);
 * - redis-config maxmemory: evictions or memory near maxmemory.
 */
function attachFindings(actions: Action[], result: RunResult): void {
  for (const action of actions) {
    if (action.kind === 'code-advice') continue;
    const ids = (result.findings ?? [])
      .filter((f) => f.actions?.includes(action.id) || (f.actions?.includes(action.kind) || action.kind === 'pg-drop-index') && fixes(action, f.id))
      .map((f) => f.id);
    if (ids.length > 0) action.findings = ids;
  }
}

function fixes(action: Action, findingId: string): boolean {
  const colon = findingId.indexOf(':');
  const rule = findingId.slice(0, colon);
  const subject = findingId.slice(colon + 1);
  switch (action.kind) {
    case 'pg-index':
      if (rule === 'missing-index') return subject === action.target || subject.startsWith(`${action.target}(`);
      if (rule === 'inefficient-query') return (action.estimates ?? []).some((e) => e.queryid === subject);
      return false;
    case 'pg-drop-index':
      return ['duplicate-index', 'unused-index', 'invalid-index'].includes(rule) && action.id === `pg-drop-index:${subject}`;
    case 'pg-maintenance':
      return ['stale-statistics', 'table-bloat'].includes(rule) && subject === action.target;
    case 'pg-config':
      return subject === action.target || subject.startsWith(`${action.target}:`);
    case 'redis-config':
      return action.target === 'maxmemory' && ['evictions', 'maxmemory'].includes(subject);
    default:
      return false;
  }
}
