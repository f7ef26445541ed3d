/**
 * `tuneup report RUN [--baseline RUN] [--format html|md|junit|terminal] [--out FILE]`:
 * render the reports of a stored run again (e.g. against a baseline).
 *
 * RUN is `latest`, a run id (or a unique prefix) under `.tuneup/runs/`, a
 * run directory, or a path to a result.json.
 *
 * - no `--format` and no `--out`: write report.html, summary.md and
 *   junit.xml next to the run's result.json and print the terminal summary;
 * - `--format F`: render only F, to stdout or to `--out FILE`;
 * - `--out FILE` alone: the format follows the extension (.html, .md, .xml, .txt).
 *
 * The declaration only: the action (report-action.ts) loads when the command runs.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliIO } from '../io.js';

/** Formats `tuneup report` renders. */
export const REPORT_FORMATS = ['html', 'md', 'junit', 'terminal'] as const;

/** One of {@link REPORT_FORMATS}. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The flags of `tuneup report` as commander gives them. */
export interface ReportFlags {
  baseline?: string;
  format?: string;
  out?: string;
  runsDir: string;
  link?: string;
  verbose?: boolean;
}

/** Register `tuneup report`. */
export function registerReportCommand(program: Command, io: CliIO): void {
  program
    .command('report')
    .description('render the reports of a stored run (HTML, Markdown, JUnit, terminal), optionally against a baseline')
    .argument('<run>', 'run id (or unique prefix), "latest", a run directory, or a path to a result.json')
    .option('-b, --baseline <run>', 'baseline run to compare against (deltas and dashed overlays)')
    .option('-f, --format <format>', `render one format: ${REPORT_FORMATS.join('|')}`)
    .option('-o, --out <file>', 'write the rendered format to this file instead of stdout')
    .option('--runs-dir <dir>', 'directory of stored runs', '.tuneup/runs')
    .option('--link <url>', 'link to the HTML report used in the Markdown summary')
    .option('--verbose', 'show stack traces on errors')
    .action(async (ref, flags) => (await import('./report-action.js')).reportAction(ref, flags, io));
}
