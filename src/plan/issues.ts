/**
 * Plan problems: each has a JSON path and a message; together they become one
 * `TUNEUP_PLAN_INVALID` error listing every problem with `file:line path:`
 * (k6 `Validate() []error` style), so users fix a plan in one pass.
 *
 * @module
 */
import { TuneupError } from '../errors.js';

/** A path into the plan object, e.g. `['scenarios', 'browse', 'rate']`. */
export type PlanPath = readonly (string | number)[];

/** One problem in a plan. */
export interface PlanIssue {
  path: PlanPath;
  message: string;
}

/** Maps a JSON path to a 1-based line in the plan file (undefined when unknown, e.g. for .ts plans). */
export type LineLocator = (path: PlanPath) => number | undefined;

/** `scenarios.browse.stages[0].target` (identifier-like keys dotted, others bracketed). */
export function formatPath(path: PlanPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Collects issues while validating; `throwIfAny` raises them as one error. */
export class IssueList {
  readonly issues: PlanIssue[] = [];

  /** Record a problem at `path`. */
  add(path: PlanPath, message: string): void {
    this.issues.push({ path, message });
  }

  /** True when nothing was recorded. */
  get empty(): boolean {
    return this.issues.length === 0;
  }

  /**
   * Throw one `TUNEUP_PLAN_INVALID` listing every issue as
   * `file:line path: message`, sorted by line. No-op when empty.
   */
  throwIfAny(file: string | undefined, locate?: LineLocator): void {
    if (this.issues.length === 0) return;
    throw planInvalid(this.issues, file, locate);
  }
}

/** Build the error for a list of issues (see {@link IssueList.throwIfAny}). */
export function planInvalid(issues: readonly PlanIssue[], file: string | undefined, locate?: LineLocator): TuneupError {
  const located = issues.map((issue) => ({ issue, line: locate?.(issue.path) }));
  located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  const lines = located.map(({ issue, line }) => {
    const where = file === undefined ? '' : line === undefined ? `${file} ` : `${file}:${line} `;
    const path = formatPath(issue.path);
    return `${where}${path === '' ? '' : `${path}: `}${issue.message}`;
  });
  const first = located[0];
  const location =
    file === undefined
      ? formatPath(first.issue.path)
      : first.line === undefined
        ? file
        : `${file}:${first.line}`;
  const message =
    lines.length === 1 ? `invalid plan: ${lines[0]}` : `invalid plan (${lines.length} problems):\n  ${lines.join('\n  ')}`;
  return new TuneupError('TUNEUP_PLAN_INVALID', message, {
    location,
    hint: 'Fix the listed options; docs/plan.md lists every key and executor option.',
  });
}
