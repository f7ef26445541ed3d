/**
 * The live dashboard end to end: `tuneup run PLAN --dashboard` as a child
 * process against a real HTTP server on 127.0.0.1, the page opened in
 * headless Chromium while the run goes, the final state after it, and the
 * server gone when the command exits (also after Ctrl-C).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { canvasInk, chromiumAvailable, launchChromium, type LaunchedBrowser } from '../report/browser-helper.js';
import { jsonHandler, startCli, startServer, tempDir, type CliRun } from '../cli/helpers.js';

/** Bounded load: 40 requests/s for the given seconds, to 127.0.0.1 only. */
function writePlan(cwd: string, baseUrl: string, duration: string): void {
  writeFileSync(
    join(cwd, 'plan.yaml'),
    [
      'name: dashboard-test',
      `baseUrl: ${baseUrl}`,
      'scenarios:',
      '  s:',
      '    executor: constant-arrival-rate',
      '    rate: 40',
      `    duration: ${duration}`,
      '    preAllocatedVUs: 8',
      '    requests:',
      '      - { path: /api/orders/1 }',
      'thresholds:',
      "  http_req_response_time: ['p(95)<2000']",
      '',
    ].join('\n'),
  );
}

/** Wait until `stderr()` holds the dashboard URL the CLI prints. */
async function dashboardUrl(stderr: () => string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(stderr());
    if (m) return m[1]!;
    if (Date.now() > deadline) throw new Error(`no dashboard URL on stderr:\n${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True when nothing listens at `url` any more. */
function refused(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    get(url, (res) => {
      res.resume();
      resolve(false);
    }).on('error', () => resolve(true));
  });
}

async function points(page: Page): Promise<number> {
  return Number(await page.getAttribute('html', 'data-points'));
}

/** Click the export button as a user would; the downloaded file's name and text. */
async function download(page: Page): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('#dash-report')]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

describe('live dashboard in headless Chromium', () => {
  let launched: LaunchedBrowser;
  let target: Awaited<ReturnType<typeof startServer>>;

  before(async () => {
    // A missing browser fails at once with the fix, never a silent skip (npm test's pretest installs it).
    if (!chromiumAvailable()) throw new Error('/usr/bin/chromium is missing: apt-get install chromium');
    launched = await launchChromium();
    target = await startServer(jsonHandler(3));
  });
  after(async () => {
    await launched?.close();
    await target?.close();
  });

  /** `tuneup run plan.yaml --dashboard` for `duration` in a fresh directory, and a new page (not opened yet). */
  async function runWithDashboard(duration: string, args: string[] = []): Promise<{ cwd: string; child: ChildProcess; finished: Promise<CliRun>; url: string; page: Page }> {
    const cwd = tempDir();
    writePlan(cwd, target.url, duration);
    const cli = startCli(['run', 'plan.yaml', '--dashboard', ...args], cwd);
    let stderr = '';
    cli.child.stderr!.on('data', (chunk) => (stderr += chunk));
    try {
      const url = await dashboardUrl(() => stderr);
      return { cwd, ...cli, url, page: await launched.context.newPage() };
    } catch (error) {
      cli.child.kill('SIGKILL');
      throw error;
    }
  }

  test('charts receive points while the run goes; the final state and the report show after it; the server closes with the command', async () => {
    const { cwd, child, finished, url, page } = await runWithDashboard('8s');
    try {
      const consoleErrors: string[] = [];
      const cspViolations: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (err) => consoleErrors.push(String(err)));
      await page.exposeFunction('__cspViolation', (text: string) => cspViolations.push(text));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (ev) => {
          (window as unknown as { __cspViolation(t: string): void }).__cspViolation(`${ev.violatedDirective} ${ev.blockedURI}`);
        });
      });
      await page.goto(url, { waitUntil: 'load' });

      // Live: points arrive over time, on the report's charts.
      await page.waitForFunction(() => Number(document.documentElement.getAttribute('data-points')) >= 1, null, { timeout: 30_000 });
      const early = await points(page);
      assert.equal(await page.getAttribute('html', 'data-state'), 'live');
      await page.waitForFunction((n) => Number(document.documentElement.getAttribute('data-points')) >= n + 2, early, { timeout: 15_000 });
      const later = await points(page);
      assert.ok(later >= early + 2, `points grew while the run went: ${early} → ${later}`);
      assert.equal(await page.getAttribute('html', 'data-state'), 'live', 'still running when the points grew');
      // Latency, throughput, both views and the generator panel, each with something drawn.
      assert.equal(await page.getAttribute('html', 'data-charts'), '4');
      const ink = await canvasInk(page);
      assert.ok(ink.length >= 4 && ink.every((n) => n > 500), `every chart drew lines: ${ink.join(', ')}`);
      assert.notEqual(await page.textContent('#kpi-requests'), '-');
      assert.equal(await page.textContent('#dash-badge'), 'RUNNING');

      // The end: the verdict, the report's chart data, and the report itself kept in the page.
      await page.waitForFunction(() => document.documentElement.getAttribute('data-state') === 'ended', null, { timeout: 60_000 });
      assert.equal(await page.textContent('#dash-badge'), 'PASSED');
      assert.match((await page.textContent('#dash-headline')) ?? '', /threshold/);
      await page.waitForFunction(() => document.documentElement.getAttribute('data-report') === 'ready', null, { timeout: 10_000 });
      const saved = await download(page);
      assert.equal(saved.name, 'report.html');

      const run = await finished;
      assert.equal(run.code, 0, run.stderr);
      const [runId] = readdirSync(join(cwd, '.tuneup/runs'));
      const stored = readFileSync(join(cwd, '.tuneup/runs', runId!, 'report.html'), 'utf8');
      assert.equal(saved.text, stored, 'the page hands out the file the run wrote');
      const result = JSON.parse(readFileSync(join(cwd, '.tuneup/runs', runId!, 'result.json'), 'utf8')) as { series: { t: number[] } };
      assert.equal(await points(page), result.series.t.length, 'the final charts hold every interval of the stored series');
      assert.ok(await refused(url), 'the server closed when the command exited');
      // The page kept the report: the export still works with the server gone.
      assert.equal((await download(page)).text, stored);
      assert.deepEqual(cspViolations, []);
      assert.deepEqual(consoleErrors, []);
    } finally {
      await page.close();
      child.kill('SIGKILL');
    }
  });

  test('Ctrl-C: the page shows the interrupted run and the server closes when the command exits', async () => {
    const { child, finished, url, page } = await runWithDashboard('60s', ['--quiet']);
    try {
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForFunction(() => Number(document.documentElement.getAttribute('data-points')) >= 2, null, { timeout: 30_000 });
      child.kill('SIGINT');
      await page.waitForFunction(() => document.documentElement.getAttribute('data-state') === 'ended', null, { timeout: 30_000 });
      assert.equal(await page.textContent('#dash-badge'), 'INCOMPLETE');
      assert.match((await page.textContent('#dash-headline')) ?? '', /interrupted/);
      const run = await finished;
      assert.equal(run.code, 105, run.stderr);
      assert.ok(await refused(url), 'the server closed when the command exited');
    } finally {
      await page.close();
      child.kill('SIGKILL');
    }
  });
});
