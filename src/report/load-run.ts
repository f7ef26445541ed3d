/**
 * Resolve a run reference (`latest`, a run id or unique id prefix, a run
 * directory, or a path to a result.json) and load its RunResult. Shared by
 * every command that reads an earlier run (report, analyze, compare, …).
 *
 * @module
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ExitCode, TuneupError } from '../errors.js';
import { probeEvidenceProblems } from '../store/evidence-schema.js';
import { RUN_RESULT_SCHEMA_VERSION, type RunResult } from '../result/types.js';

/** Default directory of stored runs, relative to the working directory. */
export const DEFAULT_RUNS_DIR = '.tuneup/runs';

/** Options of {@link loadRunResult} and {@link resolveRunPath}. */
export interface LoadRunOptions {
  /** Directory holding `<id>/result.json` (default `.tuneup/runs`, relative to `cwd`). */
  runsDir?: string;
  /** Base for relative paths (default `process.cwd()`). */
  cwd?: string;
}

/** A loaded run and where it came from. */
export interface LoadedRun {
  result: RunResult;
  /** Absolute path of the result.json. */
  path: string;
  /** Directory of the result.json (where reports are written next to it). */
  dir: string;
}

/** Run ids under `runsDir` that have a result.json, oldest first (ids sort by time). */
export async function listRunIds(runsDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(runsDir);
  } catch {
    return [];
  }
  const ids: string[] = [];
  for (const name of names.sort()) {
    if (await isFile(join(runsDir, name, 'result.json'))) ids.push(name);
  }
  return ids;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function notFound(ref: string, runsDir: string, recent: string[]): TuneupError {
  const hint =
    recent.length > 0
      ? `recent runs: ${recent.slice(-5).reverse().join(', ')} (or use "latest", or a path to a result.json)`
      : `no runs found under ${runsDir}; start one with "tuneup run plan.ts" or pass a path to a result.json`;
  return new TuneupError('TUNEUP_RUN_NOT_FOUND', `run "${ref}" not found`, { hint, location: runsDir });
}

/**
 * Find the result.json a reference points to.
 * @throws TuneupError `TUNEUP_RUN_NOT_FOUND` (hint lists recent run ids).
 */
export async function resolveRunPath(ref: string, options: LoadRunOptions = {}): Promise<string> {
  const cwd = options.cwd ?? process.cwd();
  const runsDir = resolve(cwd, options.runsDir ?? DEFAULT_RUNS_DIR);
  const trimmed = ref.trim();
  if (trimmed === '') throw notFound(ref, runsDir, await listRunIds(runsDir));

  if (trimmed === 'latest') {
    const ids = await listRunIds(runsDir);
    if (ids.length === 0) throw notFound(ref, runsDir, ids);
    return join(runsDir, ids[ids.length - 1], 'result.json');
  }

  // A path: a result.json file, or a run directory holding one.
  const asPath = isAbsolute(trimmed) ? trimmed : resolve(cwd, trimmed);
  if (await isFile(asPath)) return asPath;
  if ((await isDirectory(asPath)) && (await isFile(join(asPath, 'result.json')))) return join(asPath, 'result.json');

  // A run id, or a unique prefix of one.
  if (!/[\\/]/.test(trimmed)) {
    const direct = join(runsDir, trimmed, 'result.json');
    if (await isFile(direct)) return direct;
    const ids = await listRunIds(runsDir);
    const matches = ids.filter((id) => id.startsWith(trimmed));
    if (matches.length === 1) return join(runsDir, matches[0], 'result.json');
    if (matches.length > 1) {
      throw new TuneupError('TUNEUP_RUN_NOT_FOUND', `run "${ref}" is ambiguous: ${matches.length} runs start with it`, {
        hint: `use a longer id, e.g. ${matches.slice(-3).reverse().join(', ')}`,
        location: runsDir,
      });
    }
    throw notFound(ref, runsDir, ids);
  }
  throw notFound(ref, runsDir, await listRunIds(runsDir));
}

/**
 * Check that parsed JSON is a RunResult this version can read. Only the
 * fields every reader relies on are checked; the schema version guards the rest.
 * @throws TuneupError `TUNEUP_RESULT_INVALID`.
 */
export function assertRunResult(value: unknown, location: string): asserts value is RunResult {
  const invalid = (message: string, hint: string) =>
    new TuneupError('TUNEUP_RESULT_INVALID', message, { hint, location });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('not a tuneup result: expected a JSON object', 'pass the result.json written by "tuneup run"');
  }
  const v = value as Record<string, unknown>;
  if (v.schemaVersion === undefined) {
    throw invalid('not a tuneup result: "schemaVersion" is missing', 'pass the result.json written by "tuneup run"');
  }
  if (v.schemaVersion !== RUN_RESULT_SCHEMA_VERSION) {
    const newer = typeof v.schemaVersion === 'number' && v.schemaVersion > RUN_RESULT_SCHEMA_VERSION;
    throw invalid(
      `unsupported result schemaVersion ${JSON.stringify(v.schemaVersion)} (this tuneup reads ${RUN_RESULT_SCHEMA_VERSION})`,
      newer ? 'the run was written by a newer tuneup: upgrade tuneup to read it' : 'the file is not a tuneup result or is corrupted; re-run the test',
    );
  }
  const missing = ['id', 'totals', 'series', 'endpoints', 'thresholds', 'generator', 'scenarios'].filter((k) => v[k] === undefined || v[k] === null);
  if (missing.length > 0) {
    throw invalid(`result is incomplete: missing ${missing.join(', ')}`, 'the file was truncated or edited; re-run the test');
  }
  // Rules read probe evidence by shape: a broken field is named here, not met as a rule error mid-diagnosis.
  const problems = probeEvidenceProblems(v.probes);
  if (problems.length > 0) {
    throw invalid(`probe evidence does not match its schema: ${problems.join('; ')}`, 'the file was edited or written by an incompatible tuneup; re-run the test');
  }
}

/**
 * Load the RunResult a reference points to.
 * @param ref `latest`, a run id (or unique prefix), a run directory, or a path to a result.json.
 * @throws TuneupError `TUNEUP_RUN_NOT_FOUND` or `TUNEUP_RESULT_INVALID`.
 */
export async function loadRun(ref: string, options: LoadRunOptions = {}): Promise<LoadedRun> {
  const path = await resolveRunPath(ref, options);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new TuneupError('TUNEUP_RUN_NOT_FOUND', `cannot read ${path}: ${(cause as Error).message}`, {
      hint: 'check the file permissions',
      location: path,
      cause,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new TuneupError('TUNEUP_RESULT_INVALID', `result is not valid JSON: ${(cause as Error).message}`, {
      hint: 'the file was truncated or edited (an interrupted write?); re-run the test',
      location: path,
      cause,
    });
  }
  assertRunResult(parsed, path);
  return { result: parsed, path, dir: resolve(path, '..') };
}

/**
 * Load the RunResult a reference points to (see {@link loadRun} for where it came from).
 * @param ref `latest`, a run id (or unique prefix), a run directory, or a path to a result.json.
 */
export async function loadRunResult(ref: string, options: LoadRunOptions = {}): Promise<RunResult> {
  return (await loadRun(ref, options)).result;
}
