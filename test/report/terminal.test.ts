import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReportModel } from '../../src/report/model.js';
import { renderTerminalSummary } from '../../src/report/terminal.js';
import { makeResult } from './fixtures/make-result.js';

const ANSI = /\x1b\[[0-9;]*m/;

describe('renderTerminalSummary', () => {
  const result = makeResult({ saturated: true });
  const model = buildReportModel(result);

  test('plain output is 7-bit ASCII without ANSI codes and shows every block', () => {
    const text = renderTerminalSummary(model, { color: false, width: 100 });
    assert.doesNotMatch(text, ANSI);
    assert.match(text, /^[\x09\x0a\x20-\x7e]*$/, 'non-ASCII character in plain output');
    assert.match(text, /^tuneup run 20261123-120001-ab01 .* completed in 2m0s .*open model: ramping-arrival-rate/m);
    assert.match(text, /^FAILED: 1 of 4 thresholds failed$/m);
    assert.match(text, /response time \|.*ms/);
    assert.match(text, /service time +\|/);
    assert.match(text, /errors +\d[\d,]* failed \(\d+\.\d\d%\) +http \d+ +timeout 2 +reset 1/);
    assert.match(text, /dropped iterations [\d,]+ +late starts [\d,]+ \(> 10 ms\)/);
    assert.match(text, /checks +\d+\.\d\d% +[\d,]+ passed \/ 12 failed/);
    assert.match(text, /^ {2}FAIL http_req_response_time +p\(95\)<\d+ +observed \d+ ms$/m);
    assert.match(text, /^ {2}PASS http_req_failed +rate<0\.05 +observed \d\.\d\d%$/m);
    assert.match(text, /! generator saturated/);
    assert.match(text, /generator event-loop delay p99: 84 ms \(limit 50 ms\)/);
    assert.match(text, /\[HIGH\] Sequential scans on orders/);
    assert.match(text, /\| GET \/api\/orders\/:id +\| +[\d,]+ \|/);
    for (const line of text.split('\n')) assert.ok(line.length <= 130, `line too long: ${line}`);
  });

  test('color output uses ANSI codes and Unicode marks', () => {
    const text = renderTerminalSummary(model, { color: true, width: 120 });
    assert.match(text, ANSI);
    assert.match(text, /✗/);
    assert.match(text, /✓/);
    assert.match(text, /┌/);
  });

  test('the endpoint table is capped with a "... and M more" line and fits the width', () => {
    const many = buildReportModel(makeResult({ endpoints: 25, durationS: 30, probes: false }));
    const text = renderTerminalSummary(many, { color: false, width: 90 });
    assert.match(text, /endpoints \(top 10 of 25 by requests\)/);
    assert.match(text, /\.\.\. and 15 more \(see report\.html\)/);
    const tableLines = text.split('\n').filter((l) => l.startsWith('|') || l.startsWith('+'));
    assert.ok(tableLines.length > 10);
    for (const line of tableLines) assert.ok(line.length <= 90, `table wider than 90: ${line.length}`);
    const rows = text.split('\n').filter((l) => l.startsWith('| GET') || l.startsWith('| POST') || l.startsWith('| PUT'));
    assert.equal(rows.length, 10);
  });

  test('baseline adds a baseline latency row and a p95 change column', () => {
    const withBase = buildReportModel(makeResult({ durationS: 30 }), makeResult({ seed: 2, latencyScale: 2, durationS: 30 }));
    const text = renderTerminalSummary(withBase, { color: false, width: 110 });
    assert.match(text, /baseline response/);
    assert.match(text, /p95 chg/);
    assert.match(text, /\| +-\d+\.\d%/);
    assert.match(text, /\(baseline [\d.]+\/s\)/);
  });

  test('a passing run without findings says so briefly', () => {
    const ok = buildReportModel(makeResult({ failThreshold: false, findings: false, durationS: 30 }));
    const text = renderTerminalSummary(ok, { color: false, width: 100 });
    assert.match(text, /^PASSED: all 4 thresholds passed$/m);
    assert.doesNotMatch(text, /FAIL /);
    assert.match(text, /^no findings$/m);
    assert.doesNotMatch(text, /generator saturated/);
  });
});

describe('what the diagnosis could not see', () => {
  test('probe limitations and failed probes lead the summary, before the latency table', () => {
    const result = makeResult({});
    result.probes = [
      ...(result.probes ?? []).map((p) => ({ ...p, limitations: [] })),
      {
        probe: 'postgres',
        target: 'postgres://db/app',
        ok: true,
        limitations: ['pg_stat_statements is not loaded: per-statement times are unknown. To enable: shared_preload_libraries'],
        errors: [],
        series: { t: [], values: {}, units: {} },
        data: {},
        overhead: { samples: 3, meanSampleMs: 1 },
      },
    ];
    const text = renderTerminalSummary(buildReportModel(result), { color: false, width: 100 });
    const blind = text.indexOf('diagnosis could not see everything');
    assert.ok(blind > 0, text);
    assert.ok(blind < text.indexOf('response time'), 'before the latency table');
    assert.match(text, /postgres: pg_stat_statements is not loaded/);
  });

  test('a run whose probes saw everything says nothing about it', () => {
    const result = makeResult({});
    result.probes = (result.probes ?? []).map((p) => ({ ...p, ok: true, limitations: [] }));
    assert.doesNotMatch(renderTerminalSummary(buildReportModel(result), { color: false, width: 100 }), /could not see/);
  });
});

test('plain output spells symbols out instead of printing ?', () => {
  const result = makeResult({});
  result.findings = [
    {
      id: 'n-plus-one:x',
      rule: 'n-plus-one',
      category: 'n-plus-one',
      severity: 'high',
      endpoint: 'GET /événements/:id',
      title: 'Queries per request: 31.3× (≥ 10) → batch them',
      summary: 'ρ ≈ 0.9',
      evidence: [],
      recommendation: { text: 'batch' },
      confidence: 0.9,
      impact: 0.5,
    },
  ];
  const text = renderTerminalSummary(buildReportModel(result), { color: false, width: 120 });
  assert.match(text, /^[\x09\x0a\x20-\x7e]*$/);
  assert.match(text, /31\.3x \(>= 10\) -> batch/);
  assert.doesNotMatch(text, /31\.3\?/);
});
