/**
 * Apply a plan and roll a journal back.
 *
 * Order of operations (the safety argument):
 * 1. the journal, listing every change with its exact statements and undo,
 *    is written and fsync'ed before any connection is used to change anything;
 * 2. per change: read the state it replaces, journal it and mark the step
 *    `started` (fsync), run it, mark it `applied` (fsync);
 * 3. on the first failure the step is marked `failed` and apply stops.
 * A crash anywhere leaves steps `started` or `failed` that rollback undoes
 * with idempotent statements; `pending` steps never ran and are left alone.
 *
 * PostgreSQL changes run under a session advisory lock (one tuneup apply or
 * rollback per database at a time) with `lock_timeout`, as Dexter does.
 *
 * @module
 */
import type pg from 'pg';
import { createClient } from 'redis';
import { ExitCode, TuneupError } from '../errors.js';
import { EXECUTORS, type ExecutionContext, type RedisCommander } from './executors.js';
import { newJournalId, readJournal, writeJournal } from './journal.js';
import { closePgSession, openPgSession } from './pg-session.js';
import { redactUrl } from './redact.js';
import type { JournalEntry, JournalStep, OptimizationPlan } from './types.js';
import { STRATEGY_RISKS } from './types.js';

/** Advisory lock key shared by every tuneup apply/rollback (an arbitrary constant, ours alone). */
export const ADVISORY_LOCK_KEY = 7_262_583_301;

/** Options of {@link applyPlan}. */
export interface ApplyOptions {
  journalDir: string;
  /** Name of the environment (recorded; the CLI requires it and confirms `production`). */
  environment: string;
  pgUrl?: string;
  redisUrl?: string;
  /** `lock_timeout` for DDL (ms). Default 5000 (Dexter). */
  lockTimeoutMs?: number;
  /**
   * Only these action ids. Default: every applicable action that fixes a
   * finding of the run (actions with `optIn` set run only when named here).
   */
  only?: string[];
  /**
   * Called after each step's state is journaled (`started` before it runs,
   * then `applied`/`skipped`). For progress output, and for tests that
   * simulate a crash between journaling and running.
   */
  onStep?: (step: JournalStep, entry: JournalEntry) => void | Promise<void>;
  /**
   * Stop between steps when aborted (Ctrl-C): the running statement is
   * finished (no half-built index), the rest stays `pending`, and apply
   * throws `TUNEUP_APPLY_INTERRUPTED` naming the journal to roll back.
   */
  signal?: AbortSignal;
}

/** Options of {@link rollbackJournal}. */
export interface RollbackOptions {
  journalDir: string;
  pgUrl?: string;
  redisUrl?: string;
  lockTimeoutMs?: number;
  onStep?: (step: JournalStep, entry: JournalEntry) => void | Promise<void>;
}

/**
 * The actions `applyPlan` runs: applicable, with changes, and either named
 * in `only` or (without `only`) not opt-in, i.e. fixing a finding of the run.
 */
export function selectForApply(plan: OptimizationPlan, only?: string[]): OptimizationPlan['actions'] {
  return plan.actions.filter((a) => a.applicable && a.changes.length > 0 && (only ? only.includes(a.id) : a.optIn === undefined));
}

/**
 * Apply the actions of a plan that fix a finding of the run (or those named
 * in `only`), journaling first.
 *
 * @returns the final journal entry (status `applied`)
 * @throws TuneupError `TUNEUP_APPLY_FAILED` (exit 113) when a change fails; the journal (id in the hint) can be rolled back
 */
