/**
 * What `tuneup demo` does (declared in demo.ts): start the demo stack, run
 * the playbook on it with progress, print the closing summary, stop
 * everything it started.
 * @module
 */
import { DEMO_FAULTS, FAULT_CATEGORIES, type DemoFault } from '../../demo-stack/faults.js';
import { FULL_BUDGET, QUICK_BUDGET, runDemoPlaybook, type DemoBudget, type DemoPlaybookResult } from '../../demo-stack/playbook.js';
import { startDemoStack, type DemoStack } from '../../demo-stack/stack.js';
import { ExitCode, TuneupError } from '../../errors.js';
import { parseDuration } from '../../plan/index.js';
import { setExitCode } from '../exit.js';
import type { CliIO } from '../io.js';
import { parsePositiveNumber } from '../options.js';
import { actionLines, capacityLine, findingLines, playbookProgressHooks, validationLines } from '../playbook-text.js';
import type { DemoFlags } from './demo.js';

/** Run `tuneup demo`. */
export async function demoAction(flags: DemoFlags, io: CliIO): Promise<void> {
  const faults = parseFaults(flags.fault);
  const mode = flags.quick ? QUICK_BUDGET : FULL_BUDGET;
  const rate = parsePositiveNumber(flags.rate, '--rate') ?? mode.rate;
  const diagnosisMs = flags.duration ? parseDuration(flags.duration, '--duration') : mode.experiment.diagnosisMs;
  // The capacity steps bracket the plan's rate as the mode does (from it, or half of it, to twice it).
  const budget: DemoBudget = {
    ...mode,
    rate,
    validateMs: flags.duration ? diagnosisMs : mode.validateMs,
    experiment: { ...mode.experiment, diagnosisMs, startRate: (mode.experiment.startRate! * rate) / mode.rate, maxRate: (mode.experiment.maxRate! * rate) / mode.rate },
  };
  if (flags.real && flags.pg) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', '--real and --pg both choose the database', { location: '--real', hint: 'give one of them' });
  }
  const started = Date.now();
  const say = (line: string): void => io.err(line);
  say(`tuneup demo: a library-lending API with ${faults.length} planted fault${faults.length === 1 ? '' : 's'} (${faults.join(', ')})`);

  const stop = new AbortController();
  let stack: DemoStack | undefined;
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts === 1) {
      say('stopping: the current step ends, then everything the demo started is stopped; press Ctrl-C again to stop now');
      stop.abort();
    } else {
      // Stop now: killing the stack ends the running load (its requests fail fast); cleanup below is idempotent.
      void stack?.stop();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = playbookProgressHooks(io, started);
  let result: DemoPlaybookResult | undefined;
  try {
    stack = await startDemoStack({ faults, pgUrl: flags.pg, redisUrl: flags.redis, real: flags.real, signal: stop.signal, onProgress: (l) => say(`  ${l}`) });
    say(`  service on ${stack.baseUrl} (pid ${stack.servicePid}), database ${stack.databaseVersion}${stack.redisUrl ? `, Redis ${stack.redisUrl}` : ', in-process cache'}  [${secs(started)}]`);
    if (stop.signal.aborted) throw interrupted();
    const s = stack;
    result = await runDemoPlaybook(s, { budget, signal: stop.signal, hooks: progress });
  } finally {
    progress.done();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (stack) {
      say(`\nstopping the demo stack (${stack.pids.length} processes, ports ${stack.ports.join(', ')}; temp dir removed)`);
      await stack.stop();
    }
  }
  if (!result) return;
  if (flags.json) io.out(JSON.stringify(demoJson(result, stack!, (Date.now() - started) / 1000)));
  else io.out(renderDemoSummary(result, { faults, seconds: (Date.now() - started) / 1000, database: stack?.databaseVersion ?? '' }));
  if (result.interrupted) setExitCode(ExitCode.INTERRUPTED);
}

function secs(since: number): string {
  return `${Math.round((Date.now() - since) / 1000)} s`;
}

function interrupted(): TuneupError {
  return new TuneupError('TUNEUP_INTERRUPTED', 'interrupted before the playbook started; everything the demo started was stopped');
}

