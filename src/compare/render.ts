/**
 * Renderers of a {@link Comparison}: benchstat-like terminal table,
 * Markdown, and the JSON document of `--json`. The HTML page is in
 * `render-html.ts`. Renderers only format; every decision is in the data.
 *
 * @module
 */
import pc from 'picocolors';
import { changeText, deltaText, formatValue, intervalText, nText, pText, rowVerdictText, sideText, signedPercent, unitOf } from './format.js';
import type { GoalResult } from './goals.js';
import type { Comparison, ComparisonRow, MetricKind } from './types.js';

/** Options of {@link renderTerminal}. */
export interface TerminalOptions {
  /** ANSI colors (default false). */
  color?: boolean;
  /** Goal outcomes to list under the table. */
  goals?: GoalResult[];
}

/** Rows grouped by metric, in the comparison's order. */
function byMetric(comparison: Comparison): Map<MetricKind, ComparisonRow[]> {
  const groups = new Map<MetricKind, ComparisonRow[]>();
  for (const row of comparison.rows) {
    const list = groups.get(row.metric) ?? [];
    list.push(row);
    groups.set(row.metric, list);
  }
  return groups;
}

/** One line: "verdict: improved — p95 response time overall −40.0% [−42.1%, −38.0%]". */
export function verdictLine(comparison: Comparison): string {
  const primary = comparison.rows.find((r) => r.primary);
  const what = primary ? ` — ${primary.label} ${primary.endpoint ?? 'overall'} ${signedPercent(primary.deltaPercent)} ${intervalText(primary.ci)} (${pText(primary.p)} ${nText(primary)})` : '';
  return `verdict: ${comparison.verdict}${what}`;
}

function header(comparison: Comparison): string {
  const design = comparison.mode === 'quick' ? 'quick mode' : `${comparison.design} runs`;
  return `${comparison.before.label} (${comparison.before.runs.length} run${comparison.before.runs.length === 1 ? '' : 's'}) vs ${comparison.after.label} (${comparison.after.runs.length}) · ${design} · α=${comparison.alpha}`;
}

function goalLine(g: GoalResult): string {
  const where = g.goal.endpoint ?? 'overall';
  const observed = g.observedPercent === null ? 'n/a' : signedPercent(g.observedPercent);
  const interval = g.intervalPercent ? ` [${signedPercent(g.intervalPercent[0])}, ${signedPercent(g.intervalPercent[1])}]` : '';
  return `${g.status.padEnd(12)} ${g.goal.metric} ${where} ${g.goal.change}: observed ${observed}${interval} — ${g.reason}`;
}

/**
 * benchstat-like table, one block per metric:
 *
 *     p95 response time        before          after           vs base
 *     overall *                100ms ±2%       60.0ms ±3%      −40.0% [−42.1%, −38.0%] (p=0.008 n=5+5) improved
 *     geomean                  …
 *
 * `*` marks the primary row; `~` means no change shown.
 */
