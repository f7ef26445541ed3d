import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planChartData } from '../../src/dashboard/live-state.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { emptyRow } from '../../src/metrics/snapshot.js';
import { planFromQuickOptions } from '../../src/plan/index.js';
import { buildReportModel } from '../../src/report/model.js';
import { makeResult } from '../report/fixtures/make-result.js';

const quickPlan = planFromQuickOptions({ url: 'http://127.0.0.1:9/x', connections: 2, duration: '5s', rate: 10 });

function start(port = 0): Promise<Dashboard> {
  return startDashboard({ port, runId: '20260101-000000-abcd', title: 'quick', target: 'http://127.0.0.1:9', chartData: planChartData(quickPlan, 5000), heartbeatMs: 0 });
}

/** One request with raw control of the Host header; resolves with status, headers and body. */
function fetchRaw(url: string, options: { host?: string; method?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.host ? { host: options.host } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard server', () => {
  test('listens on 127.0.0.1 only, on a free port, and serves the page with a strict CSP', async () => {
    const dashboard = await start();
    try {
      assert.match(dashboard.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      assert.ok(dashboard.port > 0);
      const page = await fetchRaw(dashboard.url);
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      const csp = String(page.headers['content-security-policy']);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /connect-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.match(page.body, /id="chart-latency"/);
      assert.match(page.body, /window\.tuneupDraw|tuneupDraw/);
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      // localhost is the same machine and accepted too.
      assert.equal((await fetchRaw(dashboard.url, { host: `localhost:${dashboard.port}` })).status, 200);
    } finally {
      await dashboard.close();
    }
  });

  test('answers only its own Host (DNS rebinding), GET/HEAD only, and 404 elsewhere', async () => {
    const dashboard = await start();
    try {
      assert.equal((await fetchRaw(dashboard.url, { host: 'attacker.example' })).status, 403);
      assert.equal((await fetchRaw(dashboard.url, { host: `attacker.example:${dashboard.port}` })).status, 403);
      assert.equal((await fetchRaw(dashboard.url, { method: 'POST' })).status, 405);
      assert.equal((await fetchRaw(`${dashboard.url}nope`)).status, 404);
      const head = await fetchRaw(dashboard.url, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.body, '');
    } finally {
      await dashboard.close();
    }
  });

  test('the report is 404 while the run goes, then the written file; the stream ends with the final state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tuneup-dash-'));
    const dashboard = await start();
    try {
      assert.equal((await fetchRaw(`${dashboard.url}report.html`)).status, 404);
      dashboard.interval({ ...emptyRow(0), requests: 10 }, { intervalMs: 1000 });
      dashboard.progress({ elapsedMs: 1000, requests: 10, failed: 0, rps: 10, p95ServiceMs: 1, p95ResponseMs: 2, iterations: 10, droppedIterations: 0, vus: 1 });
      const reportPath = join(dir, 'report.html');
      writeFileSync(reportPath, '<!doctype html><title>the stored report</title>');
      dashboard.finish({ model: buildReportModel(makeResult({ durationS: 20, probes: false })), reportPath });
      const report = await fetchRaw(`${dashboard.url}report.html`);
      assert.equal(report.status, 200);
      assert.equal(report.body, '<!doctype html><title>the stored report</title>');
      // A page that connects now gets everything: the chart data, the last totals and the end.
      const events = fetchRaw(`${dashboard.url}events`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await dashboard.close({ graceMs: 0 });
      const stream = await events;
      assert.deepEqual(stream.body.match(/^event: .*$/gm), ['event: snapshot', 'event: progress', 'event: end']);
      assert.match(stream.body, /"t":\[0\]/);
    } finally {
      await dashboard.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without a written report (--no-report) the report is rendered from the model', async () => {
    const dashboard = await start();
    try {
      dashboard.finish({ model: buildReportModel(makeResult({ durationS: 20, probes: false })) });
      const report = await fetchRaw(`${dashboard.url}report.html`);
      assert.equal(report.status, 200);
      assert.match(report.body, /<title>tuneup report/);
    } finally {
      await dashboard.close();
    }
  });

  test('close waits for an open page to fetch the report, at most the grace period', async () => {
    const dashboard = await start();
    const stream = fetchRaw(`${dashboard.url}events`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    dashboard.finish({ model: buildReportModel(makeResult({ durationS: 20, probes: false })) });
    let closed = false;
    const closing = dashboard.close({ graceMs: 10_000 }).then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(closed, false, 'still waiting for the page');
    assert.equal((await fetchRaw(`${dashboard.url}report.html`)).status, 200);
    await closing;
    await stream;

    const timedOut = await start();
    const idle = fetchRaw(`${timedOut.url}events`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    timedOut.finish({ model: buildReportModel(makeResult({ durationS: 20, probes: false })) });
    const t0 = Date.now();
    await timedOut.close({ graceMs: 200 });
    assert.ok(Date.now() - t0 >= 150, 'waited for the grace period');
    await idle;
  });

  test('a port in use is TUNEUP_DASHBOARD_LISTEN with a hint', async () => {
    const first = await start();
    try {
      await assert.rejects(start(first.port), (error: unknown) => {
        const e = error as { code: string; hint: string; location: string };
        assert.equal(e.code, 'TUNEUP_DASHBOARD_LISTEN');
        assert.match(e.hint, /--dashboard-port/);
        assert.equal(e.location, '--dashboard-port');
        return true;
      });
    } finally {
      await first.close();
    }
  });
});
