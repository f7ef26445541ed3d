/**
 * Self-contained HTML page of a comparison: the verdict, then per metric a
 * table whose rows carry an inline SVG dot plot of the per-run values (one
 * dot per run, before above after, medians as ticks). No script, no
 * external resource: the file opens offline and can be attached to a CI job.
 *
 * @module
 */
import { changeText, formatValue, rowVerdictText, signedPercent, unitOf } from './format.js';
import type { GoalResult } from './goals.js';
import { verdictLine } from './render.js';
import type { Comparison, ComparisonRow } from './types.js';

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const WIDTH = 260;
const HEIGHT = 44;
const PAD = 8;

/**
 * Dot plot of one row's per-run values on a shared linear axis. Outlier
 * runs get a ring; each dot has a <title> naming its run and value.
 */
export function dotPlotSvg(row: ComparisonRow): string {
  const values = [...row.before.values, ...row.after.values];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi === lo) {
    lo -= Math.abs(lo) * 0.05 || 1;
    hi += Math.abs(hi) * 0.05 || 1;
  }
  const x = (v: number) => PAD + ((v - lo) / (hi - lo)) * (WIDTH - 2 * PAD);
  const outliers = new Set(row.outliers.map((o) => `${o.side}:${o.run}`));
  const parts: string[] = [];
  const lane = (which: 'before' | 'after', y: number, cls: string) => {
    const side = row[which];
    parts.push(`<line class="axis" x1="${PAD}" x2="${WIDTH - PAD}" y1="${y}" y2="${y}"/>`);
    side.values.forEach((v, i) => {
      const ring = outliers.has(`${which}:${side.runs[i]}`) ? ' outlier' : '';
      parts.push(
        `<circle class="${cls}${ring}" cx="${x(v).toFixed(1)}" cy="${y}" r="4"><title>${escapeHtml(`${which} ${side.runs[i]}: ${formatValue(v, row.unit)}`)}</title></circle>`,
      );
    });
    const m = x(side.median).toFixed(1);
    parts.push(`<line class="median" x1="${m}" x2="${m}" y1="${y - 8}" y2="${y + 8}"/>`);
  };
  lane('before', 12, 'before');
  lane('after', 32, 'after');
  const label = `${row.label} ${row.endpoint ?? 'overall'}: before ${row.before.values.map((v) => formatValue(v, row.unit)).join(', ')}; after ${row.after.values.map((v) => formatValue(v, row.unit)).join(', ')}`;
  return `<svg class="dots" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(label)}">${parts.join('')}</svg>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1b1f24;background:#fff}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
.verdict{font-size:1.1rem;font-weight:600;padding:.6rem .9rem;border-radius:6px;background:#f3f4f6}
.v-improved{color:#0a7d32}.v-regressed{color:#c0261b}.v-inconclusive{color:#9a6700}
table{border-collapse:collapse;width:100%}th,td{padding:.3rem .5rem;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:middle}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.axis{stroke:#d0d7de;stroke-width:1}.median{stroke:#57606a;stroke-width:2}
circle.before{fill:#8c959f;fill-opacity:.75}circle.after{fill:#0969da;fill-opacity:.75}circle.outlier{stroke:#c0261b;stroke-width:2}
.legend span{display:inline-block;margin-right:1rem}.muted{color:#57606a}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}.verdict{background:#161b22}th,td{border-color:#30363d}.muted{color:#8b949e}}
`;