export function renderTerminal(comparison: Comparison, options: TerminalOptions = {}): string {
  const c = pc.createColors(options.color ?? false);
  const paint = (verdict: string, text: string) =>
    verdict === 'improved' ? c.green(text) : verdict === 'regressed' ? c.red(text) : verdict === 'inconclusive' ? c.yellow(text) : text;
  const lines: string[] = [c.bold(header(comparison)), ''];
  const names = comparison.rows.map((r) => `${r.endpoint ?? 'overall'}${r.primary ? ' *' : ''}`);
  const nameWidth = Math.max(20, ...names.map((n) => n.length), ...comparison.rows.map((r) => r.label.length)) + 2;
  const colWidth = Math.max(14, ...comparison.rows.flatMap((r) => [sideText(r, 'before').length, sideText(r, 'after').length])) + 2;
  for (const [metric, rows] of byMetric(comparison)) {
    lines.push(c.bold(`${rows[0].label.padEnd(nameWidth)}${comparison.before.label.padEnd(colWidth)}${comparison.after.label.padEnd(colWidth)}vs base`));
    for (const row of rows) {
      const name = `${row.endpoint ?? 'overall'}${row.primary ? ' *' : ''}`;
      const verdict = rowVerdictText(row);
      const change = `${changeText(row)}${verdict ? ` ${verdict}` : ''}`;
      lines.push(`${name.padEnd(nameWidth)}${sideText(row, 'before').padEnd(colWidth)}${sideText(row, 'after').padEnd(colWidth)}${paint(verdict, change)}`);
    }
    const g = comparison.geomean.find((x) => x.metric === metric);
    if (g) {
      const unit = unitOf(metric);
      lines.push(c.dim(`${'geomean'.padEnd(nameWidth)}${formatValue(g.before, unit).padEnd(colWidth)}${formatValue(g.after, unit).padEnd(colWidth)}${signedPercent(g.deltaPercent)}`));
    }
    lines.push('');
  }
  lines.push(c.bold(paint(comparison.verdict, verdictLine(comparison))));
  for (const r of comparison.reasons) lines.push(c.yellow(`  inconclusive: ${r.code}: ${r.message}`));
  for (const w of comparison.warnings) lines.push(c.dim(`  note: ${w}`));
  if (options.goals && options.goals.length > 0) {
    lines.push('', c.bold('goals'));
    for (const g of options.goals) lines.push(`  ${paint(g.status === 'met' ? 'improved' : g.status === 'not-met' ? 'regressed' : 'inconclusive', goalLine(g))}`);
  }
  lines.push(c.dim('  * primary metric · ~ no change beyond noise (needs p < α and the whole interval beyond the threshold) · ± half range of runs'));
  return lines.join('\n');
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|');

/** GitHub-flavoured Markdown: a summary line, one table per metric, reasons, notes and goals. */
export function renderMarkdown(comparison: Comparison, options: { goals?: GoalResult[] } = {}): string {
  const out: string[] = ['## tuneup compare', '', `**${mdEscape(verdictLine(comparison))}**`, '', `_${mdEscape(header(comparison))}_`, ''];
  if (comparison.modeNote) out.push(`> ${comparison.modeNote}`, '');
  for (const [metric, rows] of byMetric(comparison)) {
    out.push(`### ${rows[0].label}`, '', `| endpoint | ${mdEscape(comparison.before.label)} | ${mdEscape(comparison.after.label)} | change | 95% interval | p | n | threshold | verdict |`, '|---|---:|---:|---:|---|---:|---|---:|---|');
    for (const row of rows) {
      const verdict = rowVerdictText(row) || '~';
      out.push(
        `| ${mdEscape(row.endpoint ?? 'overall')}${row.primary ? ' **(primary)**' : ''} | ${sideText(row, 'before')} | ${sideText(row, 'after')} | ${deltaText(row)} | ${row.unit === 'rate' ? '' : intervalText(row.ci)} | ${pText(row.p).slice(2)} | ${nText(row).slice(2)} | ±${Math.round(row.threshold * 100)}% | ${verdict} |`,
      );
    }
    const g = comparison.geomean.find((x) => x.metric === metric);
    if (g) out.push(`| _geomean_ | ${formatValue(g.before, unitOf(metric))} | ${formatValue(g.after, unitOf(metric))} | ${signedPercent(g.deltaPercent)} | | | | | |`);
    out.push('');
  }
  if (comparison.reasons.length > 0) {
    out.push('### Why inconclusive', '');
    for (const r of comparison.reasons) out.push(`- \`${r.code}\`: ${mdEscape(r.message)}`);
    out.push('');
  }
  if (comparison.warnings.length > 0) {
    out.push('### Notes', '');
    for (const w of comparison.warnings) out.push(`- ${mdEscape(w)}`);
    out.push('');
  }
  if (options.goals && options.goals.length > 0) {
    out.push('### Goals', '', '| goal | observed | interval | status |', '|---|---:|---|---|');
    for (const g of options.goals) {
      const interval = g.intervalPercent ? `[${signedPercent(g.intervalPercent[0])}, ${signedPercent(g.intervalPercent[1])}]` : 'n/a';
      out.push(`| ${g.goal.metric} ${mdEscape(g.goal.endpoint ?? 'overall')} ${g.goal.change} | ${g.observedPercent === null ? 'n/a' : signedPercent(g.observedPercent)} | ${interval} | ${g.status} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** The `--json` document: `{ comparison, goals }`, stable and versioned (docs/compare.md). */
export interface ComparisonDocument {
  kind: 'tuneup.comparison';
  version: 1;
  comparison: Comparison;
  goals: GoalResult[];
}

/**
 * JSON text of a comparison. Non-finite numbers (NaN p-values, infinite
 * z-scores) become null, since JSON has no NaN.
 */
export function renderJson(comparison: Comparison, goals: GoalResult[] = []): string {
  const doc: ComparisonDocument = { kind: 'tuneup.comparison', version: 1, comparison, goals };
  return JSON.stringify(doc, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
}
