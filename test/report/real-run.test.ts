// Renders two results written by the real engine (an 18 s ramping-arrival-rate
// run against a local node:http service, before and after removing a planted
// slowdown, with the process probe). Guards against drift between the
// RunResult the engine writes and what the renderers expect.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertRunResult } from '../../src/report/load-run.js';
import { buildReportModel } from '../../src/report/model.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJUnit } from '../../src/report/junit.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderTerminalSummary } from '../../src/report/terminal.js';
import { parseXml } from './fixtures/xml.js';

function load(name: string) {
  const path = new URL(`./fixtures/${name}`, import.meta.url);
  const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
  assertRunResult(value, name);
  return value;
}

describe('results written by the engine', () => {
  const before = load('real-run-before.json');
  const after = load('real-run-after.json');

  test('the model has the verdict, endpoints, series and probe panels', () => {
    const model = buildReportModel(after, before);
    assert.equal(model.verdict.thresholds.length, before.thresholds.length);
    assert.equal(model.endpoints.length, after.endpoints.length);
    assert.ok(model.endpoints.every((e) => e.delta !== undefined));
    assert.equal(model.series.t.length, after.series.t.length);
    assert.ok(model.slo.some((s) => s.view === 'response'));
    assert.ok(model.probePanels.some((p) => p.id.startsWith('cpu')), model.probePanels.map((p) => p.id).join(', '));
    for (const p of model.probePanels) for (const c of p.columns) assert.equal(c.values.length, p.t.length, `${p.id}/${c.name}`);
  });

  test('every renderer accepts them', () => {
    const model = buildReportModel(before);
    const html = renderHtml(model);
    assert.match(html, /id="chart-latency"/);
    assert.match(renderTerminalSummary(model, { color: false, width: 100 }), /^tuneup run /);
    assert.match(renderMarkdown(model), /^### /);
    assert.equal(parseXml(renderJUnit(model)).name, 'testsuites');
  });
});
