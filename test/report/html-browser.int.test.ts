// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { buildReportModel } from '../../src/report/model.js';
import { renderHtml } from '../../src/report/html.js';
import { canvasInk, chromiumAvailable, launchChromium, type LaunchedBrowser } from './browser-helper.js';
import { makeResult } from './fixtures/make-result.js';


interface Loaded {
  page: Page;
  consoleErrors: string[];
  cspViolations: string[];
  requests: string[];
  fileUrl: string;
}

describe('HTML report in headless Chromium', () => {
  let launched: LaunchedBrowser;
  let dir: string;

  before(async () => {
    // A missing browser fails these tests at once with the fix, never a silent skip (npm test's pretest installs it).
    if (!chromiumAvailable()) throw new Error('/usr/bin/chromium is missing: apt-get install chromium');
    launched = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'tuneup-report-'));
  });
  after(async () => {
    await launched?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function load(html: string, name: string): Promise<Loaded> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const fileUrl = pathToFileURL(file).href;
    const page = await launched.context.newPage();
    const consoleErrors: string[] = [];
    const cspViolations: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
    page.on('request', (r) => requests.push(r.url()));
    await page.exposeFunction('__cspViolation', (text: string) => cspViolations.push(text));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (ev) => {
        (window as unknown as { __cspViolation(t: string): void }).__cspViolation(`${ev.violatedDirective} ${ev.blockedURI}`);
      });
    });
    await page.goto(fileUrl, { waitUntil: 'load' });
    return { page, consoleErrors, cspViolations, requests, fileUrl };
  }

  test('draws every chart, with no console error, CSP violation or network request', async () => {
    const model = buildReportModel(makeResult());
    const { page, consoleErrors, cspViolations, requests, fileUrl } = await load(renderHtml(model), 'report.html');
    try {
      const expectedCharts = 3 + model.probePanels.length;
      assert.equal(await page.getAttribute('html', 'data-charts'), String(expectedCharts));
      const ink = await canvasInk(page);
      assert.equal(ink.length, expectedCharts);
      for (const [i, n] of ink.entries()) assert.ok(n > 500, `canvas ${i} looks blank (${n} pixels)`);
      assert.deepEqual(consoleErrors, []);
      assert.deepEqual(cspViolations, []);
      assert.deepEqual(requests, [fileUrl]);
    } finally {
      await page.close();
    }
  });

  test('a script the CSP did not hash is blocked (the policy is really enforced)', async () => {
    const html = renderHtml(buildReportModel(makeResult({ probes: false, durationS: 20 }))).replace('</body>', '<script>document.title = "pwned"</script></body>');
    const { page, cspViolations } = await load(html, 'tampered.html');
    try {
      assert.notEqual(await page.title(), 'pwned');
      assert.ok(cspViolations.some((v) => v.startsWith('script-src')), `violations: ${cspViolations.join('; ')}`);
    } finally {
      await page.close();
    }
  });

  test('the endpoint table sorts by click and by keyboard', async () => {
    const model = buildReportModel(makeResult({ endpoints: 30, durationS: 60 }), makeResult({ seed: 2, endpoints: 30, durationS: 60, latencyScale: 1.3 }));
    const { page, consoleErrors } = await load(renderHtml(model), 'sort.html');
    try {
      const column = async (index: number) =>
        page.$$eval(`#endpoints tbody tr`, (rows, i) => rows.map((r) => (r as HTMLTableRowElement).cells[i].getAttribute('data-v') ?? (r as HTMLTableRowElement).cells[i].textContent), index);
      const headers = await page.$$eval('#endpoints thead th', (ths) => ths.map((t) => t.textContent?.trim()));
      const p95 = headers.indexOf('resp p95');
      assert.ok(p95 > 0);
      await page.click(`#endpoints thead th:nth-child(${p95 + 1}) button`);
      const asc = (await column(p95)).map(Number);
      assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
      assert.equal(await page.getAttribute(`#endpoints thead th:nth-child(${p95 + 1})`, 'aria-sort'), 'ascending');
      await page.click(`#endpoints thead th:nth-child(${p95 + 1}) button`);
      const desc = (await column(p95)).map(Number);
      assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
      assert.notDeepEqual(asc, desc);
      // Keyboard: focus the "endpoint" header button and press Enter: sorted by name.
      await page.focus('#endpoints thead th:nth-child(1) button');
      await page.keyboard.press('Enter');
      const names = (await page.$$eval('#endpoints tbody tr', (rows) => rows.map((r) => (r as HTMLTableRowElement).cells[0].textContent ?? ''))).map((n) => n.toLowerCase());
      assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      // The delta column is present with a baseline.
      assert.ok(headers.includes('p95 vs base'));
      // Filter hides rows.
      await page.fill('#endpoint-filter', 'resource1');
      const visible = await page.$$eval('#endpoints tbody tr', (rows) => rows.filter((r) => !(r as HTMLElement).hidden).length);
      assert.ok(visible > 0 && visible < 30, `visible ${visible}`);
      assert.deepEqual(consoleErrors, []);
    } finally {
      await page.close();
    }
  });

  test('a report without probes or findings omits their sections and still draws', async () => {
    const model = buildReportModel(makeResult({ probes: false, findings: false, durationS: 20 }));
    const { page, consoleErrors } = await load(renderHtml(model), 'bare.html');
    try {
      assert.equal(await page.$('#findings'), null);
      // Only the generator-health panel remains among the probe panels.
      assert.equal(await page.getAttribute('html', 'data-charts'), String(3 + model.probePanels.length));
      assert.deepEqual(consoleErrors, []);
    } finally {
      await page.close();
    }
  });
});
