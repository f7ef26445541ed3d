import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReportModel } from '../../src/report/model.js';
import { codeSpan, escapeMarkdown, renderMarkdown } from '../../src/report/markdown.js';
import { escapeXml, renderJUnit } from '../../src/report/junit.js';
import type { RunResult } from '../../src/result/types.js';
import { makeResult } from './fixtures/make-result.js';
import { parseXml } from './fixtures/xml.js';

const result = makeResult();

describe('renderMarkdown', () => {
  test('verdict, latency, thresholds, findings, endpoints and the report link', () => {
    const md = renderMarkdown(buildReportModel(result), { htmlLink: 'https://ci.example/artifacts/report.html' });
    const lines = md.split('\n');
    assert.match(lines[0], /^### ❌ tuneup: FAILED: 1 of 4 thresholds failed$/);
    assert.match(lines[1], /\[full report\]\(https:\/\/ci\.example\/artifacts\/report\.html\)/);
    // Markdown-special plan name is escaped, HTML too.
    assert.match(lines[1], /\*\*checkout &lt;load&gt; &amp; "search"\*\*/);
    assert.ok(lines.includes('| latency | p50 | p90 | p95 | p99 | max |'));
    assert.ok(lines.some((l) => /^\| response time \| .* ms \|$/.test(l)));
    assert.ok(lines.some((l) => /^\| ❌ \| `http_req_response_time` \| `p\(95\)<\d+` \| \d+ ms \|$/.test(l)));
    assert.ok(lines.includes('#### Top findings'));
    assert.ok(lines.some((l) => l.startsWith('1. **HIGH** Sequential scans on orders: missing index on customer\\_id')));
    assert.ok(lines.some((l) => l.startsWith('| `GET /api/orders/:id` |')));
    // Every table row has the header's column count.
    const tables = md.split('\n\n').filter((b) => b.includes('\n|---'));
    assert.ok(tables.length >= 3);
    for (const table of tables) {
      const rows = table.split('\n').filter((l) => l.startsWith('|'));
      const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
      for (const row of rows) assert.equal(cells(row), cells(rows[0]), `row "${row}"`);
    }
  });

  test('escaping: pipes, backticks, HTML and newlines cannot break the table', () => {
    assert.equal(escapeMarkdown('a|b *c* <script>\nx'), 'a\\|b \\*c\\* &lt;script&gt; x');
    assert.equal(codeSpan('GET /a|b'), '`GET /a\\|b`');
    assert.equal(codeSpan('has `tick`'), '`` has `tick` ``');
    const nasty: RunResult = {
      ...result,
      endpoints: [{ ...result.endpoints[0], endpoint: 'GET /x|y`<b>\nz' }],
    };
    const md = renderMarkdown(buildReportModel(nasty));
    const row = md.split('\n').find((l) => l.startsWith('| ``'));
    assert.ok(row, md);
    const header = md.split('\n').find((l) => l.startsWith('| endpoint |'));
    assert.ok(header);
    assert.equal(row.replace(/\\\|/g, '').split('|').length, header.split('|').length);
    assert.ok(!row.includes('\n'));
  });

  test('baseline adds a delta column, and long endpoint lists are capped', () => {
    const big = makeResult({ endpoints: 30, durationS: 30, probes: false });
    const md = renderMarkdown(buildReportModel(big, makeResult({ seed: 2, endpoints: 25, durationS: 30, probes: false })), { maxEndpoints: 5 });
    assert.match(md, /#### Endpoints \(top 5 of 30 by requests\)/);
    assert.match(md, /\| p95 vs baseline \|/);
    assert.match(md, /… and 25 more endpoints in the full report\./);
    assert.match(md, /baseline `20261123-120002-ab02`/);
  });

  test('generator saturation is a warning callout', () => {
    const md = renderMarkdown(buildReportModel(makeResult({ saturated: true, durationS: 30 })));
    assert.match(md, /> \[!WARNING\]\n> \*\*Generator saturated\*\*/);
  });
});

describe('renderJUnit', () => {
  test('well-formed XML with a thresholds suite and a findings suite', () => {
    const xml = renderJUnit(buildReportModel(result));
    const root = parseXml(xml);
    assert.equal(root.name, 'testsuites');
    const suites = Object.fromEntries(root.children.map((s) => [s.attributes.name, s]));
    const thresholds = suites.thresholds;
    assert.equal(thresholds.children.length, 4);
    assert.equal(thresholds.attributes.tests, '4');
    assert.equal(thresholds.attributes.failures, '1');
    const failed = thresholds.children.find((c) => c.children.some((x) => x.name === 'failure'));
    assert.ok(failed);
    assert.match(failed.attributes.name, /^http_req_response_time p\(95\)<\d+$/);
    const failure = failed.children.find((x) => x.name === 'failure');
    assert.match(failure?.attributes.message ?? '', /observed \d+ ms/);

    const findings = suites.findings;
    assert.equal(findings.children.length, 4);
    // high and medium fail; low and info pass.
    assert.equal(findings.attributes.failures, '2');
    const high = findings.children[0];
    assert.equal(high.attributes.classname, 'tuneup.findings.missing-index');
    // The summary's "<script>" survives as text after escaping.
    assert.match(high.children[0].text, /<script>alert\(1\)<\/script>/);
    assert.match(high.children[0].text, /CREATE INDEX CONCURRENTLY/);
    const info = findings.children[3];
    assert.equal(info.children.some((x) => x.name === 'failure'), false);
    assert.match(info.children.find((x) => x.name === 'system-out')?.text ?? '', /1\.1 kB & growing/);

    assert.equal(root.attributes.tests, String(4 + 4 + 2));
    assert.equal(root.attributes.failures, '3');
  });

  test('the run suite fails on saturation and on an incomplete run', () => {
    const r: RunResult = { ...makeResult({ saturated: true, durationS: 30 }), status: 'interrupted', statusReason: 'Ctrl-C' };
    const root = parseXml(renderJUnit(buildReportModel(r)));
    const run = root.children.find((s) => s.attributes.name === 'run');
    assert.equal(run?.attributes.failures, '2');
    assert.match(run?.children[0].children[0].text ?? '', /Ctrl-C/);
  });

  test('escaping keeps the document well-formed for any text', () => {
    assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    assert.equal(escapeXml('bell\u0007 nul\u0000 ok\t\n'), 'bell\uFFFD nul\uFFFD ok\t\n');
    assert.equal(escapeXml('lone \uD800 surrogate, pair 😀'), 'lone \uFFFD surrogate, pair 😀');
    const hostile: RunResult = {
      ...result,
      plan: { ...result.plan, name: 'a"b<c>&\u0001' },
      thresholds: [{ metric: 'http_req_duration{endpoint:GET /a?x=1&y=<2>}', expression: 'p(95)<"200"', observed: 1, passed: false, abortOnFail: false, aborted: false }],
      findings: [{ ...result.findings![0], title: ']]> </failure> & <x>', category: 'missing-index' }],
    };
    const root = parseXml(renderJUnit(buildReportModel(hostile)));
    assert.equal(root.attributes.name.includes('a"b<c>&'), true);
    const findings = root.children.find((s) => s.attributes.name === 'findings');
    assert.match(findings?.children[0].attributes.name ?? '', /\]\]> <\/failure> & <x>/);
  });
});
