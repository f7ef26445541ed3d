import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../../src/compare/compare.js';
import { evaluateGoals } from '../../src/compare/goals.js';
import { dotPlotSvg, escapeHtml, renderHtml } from '../../src/compare/render-html.js';
import { renderJson, renderMarkdown, renderTerminal } from '../../src/compare/render.js';
import { makeRun, runsWithP95 } from './fixtures/runs.js';

const eps = (s: number) => ({ 'GET /a/<b>': { p95: 100 * s }, 'GET /c': { p95: 20 } });
const before = [1, 1.02, 0.98, 1.01, 0.99].map((j, i) => makeRun({ id: `a${i + 1}`, latency: { p95: 50 * j }, endpoints: eps(j), startedAt: 2 * i }));
const after = [1, 1.03, 0.97, 1.01, 0.99].map((j, i) => makeRun({ id: `b${i + 1}`, latency: { p95: 25 * j }, endpoints: eps(0.5 * j), startedAt: 2 * i + 1 }));
const comparison = compareRuns(before, after);
const goals = evaluateGoals([{ metric: 'p95', change: '-20%' }], comparison);

test('terminal: benchstat-like blocks, primary mark, ~ rows, geomean, verdict, legend', () => {
  const text = renderTerminal(comparison, { goals });
  const lines = text.split('\n');
  assert.match(lines[0], /^before \(5 runs\) vs after \(5\) · interleaved runs · α=0\.05$/);
  assert.ok(lines.some((l) => /^p95 response time\s+before\s+after\s+vs base$/.test(l)));
  assert.ok(lines.some((l) => /^overall \*\s+50\.0ms ±2%\s+25\.0ms ±3%\s+−50\.0% \[−51\.5%, −48\.5%\] \(p=0\.008 n=5\+5\) improved$/.test(l)), text);
  assert.ok(lines.some((l) => /^GET \/c\s+20\.0ms ±0%\s+20\.0ms ±0%\s+~ 0\.0% \[0\.0%, 0\.0%\] \(p=1\.000 n=5\+5\)$/.test(l)), text);
  assert.ok(lines.some((l) => /^geomean\s+44\.7ms\s+31\.6ms\s+−29\.3%$/.test(l)), text);
  assert.ok(lines.some((l) => l.startsWith('verdict: improved — p95 response time overall −50.0%')));
  assert.ok(lines.some((l) => /^\s+met\s+p95 overall -20%/.test(l)));
  // No ANSI codes unless asked, and some when asked.
  assert.doesNotMatch(text, /\x1b\[/);
});

test('terminal: inconclusive reasons and quick-mode note are printed', () => {
  const c = compareRuns(runsWithP95('a', [100, 101, 99, 100, 102], 0), runsWithP95('b', [60, 61, 59, 62, 58], 1, { saturated: true }));
  const text = renderTerminal(c);
  assert.match(text, /verdict: inconclusive/);
  assert.match(text, /inconclusive: generator-saturated: the load generator limited the result \(b1: event-loop delay p99 42ms > 10ms/);
});

test('markdown: one table per metric with change, interval, p, n, threshold, verdict', () => {
  const md = renderMarkdown(comparison, { goals });
  assert.match(md, /^## tuneup compare/);
  assert.match(md, /\| endpoint \| before \| after \| change \| 95% interval \| p \| n \| threshold \| verdict \|/);
  assert.match(md, /\| overall \*\*\(primary\)\*\* \| 50\.0ms ±2% \| 25\.0ms ±3% \| −50\.0% \| \[−51\.5%, −48\.5%\] \| 0\.008 \| 5\+5 \| ±5% \| improved \|/);
  assert.match(md, /\| _geomean_ \| 44\.7ms \| 31\.6ms \| −29\.3% \|/);
  assert.match(md, /### Goals/);
});

test('json: versioned document, NaN and Infinity become null, round-trips', () => {
  const doc = JSON.parse(renderJson(comparison, goals));
  assert.equal(doc.kind, 'tuneup.comparison');
  assert.equal(doc.version, 1);
  assert.equal(doc.comparison.version, 1);
  assert.equal(doc.comparison.verdict, 'improved');
  assert.equal(doc.comparison.rows.length, comparison.rows.length);
  assert.deepEqual(doc.comparison.rows[1].before.values, comparison.rows[1].before.values);
  assert.equal(doc.goals[0].status, 'met');
  const quick = compareRuns([makeRun({ id: 'x', latency: { p95: 20 } })], [makeRun({ id: 'y', latency: { p95: 10 } })]);
  const q = JSON.parse(renderJson(quick));
  assert.equal(q.comparison.rows[0].p, null); // NaN in memory
});

test('html: self-contained page, escaped text, one dot per run', () => {
  const html = renderHtml(comparison, { goals });
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script|<link|src=|https?:\/\//);
  assert.ok(html.includes('GET /a/&lt;b&gt;'));
  assert.ok(!html.includes('GET /a/<b>'));
  const svg = dotPlotSvg(comparison.rows.find((r) => r.primary)!);
  assert.equal(svg.match(/<circle /g)?.length, 10);
  assert.equal(svg.match(/class="median"/g)?.length, 2);
  assert.equal(escapeHtml(`<a href="x">'&`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
});
