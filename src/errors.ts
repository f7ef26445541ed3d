/**
 * Errors and exit codes shared by every module.
 *
 * Library code throws {@link TuneupError}; only `src/cli/` turns it into a
 * one-line message and an exit code. Match errors on `code`, never on message.
 *
 * @module
 */

/**
 * Process exit codes. Numbers follow k6 where k6 has one (99 for failed
 * thresholds, 104 invalid config, 105 external abort, 107 script exception)
 * so CI scripts written for k6 keep working.
 */
export const ExitCode = {
  /** Run completed and every threshold passed. */
  OK: 0,
  /** Unexpected internal failure (a bug: please report it). */
  INTERNAL: 1,
  /** Command-line usage error (unknown flag, missing argument). */
  USAGE: 2,
  /** At least one threshold failed (k6: ThresholdsHaveFailed). */
  THRESHOLDS_FAILED: 99,
  /** The plan or an option is invalid (k6: InvalidConfig). */
  INVALID_CONFIG: 104,
  /** The run was interrupted (Ctrl-C / SIGTERM); a partial result was written (k6: ExternalAbort). */
  INTERRUPTED: 105,
  /** The plan's code threw outside an iteration (k6: ScriptException). */
  SCRIPT_ERROR: 107,
  /** The target could not be reached at all (every connection attempt failed). */
  TARGET_UNREACHABLE: 109,
  /** `tuneup compare`/`validate` found a regression on the primary metric. */
  REGRESSION: 111,
  /** `tuneup compare` could not reach a verdict and `--fail-on-inconclusive` was given. */
  INCONCLUSIVE: 112,
  /** An optimize `--apply` failed part-way; the journal can be rolled back. */
  APPLY_FAILED: 113,
  /** A probe or database connection needed by the command failed. */
  DEPENDENCY_UNAVAILABLE: 114,
} as const;

/** One of the documented exit codes. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** What one error code means and how the CLI exits on it. */
export interface ErrorCodeInfo {
  /** The process exit code: one of {@link ExitCode}, decided by the code alone. */
  exit: ExitCodeValue;
  /** One line for docs/errors.md. */
  meaning: string;
}

/**
 * Every error code of tuneup: the single source of the exit code a code
 * produces and of the table in docs/errors.md (`npm run docs:errors` writes
 * it; a unit test fails when the doc is stale). Rule for the exit code: 2 only
 * for a command line that does not parse (commander's own errors); 104 for
 * anything the user gave that parses but is wrong, missing or names nothing.
 */
