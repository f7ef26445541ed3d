/**
 * Text pieces of the playbook's output, shared by `tuneup demo` and
 * `tuneup playbook`: step titles, the capacity verdict, findings with their
 * confirmation, the database changes, and before/after rows with intervals.
 *
 * @module
 */
import type { PlaybookDelta } from '../playbook/deltas.js';
import type { PlaybookHooks, PlaybookResult, PlaybookStep } from '../playbook/run.js';
import { confirmationLabel } from '../report/index.js';
import { experimentProgressHooks } from './commands/diagnose-action.js';
import type { CliIO } from './io.js';
import { createLiveDisplay, type LiveDisplay } from './live.js';

const STEP_TITLE: Record<PlaybookStep, string> = {
  assess: '1/4 assess  ',
  diagnose: '2/4 diagnose',
  optimize: '3/4 optimize',
  apply: '    apply   ',
  validate: '4/4 validate',
  compare: '    compare ',
};

/**
 * Progress on stderr: a titled line per step (with the time since `started`), the experiment's
 * progress as `tuneup diagnose` shows it, and a live line during each validation run.
 */
export function playbookProgressHooks(io: CliIO, started: number): PlaybookHooks & { done(): void } {
  let display: LiveDisplay | undefined;
  return {
    experiment: experimentProgressHooks(io),
    onStep: (step, detail) => io.err(`\n${STEP_TITLE[step]}  ${detail}  [${Math.round((Date.now() - started) / 1000)} s]`),
    onRunStart: (_label, ms) => {
      display = createLiveDisplay(io, { quiet: false, plannedMs: ms });
    },
    onLive: (live) => display?.update(live),
    onRunEnd: () => {
      display?.done();
      display = undefined;
    },
    done: () => display?.done(),
  };
}

/** The experiment's capacity verdict in one line. */
export function capacityLine(r: Pick<PlaybookResult, 'experiment'>): string {
  const { knee, steps } = r.experiment;
  const rates = steps.map((s) => `${s.offeredRate}/s ${s.sustained ? 'sustained' : 'past the knee'}`).join(', ');
  const verdict = knee.status === 'found' ? `capacity ${knee.sustainedRate}/s (fails at ${knee.failedRate}/s)` : knee.status === 'not-reached' ? `capacity ≥ ${knee.sustainedRate}/s` : `capacity < ${knee.failedRate}/s`;
  return `${verdict}${knee.saturatedResource ? `, saturated: ${knee.saturatedResource.name}` : ''} (steps: ${rates || 'none'})`;
}

/** The findings, at most `max`, one line each with their confirmation by isolation. */
export function findingLines(r: Pick<PlaybookResult, 'findings' | 'experiment'>, max = 10): string[] {
  const lines = [`found: ${r.findings.length} finding${r.findings.length === 1 ? '' : 's'} in the diagnosis at ${r.experiment.chosenRate}/s`];
  for (const f of r.findings.slice(0, max)) {
    const where = f.endpoint ?? f.endpoints?.join(', ') ?? '';
    const confirmation = f.confirmation ? ` (${confirmationLabel(f.confirmation.status)})` : '';
    lines.push(`  ${f.severity.padEnd(8)} ${f.category.padEnd(20)} ${where}${where ? ' — ' : ''}${f.title}${confirmation}`);
  }
  if (r.findings.length > max) lines.push(`  … and ${r.findings.length - max} more in the report`);
  return lines;
}

/** Each database action with how its cost was estimated and its exact statements. */
export function actionLines(actions: PlaybookResult['applied']): string[] {
  const lines: string[] = [];
  for (const a of actions) {
    const method = a.evidence.find((e) => e.label === 'plan cost after')?.source;
    lines.push(`  ${a.title}${method ? ` (estimated by ${method})` : ''}`);
    for (const c of a.changes) for (const sql of c.statements) lines.push(`    ${sql}`);
  }
  return lines;
}

function num(value: number, unit: string): string {
  if (unit === 'req/s') return `${value.toFixed(1)}/s`;
  if (unit === 'ms') return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
  return String(value);
}

function signed(p: number): string {
  return `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(0)} %`;
}

/** One before/after row: the numbers, the change with its interval, the verdict. */
export function deltaLine(d: PlaybookDelta): string {
  const what = d.endpoint ? `${d.label}, ${d.endpoint}` : d.label;
  const ci = d.ci ? ` [${signed(d.ci.lowerPercent)}, ${signed(d.ci.upperPercent)}] ${Math.round(d.ci.confidence * 100)} % CI` : ' (no interval)';
  return `  ${what.padEnd(52)} ${num(d.before, d.unit).padStart(9)} → ${num(d.after, d.unit).padEnd(9)} ${signed(d.deltaPercent)}${ci}  ${d.verdict}`;
}

/** The validation's rows and verdicts, or nothing when no validation ran. */
export function validationLines(r: PlaybookResult): string[] {
  if (r.deltas.length === 0) return [];
  const lines = ['', `before → after (${r.comparison?.modeNote ?? ''}):`, ...r.deltas.map(deltaLine)];
  lines.push(`  verdict (mixed load, p50): ${r.comparison?.verdict ?? '?'}${r.alone ? `; ${r.alone.endpoint} alone (throughput): ${r.alone.comparison.verdict}` : ''}`);
  return lines;
}
