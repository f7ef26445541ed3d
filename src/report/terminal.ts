/**
 * The end-of-run summary printed in the terminal (k6-like), rendered from
 * the report model. Returns a string; the CLI prints it.
 *
 * Without color the output is plain 7-bit ASCII (no box-drawing, no check
 * marks) so CI logs and old Windows consoles show it intact.
 *
 * @module
 */
import { confirmationLabel } from './findings-text.js';
import Table from 'cli-table3';
import pc from 'picocolors';
import type { TrendStats } from '../result/types.js';
import {
  formatBytes,
  formatChange,
  formatCount,
  formatDuration,
  formatMs,
  formatObserved,
  formatPercent,
  formatRate,
} from './format.js';
import type { EndpointRow, ReportModel } from './model.js';

/** Options of {@link renderTerminalSummary}. */
export interface TerminalOptions {
  /** Use ANSI colors (picocolors). */
  color: boolean;
  /** Terminal width in columns (tables and long lines fit into it). */
  width: number;
  /** Use Unicode symbols and box-drawing; defaults to `color`. */
  unicode?: boolean;
  /** Endpoints shown in the table (default 10); the rest are counted in a "… and M more" line. */
  maxEndpoints?: number;
}

type Paint = (text: string) => string;

interface Style {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
  ok: string;
  fail: string;
  warn: string;
  more: string;
}

function style(color: boolean, unicode: boolean): Style {
  const c = pc.createColors(color);
  return {
    bold: c.bold,
    dim: c.dim,
    red: c.red,
    green: c.green,
    yellow: c.yellow,
    cyan: c.cyan,
    ok: unicode ? '✓' : 'PASS',
    fail: unicode ? '✗' : 'FAIL',
    warn: unicode ? '⚠' : '!',
    more: unicode ? '…' : '...',
  };
}

/**
 * Render the end-of-test summary.
 * @param model   the report model of the run.
 * @param options color and width of the target terminal.
 */
