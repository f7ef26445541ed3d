/**
 * The flags of the commands that run the load themselves and store one run
 * (`tuneup load`, `tuneup run`): worker threads, streaming outputs, labels,
 * output, reports and the live dashboard. One declaration, so a help text (e.g. the `--out`
 * targets) is written once.
 *
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { TuneupError } from '../errors.js';
import { collect } from './options.js';

/** The flags {@link addRunOutputOptions} adds, as commander gives them. */
export interface RunOutputFlags {
  workers?: string;
  segment?: string;
  out?: string[];
  tag?: string[];
  thresholds?: boolean;
  json?: boolean;
  quiet?: boolean;
  report: boolean;
  dashboard?: boolean;
  dashboardPort?: string;
  verbose?: boolean;
}

/**
 * Add the run-output flags to a command, in the order its help lists them; `segment` and `thresholds`
 * add `--segment` and `--no-thresholds` (only `tuneup run` runs a segment of a plan or has thresholds to waive).
 */
export function addRunOutputOptions<C extends Command<any, any, any>>(command: C, extra: { segment?: boolean; thresholds?: boolean } = {}): C {
  command.option('-w, --workers <n>', 'worker threads generating the load');
  if (extra.segment) command.option('--segment <segment>', 'run one execution segment, e.g. 2/8 (merge the results later)');
  command
    .option('-o, --out <type=target>', 'stream the 1 s interval metrics: json=FILE (JSON lines), csv=FILE, experimental-prometheus-rw=URL (remote write) or opentelemetry=URL (OTLP/HTTP); repeatable', collect)
    .option('--tag <key=value>', 'label stored with the result (repeatable)', collect);
  if (extra.thresholds) command.option('--no-thresholds', 'evaluate thresholds but never fail the run on them');
  command
    .option('--json', 'print the RunResult JSON on stdout instead of the summary')
    .option('-q, --quiet', 'no live progress and no summary')
    .option('--no-report', 'do not write report.html / summary.md / junit.xml')
    .option('--dashboard', 'serve a live dashboard on 127.0.0.1 while the run goes (charts over server-sent events, the final report at the end); the URL is printed on stderr')
    .option('--dashboard-port <port>', 'port of the dashboard (default 0: a free one; implies --dashboard)')
    .option('--verbose', 'show stack traces on errors');
  return command;
}

/** The dashboard the flags ask for (`--dashboard`, `--dashboard-port N`), or undefined. */
export function dashboardFromFlags(flags: Pick<RunOutputFlags, 'dashboard' | 'dashboardPort'>): { port: number } | undefined {
  if (flags.dashboardPort === undefined) return flags.dashboard ? { port: 0 } : undefined;
  const port = Number(flags.dashboardPort);
  if (!/^\d+$/.test(flags.dashboardPort) || port > 65535) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `--dashboard-port: expected a port number 0-65535, got ${JSON.stringify(flags.dashboardPort)}`, {
      location: '--dashboard-port',
      hint: 'For example --dashboard-port 5665, or 0 (the default) for a free port.',
    });
  }
  return { port };
}
