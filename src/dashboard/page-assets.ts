/**
 * Static assets of the live dashboard page: a few styles on top of the
 * report's stylesheet, and the script that follows the event stream.
 *
 * The charts themselves are the report's (`REPORT_SCRIPT`): this script only
 * keeps the chart data up to date and calls `window.tuneupDraw(data)`. Like
 * the report's script it is ES2017 without template literals, inlined and
 * allowed by its sha256 hash in the page's Content-Security-Policy.
 *
 * @module
 */

/** Styles the dashboard adds to the report's (live badge, KPI strip states, the export button). */
export const DASHBOARD_CSS = `
.verdict.running { border-color: var(--accent); }
.badge.running { background: var(--accent); }
.verdict .actions { margin: 10px 0 2px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
a.button { display: inline-block; padding: 5px 12px; border-radius: 6px; border: 1px solid var(--accent); color: #fff; background: var(--accent); text-decoration: none; font-weight: 600; }
a.button[aria-disabled="true"] { background: var(--panel); color: var(--muted); border-color: var(--line); pointer-events: none; }
#dash-conn.lost { color: var(--bad); }
`;

/**
 * The page's script: opens `EventSource('events')`, applies `snapshot`,
 * `interval`, `progress` and `end` events to the chart data and the KPI strip,
 * and redraws at most once per animation frame. At `end` it shows the verdict,
 * stops listening (so the browser does not reconnect to a closed server) and
 * fetches the report into a blob, so the export link keeps working after the
 * command exits. State for tests and scripts: `<html data-state>` (connecting,
 * live, reconnecting, ended) and `data-points` (points on the time axis).
 */