export async function applyPlan(plan: OptimizationPlan, options: ApplyOptions): Promise<JournalEntry> {
  const admitted = STRATEGY_RISKS[plan.strategy];
  const actions = selectForApply(plan, options.only);
  for (const action of actions) {
    if (!admitted.includes(action.risk)) {
      throw new TuneupError('TUNEUP_APPLY_REFUSED', `action ${action.id} is ${action.risk}, which the ${plan.strategy} strategy does not allow`, {
        hint: action.risk === 'disruptive' ? 'disruptive actions need --strategy aggressive' : 'use a less conservative --strategy',
      });
    }
  }
  const entry: JournalEntry = {
    schemaVersion: 1,
    id: newJournalId(),
    runId: plan.runId,
    environment: options.environment,
    strategy: plan.strategy,
    createdAt: Date.now(),
    updatedAt: Date.now(),
    status: 'applying',
    targets: {
      ...(options.pgUrl ? { pg: redactUrl(options.pgUrl) } : plan.targets.pg ? { pg: plan.targets.pg } : {}),
      ...(options.redisUrl ? { redis: redactUrl(options.redisUrl) } : plan.targets.redis ? { redis: plan.targets.redis } : {}),
    },
    steps: actions.flatMap((a) => a.changes.map((change) => ({ actionId: a.id, change, state: 'pending' as const }))),
    proposalsOnly: plan.actions.filter((a) => !a.applicable).map((a) => a.id),
  };
  await writeJournal(options.journalDir, entry);

  const ctx = await openContext(entry.steps, options);
  try {
    for (const step of entry.steps) {
      if (options.signal?.aborted) {
        entry.status = 'failed';
        await writeJournal(options.journalDir, entry);
        const done = entry.steps.filter((x) => x.state === 'applied').length;
        throw new TuneupError('TUNEUP_APPLY_INTERRUPTED', `apply interrupted before ${step.change.description}; ${done === 0 ? 'nothing was changed' : `the ${done} step${done === 1 ? '' : 's'} before it ${done === 1 ? 'was' : 'were'} applied`}`, {
          hint: done === 0 ? `nothing to undo (journal ${entry.id})` : `undo ${done === 1 ? 'it' : 'them'} with \`tuneup rollback ${entry.id}\`, or keep ${done === 1 ? 'it' : 'them'}`,
        });
      }
      const executor = EXECUTORS[step.change.op];
      try {
        const inspection = await executor.inspect(step.change, ctx.exec);
        if (inspection.skip) {
          step.state = 'skipped';
          step.message = inspection.skip;
          await writeJournal(options.journalDir, entry);
          await options.onStep?.(step, entry);
          continue;
        }
        step.previous = inspection.previous;
        if (inspection.undo) step.change = { ...step.change, undo: inspection.undo };
        step.state = 'started';
        step.startedAt = Date.now();
        await writeJournal(options.journalDir, entry);
        await options.onStep?.(step, entry);
        await executor.apply(step, ctx.exec);
        step.state = 'applied';
        step.endedAt = Date.now();
        await writeJournal(options.journalDir, entry);
        await options.onStep?.(step, entry);
      } catch (err) {
        if (step.state === 'started' || step.state === 'pending') {
          step.state = step.state === 'started' ? 'failed' : 'pending';
          step.message = (err as Error).message;
          step.endedAt = Date.now();
        }
        entry.status = 'failed';
        await writeJournal(options.journalDir, entry);
        throw new TuneupError('TUNEUP_APPLY_FAILED', `applying ${step.change.description} failed: ${(err as Error).message}`, {
          hint: `undo what was applied with \`tuneup rollback ${entry.id}\``,
          cause: err,
        });
      }
    }
    entry.status = 'applied';
    await writeJournal(options.journalDir, entry);
    return entry;
  } finally {
    await ctx.close();
  }
}

/**
 * Undo a journal: every step that started (applied, failed or interrupted)
 * is undone, newest first. Idempotent: a rolled-back journal is returned
 * as is, and a half-done rollback resumes where it stopped.
 */
export async function rollbackJournal(id: string, options: RollbackOptions): Promise<JournalEntry> {
  const entry = await readJournal(options.journalDir, id);
  const todo = entry.steps.filter((s) => s.state === 'started' || s.state === 'applied' || s.state === 'failed').reverse();
  if (todo.length === 0) {
    if (entry.status !== 'rolled-back') {
      entry.status = 'rolled-back';
      await writeJournal(options.journalDir, entry);
    }
    return entry;
  }
  entry.status = 'rolling-back';
  await writeJournal(options.journalDir, entry);
  // Wait for the lock (up to lock_timeout): after a killed apply, its orphaned backend may still hold it for a moment.
  const ctx = await openContext(todo, options, true);
  try {
    for (const step of todo) {
      try {
        await EXECUTORS[step.change.op].rollback(step, ctx.exec);
      } catch (err) {
        await writeJournal(options.journalDir, entry);
        throw new TuneupError('TUNEUP_ROLLBACK_FAILED', `rolling back ${step.change.description} failed: ${(err as Error).message}`, {
          hint: `fix the cause and run \`tuneup rollback ${entry.id}\` again (it resumes), or run the undo statements in the journal by hand`,
          cause: err,
        });
      }
      step.state = 'rolled-back';
      step.endedAt = Date.now();
      await writeJournal(options.journalDir, entry);
      await options.onStep?.(step, entry);
    }
    entry.status = 'rolled-back';
    await writeJournal(options.journalDir, entry);
    return entry;
  } finally {
    await ctx.close();
  }
}

