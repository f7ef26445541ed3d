/**
 * Terminal summary of `tuneup diagnose`: the capacity line first, then the
 * steps, the diagnosis rate, the isolation runs (and the memory round's), and the findings each with
 * confirmed / refuted / not tested.
 *
 * @module
 */
import pc from 'picocolors';
import type { ExperimentIsolation, ExperimentSection, RunResult } from '../result/types.js';
import { renderFindings } from './findings-text.js';

/** Options of {@link renderExperimentSummary}. */
export interface ExperimentSummaryOptions {
  color: boolean;
}

/** One line saying the measured capacity (and the plan's rate against it). */
export function capacityLine(e: ExperimentSection): string {
  const { knee } = e;
  const cap =
    e.interrupted && knee.status === 'not-reached'
      ? knee.sustainedRate === undefined
        ? 'not measured (interrupted)'
        : `≥ ${r(knee.sustainedRate)}/s so far (interrupted before the knee)`
      : knee.status === 'found'
      ? `${r(knee.sustainedRate!)}/s sustained, fails at ${r(knee.failedRate!)}/s (${knee.reasons.join('; ')})`
      : knee.status === 'not-reached'
        ? knee.sustainedRate === undefined
          ? 'not measured'
          : `≥ ${r(knee.sustainedRate)}/s (every step up to the ramp's cap was sustained)`
        : `< ${r(knee.failedRate ?? 0)}/s (even the lowest step failed: ${knee.reasons.join('; ')})`;
  const saturated = knee.saturatedResource ? `; saturated: ${knee.saturatedResource.name} (${knee.saturatedResource.detail})` : '';
  const requested =
    e.requestedRate === undefined
      ? ''
      : knee.sustainedRate !== undefined && e.requestedRate <= knee.sustainedRate
        ? `; the plan's ${r(e.requestedRate)}/s is within it`
        : knee.status === 'not-reached'
          ? ''
          : `; the plan asks for ${r(e.requestedRate)}/s: past capacity`;
  return `capacity: ${cap}${saturated}${requested}`;
}

/** Render the summary. */
export function renderExperimentSummary(result: RunResult, options: ExperimentSummaryOptions): string {
  const c = pc.createColors(options.color);
  const e = result.experiment;
  const lines: string[] = [];
  if (e) {
    lines.push(c.bold(capacityLine(e)));
    if (e.steps.length > 0) {
      lines.push(c.dim(`  steps: ${e.steps.map((s) => `${r(s.offeredRate)}→${r(s.achievedRate)}/s ${s.sustained ? 'ok' : 'past knee'}`).join(', ')}`));
    }
    const by = e.chosenBy === 'plan' ? "the plan's rate" : e.chosenBy === 'flag' ? '--rate' : e.chosenBy === 'knee' ? '70 % of the sustained rate' : "70 % of the ramp's highest sustained step";
    const t = result.totals;
    // Interrupted before the diagnosis, the stored run is the last capacity step (never diagnosed).
    lines.push(
      result.findings === undefined
        ? 'diagnosis: not run (interrupted); the stored run is the last capacity step'
        : `diagnosis: ${r(e.chosenRate)}/s (${by}) for ${Math.round(result.durationMs / 1000)} s: ${t.requests} requests, p95 ${r(t.responseTime.p95)} ms, ${r(t.errorRate * 100)} % errors`,
    );
    for (const iso of e.isolation) {
      lines.push(
        iso.status === 'ran'
          ? c.dim(`  alone: ${iso.endpoint} at ${r(iso.rate ?? 0)}/s for ${Math.round((iso.durationMs ?? 0) / 1000)} s (${iso.requests ?? 0} requests)`)
          : c.dim(`  alone: ${iso.endpoint} not tested: ${iso.reason}`),
      );
    }
    for (const m of e.memory ?? []) {
      const kept = keptPerRequestText(m);
      lines.push(
        m.status === 'ran'
          ? c.dim(`  memory: ${m.endpoint} at ${r(m.rate ?? 0)}/s for ${Math.round((m.durationMs ?? 0) / 1000)} s${kept ? `: ${kept}` : ''}`)
          : c.dim(`  memory: ${m.endpoint} not tested: ${m.reason}`),
      );
    }
    if (e.interrupted) lines.push(c.yellow('interrupted: the result holds what was measured so far'));
  }
  const findings = result.findings ?? [];
  const counts = ['confirmed', 'refuted', 'not-tested'].map((s) => [s, findings.filter((f) => f.confirmation?.status === s).length] as const).filter(([, n]) => n > 0);
  lines.push('', c.bold(`findings (${findings.length}${counts.length ? `: ${counts.map(([s, n]) => `${n} ${s.replace('-', ' ')}`).join(', ')}` : ''})`));
  lines.push(renderFindings(findings, { color: options.color, details: true }));
  return lines.join('\n');
}

/** What a memory-round step kept, e.g. `kept 12 KB per request (old generation)`; undefined when it measured nothing. */
export function keptPerRequestText(step: Pick<ExperimentIsolation, 'retained'>): string | undefined {
  const kept = step.retained;
  const bytes = kept && kept.requests > 0 ? (kept.oldGenerationBytes ?? kept.rssBytes) : undefined;
  if (bytes === undefined) return undefined;
  return `kept ${r(bytes / kept!.requests / 1024)} KB per request (${kept!.oldGenerationBytes !== undefined ? 'old generation' : 'RSS'})`;
}

function r(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}
