/**
 * The optimization contract: an {@link OptimizationPlan} of {@link Action}s,
 * each a list of {@link Change}s with the exact statements it would run and
 * how to undo them, and the {@link JournalEntry} that `--apply` writes before
 * touching anything. Everything here is plain JSON so a plan can be stored,
 * shown, applied later and rolled back after a crash.
 *
 * @module
 */
import type { Evidence } from '../result/types.js';

/** How much an action can hurt: strategies filter on it (conservative = safe only). */
export type Risk = 'safe' | 'moderate' | 'disruptive';

/** Which strategy admits which risks. */
export type Strategy = 'conservative' | 'balanced' | 'aggressive';

/**
 * The system an action changes: `database` (indexes, maintenance), `config`
 * (global PostgreSQL settings, planned only when asked), `cache` (Redis),
 * `code` (advice only, nothing to apply).
 */
export type Component = 'database' | 'config' | 'cache' | 'code';

/** The families of actions. */
export type ActionKind =
  | 'pg-index'
  | 'pg-drop-index'
  | 'pg-config'
  | 'pg-maintenance'
  | 'redis-config'
  | 'code-advice';

/** The system a change talks to. */
export type ChangeSystem = 'postgres' | 'redis';

/**
 * One change: what runs, and how it is undone. `statements`/`undo` are the
 * exact SQL (or Redis commands as text) shown in the dry run; the executor
 * of `op` runs them (and may refine `undo` with the state it reads just
 * before applying, e.g. the previous value of a setting).
 */
export interface Change {
  /** Unique within the plan, e.g. `pg-index:public.orders(user_id)#create`. */
  id: string;
  system: ChangeSystem;
  /** The executor that runs it (see src/optimize/executors.ts). */
  op: 'create-index' | 'drop-index' | 'alter-system' | 'maintenance' | 'table-options' | 'redis-config-set';
  /** One line saying what it does. */
  description: string;
  /** Exact statements apply runs, in order. */
  statements: string[];
  /** Exact statements rollback runs, in order (empty when nothing can or needs to be undone). */
  undo: string[];
  /** Why `undo` is empty or partial (e.g. "ANALYZE changes no state to undo"). */
  undoNote?: string;
  /** Executor-specific data (index name, setting name, ...). */
  params: Record<string, unknown>;
}

/** Estimated effect of an index, from HypoPG and EXPLAIN. */
export interface CostEstimate {
  /** Total cost of the statement's plan without the index. */
  before: number;
  /** Total cost with the hypothetical index. */
  after: number;
  /** 1 - after/before. */
  reduction: number;
  /** Compact plan trees, one node a line. */
  planBefore: string[];
  planAfter: string[];
  /** `hypopg_relation_size` of the hypothetical index (bytes). */
  indexSizeBytes?: number;
  /** The statement the estimate is for (normalized text). */
  query: string;
  queryid?: string;
}

/** One proposed optimization. */
export interface Action {
  /** Stable id, e.g. `pg-index:public.orders(user_id)`. */
  id: string;
  kind: ActionKind;
  component: Component;
  /** What it acts on, e.g. `public.orders`, `work_mem`, `maxmemory`. */
  target: string;
  risk: Risk;
  title: string;
  /** Why, in a sentence or two. */
  rationale: string;
  evidence: Evidence[];
  /** What would change. Empty for advice. */
  changes: Change[];
  /**
   * False for proposals that `--apply` never executes: settings that need a
   * restart, code-level advice. `proposalOnlyReason` says why.
   */
  applicable: boolean;
  proposalOnlyReason?: string;
  /** Cost estimates (pg-index), one per statement helped. */
  estimates?: CostEstimate[];
  /**
   * Total execution time (ms) over the run of the statements the action speeds up, from the
   * pg_stat_statements deltas (pg-index; shown as the `total exec time of the statements helped`
   * evidence row). Orders the proposals: the most database time helped first.
   */
  helpedExecMs?: number;
  /** Finding ids of this run that this action fixes. */
  findings?: string[];
  /**
   * Set when `--apply` leaves the action out unless it is named with
   * `--only ID`: why (no finding of this run asks for it, or it changes a
   * server shared with other applications).
   */
  optIn?: string;
}

/** Output of `planOptimizations`: the dry run. */
export interface OptimizationPlan {
  schemaVersion: 1;
  /** The run it was planned from. */
  runId: string;
  createdAt: number;
  strategy: Strategy;
  component?: Component;
  /** Connection targets with passwords removed. */
  targets: { pg?: string; redis?: string };
  /** Actions the strategy admits, most valuable first. */
  actions: Action[];
  /** Actions left out by the strategy or the component filter, with the reason. */
  skipped: { id: string; reason: string }[];
  /** What could not be analysed (no HypoPG, no pg_stat_statements, ...). */
  notes: string[];
  /** The database host that sized pg-config, and where its numbers came from (with `--component config`). */
  dbHost?: { memoryBytes: number; cpus: number; source: string };
}

/** State of one journaled step. */
export type StepState = 'pending' | 'started' | 'applied' | 'skipped' | 'failed' | 'rolled-back';

/** One change as journaled. */
export interface JournalStep {
  actionId: string;
  change: Change;
  state: StepState;
  /** State read just before applying (previous setting value, existing index, ...). */
  previous?: Record<string, unknown>;
  /** Why the step was skipped or failed. */
  message?: string;
  startedAt?: number;
  endedAt?: number;
}

/** Status of a journal as a whole. */
export type JournalStatus = 'applying' | 'applied' | 'failed' | 'rolling-back' | 'rolled-back';

/** The fsync'ed record of an apply, at `.tuneup/journal/<id>.json`. */
export interface JournalEntry {
  schemaVersion: 1;
  /** `YYYYMMDD-HHMMSS-xxxx`. */
  id: string;
  runId: string;
  environment: string;
  strategy: Strategy;
  createdAt: number;
  updatedAt: number;
  status: JournalStatus;
  /** Targets with passwords removed; apply and rollback take the URLs again. */
  targets: { pg?: string; redis?: string };
  steps: JournalStep[];
  /** Actions in the plan that were proposals only (not applied), for the record. */
  proposalsOnly: string[];
}

/** Strategies, in order of boldness. */
export const STRATEGIES: readonly Strategy[] = ['conservative', 'balanced', 'aggressive'];

/** Risks each strategy admits. */
export const STRATEGY_RISKS: Record<Strategy, readonly Risk[]> = {
  conservative: ['safe'],
  balanced: ['safe', 'moderate'],
  aggressive: ['safe', 'moderate', 'disruptive'],
};
