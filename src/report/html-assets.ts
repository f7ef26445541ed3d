/**
 * Static assets of the HTML report: its stylesheet and the small browser
 * script that draws the charts (uPlot) and makes tables sortable.
 *
 * Both are plain strings inlined into the page; their sha256 hashes go into
 * the page's Content-Security-Policy, so nothing else can run or style it.
 * The browser script is ES2017 without template literals, so it can live in
 * a TypeScript template string unchanged.
 *
 * @module
 */

/** The report's own stylesheet: system fonts, light theme, print rules. No inline style attributes are used anywhere (CSP). */
export const REPORT_CSS = `
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#ffffff; --panel:#f6f8fa; --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; --accent:#0969da; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: var(--bg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.top { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); }
header.top h1 { margin: 0; font-size: 20px; }
header.top .meta { color: var(--muted); margin-top: 4px; }
header.top .meta span { margin-right: 14px; white-space: nowrap; }
nav.toc { padding: 6px 24px; border-bottom: 1px solid var(--line); font-size: 13px; }
nav.toc a { margin-right: 14px; color: var(--accent); text-decoration: none; }
main { max-width: 1280px; margin: 0 auto; padding: 8px 24px 40px; }
section { margin-top: 22px; }
h2 { font-size: 17px; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 14px 0 6px; }
p.note, .muted { color: var(--muted); }
p.note { max-width: 920px; margin: 6px 0; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
pre { background: var(--panel); border: 1px solid var(--line); padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; margin: 6px 0; }
.verdict { border: 2px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.verdict.passed { border-color: var(--ok); }
.verdict.failed { border-color: var(--bad); }
.verdict.incomplete { border-color: var(--warn); }
.badge { display: inline-block; font-weight: 700; padding: 2px 10px; border-radius: 12px; color: #fff; font-size: 13px; }
.badge.passed { background: var(--ok); } .badge.failed { background: var(--bad); } .badge.incomplete { background: var(--warn); }
.headline { font-size: 16px; font-weight: 600; margin-left: 8px; }
.warnbox { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 8px 12px; margin: 10px 0; }
.kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.kpi { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 130px; }
.kpi b { display: block; font-size: 17px; }
.kpi span { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ok { color: var(--ok); } .bad { color: var(--bad); } .warn { color: var(--warn); }
.sev { font-size: 11px; font-weight: 700; text-transform: uppercase; padding: 1px 6px; border-radius: 4px; border: 1px solid currentColor; }
.sev-critical, .sev-high { color: var(--bad); } .sev-medium { color: var(--warn); } .sev-low, .sev-info { color: var(--muted); }
ul.top { margin: 8px 0 0; padding-left: 20px; } ul.top li { margin: 3px 0; }
.chart { width: 100%; min-height: 60px; margin: 8px 0 14px; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 4px 18px; }
.tablewrap { overflow-x: auto; max-width: 100%; }
table.sortable th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
table.sortable th button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
table.sortable th[aria-sort="ascending"] button::after { content: " \\25B2"; font-size: 10px; }
table.sortable th[aria-sort="descending"] button::after { content: " \\25BC"; font-size: 10px; }
#endpoints td:first-child { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; min-width: 220px; max-width: 420px; overflow-wrap: anywhere; }
.filter { margin: 4px 0; } .filter input { font: inherit; padding: 3px 6px; width: 280px; max-width: 100%; }
.finding { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; margin: 10px 0; break-inside: avoid; }
.finding h3 { margin: 4px 0; }
.finding dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; }
.finding dt { color: var(--muted); }
.finding dd { margin: 0; }
details summary { cursor: pointer; color: var(--accent); }
footer { color: var(--muted); font-size: 12px; padding: 16px 24px; border-top: 1px solid var(--line); }
.uplot { font-family: inherit; }
.u-legend { font-size: 12px; }
@media (max-width: 700px) { main, header.top, nav.toc { padding-left: 10px; padding-right: 10px; } .grid2 { grid-template-columns: 1fr; } }
@media print {
  body { font-size: 10.5pt; }
  nav.toc, .filter, details summary { display: none; }
  details > * { display: block; }
  main { max-width: none; padding: 0 6mm; }
  section { break-inside: auto; }
  h2 { break-after: avoid; }
  .chart, .finding, .verdict, tr { break-inside: avoid; }
  .uplot, .uplot .u-wrap, .uplot canvas { max-width: 100% !important; height: auto !important; }
  .grid2 { grid-template-columns: 1fr 1fr; }
  .tablewrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  .u-legend .u-value { display: none; }
}
`;