interface OpenContext {
  exec: ExecutionContext;
  close(): Promise<void>;
}

async function openContext(
  steps: JournalStep[],
  options: { pgUrl?: string; redisUrl?: string; lockTimeoutMs?: number },
  waitForLock = false,
): Promise<OpenContext> {
  const needsPg = steps.some((s) => s.change.system === 'postgres');
  const needsRedis = steps.some((s) => s.change.system === 'redis');
  if (needsPg && !options.pgUrl) {
    throw new TuneupError('TUNEUP_OPTION_MISSING', 'PostgreSQL changes need a connection URL', {
      hint: 'pass --pg URL (journals and plans store it without the password)',
    });
  }
  if (needsRedis && !options.redisUrl) {
    throw new TuneupError('TUNEUP_OPTION_MISSING', 'Redis changes need a connection URL', { hint: 'pass --redis URL' });
  }
  let pgClient: pg.Client | undefined;
  let redis: (RedisCommander & { close(): Promise<void> }) | undefined;
  try {
    if (needsPg) {
      pgClient = await openPgSession(options.pgUrl!, 'tuneup-optimize');
      await pgClient.query(`SET lock_timeout = ${Math.max(1, Math.round(options.lockTimeoutMs ?? 5000))}`);
      await pgClient.query('SET statement_timeout = 0');
      const locked = await acquireAdvisoryLock(pgClient, waitForLock ? Math.max(1, options.lockTimeoutMs ?? 5000) : 0);
      if (!locked) {
        throw new TuneupError('TUNEUP_APPLY_LOCKED', 'another tuneup apply or rollback holds the lock on this database', {
          hint: 'wait for it to finish (see pg_stat_activity, application_name tuneup-optimize) and try again',
        });
      }
    }
    if (needsRedis) redis = await openRedis(options.redisUrl!);
  } catch (err) {
    if (pgClient) await closePgSession(pgClient);
    throw err;
  }
  return {
    exec: { pg: pgClient, redis },
    async close() {
      if (pgClient) {
        await pgClient.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
        await closePgSession(pgClient);
      }
      await redis?.close().catch(() => undefined);
    },
  };
}

/**
 * Take the session advisory lock, polling `pg_try_advisory_lock` for up to
 * `waitMs`. Never a blocking `pg_advisory_lock`: a statement waiting on the
 * lock keeps a snapshot open, and an orphaned CREATE INDEX CONCURRENTLY that
 * holds the lock waits for every older snapshot — a deadlock.
 */
async function acquireAdvisoryLock(client: pg.Client, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const res = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [ADVISORY_LOCK_KEY]);
    if (res.rows[0]?.ok) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Connect to Redis for CONFIG commands (redacted URL in errors). */
export async function openRedis(url: string): Promise<RedisCommander & { close(): Promise<void> }> {
  const client = createClient({ url, socket: { connectTimeout: 5000, reconnectStrategy: false } });
  client.on('error', () => {
    // Surfaces as a failed command; never crash the process.
  });
  try {
    await client.connect();
  } catch (err) {
    throw new TuneupError('TUNEUP_REDIS_CONNECT', `cannot connect to Redis at ${redactUrl(url)}: ${(err as Error).message}`, {
      hint: 'check the --redis URL',
      cause: err,
    });
  }
  return {
    sendCommand: (args: string[]) => client.sendCommand(args) as Promise<unknown>,
    close: async () => {
      await client.close();
    },
  };
}
