/**
 * What `tuneup monitor validate` does (declared in monitor.ts): the plan's
 * SLO expressions on a live Prometheus, printed, exit 99 on a breach.
 * @module
 */
import { ExitCode, TuneupError } from '../../errors.js';
import { isHttpUrl } from '../../plan/index.js';
import { validateSlos, type SloStatus, type SloValidation } from '../../slo/validate.js';
import { formatPromDuration } from '../../slo/windows.js';
import { setExitCode } from '../exit.js';
import type { CliIO } from '../io.js';
import { loadSloSet } from '../slo-set.js';
import type { MonitorValidateFlags } from './monitor.js';

function pct(ratio: number | undefined, digits = 3): string {
  return ratio === undefined ? '–' : `${+(ratio * 100).toFixed(digits)} %`;
}

/** The validation as text lines, one per SLO. */
export function renderValidation(v: SloValidation): string {
  const rows = v.statuses.map((s: SloStatus) => [
    s.verdict === 'pass' ? 'PASS' : s.verdict === 'breach' ? 'BREACH' : 'NO DATA',
    s.slo.name,
    `objective ${pct(s.slo.objective)}`,
    `SLI ${s.errorRatio === undefined ? '–' : pct(1 - s.errorRatio)}`,
    `budget left ${pct(s.budgetRemaining, 1)}`,
    `page ${s.alerts.page}`,
    `ticket ${s.alerts.ticket}`,
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  const breached = v.statuses.filter((s) => s.verdict === 'breach').length;
  lines.push(`${v.statuses.length} SLO(s) over ${formatPromDuration(v.periodMs)} at ${new Date(v.at).toISOString()}: ${breached === 0 ? 'all met' : `${breached} breached`}`);
  return lines.join('\n');
}

/** Run `tuneup monitor validate`. */
export async function monitorValidateAction(planPath: string, flags: MonitorValidateFlags, io: CliIO): Promise<void> {
  if (!flags.prometheus) {
    throw new TuneupError('TUNEUP_OPTION_MISSING', '--prometheus URL is required', { location: '--prometheus', hint: `e.g. tuneup monitor validate ${planPath} --prometheus http://127.0.0.1:9090` });
  }
  if (!isHttpUrl(flags.prometheus)) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `--prometheus ${JSON.stringify(flags.prometheus)} is not an http(s) URL`, { location: '--prometheus', hint: 'e.g. http://127.0.0.1:9090' });
  }
  const set = await loadSloSet(planPath, flags);
  const result = await validateSlos(set, { url: flags.prometheus });
  if (result.statuses.every((s) => s.verdict === 'no-data')) {
    throw new TuneupError('TUNEUP_SLO_NO_DATA', `no SLO of ${planPath} has data on ${flags.prometheus} (${set.conventions.histogram}_count with ${set.conventions.preset} labels)`, {
      location: planPath,
      hint: 'match the instrumentation: --preset opentelemetry, --metric NAME, or slo.metrics (histogram, labels, selector) in the plan',
    });
  }
  if (flags.json) {
    io.out(JSON.stringify({ ...result, statuses: result.statuses.map(({ slo, ...rest }) => ({ id: slo.id, name: slo.name, kind: slo.kind, objective: slo.objective, ...rest })) }, null, 2));
  } else {
    io.out(renderValidation(result));
  }
  for (const s of result.statuses.filter((x) => x.verdict === 'no-data')) io.err(`note: ${s.slo.name}: no traffic or no series over the period`);
  if (result.breached) setExitCode(ExitCode.THRESHOLDS_FAILED);
}

