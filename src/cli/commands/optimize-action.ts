/**
 * What `tuneup optimize`, `tuneup rollback` and `tuneup journal` do
 * (declared in optimize.ts): plan actions for a run (dry run), apply them
 * with a journal, undo a journal, list journals.
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { TuneupError } from '../../errors.js';
import {
  applyPlan,
  listJournals,
  planOptimizations,
  readJournal,
  rollbackJournal,
  selectForApply,
  type Action,
  type Component,
  type JournalEntry,
  type OptimizationPlan,
  type Strategy,
} from '../../optimize/index.js';
import { formatBytes } from '../../optimize/pg-index.js';
import { formatSize } from '../../optimize/units.js';
import type { StorageType, WorkloadType } from '../../optimize/pgtune.js';
import { STRATEGIES } from '../../optimize/types.js';
import { loadRunResult } from '../../report/load-run.js';
import type { RunResult } from '../../result/types.js';
import type { CliIO } from '../io.js';
import { COMPONENTS, STORAGES, WORKLOADS, type OptimizeFlags, type RollbackFlags } from './optimize.js';

function usage(option: string, message: string, hint: string): TuneupError {
  return new TuneupError('TUNEUP_OPTION_INVALID', message, { location: option, hint });
}

/** `16GB`, `512MB`, `1.5GiB`, or bytes. */
export function parseSize(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?$/i.exec(text.trim());
  if (!m) throw usage(option, `${option} ${JSON.stringify(text)} is not a size`, 'write it like 16GB or 512MB');
  const unit = (m[2] ?? 'b').toLowerCase().replace('i', '');
  const factor = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 }[unit] ?? 1;
  return Math.round(Number(m[1]) * factor);
}

function parsePositive(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw usage(option, `${option} ${JSON.stringify(text)} is not a positive integer`, 'e.g. --db-cpus 8');
  return n;
}

function parseChoice<T extends string>(value: string | undefined, choices: readonly T[], option: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `${option} ${JSON.stringify(value)} is not one of ${choices.join(', ')}`, {
      location: option,
      hint: `use one of ${choices.join('|')}`,
    });
  }
  return value as T;
}

/** A probe target usable as a URL: it must not carry a redacted password. */
function usableTarget(target: string | undefined): string | undefined {
  if (!target || target.includes('***') || !/^(postgres(ql)?|rediss?):\/\//.test(target)) return undefined;
  return target;
}

function targetOf(result: RunResult, probe: string): string | undefined {
  return usableTarget(result.probes?.find((p) => p.probe === probe)?.target);
}

/** The run's stored target when it cannot be used to connect (its password was redacted), else undefined. */
function unusableTarget(result: RunResult, probe: string): string | undefined {
  const target = result.probes?.find((p) => p.probe === probe)?.target;
  return target && !usableTarget(target) ? target : undefined;
}

/**
 * Planning without a connection would print "No action proposed" although
 * the run's findings ask for database changes: say that the URL is needed
 * again instead (the stored run keeps it without the password).
 */
function requireConnections(result: RunResult, component: Component | undefined, given: { pg?: string; redis?: string }): string[] {
  const notes: string[] = [];
  const asks = (prefix: string): boolean => (result.findings ?? []).some((f) => f.actions?.some((a) => a.startsWith(prefix)));
  const pgStored = given.pg ? undefined : unusableTarget(result, 'postgres');
  if (pgStored && (component === 'database' || component === 'config' || (component === undefined && asks('pg-')))) {
    const asking = (result.findings ?? []).filter((f) => f.actions?.some((a) => a.startsWith('pg-'))).map((f) => `${f.id} (${f.severity})`);
    throw new TuneupError(
      'TUNEUP_OPTION_MISSING',
      `the run stored its PostgreSQL URL without the password (${pgStored}), so optimize cannot connect to plan database actions` +
        (asking.length > 0 ? `; findings that ask for them: ${asking.slice(0, 5).join(', ')}` : ''),
      {
        location: '--pg',
        hint: 'pass the URL again: --pg postgresql://USER:PASSWORD@HOST/DB (tuneup never stores passwords), or --component cache to skip the database',
      },
    );
  }
  const redisStored = given.redis ? undefined : unusableTarget(result, 'redis');
  if (redisStored && component === 'cache') {
    throw new TuneupError('TUNEUP_OPTION_MISSING', `the run stored its Redis URL without the password (${redisStored}), so optimize cannot read Redis's configuration`, {
      location: '--redis',
      hint: 'pass the URL again: --redis redis://:PASSWORD@HOST:PORT (tuneup never stores passwords)',
    });
  }
  if (redisStored && component === undefined && asks('redis-')) {
    notes.push(`the run stored its Redis URL without the password (${redisStored}): pass --redis URL again for Redis actions`);
  }
  return notes;
}

/** Read a plan written by `optimize --out`. */
async function readPlan(path: string): Promise<OptimizationPlan> {
  let plan: OptimizationPlan;
  try {
    plan = JSON.parse(await readFile(path, 'utf8')) as OptimizationPlan;
  } catch (err) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `cannot read the plan ${path}: ${(err as Error).message}`, {
      location: '--plan',
      hint: 'pass a file written by `tuneup optimize --out FILE`',
      cause: err,
    });
  }
  if (plan.schemaVersion !== 1 || !Array.isArray(plan.actions)) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `${path} is not a tuneup optimization plan`, { location: '--plan' });
  }
  return plan;
}

