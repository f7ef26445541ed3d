/**
 * Optimize: turn a run's evidence into actions (dry run by default), apply
 * them with a journal, and roll them back.
 *
 * - {@link planOptimizations}: the dry run. It reads the database (HypoPG
 *   hypothetical indexes, settings, statistics) but changes nothing.
 * - {@link applyPlan}: runs the plan's applicable actions, journaling first.
 * - {@link rollbackJournal}: undoes a journal, also after a crash.
 * - {@link listJournals}: the journals, newest first.
 *
 * @module
 */
import type { RunResult } from '../result/types.js';
import { isPostgresEvidence } from '../probes/postgres/types.js';
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

export { applyPlan, rollbackJournal, type ApplyOptions, type RollbackOptions } from './apply.js';
export { listJournals, readJournal, DEFAULT_JOURNAL_DIR } from './journal.js';
export { redactUrl } from './redact.js';
export type * from './types.js';
export { STRATEGY_RISKS } from './types.js';

/** Options of {@link planOptimizations}. */
export interface PlanOptions {
  /** The run's database; without it no database action is planned. */
  pgUrl?: string;
  /** The run's Redis; without it Redis actions are planned from the run's evidence only. */
  redisUrl?: string;
  /** Default `balanced`. */
  strategy?: Strategy;
  /** Only actions on this component. */
  component?: Component;
  /** Index advisor thresholds. */
  index?: IndexAdvisorOptions;
  /**
   * The database machine for pg-config (PgTune). Memory and CPUs default to
   * the run's machine when the database is local (localhost or a socket);
   * otherwise pg-config is skipped with a note unless they are given.
   */
  config?: Partial<PgConfigOptions>;
  /** Index-removal thresholds. */
  dropIndex?: DropIndexOptions;
  /** Maintenance thresholds. */
  maintenance?: MaintenanceOptions;
}

/** Strategies, in order of boldness. */
export const STRATEGIES: readonly Strategy[] = ['conservative', 'balanced', 'aggressive'];

/**
 * Plan optimizations for a run (the dry run). Never changes the database:
 * index proposals use HypoPG hypothetical indexes in a private session.
 */
export async function planOptimizations(result: RunResult, options: PlanOptions = {}): Promise<OptimizationPlan> {
  const strategy = options.strategy ?? 'balanced';
  const notes: string[] = [];
  const candidates: Action[] = [];
  const wants = (component: Component): boolean => options.component === undefined || options.component === component;
  const pgEvidence = (result.probes ?? []).find((p) => isPostgresEvidence(p) && p.ok);

  if (wants('database')) {
    if (!pgEvidence || !isPostgresEvidence(pgEvidence)) {
      notes.push('the run has no PostgreSQL evidence: run with a postgres probe to get database actions');
    } else if (!options.pgUrl) {
      notes.push('no --pg URL: database actions need a connection to the run\'s database (for HypoPG and current settings)');
    } else {
      const client = await openPgSession(options.pgUrl, 'tuneup-optimize-plan');
      try {
        const statements = pgEvidence.data.statements ?? [];
        if (!pgEvidence.data.statementsStatus?.available) notes.push('pg_stat_statements was not available during the run: no index proposals');
        const advice = await adviseIndexes(client, statements, options.index);
        candidates.push(...advice.actions);
        notes.push(...advice.notes);
        candidates.push(...(await adviseIndexRemoval(client, pgEvidence.data.indexes ?? [], options.dropIndex)));
        candidates.push(...(await adviseMaintenance(client, options.maintenance)));
        const machine = databaseMachine(result, options.pgUrl, options.config);
        if (machine) {
          const config = await adviseConfig(client, machine);
          candidates.push(...config.actions);
          notes.push(...config.notes);
        } else {
          notes.push('pg-config skipped: the database machine\'s memory and CPUs are unknown (pass --db-memory and --db-cpus; they default to this machine only for a local database)');
        }
      } finally {
        await closePgSession(client);
      }
    }
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

  const admitted = STRATEGY_RISKS[strategy];
  const actions = candidates.filter((a) => admitted.includes(a.risk));
  const skipped = candidates
    .filter((a) => !admitted.includes(a.risk))
    .map((a) => ({ id: a.id, reason: `${a.risk} action: needs --strategy ${a.risk === 'disruptive' ? 'aggressive' : 'balanced'}` }));
  attachFindings(actions, result);
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
  };
}

/** PgTune's machine inputs: given, or the run's machine when the database runs on it. */
function databaseMachine(result: RunResult, pgUrl: string, given: Partial<PgConfigOptions> | undefined): PgConfigOptions | null {
  let local = false;
  try {
    const host = new URL(pgUrl).hostname;
    local = host === '' || host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.startsWith('%2F');
  } catch {
    local = false;
  }
  const memoryBytes = given?.memoryBytes ?? (local ? result.environment?.totalMemoryBytes : undefined);
  const cpus = given?.cpus ?? (local ? result.environment?.cpus : undefined);
  if (!memoryBytes || !cpus) return null;
  return { ...given, memoryBytes, cpus };
}

/**
 * Link actions to the findings they address. Diagnosis names the action
 * *kind* in `Finding.actions` (e.g. `pg-index`); the subject in the finding
 * id (`missing-index:public.orders(user_id)`) tells which target.
 */
function attachFindings(actions: Action[], result: RunResult): void {
  for (const action of actions) {
    if (action.kind === 'code-advice') continue;
    const table = action.target.split('.').pop() ?? action.target;
    const ids = (result.findings ?? [])
      .filter(
        (f) =>
          f.actions?.includes(action.id) ||
          (f.actions?.includes(action.kind) && (action.kind === 'redis-config' || f.id.includes(action.target) || f.id.includes(`.${table}`) || f.id.includes(`:${table}`))),
      )
      .map((f) => f.id);
    if (ids.length > 0) action.findings = ids;
  }
}
