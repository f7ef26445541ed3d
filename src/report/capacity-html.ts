/**
 * The capacity section of the HTML report (runs of `tuneup capacity`): the
 * capacity curve — offered against achieved rate and p95 per offered rate,
 * with the knee bracket and the SLO line — the USL plot (measured points and
 * the fitted curve), and the tables of capacity-text.ts. The charts are drawn
 * by {@link CAPACITY_SCRIPT} (uPlot, inlined and hashed like the report's own
 * script) from the JSON in `#tuneup-capacity`.
 *
 * @module
 */
import type { CapacitySection } from '../capacity/types.js';
import { uslThroughput } from '../capacity/usl-model.js';
import { capacityHeadline, capacityTables } from './capacity-text.js';

const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Chart data of the capacity section: steps averaged per offered rate, the knee, the SLO and the USL curve. */
export function capacityChartData(c: CapacitySection): unknown {
  const rates = [...new Set(c.steps.map((s) => s.offeredRate))].sort((a, b) => a - b);
  const perRate = rates.map((r) => {
    const at = c.steps.filter((s) => s.offeredRate === r);
    const mean = (xs: (number | null)[]) => {
      const v = xs.filter((x): x is number => x !== null);
      return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
    };
    return { rate: r, achieved: mean(at.map((s) => s.achievedRate)), p95: mean(at.map((s) => s.p95Ms)), sustained: at.filter((s) => s.sustained).length, runs: at.length };
  });
  const slo = c.slo?.find((l) => l.percentile === 95) ?? c.slo?.[0];
  let usl: { n: number[]; x: (number | null)[]; fit: (number | null)[] } | null = null;
  if (c.usl.ok) {
    const f = c.usl.fit;
    const top = Math.max(...f.points.map((p) => p.n), f.nMax ?? 0) * 1.2;
    const grid = Array.from({ length: 60 }, (_, i) => (top * (i + 1)) / 60);
    const ns = [...f.points.map((p) => p.n), ...grid].sort((a, b) => a - b);
    usl = { n: ns, x: ns.map((n) => f.points.find((p) => p.n === n)?.x ?? null), fit: ns.map((n) => uslThroughput(n, f)) };
  }
  return {
    rates,
    achieved: perRate.map((p) => p.achieved),
    p95: perRate.map((p) => p.p95),
    knee: c.estimate.rate ?? null,
    upper: c.estimate.upper ?? null,
    slo: slo ? { label: slo.label, valueMs: slo.valueMs } : null,
    usl,
  };
}

/** The section's HTML (empty string without a capacity section). */
export function capacitySection(c: CapacitySection | undefined): string {
  if (!c) return '';
  const tables = capacityTables(c)
    .map(
      (t) =>
        `<h3>${esc(t.title)}</h3>${t.rows.length > 0 ? `<table><thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${t.rows.map((r) => `<tr>${r.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('')}</tbody></table>` : ''}${t.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('')}`,
    )
    .join('\n');
  return `<section id="capacity"><h2>Capacity</h2>
<p class="headline"><b>${esc(capacityHeadline(c))}</b></p>
<p class="note">Offered against achieved rate (left axis) and p95 response time (right axis) per offered rate, averaged over its runs; the dashed diagonal is achieved = offered, the vertical lines bracket the knee, the red dashed line is the SLO.</p>
<div class="chart" id="chart-capacity" role="img" aria-label="Capacity curve: achieved rate and p95 against offered rate"></div>
${c.usl.ok ? '<div class="chart" id="chart-usl" role="img" aria-label="USL fit: throughput against concurrency"></div>' : ''}
${tables}
</section>`;
}

/** Draws the capacity charts from `#tuneup-capacity` (no-op when absent). */
export const CAPACITY_SCRIPT = `
(function () {
  'use strict';
  var el = document.getElementById('tuneup-capacity');
  if (!el || typeof uPlot === 'undefined') return;
  var d = JSON.parse(el.textContent);
  function fmt(v) { return v == null || !isFinite(v) ? '-' : (Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString()); }
  function width(node) { return Math.max(300, Math.floor(node.clientWidth || 800)); }
  function vlines(xs) {
    return function (u) {
      var ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = '#5f3dc4';
      ctx.setLineDash([4, 4]);
      xs.forEach(function (x) {
        if (x == null) return;
        var px = u.valToPos(x, 'x', true);
        ctx.beginPath(); ctx.moveTo(px, u.bbox.top); ctx.lineTo(px, u.bbox.top + u.bbox.height); ctx.stroke();
      });
      ctx.restore();
    };
  }
  var node = document.getElementById('chart-capacity');
  if (node && d.rates.length) {
    var series = [
      { label: 'offered /s', value: function (u, v) { return fmt(v); } },
      { label: 'achieved /s', stroke: '#1c7ed6', width: 2, scale: 'rate', value: function (u, v) { return fmt(v); }, points: { show: true, size: 6 } },
      { label: 'achieved = offered', stroke: '#adb5bd', dash: [6, 4], width: 1, scale: 'rate', points: { show: false } },
      { label: 'p95 ms', stroke: '#e8590c', width: 2, scale: 'ms', value: function (u, v) { return fmt(v); }, points: { show: true, size: 6 } }
    ];
    var cols = [d.rates, d.achieved, d.rates.slice(), d.p95];
    if (d.slo) {
      series.push({ label: 'SLO ' + d.slo.label, stroke: '#c2255c', dash: [10, 5], width: 2, scale: 'ms', points: { show: false } });
      cols.push(d.rates.map(function () { return d.slo.valueMs; }));
    }
    new uPlot({
      width: width(node), height: 300,
      scales: { x: { time: false }, rate: {}, ms: {} },
      axes: [
        { label: 'offered rate (/s)', labelSize: 20, values: function (u, v) { return v.map(fmt); } },
        { scale: 'rate', label: 'achieved (/s)', labelSize: 20, size: 60, values: function (u, v) { return v.map(fmt); } },
        { scale: 'ms', side: 1, label: 'p95 (ms)', labelSize: 20, grid: { show: false }, values: function (u, v) { return v.map(fmt); } }
      ],
      series: series,
      hooks: { draw: [vlines([d.knee, d.upper])] }
    }, cols, node);
  }
  var un = document.getElementById('chart-usl');
  if (un && d.usl) {
    new uPlot({
      width: width(un), height: 260,
      scales: { x: { time: false } },
      axes: [
        { label: 'concurrency N (requests in flight)', labelSize: 20, values: function (u, v) { return v.map(fmt); } },
        { label: 'throughput X (/s)', labelSize: 20, size: 60, values: function (u, v) { return v.map(fmt); } }
      ],
      series: [
        { label: 'N', value: function (u, v) { return fmt(v); } },
        { label: 'measured', stroke: '#1c7ed6', width: 0, points: { show: true, size: 7, fill: '#1c7ed6' }, value: function (u, v) { return fmt(v); } },
        { label: 'USL fit', stroke: '#2f9e44', width: 2, spanGaps: true, points: { show: false }, value: function (u, v) { return fmt(v); } }
      ]
    }, [d.usl.n, d.usl.x, d.usl.fit], un);
  }
})();
`;