/** Render one action: title, why, what it fixes, costs, plans, exact statements. */
function renderAction(action: Action, n: number): string[] {
  const lines: string[] = [];
  lines.push('', `${n}. [${action.risk}] ${action.title}${action.applicable ? '' : '  (proposal only)'}`);
  lines.push(`   id: ${action.id}`);
  if (action.findings && action.findings.length > 0) lines.push(`   fixes: ${action.findings.join(', ')}`);
  lines.push(`   ${action.rationale}`);
  if (!action.applicable && action.proposalOnlyReason) lines.push(`   not applied automatically: ${action.proposalOnlyReason}`);
  else if (action.optIn && action.findings && action.findings.length > 0) lines.push(`   not applied by default: ${action.optIn}`);
  for (const estimate of action.estimates ?? []) {
    lines.push(`   statement: ${estimate.query.replace(/\s+/g, ' ').slice(0, 200)}`);
    lines.push(
      `   cost ${estimate.before.toFixed(2)} → ${estimate.after.toFixed(2)} (−${(estimate.reduction * 100).toFixed(1)} %)` +
        (estimate.indexSizeBytes !== undefined ? `, estimated index size ${formatBytes(estimate.indexSizeBytes)}` : ''),
    );
    lines.push('   plan before:', ...estimate.planBefore.map((l) => `     ${l}`));
    lines.push('   plan after (hypothetical index):', ...estimate.planAfter.map((l) => `     ${l}`));
  }
  for (const e of action.evidence.filter((x) => !(action.estimates && /cost|size/.test(x.label)))) {
    lines.push(`   evidence: ${e.label} = ${e.value}${e.unit ? ` ${e.unit}` : ''} (${e.source})`);
  }
  for (const change of action.changes) {
    lines.push(`   apply:    ${change.statements.join(';\n             ')}`);
    lines.push(`   rollback: ${change.undo.length > 0 ? change.undo.join(';\n             ') : `nothing to undo${change.undoNote ? ` — ${change.undoNote}` : ''}`}`);
  }
  return lines;
}

/**
 * Render a plan as text: first the actions that fix a finding of this run
 * (what `--apply` does), then those no finding asks for (applied only when
 * named with `--only`), with exact statements, costs and plans.
 */