/** The whole page. */
export function renderHtml(comparison: Comparison, options: { goals?: GoalResult[]; title?: string } = {}): string {
  const title = options.title ?? `tuneup compare: ${comparison.before.label} vs ${comparison.after.label}`;
  const body: string[] = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="verdict v-${escapeHtml(comparison.verdict === '~' ? 'none' : comparison.verdict)}">${escapeHtml(verdictLine(comparison))}</p>`,
    `<p class="muted">${escapeHtml(`${comparison.before.label}: ${comparison.before.runs.join(', ')} · ${comparison.after.label}: ${comparison.after.runs.join(', ')} · ${comparison.mode === 'quick' ? 'quick mode' : `${comparison.design} runs`} · α=${comparison.alpha}`)}</p>`,
  ];
  if (comparison.modeNote) body.push(`<p class="v-inconclusive">${escapeHtml(comparison.modeNote)}</p>`);
  if (comparison.reasons.length > 0) {
    body.push('<h2>Why inconclusive</h2><ul>', ...comparison.reasons.map((r) => `<li><code>${escapeHtml(r.code)}</code>: ${escapeHtml(r.message)}</li>`), '</ul>');
  }
  body.push('<p class="legend muted"><span>● grey: before runs</span><span style="color:#0969da">● blue: after runs</span><span>| median</span><span style="color:#c0261b">○ outlier (kept)</span></p>');
  const metrics = [...new Set(comparison.rows.map((r) => r.metric))];
  for (const metric of metrics) {
    const rows = comparison.rows.filter((r) => r.metric === metric);
    body.push(
      `<h2>${escapeHtml(rows[0].label)}</h2>`,
      '<table><thead><tr><th>endpoint</th><th>runs</th><th>before</th><th>after</th><th>change, interval, p</th><th>threshold</th><th>verdict</th></tr></thead><tbody>',
    );
    for (const row of rows) {
      const verdict = rowVerdictText(row) || '~';
      body.push(
        `<tr><td>${escapeHtml(row.endpoint ?? 'overall')}${row.primary ? ' <strong>(primary)</strong>' : ''}</td><td>${dotPlotSvg(row)}</td>` +
          `<td class="num">${escapeHtml(formatValue(row.before.median, row.unit))}</td><td class="num">${escapeHtml(formatValue(row.after.median, row.unit))}</td>` +
          `<td class="num">${escapeHtml(changeText(row))}</td><td class="num">±${Math.round(row.threshold * 100)}%</td><td class="v-${escapeHtml(verdict)}">${escapeHtml(verdict)}</td></tr>`,
      );
    }
    const g = comparison.geomean.find((x) => x.metric === metric);
    if (g) {
      body.push(
        `<tr class="muted"><td>geomean (${g.endpoints} endpoints)</td><td></td><td class="num">${escapeHtml(formatValue(g.before, unitOf(metric)))}</td><td class="num">${escapeHtml(formatValue(g.after, unitOf(metric)))}</td><td class="num">${escapeHtml(signedPercent(g.deltaPercent))}</td><td></td><td></td></tr>`,
      );
    }
    body.push('</tbody></table>');
  }
  if (options.goals && options.goals.length > 0) {
    body.push('<h2>Goals</h2><table><thead><tr><th>goal</th><th>observed</th><th>interval</th><th>status</th><th>why</th></tr></thead><tbody>');
    for (const g of options.goals) {
      const interval = g.intervalPercent ? `[${signedPercent(g.intervalPercent[0])}, ${signedPercent(g.intervalPercent[1])}]` : 'n/a';
      body.push(
        `<tr><td>${escapeHtml(`${g.goal.metric} ${g.goal.endpoint ?? 'overall'} ${g.goal.change}`)}</td><td class="num">${escapeHtml(g.observedPercent === null ? 'n/a' : signedPercent(g.observedPercent))}</td><td class="num">${escapeHtml(interval)}</td><td>${escapeHtml(g.status)}</td><td>${escapeHtml(g.reason)}</td></tr>`,
      );
    }
    body.push('</tbody></table>');
  }
  if (comparison.warnings.length > 0) body.push('<h2>Notes</h2><ul>', ...comparison.warnings.map((w) => `<li>${escapeHtml(w)}</li>`), '</ul>');
  body.push(
    `<p class="muted">Per metric: exact two-sided Mann–Whitney U test and Hodges–Lehmann interval of ln(after/before) over whole runs; a change is reported only when p &lt; α and the whole interval clears the noise threshold.</p>`,
  );
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body.join('\n')}</body></html>\n`;
}
