/**
 * Measures the 1 h x 200 endpoint report (with a baseline): model build
 * time, HTML render time and file size. Not a test (no timing assertions
 * in tests); run it by hand:
 *
 *   node --import tsx test/report/measure-report.ts [out.html]
 */
import { makeResult } from './fixtures/make-result.js';
import { buildReportModel } from '../../src/report/model.js';
import { renderHtml } from '../../src/report/html.js';
import { renderTerminalSummary } from '../../src/report/terminal.js';
import { writeFileSync } from 'node:fs';
const big = makeResult({ durationS: 3600, endpoints: 200, intervalHistograms: false });
const base = makeResult({ durationS: 3600, endpoints: 200, intervalHistograms: false, seed: 2, latencyScale: 1.2 });
renderHtml(buildReportModel(big));
let t0 = performance.now();
const m = buildReportModel(big, base);
const t1 = performance.now();
const html = renderHtml(m);
const t2 = performance.now();
renderTerminalSummary(m, { color: false, width: 100 });
const t3 = performance.now();
if (process.argv[2]) writeFileSync(process.argv[2], html);
console.log({ modelMs: t1 - t0, htmlMs: t2 - t1, termMs: t3 - t2, bytes: Buffer.byteLength(html), resultJsonBytes: JSON.stringify(big).length });
