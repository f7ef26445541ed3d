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

/** Options accepted by {@link TuneupError}. */
export interface TuneupErrorOptions {
  /** What the user should do about it, in one sentence. */
  hint?: string;
  /** Exit code the CLI should use; defaults by code family. */
  exitCode?: ExitCodeValue;
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
  /** Stable machine-readable code, e.g. `TUNEUP_PLAN_INVALID`. */
  readonly code: string;
  /** The fix, in one sentence. */
  readonly hint?: string;
  /** Where the problem is, e.g. `plan.yaml:12` or `--rate`. */
  readonly location?: string;
  /** Exit code for the CLI. */
  readonly exitCode: ExitCodeValue;

  constructor(code: string, message: string, options: TuneupErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TuneupError';
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
    this.exitCode = options.exitCode ?? defaultExitCode(code);
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

function defaultExitCode(code: string): ExitCodeValue {
  if (code.startsWith('TUNEUP_PLAN') || code.startsWith('TUNEUP_OPTION') || code.startsWith('TUNEUP_THRESHOLD')) {
    return ExitCode.INVALID_CONFIG;
  }
  if (code === 'TUNEUP_GOAL_INVALID' || code === 'TUNEUP_BASELINE_NAME') return ExitCode.INVALID_CONFIG;
  if (code === 'TUNEUP_PG_CONNECT' || code === 'TUNEUP_REDIS_CONNECT' || code.startsWith('TUNEUP_PROBE_')) {
    return ExitCode.DEPENDENCY_UNAVAILABLE;
  }
  if (code === 'TUNEUP_APPLY_FAILED' || code === 'TUNEUP_ROLLBACK_FAILED') return ExitCode.APPLY_FAILED;
  if (code === 'TUNEUP_INTERRUPTED') return ExitCode.INTERRUPTED;
  if (code === 'TUNEUP_SCRIPT_ERROR') return ExitCode.SCRIPT_ERROR;
  if (code === 'TUNEUP_TARGET_UNREACHABLE') return ExitCode.TARGET_UNREACHABLE;
  return ExitCode.INTERNAL;
}