function parseFaults(given: string[] | undefined): DemoFault[] {
  if (!given || given.length === 0) return [...DEMO_FAULTS];
  const names = given.flatMap((g) => g.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(DEMO_FAULTS as readonly string[]).includes(n)) {
      throw new TuneupError('TUNEUP_OPTION_INVALID', `--fault: unknown fault ${JSON.stringify(n)}`, { location: '--fault', hint: `one of ${DEMO_FAULTS.join(', ')}` });
    }
  }
  return DEMO_FAULTS.filter((f) => names.includes(f));
}

/** The closing summary: what was planted and found, what changed, before/after with intervals, the report. */
export function renderDemoSummary(r: DemoPlaybookResult, ctx: { faults: DemoFault[]; seconds: number; database: string }): string {
  const lines: string[] = ['', `── tuneup demo: summary (${Math.round(ctx.seconds)} s, ${ctx.database}) ──`];
  lines.push('', capacityLine(r), ...findingLines(r));
  lines.push('', 'planted → found:');
  for (const fault of ctx.faults) {
    const cats = FAULT_CATEGORIES[fault];
    const hit = r.findings.find((f) => cats.includes(f.category));
    lines.push(`  ${fault.padEnd(18)} ${hit ? `found (${hit.category}${hit.endpoint ? `, ${hit.endpoint}` : ''})` : 'not found in this run'}`);
  }
  lines.push('', 'changed:');
  if (r.applied.length === 0) {
    lines.push(
      r.interrupted && r.toApply.length > 0
        ? `  nothing (interrupted before the first of ${r.toApply.length} database action${r.toApply.length === 1 ? '' : 's'})`
        : r.toApply.length > 0
          ? '  nothing'
          : '  nothing (no database action was proposed for the findings)',
    );
  }
  lines.push(...actionLines(r.applied));
  if (r.journal) lines.push(`  journal ${r.journal.id}: undo with \`tuneup rollback ${r.journal.id}\` (the demo's database is discarded at the end anyway)`);
  const code = r.byHand.filter((b) => b.advice);
  if (code.length > 0) {
    lines.push('', 'to change in the code (not applied automatically):');
    for (const b of code.slice(0, 6)) lines.push(`  ${b.advice!.title}`);
  }
  lines.push(...validationLines(r));
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (r.reportPath) lines.push('', `report: ${r.reportPath}`);
  if (r.beforePath) lines.push(`runs:   ${r.beforePath}${r.afterPath ? `\n        ${r.afterPath}` : ''}`);
  if (r.interrupted) lines.push('interrupted: the playbook stopped early');
  return lines.join('\n');
}

/** The `--json` document: what was found and changed, the numbers, and what the stack ran (for checking it is gone). */
export function demoJson(r: DemoPlaybookResult, stack: DemoStack, seconds: number): object {
  return {
    seconds,
    database: { kind: stack.database, version: stack.databaseVersion },
    stack: { pids: stack.pids, ports: stack.ports, tmpDir: stack.tmpDir },
    findings: r.findings.map((f) => ({ id: f.id, category: f.category, severity: f.severity, endpoint: f.endpoint ?? null, title: f.title })),
    applied: r.applied.map((a) => ({ id: a.id, title: a.title, statements: a.changes.flatMap((c) => c.statements), estimatedBy: a.evidence.find((e) => e.label === 'plan cost after')?.source ?? null })),
    journal: r.journal?.id ?? null,
    deltas: r.deltas,
    verdicts: { mixed: r.comparison?.verdict ?? null, isolation: r.alone?.comparison.verdict ?? null },
    experiment: { steps: r.experiment.steps.map((s) => ({ rate: s.offeredRate, sustained: s.sustained })), knee: r.experiment.knee.status, chosenRate: r.experiment.chosenRate, isolated: r.experiment.isolation.filter((i) => i.status === 'ran').map((i) => i.endpoint) },
    confirmations: Object.fromEntries(r.findings.map((f) => [f.id, f.confirmation?.status ?? null])),
    alone: r.alone?.endpoint ?? null,
    notes: r.notes,
    reportPath: r.reportPath ?? null,
    interrupted: r.interrupted,
  };
}
