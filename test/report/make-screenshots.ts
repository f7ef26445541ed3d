/**
 * Writes docs/screenshots/report.png (one run) and report-baseline.png (a
 * second run compared against the first), plus the HTML they were taken
 * from. Without arguments it uses the two engine-written runs stored in
 * test/report/fixtures/real-run-{before,after}.json; `--synthetic` uses the
 * 10-minute synthetic fixture with probes and findings instead.
 *
 *   node --import tsx test/report/make-screenshots.ts [before/result.json [after/result.json]]
 *
 * report.png shows `before`; report-baseline.png shows `after` with `before` as its baseline.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunResult } from '../../src/result/types.js';
import { buildReportModel } from '../../src/report/model.js';
import { renderHtml } from '../../src/report/html.js';
import { launchChromium } from './browser-helper.js';
import { makeResult } from './fixtures/make-result.js';

const root = new URL('../../', import.meta.url).pathname;
const outDir = join(root, 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });

const args = process.argv.slice(2);
const synthetic = args.includes('--synthetic');
const [beforeArg, afterArg] = args.filter((a) => !a.startsWith('--'));
const fixtures = join(root, 'test', 'report', 'fixtures');
const beforePath = beforeArg ?? (synthetic ? undefined : join(fixtures, 'real-run-before.json'));
const afterPath = afterArg ?? (synthetic || beforeArg ? undefined : join(fixtures, 'real-run-after.json'));
const read = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as RunResult;
const before = beforePath ? read(beforePath) : makeResult({ durationS: 600 });
const after = afterPath ? read(afterPath) : beforePath ? undefined : makeResult({ durationS: 600, seed: 2, latencyScale: 0.8, failThreshold: false });

const launched = await launchChromium();
try {
  const variants: [string, RunResult, RunResult | undefined][] = [['report', before, undefined]];
  if (after) variants.push(['report-baseline', after, before]);
  for (const [name, run, base] of variants) {
    const htmlPath = join(outDir, `${name}.html`);
    writeFileSync(htmlPath, renderHtml(buildReportModel(run, base)));
    const page = await launched.context.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: false });
    await page.close();
  }
} finally {
  await launched.close();
}