export function renderPlan(plan: OptimizationPlan, options: { applying?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(
    `Optimization plan for run ${plan.runId} (strategy ${plan.strategy}${plan.component ? `, component ${plan.component}` : ''}) — ${options.applying ? 'applying' : 'dry run'}`,
  );
  if (plan.targets.pg) lines.push(`  postgres: ${plan.targets.pg}`);
  if (plan.targets.redis) lines.push(`  redis: ${plan.targets.redis}`);
  if (plan.dbHost) lines.push(`  database host: ${formatSize(plan.dbHost.memoryBytes)} RAM, ${plan.dbHost.cpus} CPU (${plan.dbHost.source})`);
  const asked = plan.actions.filter((a) => a.optIn === undefined || (a.findings?.length ?? 0) > 0);
  const extra = plan.actions.filter((a) => !asked.includes(a));
  if (plan.actions.length === 0) lines.push('', 'No action proposed.');
  else if (asked.length === 0) lines.push('', "No action fixes a finding of this run.");
  let n = 0;
  for (const action of asked) lines.push(...renderAction(action, ++n));
  if (extra.length > 0) {
    lines.push('', "Not proposed by this run's findings (applied only when named with --only ID):");
    for (const action of extra) lines.push(...renderAction(action, ++n));
  }
  if (plan.skipped.length > 0) lines.push('', 'Left out by the strategy:', ...plan.skipped.map((s) => `  - ${s.id}: ${s.reason}`));
  if (plan.notes.length > 0) lines.push('', 'Notes:', ...plan.notes.map((n) => `  - ${n}`));
  return lines.join('\n');
}

/** Render a journal entry. */
export function renderJournal(entry: JournalEntry): string {
  const lines = [
    `journal ${entry.id}  status ${entry.status}  environment ${entry.environment}  run ${entry.runId}  strategy ${entry.strategy}`,
    `created ${new Date(entry.createdAt).toISOString()}  updated ${new Date(entry.updatedAt).toISOString()}`,
  ];
  if (entry.targets.pg) lines.push(`postgres: ${entry.targets.pg}`);
  if (entry.targets.redis) lines.push(`redis: ${entry.targets.redis}`);
  for (const step of entry.steps) {
    lines.push(`  [${step.state}] ${step.change.description}${step.message ? ` — ${step.message}` : ''}`);
    lines.push(`     do:   ${step.change.statements.join('; ')}`);
    lines.push(`     undo: ${step.change.undo.join('; ') || 'nothing to undo'}`);
    if (step.previous && Object.keys(step.previous).length > 0) lines.push(`     previous: ${JSON.stringify(step.previous)}`);
  }
  if (entry.proposalsOnly.length > 0) lines.push(`proposals not applied: ${entry.proposalsOnly.join(', ')}`);
  return lines.join('\n');
}

async function confirmProduction(io: CliIO, count: number, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!io.interactive || !process.stdin.isTTY) {
    throw new TuneupError('TUNEUP_APPLY_REFUSED', 'applying to production needs confirmation', {
      hint: 'run it on a terminal to confirm, or pass --yes',
    });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`Apply ${count} action(s) to PRODUCTION? Type "yes" to continue: `);
    if (answer.trim().toLowerCase() !== 'yes') {
      throw new TuneupError('TUNEUP_APPLY_REFUSED', 'not confirmed: nothing was changed', {});
    }
  } finally {
    rl.close();
  }
}

/** Register `optimize`, `rollback` and `journal`. */

