/**
 * The environment contract between the generated manifests and the pods'
 * entrypoints (`tuneup k8s-segment`, `tuneup k8s-merge`). The manifests
 * write these variables; the pods read them here and nowhere else, so a
 * local test can start the same entrypoints with the same environment.
 *
 * @module
 */
import { join } from 'node:path';
import { TuneupError } from '../errors.js';
import { parseDuration } from '../plan/duration.js';

/** Variable names (JOB_COMPLETION_INDEX is set by Kubernetes for an Indexed Job). */
export const POD_ENV = {
  index: 'JOB_COMPLETION_INDEX',
  segments: 'TUNEUP_SEGMENTS',
  resultsDir: 'TUNEUP_RESULTS_DIR',
  barrierHost: 'TUNEUP_BARRIER_HOST',
  barrierPort: 'TUNEUP_BARRIER_PORT',
  barrierTimeout: 'TUNEUP_BARRIER_TIMEOUT',
  mergeTimeout: 'TUNEUP_MERGE_TIMEOUT',
  runName: 'TUNEUP_RUN_NAME',
} as const;

/** What a segment pod needs. */
export interface SegmentPodEnv {
  index: number;
  count: number;
  resultsDir: string;
  barrierHost: string;
  barrierPort: number;
  barrierTimeoutMs: number;
  runName: string;
}

/** What the merge pod needs. */
export interface MergePodEnv {
  count: number;
  resultsDir: string;
  mergeTimeoutMs: number;
  runName: string;
}

/** Where segment runs are stored under the results volume. */
export function runsDirOf(resultsDir: string): string {
  return join(resultsDir, 'runs');
}

/** The marker file a segment pod writes when it is done (or failed). */
export function markerPath(resultsDir: string, index: number): string {
  return join(resultsDir, 'segments', `${index}.json`);
}

/** Read a segment pod's environment; a missing or bad variable is a TUNEUP_K8S_INVALID naming it. */
export function readSegmentEnv(env: NodeJS.ProcessEnv): SegmentPodEnv {
  const count = int(env, POD_ENV.segments, 1);
  const index = int(env, POD_ENV.index, 0);
  if (index >= count) bad(POD_ENV.index, String(index), `must be below ${POD_ENV.segments}=${count}`);
  return {
    index,
    count,
    resultsDir: required(env, POD_ENV.resultsDir),
    barrierHost: required(env, POD_ENV.barrierHost),
    barrierPort: int(env, POD_ENV.barrierPort, 1),
    barrierTimeoutMs: duration(env, POD_ENV.barrierTimeout, '10m'),
    runName: env[POD_ENV.runName] ?? 'tuneup',
  };
}

/** Read the merge pod's environment. */
export function readMergeEnv(env: NodeJS.ProcessEnv): MergePodEnv {
  return {
    count: int(env, POD_ENV.segments, 1),
    resultsDir: required(env, POD_ENV.resultsDir),
    mergeTimeoutMs: duration(env, POD_ENV.mergeTimeout, '1h'),
    runName: env[POD_ENV.runName] ?? 'tuneup',
  };
}

function bad(name: string, value: string | undefined, why: string): never {
  throw new TuneupError('TUNEUP_K8S_INVALID', `${name}=${value ?? '(unset)'}: ${why}`, {
    location: name,
    hint: 'This command is the entrypoint of the pods `tuneup k8s` generates; run it from those manifests, which set the variable.',
  });
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') bad(name, value, 'is required');
  return value;
}

function int(env: NodeJS.ProcessEnv, name: string, min: number): number {
  const raw = required(env, name);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) bad(name, raw, `expected an integer ≥ ${min}`);
  return n;
}

function duration(env: NodeJS.ProcessEnv, name: string, fallback: string): number {
  const raw = env[name] ?? fallback;
  try {
    return parseDuration(raw);
  } catch {
    return bad(name, raw, 'expected a duration such as 90s or 10m');
  }
}