export function renderTerminalSummary(model: ReportModel, options: TerminalOptions): string {
  const unicode = options.unicode ?? options.color;
  const s = style(options.color, unicode);
  const width = Math.max(60, Math.min(options.width || 100, 200));
  const lines: string[] = [];
  const v = model.verdict;

  // Status line, then the verdict: the two things people look for first.
  const plan = model.run.planName ? `  ${model.run.planName}` : '';
  lines.push(`${s.bold('tuneup')} run ${model.run.id}${plan}  ${model.run.status} in ${formatDuration(model.run.durationMs)}  ${s.dim(`(${modelLabel(model)})`)}`);
  const paintVerdict = v.outcome === 'passed' ? s.green : v.outcome === 'failed' ? s.red : s.yellow;
  lines.push(s.bold(paintVerdict(v.headline)));
  if (v.statusReason) lines.push(`  ${s.dim('reason:')} ${v.statusReason}`);
  // What the diagnosis could not see comes before any number: a missing pg_stat_statements or a failed
  // probe silently turns "no finding" into "not looked at".
  const blind = model.probes.flatMap((p) => [
    ...(p.ok ? [] : [`${p.probe}: no sample taken${p.errors[0] ? ` (${p.errors[0].message})` : ''}`]),
    ...p.limitations.map((l) => `${p.probe}: ${l}`),
  ]);
  if (blind.length > 0) {
    lines.push(s.yellow(`${s.warn} diagnosis could not see everything:`));
    for (const b of blind) lines.push(wrap(s.yellow(b), width, '    ', '      '));
  }
  if (v.generatorSaturated) {
    lines.push('');
    lines.push(s.yellow(`${s.warn} generator saturated: the load generator, not the target, limited this run; latencies and throughput are not trustworthy.`));
    for (const e of v.generatorEvidence) {
      lines.push(s.yellow(`    ${e.label}: ${num(e.value)}${e.unit ? ` ${e.unit}` : ''} (limit ${num(e.limit)}${e.unit ? ` ${e.unit}` : ''})`));
    }
  }
  lines.push('');

  // Both latency views, side by side.
  const open = model.run.model !== 'closed';
  const lat = new Table(tableOptions(unicode, ['latency', 'p50', 'p90', 'p95', 'p99', 'max'], s));
  lat.push(latencyRow('response time', model.latency.response));
  lat.push(latencyRow('service time', model.latency.service));
  if (model.baseline) {
    lat.push(latencyRow(s.dim('baseline response'), model.baseline.responseTime).map((c) => s.dim(c)));
  }
  lines.push(lat.toString());
  lines.push(
    s.dim(
      open
        ? '  response time = intended start -> last byte (includes queueing: no coordinated omission); service time = send -> last byte'
        : '  closed model: requests wait for a free VU, so response time equals service time (coordinated omission is possible)',
    ),
  );
  lines.push('');

  // Totals.
  const kv = (key: string, value: string) => `  ${s.cyan(key.padEnd(12))} ${value}`;
  const t = model.throughput;
  let throughput = `${formatCount(t.requests)} requests  ${formatRate(t.rps)}  iterations ${formatCount(t.iterations)}`;
  if (model.baseline) throughput += s.dim(`  (baseline ${formatRate(model.baseline.rps)})`);
  lines.push(kv('throughput', throughput));
  const e = model.errors;
  const kinds = e.byKind.map((k) => `${k.kind} ${formatCount(k.count)}`).join('  ');
  const errText = `${formatCount(e.failed)} failed (${formatPercent(e.errorRate)})${kinds ? `  ${kinds}` : ''}`;
  lines.push(kv('errors', e.failed > 0 ? s.red(errText) : errText));
  const l = model.load;
  const loadText = `dropped iterations ${formatCount(l.droppedIterations)}  late starts ${formatCount(l.lateStarts)} (> ${l.lateStartToleranceMs} ms)`;
  lines.push(kv('load', l.droppedIterations > 0 || l.lateStarts > 0 ? s.yellow(loadText) : loadText));
  const checksTotal = l.checks.passes + l.checks.fails;
  if (checksTotal > 0) {
    const checksText = `${formatPercent(l.checks.passes / checksTotal)}  ${formatCount(l.checks.passes)} passed / ${formatCount(l.checks.fails)} failed`;
    lines.push(kv('checks', l.checks.fails > 0 ? s.yellow(checksText) : checksText));
  }
  lines.push(kv('data', `received ${formatBytes(t.bytesReceived)}  sent ${formatBytes(t.bytesSent)}`));
  lines.push('');

  // Thresholds with observed values.
  if (v.thresholds.length > 0) {
    lines.push(s.bold('thresholds'));
    const metricWidth = Math.min(48, Math.max(...v.thresholds.map((x) => x.metric.length)));
    for (const th of v.thresholds) {
      const mark = th.passed ? s.green(s.ok) : s.red(s.fail);
      const metric = clip(th.metric, metricWidth, s.more).padEnd(metricWidth);
      const observed = `observed ${formatObserved(th.observed, th.unit)}`;
      const abort = th.aborted ? s.red('  (aborted the run)') : '';
      lines.push(`  ${mark} ${metric}  ${th.expression.padEnd(14)} ${th.passed ? s.dim(observed) : s.red(observed)}${abort}`);
    }
    lines.push('');
  }

  // Per-endpoint table, top N by requests.
  if (model.endpoints.length > 0) {
    const maxRows = options.maxEndpoints ?? 10;
    const shown = model.endpoints.slice(0, maxRows);
    const withDelta = model.baseline !== undefined;
    lines.push(s.bold(`endpoints${model.endpoints.length > shown.length ? ` (top ${shown.length} of ${model.endpoints.length} by requests)` : ''}`));
    lines.push(endpointTable(shown, withDelta, width, unicode, s));
    if (model.endpoints.length > shown.length) {
      lines.push(s.dim(`  ${s.more} and ${model.endpoints.length - shown.length} more (see report.html)`));
    }
    if (model.baseline && model.baseline.missingEndpoints.length > 0) {
      lines.push(s.dim(`  ${model.baseline.missingEndpoints.length} endpoint(s) of the baseline did not occur in this run`));
    }
    lines.push('');
  }

  // Top findings, one sentence each.
  if (v.topFindings.length > 0) {
    lines.push(s.bold(`findings (top ${v.topFindings.length} of ${model.findings.length})`));
    for (const f of v.topFindings) {
      const sev = `[${f.severity.toUpperCase()}]`;
      const paint = f.severity === 'critical' || f.severity === 'high' ? s.red : f.severity === 'medium' ? s.yellow : s.dim;
      lines.push(wrap(`${paint(sev)} ${f.sentence}${f.confirmation ? ` (${confirmationLabel(f.confirmation)})` : ''}`, width, '  ', '    '));
    }
    lines.push('');
  } else if (model.findings.length === 0 && model.probes.length > 0) {
    lines.push(s.dim('no findings'));
    lines.push('');
  }

  for (const w of model.warnings) lines.push(s.yellow(`${s.warn} ${w}`));
  const out = lines.join('\n').replace(/\n+$/, '') + '\n';
  return unicode ? out : toAscii(out);
}

function modelLabel(model: ReportModel): string {
  const executors = [...new Set(model.load.scenarios.map((x) => x.executor))].join(', ');
  const which = model.run.model === 'open' ? 'open model' : model.run.model === 'closed' ? 'closed model' : 'mixed open/closed model';
  return executors ? `${which}: ${executors}` : which;
}

function latencyRow(label: string, stats: TrendStats): string[] {
  return [label, formatMs(stats.p50), formatMs(stats.p90), formatMs(stats.p95), formatMs(stats.p99), formatMs(stats.max)];
}

