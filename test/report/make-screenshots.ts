/**
 * Writes docs/screenshots/report.png and report-baseline.png from the
 * fixture run (replace with a real run later: pass a result.json path and
 * optionally a baseline result.json).
 *
 *   node --import tsx test/report/make-screenshots.ts [result.json [baseline.json]]
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

const [resultPath, baselinePath] = process.argv.slice(2);
const read = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as RunResult;
const result = resultPath ? read(resultPath) : makeResult({ durationS: 600 });
const baseline = baselinePath ? read(baselinePath) : resultPath ? undefined : makeResult({ durationS: 600, seed: 2, latencyScale: 1.25, failThreshold: false });

const launched = await launchChromium();
try {
  const variants: [string, RunResult | undefined][] = [['report', undefined]];
  if (baseline) variants.push(['report-baseline', baseline]);
  for (const [name, base] of variants) {
    const htmlPath = join(outDir, `${name}.html`);
    writeFileSync(htmlPath, renderHtml(buildReportModel(result, base)));
    const page = await launched.context.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: false });
    await page.screenshot({ path: join(outDir, `${name}-full.png`), fullPage: true });
    await page.close();
  }
} finally {
  await launched.close();
}
