/**
 * Markdown summary for a pull-request comment (GitHub/GitLab flavoured):
 * verdict, latency views, thresholds, top findings, the per-endpoint table
 * and a link to the full HTML report. Kept short: comments have size limits
 * and people read them on a phone.
 *
 * @module
 */
import { confirmationLabel } from './findings-text.js';
import type { TrendStats } from '../result/types.js';
import { formatChange, formatCount, formatDuration, formatMs, formatObserved, formatPercent, formatRate } from './format.js';
import type { ReportModel } from './model.js';
import { renderCapacityMarkdown } from './capacity-text.js';

/** Options of {@link renderMarkdown}. */
export interface MarkdownOptions {
  /** Link to the full HTML report (a CI artifact URL or a relative path). */
  htmlLink?: string;
  /** Endpoints listed in the table (default 20); the rest are counted. */
  maxEndpoints?: number;
}

/**
 * Escape text for Markdown prose and table cells: HTML special characters,
 * Markdown emphasis/link syntax, and `|` (which would end a table cell).
 * Newlines become spaces so a value never breaks a table row.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]#|~])/g, '\\$1');
}

/**
 * An inline code span that survives any content: backtick runs inside get a
 * longer fence, `|` is escaped for tables (GFM parses table cells first).
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = longest > 0 || flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

const OUTCOME_ICON = { passed: '✅', failed: '❌', incomplete: '⚠️' } as const;

/**
 * Render the Markdown summary.
 * @param model   the report model.
 * @param options link to the HTML report and table size.
 */
export function renderMarkdown(model: ReportModel, options: MarkdownOptions = {}): string {
  const v = model.verdict;
  const out: string[] = [];
  out.push(`### ${OUTCOME_ICON[v.outcome]} tuneup: ${escapeMarkdown(v.headline)}`);
  const meta = [
    model.run.planName ? `**${escapeMarkdown(model.run.planName)}**` : undefined,
    `run ${codeSpan(model.run.id)}`,
    formatDuration(model.run.durationMs),
    model.run.model === 'open' ? 'open model' : model.run.model === 'closed' ? 'closed model' : 'mixed model',
    model.run.status !== 'completed' ? `status ${escapeMarkdown(model.run.status)}` : undefined,
    model.baseline ? `baseline ${codeSpan(model.baseline.id)}` : undefined,
    options.htmlLink ? `[full report](${linkTarget(options.htmlLink)})` : undefined,
  ].filter((x): x is string => x !== undefined);
  out.push(meta.join(' · '));
  out.push('');
  if (model.capacity) out.push(renderCapacityMarkdown(model.capacity));
  if (v.statusReason) out.push(`> ${escapeMarkdown(v.statusReason)}`, '');
  if (v.generatorSaturated) {
    const evidence = v.generatorEvidence.map((e) => `${escapeMarkdown(e.label)} ${short(e.value)}${e.unit ? ` ${escapeMarkdown(e.unit)}` : ''} (limit ${short(e.limit)})`).join('; ');
    out.push(`> [!WARNING]`, `> **Generator saturated**: the load generator, not the target, limited this run. ${evidence}`, '');
  }

  out.push('| latency | p50 | p90 | p95 | p99 | max |', '|---|--:|--:|--:|--:|--:|');
  out.push(statsRow('response time', model.latency.response));
  out.push(statsRow('service time', model.latency.service));
  if (model.baseline) out.push(statsRow('baseline response time', model.baseline.responseTime));
  out.push('');
  const t = model.throughput;
  const kinds = model.errors.byKind.map((k) => `${k.kind} ${formatCount(k.count)}`).join(', ');
  out.push(
    `**Throughput** ${formatRate(t.rps)} (${formatCount(t.requests)} requests) · **errors** ${formatPercent(model.errors.errorRate)} (${formatCount(model.errors.failed)}${kinds ? `: ${kinds}` : ''}) · **dropped iterations** ${formatCount(model.load.droppedIterations)} · **late starts** ${formatCount(model.load.lateStarts)}`,
  );
  out.push('');

  if (v.thresholds.length > 0) {
    out.push('#### Thresholds', '', '| | metric | threshold | observed |', '|---|---|---|--:|');
    for (const th of v.thresholds) {
      out.push(`| ${th.passed ? '✅' : '❌'} | ${codeSpan(th.metric)} | ${codeSpan(th.expression)} | ${escapeMarkdown(formatObserved(th.observed, th.unit))} |`);
    }
    out.push('');
  }

  if (v.topFindings.length > 0) {
    out.push('#### Top findings', '');
    v.topFindings.forEach((f, i) => out.push(`${i + 1}. **${f.severity.toUpperCase()}** ${escapeMarkdown(f.sentence)}${f.confirmation ? ` _(${confirmationLabel(f.confirmation)})_` : ''}`));
    if (model.findings.length > v.topFindings.length) {
      out.push('', `${model.findings.length - v.topFindings.length} more finding(s) in the full report.`);
    }
    out.push('');
  }

  if (model.endpoints.length > 0) {
    const max = options.maxEndpoints ?? 20;
    const rows = model.endpoints.slice(0, max);
    const withDelta = model.baseline !== undefined;
    out.push(`#### Endpoints${model.endpoints.length > rows.length ? ` (top ${rows.length} of ${model.endpoints.length} by requests)` : ''}`, '');
    out.push(`| endpoint | requests | rps | errors | p50 | p95 | p99 |${withDelta ? ' p95 vs baseline |' : ''}`);
    out.push(`|---|--:|--:|--:|--:|--:|--:|${withDelta ? '--:|' : ''}`);
    for (const r of rows) {
      const delta = withDelta ? ` ${r.delta ? formatChange(r.delta.p95Change) : 'new'} |` : '';
      out.push(
        `| ${codeSpan(r.endpoint)} | ${formatCount(r.requests)} | ${formatRate(r.rps)} | ${formatPercent(r.errorRate)} | ${formatMs(r.response.p50)} | ${formatMs(r.response.p95)} | ${formatMs(r.response.p99)} |${delta}`,
      );
    }
    if (model.endpoints.length > rows.length) out.push('', `… and ${model.endpoints.length - rows.length} more endpoints in the full report.`);
    out.push('');
  }
  out.push('<sub>Latency columns are response time (intended start → last byte), which includes queueing hidden by coordinated omission.</sub>');
  return out.join('\n') + '\n';
}

function short(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : String(Number(value.toPrecision(3)));
}

function statsRow(label: string, s: TrendStats): string {
  return `| ${label} | ${formatMs(s.p50)} | ${formatMs(s.p90)} | ${formatMs(s.p95)} | ${formatMs(s.p99)} | ${formatMs(s.max)} |`;
}

/** Link destinations with spaces or parentheses go in angle brackets (CommonMark). */
function linkTarget(link: string): string {
  return /[\s()<>]/.test(link) ? `<${link.replace(/[<>]/g, encodeURIComponent)}>` : link;
}