export const ERROR_CODES = {
  TUNEUP_PLAN_INVALID: { exit: ExitCode.INVALID_CONFIG, meaning: 'the plan has problems; each is listed as `file:line path: message` with a did-you-mean where possible' },
  TUNEUP_PLAN_NOT_FOUND: { exit: ExitCode.INVALID_CONFIG, meaning: 'the plan file does not exist' },
  TUNEUP_THRESHOLD_INVALID: { exit: ExitCode.INVALID_CONFIG, meaning: 'a threshold expression does not parse (position and expected token given)' },
  TUNEUP_OPTION_INVALID: { exit: ExitCode.INVALID_CONFIG, meaning: 'a command-line option or `TUNEUP_*` variable has the wrong type or value' },
  TUNEUP_OPTION_MISSING: { exit: ExitCode.INVALID_CONFIG, meaning: 'a command needs an option that was not given (e.g. `--pg` again for a run whose URL had a password)' },
  TUNEUP_GOAL_INVALID: { exit: ExitCode.INVALID_CONFIG, meaning: 'a goal such as `p95=-20%` does not parse' },
  TUNEUP_RUN_NOT_FOUND: { exit: ExitCode.INVALID_CONFIG, meaning: 'no stored run matches the id (the hint lists recent ones)' },
  TUNEUP_RESULT_INVALID: { exit: ExitCode.INVALID_CONFIG, meaning: 'a result.json is broken, truncated or of a newer schemaVersion' },
  TUNEUP_COMPARE_EMPTY: { exit: ExitCode.INVALID_CONFIG, meaning: 'a comparison side has no runs' },
  TUNEUP_COMPARE_DUPLICATE_RUN: { exit: ExitCode.INVALID_CONFIG, meaning: 'the same run is on both sides of a comparison' },
  TUNEUP_CAPACITY_MISSING: { exit: ExitCode.INVALID_CONFIG, meaning: 'a run given to `tuneup capacity --compare` holds no measured capacity (run `tuneup capacity PLAN` first)' },
  TUNEUP_BASELINE_NOT_FOUND: { exit: ExitCode.INVALID_CONFIG, meaning: 'no baseline of that name is stored' },
  TUNEUP_BASELINE_INVALID: { exit: ExitCode.INVALID_CONFIG, meaning: 'a stored baseline file is broken' },
  TUNEUP_BASELINE_EMPTY: { exit: ExitCode.INVALID_CONFIG, meaning: 'a baseline was asked for with no runs' },
  TUNEUP_BASELINE_NAME: { exit: ExitCode.INVALID_CONFIG, meaning: 'a baseline name has characters a file name cannot hold' },
  TUNEUP_JOURNAL_NOT_FOUND: { exit: ExitCode.INVALID_CONFIG, meaning: 'the rollback journal id is unknown' },
  TUNEUP_JOURNAL_INVALID: { exit: ExitCode.INVALID_CONFIG, meaning: 'a rollback journal file is broken' },
  TUNEUP_MERGE_INVALID: { exit: ExitCode.INVALID_CONFIG, meaning: '`tuneup merge` was given fewer than two segment runs, runs of different plans, or a run made without `--segment`' },
  TUNEUP_APPLY_REFUSED: { exit: ExitCode.INVALID_CONFIG, meaning: '`--apply` without `--environment`, a disruptive action without `--strategy aggressive`, or production without confirmation' },
  TUNEUP_SCRIPT_ERROR: { exit: ExitCode.SCRIPT_ERROR, meaning: "the plan's code threw while loading" },
  TUNEUP_TARGET_UNREACHABLE: { exit: ExitCode.TARGET_UNREACHABLE, meaning: 'no connection could be opened to the target before the run' },
  TUNEUP_TARGET_CMD_FAILED: { exit: ExitCode.TARGET_UNREACHABLE, meaning: '`--target-cmd` exited or never accepted connections (its output is in `.tuneup/target.log`)' },
  TUNEUP_PG_CONNECT: { exit: ExitCode.DEPENDENCY_UNAVAILABLE, meaning: 'a probed or optimized PostgreSQL cannot be reached' },
  TUNEUP_REDIS_CONNECT: { exit: ExitCode.DEPENDENCY_UNAVAILABLE, meaning: 'a probed or optimized Redis cannot be reached' },
  TUNEUP_PROBE_PROCESS_NOT_FOUND: { exit: ExitCode.DEPENDENCY_UNAVAILABLE, meaning: 'the `--pid` process does not exist' },
  TUNEUP_PROBE_PROCESS_UNSUPPORTED: { exit: ExitCode.DEPENDENCY_UNAVAILABLE, meaning: 'the process probe needs Linux /proc' },
  TUNEUP_PROBE_PROMETHEUS_UNREACHABLE: { exit: ExitCode.DEPENDENCY_UNAVAILABLE, meaning: 'the `--metrics` URL cannot be scraped' },
  TUNEUP_DEMO_START_FAILED: { exit: ExitCode.DEPENDENCY_UNAVAILABLE, meaning: '`tuneup demo` could not start a part of its stack (embedded PostgreSQL, the service, its upstream); the part\'s last output is shown' },
  TUNEUP_PROBE_HOST_FAILED: { exit: ExitCode.DEPENDENCY_UNAVAILABLE, meaning: "the probes' worker thread failed to start or answer" },
  TUNEUP_APPLY_LOCKED: { exit: ExitCode.APPLY_FAILED, meaning: 'another apply holds the advisory lock' },
  TUNEUP_APPLY_FAILED: { exit: ExitCode.APPLY_FAILED, meaning: 'an apply failed part-way; the journal says what was done and `tuneup rollback ID` undoes it' },
  TUNEUP_ROLLBACK_FAILED: { exit: ExitCode.APPLY_FAILED, meaning: 'a rollback failed part-way; the journal says what is left' },
  TUNEUP_APPLY_INTERRUPTED: { exit: ExitCode.INTERRUPTED, meaning: 'Ctrl-C stopped an apply between steps; `tuneup rollback ID` undoes what was done' },
  TUNEUP_INTERRUPTED: { exit: ExitCode.INTERRUPTED, meaning: 'Ctrl-C / SIGTERM stopped the command; a partial result was written' },
  TUNEUP_WORKER_FAILED: { exit: ExitCode.INTERNAL, meaning: 'a load worker thread failed (a bug: re-run with `--verbose` and report it)' },
  TUNEUP_HTTP_URL_INVALID: { exit: ExitCode.INTERNAL, meaning: 'plan code built an invalid URL (counted as a failed iteration, not an exit)' },
  TUNEUP_HTTP_HEADER_INVALID: { exit: ExitCode.INTERNAL, meaning: 'plan code built an invalid header (counted as a failed iteration, not an exit)' },
  TUNEUP_HTTP_METHOD_INVALID: { exit: ExitCode.INTERNAL, meaning: 'plan code used an invalid method (counted as a failed iteration, not an exit)' },
  TUNEUP_HTTP_JSON_INVALID: { exit: ExitCode.INTERNAL, meaning: '`res.json()` on a body that is not JSON (first bytes shown; a failed iteration)' },
  TUNEUP_METRICS_SNAPSHOT_INVALID: { exit: ExitCode.INVALID_CONFIG, meaning: 'a metrics snapshot to merge is malformed' },
  TUNEUP_METRICS_MERGE_EMPTY: { exit: ExitCode.INVALID_CONFIG, meaning: 'a merge was given no metrics snapshots' },
  TUNEUP_SLO_MISSING: { exit: ExitCode.INVALID_CONFIG, meaning: 'the plan has no SLO to export or validate: no `slo.objectives` and no latency-percentile or error-rate threshold that maps to one' },
  TUNEUP_SLO_INVALID: { exit: ExitCode.INVALID_CONFIG, meaning: "the plan's `slo` section is wrong (objective out of range, a latency below every histogram bucket, a bad window or label)" },
  TUNEUP_SLO_PRESET_UNKNOWN: { exit: ExitCode.INVALID_CONFIG, meaning: 'the metric-convention preset is not one of `prom-client`, `opentelemetry`' },
  TUNEUP_SLO_NO_DATA: { exit: ExitCode.INVALID_CONFIG, meaning: "`tuneup monitor validate` found no series for any SLO: the metric names or labels do not match the service's instrumentation" },
  TUNEUP_PROMETHEUS_UNREACHABLE: { exit: ExitCode.DEPENDENCY_UNAVAILABLE, meaning: "the `--prometheus` server cannot be reached or did not answer its HTTP API" },
  TUNEUP_PROMETHEUS_QUERY_FAILED: { exit: ExitCode.DEPENDENCY_UNAVAILABLE, meaning: 'Prometheus rejected or failed an SLO query (its error is shown)' },
  TUNEUP_DASHBOARD_LISTEN: { exit: ExitCode.INVALID_CONFIG, meaning: '`--dashboard` cannot listen on 127.0.0.1 at the `--dashboard-port` given (in use, or a privileged port)' },
  TUNEUP_OUTPUT_INVALID: { exit: ExitCode.INVALID_CONFIG, meaning: 'an `--out` value is not `json=FILE`, `csv=FILE`, `experimental-prometheus-rw[=URL]` or `opentelemetry[=URL]`, or its file cannot be opened for writing' },
  TUNEUP_K8S_INVALID: { exit: ExitCode.INVALID_CONFIG, meaning: '`tuneup k8s` options cannot make valid manifests (a name Kubernetes refuses, a plan with files it imports, a missing Job environment in a pod)' },
  TUNEUP_BARRIER_TIMEOUT: { exit: ExitCode.DEPENDENCY_UNAVAILABLE, meaning: 'a Kubernetes segment pod did not see all its peers at the start barrier in time (pods not scheduled, or the coordinator pod unreachable)' },
  TUNEUP_K8S_SEGMENTS_MISSING: { exit: ExitCode.DEPENDENCY_UNAVAILABLE, meaning: 'the merge step of a Kubernetes run timed out waiting for segment results, or a segment failed' },
  TUNEUP_INTERNAL: { exit: ExitCode.INTERNAL, meaning: 'a bug: re-run with `--verbose` and report it' },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A documented error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Options accepted by {@link TuneupError}. */
export interface TuneupErrorOptions {
  /** What the user should do about it, in one sentence. */
  hint?: string;
  /** The underlying error. */
  cause?: unknown;
  /** Where the problem is (file, line, JSON path, option name). */
  location?: string;
}

/**
 * The one error class of tuneup. `code` is stable (documented in
 * docs/errors.md); `hint` tells the fix; `location` names the file/line/option.
 */
export class TuneupError extends Error {
  /** Stable machine-readable code, e.g. `TUNEUP_PLAN_INVALID` (see {@link ERROR_CODES}). */
  readonly code: ErrorCode;
  /** The fix, in one sentence. */
  readonly hint?: string;
  /** Where the problem is, e.g. `plan.yaml:12` or `--rate`. */
  readonly location?: string;
  /** Exit code for the CLI: always the one {@link ERROR_CODES} gives the code. */
  readonly exitCode: ExitCodeValue;

  constructor(code: ErrorCode, message: string, options: TuneupErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TuneupError';
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
    this.exitCode = ERROR_CODES[code].exit;
  }
}

/** True for a {@link TuneupError}, also across module copies (checks the shape, not the prototype). */
export function isTuneupError(value: unknown): value is TuneupError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name === 'TuneupError' &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}
