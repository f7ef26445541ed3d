import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildReportModel } from '../../src/report/model.js';
import { escapeHtml, jsonForScript, renderHtml } from '../../src/report/html.js';
import type { RunResult } from '../../src/result/types.js';
import { makeResult } from './fixtures/make-result.js';

function inlineBlocks(html: string, tag: 'script' | 'style'): string[] {
  const re = tag === 'script' ? /<script>([\s\S]*?)<\/script>/g : /<style>([\s\S]*?)<\/style>/g;
  return [...html.matchAll(re)].map((m) => m[1]);
}

const sha = (body: string) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`;

describe('renderHtml', () => {
  const result = makeResult();
  const html = renderHtml(buildReportModel(result));

  test('is one offline file: no external URL is loaded', () => {
    assert.doesNotMatch(html, /<(script|link|img|iframe)[^>]+(src|href)="(?!data:|#)/i);
    assert.match(html, /<link rel="icon" href="data:,">/);
    assert.match(html, /uPlot/);
  });

  test('the CSP allows exactly the inline scripts and styles by hash', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1].replace(/&#39;/g, "'");
    assert.ok(csp);
    assert.match(csp, /default-src 'none'/);
    const scripts = inlineBlocks(html, 'script');
    const styles = inlineBlocks(html, 'style');
    assert.equal(scripts.length, 2);
    assert.equal(styles.length, 2);
    const scriptSrc = /script-src ([^;]+)/.exec(csp)?.[1].trim().split(/\s+/);
    const styleSrc = /style-src ([^;]+)/.exec(csp)?.[1].trim().split(/\s+/);
    assert.deepEqual(scriptSrc, scripts.map(sha));
    assert.deepEqual(styleSrc, styles.map(sha));
    assert.doesNotMatch(html, /\sstyle="/, 'inline style attributes would be blocked by the CSP');
    assert.doesNotMatch(html, /\son[a-z]+="/, 'inline event handlers would be blocked by the CSP');
  });

  test('sections in order: verdict first, then charts, endpoints, probes, findings, configuration', () => {
    const order = ['id="verdict"', 'id="latency"', 'id="throughput"', 'id="views"', 'id="endpoints-section"', 'id="probes"', 'id="findings"', 'id="config"'];
    const positions = order.map((id) => html.indexOf(id));
    for (const [i, p] of positions.entries()) assert.ok(p > 0, `missing ${order[i]}`);
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
    assert.match(html, /coordinated omission/);
    assert.match(html, /CREATE INDEX CONCURRENTLY orders_customer_id_idx/);
  });

  test('the cost model is a table after the findings, with the main-thread (loop) CPU and the bottleneck', () => {
    const withDemands: RunResult = {
      ...result,
      demands: [{ endpoint: 'GET /compute <b>', method: 'profile', cpuMs: 31.2, mainThreadCpuMs: 30.4, dbMs: 0, dbCalls: 0, responseBytes: 77, unexplainedMs: 0.4, bottleneck: 'cpu', maxThroughput: 32.1 }],
    };
    const page = renderHtml(buildReportModel(withDemands));
    const at = page.indexOf('id="demands"');
    assert.ok(at > page.indexOf('id="findings"') && at < page.indexOf('id="config"'));
    const section = page.slice(at, page.indexOf('</section>', at));
    assert.match(section, /GET \/compute &lt;b&gt;/);
    assert.match(section, /30\.4/);
    assert.match(section, /<td>cpu<\/td>/);
    assert.doesNotMatch(html, /id="demands"/, 'no section without demands');
  });

  test('user text is escaped: a finding with <script> stays text, data cannot end its script block', () => {
    assert.doesNotMatch(html, /<script>alert\(1\)<\/script>/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    const hostile: RunResult = { ...result, probes: [{ ...result.probes![0], series: { ...result.probes![0].series, values: { 'pg.</script><script>x': [1, 2] }, units: { 'pg.</script><script>x': '</script>' } } }] };
    const page = renderHtml(buildReportModel(hostile));
    assert.equal(inlineBlocks(page, 'script').length, 2);
    assert.doesNotMatch(page, /"pg\.<\/script>/);
    assert.equal(jsonForScript({ a: '</script>\u2028' }), '{"a":"\\u003c/script>\\u2028"}');
    assert.deepEqual(JSON.parse(jsonForScript({ a: '</script>\u2028' })), { a: '</script>\u2028' });
    assert.equal(escapeHtml(`<a href="x">'&'`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;');
  });

  test('non-http recommendation links are not clickable', () => {
    const r: RunResult = { ...result, findings: [{ ...result.findings![0], recommendation: { text: 'x', link: 'javascript:alert(1)' } }] };
    const page = renderHtml(buildReportModel(r));
    assert.doesNotMatch(page, /href="javascript:/);
  });

  test('baseline adds delta columns', () => {
    const page = renderHtml(buildReportModel(result, makeResult({ seed: 2, latencyScale: 1.5 })));
    assert.match(page, /<button type="button">p95 vs base<\/button>/);
    assert.match(page, /baseline 20261123-120002-ab02/);
  });

  test('a 1 h x 200 endpoint run stays under 2 MB', () => {
    const big = makeResult({ durationS: 3600, endpoints: 200, intervalHistograms: false });
    const page = renderHtml(buildReportModel(big, big));
    const bytes = Buffer.byteLength(page, 'utf8');
    assert.ok(bytes < 2 * 1024 * 1024, `report is ${bytes} bytes`);
    assert.equal((page.match(/<tr><td>[A-Z]+ \/api\//g) ?? []).length, 200);
  });
});
