/**
 * Write the report files of a run next to its result.json:
 * `report.html`, `summary.md` and `junit.xml`. Each file is written to a
 * temporary name and renamed, so a CI step never picks up half a report.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../store/index.js';
import { join } from 'node:path';
import type { RunResult } from '../result/types.js';
import { renderHtml } from './html.js';
import { renderJUnit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { buildReportModel, type ReportModel } from './model.js';

/** File names of the reports inside a run directory. */
export const REPORT_FILES = { html: 'report.html', markdown: 'summary.md', junit: 'junit.xml' } as const;

/** Paths of the written reports. */
export interface ReportPaths {
  html: string;
  markdown: string;
  junit: string;
}

/** Options of {@link writeReports}. */
export interface WriteReportsOptions {
  /** Baseline run for deltas and overlays. */
  baseline?: RunResult;
  /** Link the Markdown summary uses for the full report (default: the relative `report.html`). */
  htmlLink?: string;
  /** A model already built for this result (skips building it again). */
  model?: ReportModel;
}

export { writeFileAtomic } from '../store/index.js';

/**
 * Render every report of a run and write them into `runDir`.
 * @param result the run.
 * @param runDir the run's directory (where result.json is), created if missing.
 * @returns the absolute paths written.
 */
export async function writeReports(result: RunResult, runDir: string, options: WriteReportsOptions = {}): Promise<ReportPaths> {
  const model = options.model ?? buildReportModel(result, options.baseline);
  await mkdir(runDir, { recursive: true });
  const paths: ReportPaths = {
    html: join(runDir, REPORT_FILES.html),
    markdown: join(runDir, REPORT_FILES.markdown),
    junit: join(runDir, REPORT_FILES.junit),
  };
  await writeFileAtomic(paths.html, renderHtml(model));
  await writeFileAtomic(paths.markdown, renderMarkdown(model, { htmlLink: options.htmlLink ?? REPORT_FILES.html }));
  await writeFileAtomic(paths.junit, renderJUnit(model));
  return paths;
}
