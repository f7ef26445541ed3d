/**
 * What `tuneup report` does (declared in report.ts): render the reports of
 * a stored run again, all of them next to it or one format to stdout or a file.
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { TuneupError } from '../../errors.js';
import {
  buildReportModel,
  loadRun,
  renderHtml,
  renderJUnit,
  renderMarkdown,
  renderTerminalSummary,
  writeFileAtomic,
  writeReports,
  type ReportModel,
} from '../../report/index.js';
import type { CliIO } from '../io.js';
import { REPORT_FORMATS, type ReportFlags, type ReportFormat } from './report.js';

const EXTENSION_FORMATS: Record<string, ReportFormat> = {
  '.html': 'html',
  '.htm': 'html',
  '.md': 'md',
  '.markdown': 'md',
  '.xml': 'junit',
  '.txt': 'terminal',
};

function parseFormat(value: string | undefined, out: string | undefined): ReportFormat | undefined {
  if (value !== undefined) {
    const format = value.toLowerCase() === 'markdown' ? 'md' : value.toLowerCase();
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
      throw new TuneupError('TUNEUP_OPTION_INVALID', `--format ${JSON.stringify(value)} is not a report format`, {
        location: '--format',
        hint: `use one of ${REPORT_FORMATS.join(', ')}`,
      });
    }
    return format as ReportFormat;
  }
  if (out === undefined) return undefined;
  const inferred = EXTENSION_FORMATS[extname(out).toLowerCase()];
  if (!inferred) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `cannot tell the report format from ${JSON.stringify(out)}`, {
      location: '--out',
      hint: 'add --format html|md|junit|terminal, or use a .html, .md, .xml or .txt file name',
    });
  }
  return inferred;
}

/** Render one format of the model. `color` applies to the terminal format only. */
export function renderReport(model: ReportModel, format: ReportFormat, options: { color: boolean; width: number; htmlLink?: string }): string {
  switch (format) {
    case 'html':
      return renderHtml(model);
    case 'md':
      return renderMarkdown(model, { htmlLink: options.htmlLink });
    case 'junit':
      return renderJUnit(model);
    case 'terminal':
      return renderTerminalSummary(model, { color: options.color, width: options.width });
  }
}

/** Run `tuneup report RUN`. */
export async function reportAction(ref: string, flags: ReportFlags, io: CliIO): Promise<void> {
  const format = parseFormat(flags.format, flags.out);
  const loaded = await loadRun(ref, { runsDir: flags.runsDir });
  const baseline = flags.baseline ? (await loadRun(flags.baseline, { runsDir: flags.runsDir })).result : undefined;
  const model = buildReportModel(loaded.result, baseline);
  const width = process.stdout.columns ?? 100;

  if (format === undefined) {
    const paths = await writeReports(loaded.result, loaded.dir, { baseline, model, htmlLink: flags.link });
    io.out(renderTerminalSummary(model, { color: io.color, width }));
    io.err(`report: ${paths.html}\nsummary: ${paths.markdown}\njunit: ${paths.junit}`);
    return;
  }
  const text = renderReport(model, format, { color: flags.out ? false : io.color, width, htmlLink: flags.link });
  if (flags.out) {
    const target = resolve(flags.out);
    await mkdir(dirname(target), { recursive: true });
    await writeFileAtomic(target, text);
    io.err(`${format}: ${target}`);
  } else {
    io.out(text);
  }
}