export const DASHBOARD_SCRIPT = `
(function () {
  'use strict';
  var root = document.documentElement;
  var data = JSON.parse(document.getElementById('tuneup-data').textContent);
  var ended = false;
  var pending = false;
  function $(id) { return document.getElementById(id); }
  function text(id, value) { var el = $(id); if (el) el.textContent = value; }

  function fmtCount(v) { return v == null ? '-' : Math.round(v).toLocaleString('en-US'); }
  function fmtMs(v) { return v == null ? '-' : (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ms'; }
  function fmtPct(v) { return v == null || !isFinite(v) ? '-' : (v * 100).toFixed(2) + ' %'; }
  function mmss(seconds) { var s = Math.round(seconds), x = s % 60; return Math.floor(s / 60) + ':' + (x < 10 ? '0' : '') + x; }
  function fmtElapsed(ms) { return mmss(ms / 1000) + (data.durationS > 0 ? ' / ' + mmss(data.durationS) : ''); }
  function setConn(state, label) {
    root.setAttribute('data-state', state);
    var el = $('dash-conn');
    el.textContent = label;
    el.className = state === 'reconnecting' ? 'lost' : '';
  }

  // Probe panels come and go with the data (the generator panel live, every probe's at the end): keep one container per panel.
  function ensurePanels(panels) {
    var box = $('probe-panels');
    $('probes').hidden = panels.length === 0;
    for (var i = 0; i < panels.length; i++) {
      var wrap = $('probe-wrap-' + i);
      if (!wrap) {
        wrap = document.createElement('div');
        wrap.id = 'probe-wrap-' + i;
        var h = document.createElement('h3');
        var c = document.createElement('div');
        c.className = 'chart';
        c.id = 'probe-' + i;
        c.setAttribute('role', 'img');
        wrap.appendChild(h);
        wrap.appendChild(c);
        box.appendChild(wrap);
      }
      wrap.firstChild.textContent = panels[i].title;
      wrap.lastChild.setAttribute('aria-label', panels[i].title + ' over time');
    }
  }
  function draw() {
    pending = false;
    ensurePanels(data.probePanels);
    window.tuneupDraw(data);
    root.setAttribute('data-points', String(data.series.t.length));
  }
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(draw);
  }

  // The same append as live-state.ts on the server: columns of series, panels by id, their columns by name.
  function appendArrays(target, source) {
    Object.keys(source).forEach(function (k) {
      var v = source[k], into = target[k];
      if (Array.isArray(v) && Array.isArray(into)) Array.prototype.push.apply(into, v);
      else if (v && typeof v === 'object' && into && typeof into === 'object') appendArrays(into, v);
    });
  }
  function appendPoint(point) {
    appendArrays(data.series, point.series);
    data.series.intervalMs = point.series.intervalMs;
    point.probePanels.forEach(function (panel) {
      var into = null;
      data.probePanels.forEach(function (p) { if (p.id === panel.id) into = p; });
      if (!into) { data.probePanels.push(panel); return; }
      Array.prototype.push.apply(into.t, panel.t);
      panel.columns.forEach(function (c) {
        into.columns.forEach(function (d) { if (d.name === c.name) Array.prototype.push.apply(d.values, c.values); });
      });
    });
  }

  function progress(live) {
    var p95 = live.p95ResponseMs != null ? live.p95ResponseMs : live.p95ServiceMs;
    text('kpi-elapsed', fmtElapsed(live.elapsedMs));
    text('kpi-requests', fmtCount(live.requests));
    text('kpi-rps', fmtCount(live.rps) + '/s');
    text('kpi-errors', fmtCount(live.failed) + ' (' + fmtPct(live.requests > 0 ? live.failed / live.requests : 0) + ')');
    text('kpi-p95', fmtMs(p95));
    text('kpi-vus', fmtCount(live.vus));
    text('kpi-dropped', fmtCount(live.droppedIterations));
  }

  function finish(end, source) {
    ended = true;
    source.close();
    setConn('ended', 'run ended; this page no longer updates');
    text('dash-phase', end.status);
    var verdict = $('dash-verdict');
    verdict.className = 'verdict ' + end.outcome;
    var badge = $('dash-badge');
    badge.className = 'badge ' + end.outcome;
    badge.textContent = end.outcome.toUpperCase();
    text('dash-headline', end.detail + (end.statusReason ? ' (' + end.statusReason + ')' : ''));
    text('kpi-elapsed', mmss(end.chartData.durationS));
    text('kpi-requests', fmtCount(end.totals.requests));
    text('kpi-rps', fmtCount(end.totals.rps) + '/s');
    text('kpi-rps-label', 'throughput');
    text('kpi-errors', fmtCount(end.totals.failed) + ' (' + fmtPct(end.totals.errorRate) + ')');
    text('kpi-p95', fmtMs(end.totals.p95Ms));
    text('kpi-p95-label', 'p95 (p99 ' + fmtMs(end.totals.p99Ms) + ')');
    text('kpi-dropped', fmtCount(end.totals.droppedIterations));
    data = end.chartData;
    schedule();
    // Keep the report in the page: the server closes when the command exits, the blob stays.
    fetch(end.report).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.blob();
    }).then(function (blob) {
      var url = URL.createObjectURL(blob);
      var save = $('dash-report');
      save.href = url;
      save.setAttribute('download', 'report.html');
      save.removeAttribute('aria-disabled');
      var open = $('dash-open');
      open.href = url;
      open.hidden = false;
      text('dash-report-note', 'The same file is stored with the run; this copy stays in the page after the command exits.');
      root.setAttribute('data-report', 'ready');
    }).catch(function (err) {
      text('dash-report-note', 'The report could not be fetched (' + err.message + '); it is in the run directory.');
      root.setAttribute('data-report', 'failed');
    });
  }

  function connect() {
    var source = new EventSource('events');
    setConn('connecting', 'connecting…');
    source.onopen = function () { if (!ended) setConn('live', 'live'); };
    source.onerror = function () { if (!ended) setConn('reconnecting', 'connection lost; retrying (the run may have ended)'); };
    source.addEventListener('snapshot', function (ev) { data = JSON.parse(ev.data); schedule(); });
    source.addEventListener('interval', function (ev) { appendPoint(JSON.parse(ev.data)); schedule(); });
    source.addEventListener('progress', function (ev) { progress(JSON.parse(ev.data)); });
    source.addEventListener('end', function (ev) { finish(JSON.parse(ev.data), source); });
  }
  if (typeof EventSource === 'undefined') setConn('unsupported', 'this browser has no EventSource');
  else connect();
})();
`;