function num(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : String(Number(value.toPrecision(3)));
}

function tableOptions(unicode: boolean, head: string[], s: Style): Table.TableConstructorOptions {
  const ascii = {
    top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+',
    bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+',
    left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+',
    right: '|', 'right-mid': '+', middle: '|',
  };
  return {
    head: head.map((h) => s.bold(h)),
    // cli-table3 colors headers red by default; we color through picocolors only.
    style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 },
    colAligns: head.map((_, i) => (i === 0 ? 'left' : 'right')),
    ...(unicode ? {} : { chars: ascii }),
  };
}

function endpointTable(rows: EndpointRow[], withDelta: boolean, width: number, unicode: boolean, s: Style): string {
  const head = ['endpoint', 'reqs', 'rps', 'err%', 'p50', 'p95', 'p99'];
  if (withDelta) head.push('p95 chg');
  // Content widths: "9,999,999", "1234.5", "100.00%", "29.8 ms"/"1.24 s", "+13.2%".
  const numberCols = [10, 7, 7, 7, 7, 7];
  if (withDelta) numberCols.push(7);
  // 3 border/padding characters per column.
  const fixed = numberCols.reduce((a, b) => a + b, 0) + 3 * head.length + 1;
  const endpointWidth = Math.max(16, width - fixed);
  const table = new Table({ ...tableOptions(unicode, head, s), colWidths: [endpointWidth + 2, ...numberCols.map((w) => w + 2)], wordWrap: false });
  for (const r of rows) {
    const cells = [
      clip(r.endpoint, endpointWidth, s.more),
      formatCount(r.requests),
      r.rps >= 100 ? Math.round(r.rps).toString() : r.rps.toFixed(1),
      r.errorRate >= 0.01 ? s.red(formatPercent(r.errorRate)) : r.failed > 0 ? s.yellow(formatPercent(r.errorRate)) : formatPercent(r.errorRate),
      formatMs(r.response.p50),
      formatMs(r.response.p95),
      formatMs(r.response.p99),
    ];
    if (withDelta) {
      const change = r.delta?.p95Change ?? null;
      const text = r.delta ? formatChange(change) : 'new';
      cells.push(change !== null && change > 0.05 ? s.red(text) : change !== null && change < -0.05 ? s.green(text) : text);
    }
    table.push(cells);
  }
  return table.toString();
}

/** Shorten to `max` visible characters, marking the cut. */
function clip(text: string, max: number, more: string): string {
  if (text.length <= max) return text;
  return text.slice(0, Math.max(0, max - more.length)) + more;
}

/** Soft-wrap a line at spaces to `width`, indenting continuation lines. Counts ANSI codes as zero-width. */
function wrap(text: string, width: number, indent: string, hang: string): string {
  const words = text.split(' ');
  const out: string[] = [];
  let line = indent;
  let visible = indent.length;
  for (const word of words) {
    const len = word.replace(/\x1b\[[0-9;]*m/g, '').length;
    if (visible + len + 1 > width && visible > hang.length) {
      out.push(line.trimEnd());
      line = hang;
      visible = hang.length;
    }
    line += (line === indent || line === hang ? '' : ' ') + word;
    visible += len + 1;
  }
  out.push(line.trimEnd());
  return out.join('\n');
}

/** ASCII spellings of the symbols findings and endpoint names use (× in "31.3× per request", ≥, →, ρ …). */
const ASCII_SPELLING: Record<string, string> = {
  '\u2018': "'", '\u2019': "'", '\u201c': '"', '\u201d': '"', '\u2026': '...', '\u2013': '-', '\u2014': '-', '\u2212': '-',
  '\u00b5': 'u', '\u03bc': 'u', '\u00d7': 'x', '\u2265': '>=', '\u2264': '<=', '\u2260': '!=', '\u2248': '~', '\u00b1': '+/-',
  '\u2192': '->', '\u2190': '<-', '\u21d2': '=>', '\u00b7': '.', '\u2022': '*', '\u00b0': ' deg', '\u00b2': '^2', '\u00b3': '^3',
  '\u03c1': 'rho', '\u0394': 'delta', '\u03b1': 'alpha', '\u03c3': 'sigma', '\u221e': 'inf', '\u00a0': ' ', '\u2009': ' ', '\u202f': ' ',
};

/** Replace the non-ASCII characters data may carry for plain logs: known symbols spelled out, accents dropped, the rest `?`. */
function toAscii(text: string): string {
  return text
    .replace(/[^\x00-\x7f]/g, (c) => ASCII_SPELLING[c] ?? c.normalize('NFKD').replace(/[\u0300-\u036f]/g, ''))
    // eslint-disable-next-line no-control-regex
    .replace(/[^\x00-\x7f]/g, '?');
}