/** Run `tuneup optimize`. */
export async function optimizeAction(flags: OptimizeFlags, io: CliIO): Promise<void> {
  const strategy = parseChoice<Strategy>(flags.strategy, STRATEGIES, '--strategy') ?? 'balanced';
  const component = parseChoice<Component>(flags.component, COMPONENTS, '--component');
  if (flags.apply && !flags.environment) {
    throw new TuneupError('TUNEUP_OPTION_MISSING', '--apply needs --environment NAME', {
      location: '--environment',
      hint: 'say where the changes go, e.g. --environment staging',
    });
  }
  if (!flags.run === !flags.plan) {
    throw new TuneupError('TUNEUP_OPTION_MISSING', 'give exactly one of --run and --plan', {
      location: '--run',
      hint: 'plan from a run (--run latest), or apply a saved plan (--plan plan.json)',
    });
  }
  let plan: OptimizationPlan;
  let pgUrl: string | undefined;
  let redisUrl: string | undefined;
  if (flags.plan) {
    plan = await readPlan(flags.plan);
    pgUrl = flags.pg ?? usableTarget(plan.targets.pg);
    redisUrl = flags.redis ?? usableTarget(plan.targets.redis);
  } else {
    const result = await loadRunResult(flags.run!, { runsDir: flags.runsDir });
    const connectionNotes = requireConnections(result, component, { pg: flags.pg, redis: flags.redis });
    pgUrl = flags.pg ?? targetOf(result, 'postgres');
    redisUrl = flags.redis ?? targetOf(result, 'redis');
    const config = {
      ...(flags.dbMemory ? { memoryBytes: parseSize(flags.dbMemory, '--db-memory') } : {}),
      ...(flags.dbCpus ? { cpus: parsePositive(flags.dbCpus, '--db-cpus') } : {}),
      workload: parseChoice<WorkloadType>(flags.workload, WORKLOADS, '--workload'),
      storage: parseChoice<StorageType>(flags.storage, STORAGES, '--storage'),
    };
    plan = await planOptimizations(result, { pgUrl, redisUrl, strategy, component, config });
    plan.notes.push(...connectionNotes);
  }
  if (flags.out) await writeFile(flags.out, `${JSON.stringify(plan, null, 2)}\n`);
  if (!flags.apply) {
    io.out(flags.json ? JSON.stringify(plan, null, 2) : renderPlan(plan));
    if (!flags.json && selectForApply(plan, flags.only).length > 0) io.err('dry run: nothing was changed. Apply with --apply --environment NAME.');
    else if (!flags.json) io.err('dry run: nothing was changed.');
    return;
  }
  if (!flags.json) io.out(renderPlan(plan, { applying: true }));
  const selected = selectForApply(plan, flags.only);
  const notAsked = plan.actions.filter((a) => a.applicable && a.changes.length > 0 && !selected.includes(a)).map((a) => a.id);
  if (!flags.json && notAsked.length > 0) io.err(`not applied (no finding of this run asks for them, or they need naming): ${notAsked.join(', ')} — name them with --only to apply`);
  if (selected.length === 0) {
    io.err('nothing to apply.');
    return;
  }
  if (flags.environment === 'production') await confirmProduction(io, selected.length, flags.yes);
  const lockTimeoutMs = Number(flags.lockTimeout);
  // First Ctrl-C: finish the running statement (no half-built index), stop before the next.
  // The handler is `once`, so a second Ctrl-C kills at once; the journal still lets rollback finish the job.
  const interrupt = new AbortController();
  const onSignal = (): void => {
    interrupt.abort();
    io.err('interrupt: finishing the current step, then stopping (Ctrl-C again to stop now; then run `tuneup rollback` with the journal id)');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const entry = await applyPlan(plan, {
    signal: interrupt.signal,
    journalDir: flags.journalDir,
    environment: flags.environment!,
    pgUrl,
    redisUrl,
    only: flags.only,
    lockTimeoutMs: Number.isFinite(lockTimeoutMs) && lockTimeoutMs > 0 ? lockTimeoutMs : 5000,
    onStep: (step, e) => {
      if (step.state === 'started') io.err(`[${e.id}] applying: ${step.change.statements.join('; ')}`);
      else io.err(`[${e.id}] ${step.state}: ${step.change.description}${step.message ? ` (${step.message})` : ''}`);
    },
  }).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
  io.out(flags.json ? JSON.stringify(entry, null, 2) : `\napplied: journal ${entry.id}. Undo with: tuneup rollback ${entry.id}${pgUrl ? ' --pg URL' : ''}${redisUrl ? ' --redis URL' : ''}`);
}

/** Run `tuneup rollback JOURNAL_ID`. */
export async function rollbackAction(id: string, flags: RollbackFlags, io: CliIO): Promise<void> {
  const before = await readJournal(flags.journalDir, id);
  const lockTimeoutMs = Number(flags.lockTimeout);
  const entry = await rollbackJournal(id, {
    journalDir: flags.journalDir,
    pgUrl: flags.pg ?? usableTarget(before.targets.pg),
    redisUrl: flags.redis ?? usableTarget(before.targets.redis),
    lockTimeoutMs: Number.isFinite(lockTimeoutMs) && lockTimeoutMs > 0 ? lockTimeoutMs : 5000,
    onStep: (step) => io.err(`rolled back: ${step.change.undo.join('; ') || `${step.change.description} (nothing to undo)`}`),
  });
  io.out(flags.json ? JSON.stringify(entry, null, 2) : renderJournal(entry));
}

/** Run `tuneup journal [JOURNAL_ID]`. */
export async function journalAction(id: string | undefined, flags: { journalDir: string; json?: boolean }, io: CliIO): Promise<void> {
  if (id) {
    const entry = await readJournal(flags.journalDir, id);
    io.out(flags.json ? JSON.stringify(entry, null, 2) : renderJournal(entry));
    return;
  }
  const entries = await listJournals(flags.journalDir);
  if (flags.json) return io.out(JSON.stringify(entries, null, 2));
  if (entries.length === 0) return io.out(`no journals in ${flags.journalDir}`);
  io.out(
    entries
      .map((e) => {
        const applied = e.steps.filter((s) => s.state === 'applied').length;
        return `${e.id}  ${e.status.padEnd(12)} ${e.environment.padEnd(12)} run ${e.runId}  ${applied}/${e.steps.length} applied  ${e.targets.pg ?? e.targets.redis ?? ''}`;
      })
      .join('\n'),
  );
}
