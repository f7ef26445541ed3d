/**
 * The part `tuneup load` and `tuneup run` share: start the run with a live
 * display (and, with `--dashboard`, the live page), turn Ctrl-C into a
 * graceful stop (a second Ctrl-C stops at once), assemble and store the
 * result and its reports, print the summary, and pick the exit code.
 *
 * @module
 */
import { join, resolve } from 'node:path';
import { startRun } from '../engine/run.js';
import type { PlanSource } from '../engine/workers.js';
import { assembleRunResult, DEFAULT_RUNS_DIR, runId, writeJsonAtomic, writeRunResult } from '../engine/result.js';
import { ExitCode } from '../errors.js';
import type { ResolvedPlan } from '../plan/types.js';
import type { Probe } from '../probes/types.js';
import { buildReportModel, renderTerminalSummary, writeReports } from '../report/index.js';
import type { RunResult } from '../result/types.js';
import { openOutputs, type OutputSpec } from '../outputs/index.js';
import { planChartData, startDashboard, type Dashboard } from '../dashboard/index.js';
import { setExitCode } from './exit.js';
import type { CliIO } from './io.js';
import { createLiveDisplay } from './live.js';

/** File next to a segment's result.json holding its mergeable metrics snapshot. */
export const SEGMENT_SNAPSHOT_FILE = 'segment-snapshot.json';

/** Output and engine options common to `load` and `run`. */
export interface ExecuteRunOptions {
  workers?: number;
  segment?: string;
  quiet?: boolean;
  json?: boolean;
  /** Directory of stored runs (default `.tuneup/runs`). */
  runsDir?: string;
  /** Skip writing report.html / summary.md / junit.xml. */
  noReport?: boolean;
  /** Evaluate thresholds but never fail on them (k6 --no-thresholds). */
  noThresholds?: boolean;
  labels?: Record<string, string>;
  probes?: Probe[];
  targetPid?: number;
  planSource?: PlanSource;
  /** Post-process the result before it is stored (diagnosis). */
  enrich?: (result: RunResult) => Promise<RunResult>;
  /** Streaming outputs (`--out json=FILE`, `--out experimental-prometheus-rw=URL`, …), written or pushed as each interval closes. */
  outputs?: readonly OutputSpec[];
  /** Serve the live dashboard on 127.0.0.1 at this port (0: a free one) while the run goes (`--dashboard`). */
  dashboard?: { port: number };
}

/** Latest planned scenario end (ms), for the progress line; undefined when open-ended. */
function plannedDurationMs(plan: ResolvedPlan): number | undefined {
  let latest = 0;
  for (const scenario of plan.scenarios) {
    let length: number;
    switch (scenario.executor) {
      case 'constant-vus':
      case 'constant-arrival-rate':
        length = scenario.durationMs;
        break;
      case 'ramping-vus':
      case 'ramping-arrival-rate':
        length = scenario.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
        break;
      default:
        return undefined;
    }
    latest = Math.max(latest, scenario.startTimeMs + length);
  }
  return latest || undefined;
}

/** Run `plan`, store the result, print the summary and set the exit code. */
export async function executeRun(plan: ResolvedPlan, io: CliIO, options: ExecuteRunOptions): Promise<RunResult> {
  // The id is chosen now so pushed series carry the id the stored result will have (label run_id).
  const id = runId();
  const plannedMs = plannedDurationMs(plan);
  let dashboard: Dashboard | undefined;
  if (options.dashboard) {
    dashboard = await startDashboard({
      port: options.dashboard.port,
      runId: id,
      title: plan.name ?? 'tuneup run',
      target: plan.baseUrl,
      chartData: planChartData(plan, plannedMs),
    });
    // Printed even with --quiet or --json (on stderr): the flag asked for a page, and this is its address.
    io.err(`dashboard: ${dashboard.url}`);
  }
  try {
    return await runAndStore(plan, io, options, { id, plannedMs, dashboard });
  } finally {
    // Also after Ctrl-C (the run stops gracefully, then this) and on errors: the server never outlives the command.
    await dashboard?.close();
  }
}

async function runAndStore(plan: ResolvedPlan, io: CliIO, options: ExecuteRunOptions, ctx: { id: string; plannedMs: number | undefined; dashboard: Dashboard | undefined }): Promise<RunResult> {
  const { id, dashboard } = ctx;
  // Opened before any load, so an unwritable file fails the command before it sends a request.
  const outputs = options.outputs?.length ? openOutputs(options.outputs, { segment: options.segment, runId: id }) : undefined;
  const display = createLiveDisplay(io, { quiet: Boolean(options.quiet || options.json), plannedMs: ctx.plannedMs });
  const handle = startRun(plan, {
    ...(outputs || dashboard
      ? {
          onInterval: (row, info) => {
            outputs?.write(row, info);
            dashboard?.interval(row, info);
          },
        }
      : {}),
    workers: options.workers,
    segment: options.segment,
    probes: options.probes,
    targetPid: options.targetPid,
    planSource: options.planSource,
    onProgress: (live) => {
      display.update(live);
      dashboard?.progress(live);
    },
  });

  let interrupts = 0;
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts === 1) {
      display.notice('stopping gracefully (running requests get their gracefulStop); press Ctrl-C again to stop now');
      handle.stop('interrupted by the user');
    } else {
      display.notice('stopping now');
      handle.hardStop();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let outcome;
  try {
    outcome = await handle.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    display.done();
    const end = outcome ? { status: outcome.status, endedAt: outcome.endedAt, durationMs: outcome.durationMs } : { status: 'failed', endedAt: Date.now(), durationMs: 0 };
    for (const warning of (await outputs?.close(end)) ?? []) io.err(`warning: ${warning}`);
  }

  let result = assembleRunResult(outcome, { id, argv: process.argv.slice(2), labels: options.labels });
  if (options.enrich) result = await options.enrich(result);
  const runsDir = options.runsDir ?? DEFAULT_RUNS_DIR;
  const resultPath = await writeRunResult(result, runsDir);
  const runDir = resolve(resultPath, '..');
  if (options.segment) {
    // A segment's result is one part of a bigger run: keep the mergeable metrics so
    // `tuneup merge` can combine the parts exactly and judge thresholds globally.
    await writeJsonAtomic(join(runDir, SEGMENT_SNAPSHOT_FILE), {
      segment: outcome.segment,
      durationMs: outcome.durationMs,
      snapshot: outcome.snapshot,
    });
  }
  const model = buildReportModel(result);
  let htmlPath: string | undefined;
  if (!options.noReport) htmlPath = (await writeReports(result, runDir, { model })).html;
  dashboard?.finish({ model, reportPath: htmlPath });

  if (options.json) {
    io.out(JSON.stringify(result));
  } else if (!options.quiet) {
    io.out(renderTerminalSummary(model, { color: io.color, width: process.stdout.columns ?? 100 }));
    io.out(`result: ${resultPath}${htmlPath ? `\nreport: ${htmlPath}` : ''}`);
  } else {
    // Quiet still names what it made: scripts need the id to run analyze, optimize or compare next.
    io.out(result.id);
  }

  const thresholdsFailed = result.thresholds.some((t) => !t.passed);
  if (result.status === 'interrupted') setExitCode(ExitCode.INTERRUPTED);
  else if (thresholdsFailed && !options.noThresholds) setExitCode(ExitCode.THRESHOLDS_FAILED);
  return result;
}