/**
 * The browser script: reads the JSON data block, draws every chart with
 * uPlot on one shared time axis (cursor synced across charts), keeps charts
 * sized to their container (also for printing), and makes `table.sortable`
 * sortable by click or keyboard on the header buttons.
 *
 * Drawing is idempotent: `window.tuneupDraw(data)` draws the charts of new
 * data (same shape as the JSON block), updating a chart in place when its
 * series are unchanged. The live dashboard calls it as points arrive.
 */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var data;
  var charts = {};
  var C = { p50: '#2f9e44', p95: '#e8590c', p99: '#c92a2a', load: '#868e96', slo: '#c2255c', base: '#5c7cfa', rps: '#1c7ed6', err: '#e03131', drop: '#f08c00' };
  var PALETTE = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#f08c00', '#0c8599', '#e03131', '#5f3dc4'];
  var XINCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800];

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function fmtT(s) {
    if (s == null) return '';
    s = Math.round(s);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
    return h ? h + ':' + pad(m) + ':' + pad(x) : m + ':' + pad(x);
  }
  function fmtN(v) {
    if (v == null || !isFinite(v)) return '-';
    var a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(1) + 'G';
    if (a >= 1e6) return (v / 1e6).toFixed(1) + 'M';
    if (a >= 1e4) return (v / 1e3).toFixed(1) + 'k';
    if (v === Math.round(v)) return String(v);
    if (a >= 100) return v.toFixed(0);
    if (a >= 10) return v.toFixed(1);
    if (a >= 1) return v.toFixed(2);
    return v === 0 ? '0' : v.toPrecision(2);
  }
  function withUnit(unit) { return function (u, v) { return v == null ? '-' : fmtN(v) + (unit ? ' ' + unit : ''); }; }
  function constant(t, v) { var out = new Array(t.length); for (var i = 0; i < t.length; i++) out[i] = v; return out; }
  function line(label, stroke, scale, unit, extra) {
    var s = { label: label, stroke: stroke, width: 1.5, scale: scale, value: withUnit(unit), points: { show: false } };
    if (extra) for (var k in extra) s[k] = extra[k];
    return s;
  }
  function chartWidth(el) { return Math.max(300, Math.floor(el.clientWidth || 800)); }
  // The x axis spans the run (planned duration while it is live), or the data when it ran longer.
  function xRange(u, min, max) { return [0, Math.max(data.durationS, max == null ? 1 : max)]; }

  function make(id, series, cols, axes, height) {
    var el = document.getElementById(id);
    if (!el || typeof uPlot === 'undefined') return;
    var key = series.map(function (s) { return s.label; }).join('|');
    var old = charts[id];
    if (old && old.key === key) { old.u.setData(cols); return; }
    if (old) old.u.destroy();
    var opts = {
      width: chartWidth(el),
      height: height || 240,
      cursor: { sync: { key: 'tuneup' }, drag: { x: true, y: false } },
      scales: { x: { time: false, range: xRange } },
      axes: [{ values: function (u, vals) { return vals.map(fmtT); }, incrs: XINCRS, label: 'elapsed (m:ss)', labelSize: 20, size: 36 }].concat(axes),
      series: [{ label: 'elapsed', value: function (u, v) { return fmtT(v); } }].concat(series),
      legend: { live: true }
    };
    charts[id] = { u: new uPlot(opts, cols, el), el: el, key: key };
  }

  function draw(next) {
    data = next;
    var S = data.series;
    var t = S.t;
    var loadSeries = [];
    var loadCols = [];
    if (data.loadKind !== 'vus') { loadSeries.push(line('target rate', C.load, 'load', '/s', { fill: 'rgba(134,142,150,0.10)', width: 1 })); loadCols.push(S.targetRate); }
    if (data.loadKind !== 'rate') { loadSeries.push(line('VUs busy', '#adb5bd', 'load', 'VUs', { width: 1, dash: [2, 3] })); loadCols.push(S.vus); }
    var loadAxis = { scale: 'load', side: 1, grid: { show: false }, label: data.loadKind === 'vus' ? 'VUs' : (data.loadKind === 'rate' ? 'target rate (/s)' : 'rate /s, VUs'), labelSize: 20, values: function (u, vals) { return vals.map(fmtN); } };
    var msAxis = { scale: 'ms', label: 'ms', labelSize: 20, size: 64, values: function (u, vals) { return vals.map(fmtN); } };

    // 1. Latency over time against the SLO, with the load on the right axis.
    (function () {
      var view = data.primaryView;
      var P = S[view];
      var name = view === 'response' ? 'response' : 'service';
      var series = [line(name + ' p50', C.p50, 'ms', 'ms'), line(name + ' p95', C.p95, 'ms', 'ms'), line(name + ' p99', C.p99, 'ms', 'ms')];
      var cols = [t, P.p50, P.p95, P.p99];
      if (S.baseline) {
        series.push(line('baseline ' + name + ' p95', C.base, 'ms', 'ms', { dash: [6, 4] }));
        series.push(line('baseline ' + name + ' p99', '#364fc7', 'ms', 'ms', { dash: [6, 4] }));
        cols.push(S.baseline[view].p95, S.baseline[view].p99);
      }
      // SLO lines of this view only: a p99 < 2 s line on another view would flatten the chart.
      var slo = data.slo.filter(function (l) { return l.view === view; });
      if (slo.length === 0) slo = data.slo;
      slo.forEach(function (l) {
        series.push(line('SLO ' + l.view + ' p' + l.percentile + ' < ' + l.valueMs + ' ms', C.slo, 'ms', 'ms', { dash: [10, 5], width: 2 }));
        cols.push(constant(t, l.valueMs));
      });
      make('chart-latency', series.concat(loadSeries), cols.concat(loadCols), [msAxis, loadAxis], 280);
    })();

    // 2. Throughput and errors.
    (function () {
      var series = [line('requests/s', C.rps, 'rps', '/s', { fill: 'rgba(28,126,214,0.08)' }), line('errors/s', C.err, 'err', '/s'), line('dropped iterations/s', C.drop, 'err', '/s', { dash: [4, 3] })];
      var cols = [t, S.rps, S.errorsPerSecond, S.droppedPerSecond];
      if (S.baseline) { series.push(line('baseline requests/s', C.base, 'rps', '/s', { dash: [6, 4] })); cols.push(S.baseline.rps); }
      make('chart-throughput', series, cols, [
        { scale: 'rps', label: 'requests/s', labelSize: 20, size: 64, values: function (u, vals) { return vals.map(fmtN); } },
        { scale: 'err', side: 1, label: 'errors, dropped /s', labelSize: 20, grid: { show: false }, values: function (u, vals) { return vals.map(fmtN); } }
      ], 220);
    })();

    // 3. Both latency views on one chart.
    (function () {
      var series = [line('response p95', C.p95, 'ms', 'ms'), line('response p99', C.p99, 'ms', 'ms'), line('service p95', '#1971c2', 'ms', 'ms', { dash: [3, 3] }), line('service p99', '#5f3dc4', 'ms', 'ms', { dash: [3, 3] })];
      make('chart-views', series, [t, S.response.p95, S.response.p99, S.service.p95, S.service.p99], [msAxis], 220);
    })();

    // 4. Probe panels, one per group, on the same time axis.
    data.probePanels.forEach(function (p, i) {
      var series = p.columns.map(function (c, j) { return line(c.label, PALETTE[j % PALETTE.length], 'y', p.unit); });
      var cols = [p.t].concat(p.columns.map(function (c) { return c.values; }));
      make('probe-' + i, series, cols, [{ scale: 'y', label: p.unit || '', labelSize: 20, size: 64, values: function (u, vals) { return vals.map(fmtN); } }], 180);
    });

    document.documentElement.setAttribute('data-charts', String(Object.keys(charts).length));
  }
  draw(JSON.parse(document.getElementById('tuneup-data').textContent));
  window.tuneupDraw = draw;

  // Keep charts as wide as their containers (window resize, and paper width when printing).
  function resize() { Object.keys(charts).forEach(function (id) { var c = charts[id]; c.u.setSize({ width: chartWidth(c.el), height: c.u.height }); }); }
  var timer = 0;
  window.addEventListener('resize', function () { clearTimeout(timer); timer = setTimeout(resize, 100); });
  window.addEventListener('beforeprint', resize);
  window.addEventListener('afterprint', resize);

  // Sortable tables: the header buttons sort by the cell's data-v (numbers) or its text.
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var ths = table.querySelectorAll('thead th');
    Array.prototype.forEach.call(ths, function (th, col) {
      var btn = th.querySelector('button');
      if (!btn) return;
      btn.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(ths, function (o) { o.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var numeric = th.getAttribute('data-type') === 'number';
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (row) {
          var cell = row.cells[col];
          if (!numeric) return cell.textContent.trim().toLowerCase();
          var v = cell.getAttribute('data-v');
          return v === null || v === '' ? null : Number(v);
        };
        var keyed = rows.map(function (r, i) { return { r: r, k: key(r), i: i }; });
        keyed.sort(function (a, b) {
          if (a.k === b.k) return a.i - b.i;
          if (a.k === null) return 1;
          if (b.k === null) return -1;
          var d = a.k < b.k ? -1 : 1;
          return asc ? d : -d;
        });
        var frag = document.createDocumentFragment();
        keyed.forEach(function (x) { frag.appendChild(x.r); });
        body.appendChild(frag);
      });
    });
  });

  // Endpoint filter: hide rows whose endpoint does not contain the text.
  var filter = document.getElementById('endpoint-filter');
  if (filter) {
    filter.addEventListener('input', function () {
      var q = filter.value.trim().toLowerCase();
      var rows = document.querySelectorAll('#endpoints tbody tr');
      Array.prototype.forEach.call(rows, function (r) { r.hidden = q !== '' && r.cells[0].textContent.toLowerCase().indexOf(q) === -1; });
    });
  }
})();
`;
