/**
 * Named baselines: a stored list of runs to compare against in CI
 * (`tuneup baseline save main latest` then `tuneup compare baseline:main …`).
 * Stored as `.tuneup/baselines/<name>.json`.
 *
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../store/index.js';
import { join, relative, resolve } from 'node:path';
import { ExitCode, TuneupError } from '../errors.js';
import { loadRun, type LoadRunOptions } from '../report/load-run.js';

/** Default directory of baselines, relative to the working directory. */
export const DEFAULT_BASELINES_DIR = '.tuneup/baselines';

/** One run of a baseline. */
export interface BaselineRun {
  id: string;
  /** Path of its result.json, relative to the working directory when possible. */
  path: string;
  startedAt: number;
}

/** The stored baseline file. */
export interface Baseline {
  kind: 'tuneup.baseline';
  version: 1;
  name: string;
  /** Epoch ms. */
  createdAt: number;
  /** Plan name of the first run, for display. */
  plan?: string;
  runs: BaselineRun[];
}

/** Where baselines live, and how run references resolve. */
export interface BaselineOptions extends LoadRunOptions {
  /** Directory of baselines (default `.tuneup/baselines`, relative to `cwd`). */
  baselinesDir?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Throws `TUNEUP_BASELINE_NAME` unless `name` is a safe file name (letters, digits, `.`, `_`, `-`). */
export function checkBaselineName(name: string): void {
  if (!NAME.test(name)) {
    throw new TuneupError('TUNEUP_BASELINE_NAME', `invalid baseline name "${name}"`, {
      hint: 'use letters, digits, ".", "_" or "-" (e.g. main, release-1.4)',
    });
  }
}

function dirOf(options: BaselineOptions): { cwd: string; dir: string } {
  const cwd = options.cwd ?? process.cwd();
  return { cwd, dir: resolve(cwd, options.baselinesDir ?? DEFAULT_BASELINES_DIR) };
}

/**
 * Save (or replace) baseline `name` from run references (`latest`, ids,
 * directories, result.json paths). Each run is loaded to check it is a
 * readable RunResult. Written atomically (temp file + rename).
 *
 * @returns the stored baseline.
 */
export async function saveBaseline(name: string, refs: readonly string[], options: BaselineOptions = {}): Promise<Baseline> {
  checkBaselineName(name);
  if (refs.length === 0) {
    throw new TuneupError('TUNEUP_BASELINE_EMPTY', 'a baseline needs at least one run', {
      hint: 'e.g. tuneup baseline save main latest (5 runs recommended: a verdict needs ≥ 4 per side)',
    });
  }
  const { cwd, dir } = dirOf(options);
  const runs: BaselineRun[] = [];
  let plan: string | undefined;
  for (const ref of refs) {
    const loaded = await loadRun(ref, options);
    const rel = relative(cwd, loaded.path);
    runs.push({ id: loaded.result.id, path: rel.startsWith('..') ? loaded.path : rel, startedAt: loaded.result.startedAt });
    plan ??= loaded.result.plan.name;
  }
  const baseline: Baseline = { kind: 'tuneup.baseline', version: 1, name, createdAt: Date.now(), ...(plan ? { plan } : {}), runs };
  await writeJsonAtomic(join(dir, `${name}.json`), baseline);
  return baseline;
}

/** Names of stored baselines, sorted. */
export async function listBaselines(options: BaselineOptions = {}): Promise<string[]> {
  try {
    return (await readdir(dirOf(options).dir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  } catch {
    return [];
  }
}

/**
 * Read baseline `name`.
 * @throws TuneupError `TUNEUP_BASELINE_NOT_FOUND` (hint lists the stored ones) or `TUNEUP_BASELINE_INVALID`.
 */
export async function loadBaseline(name: string, options: BaselineOptions = {}): Promise<Baseline> {
  checkBaselineName(name);
  const path = join(dirOf(options).dir, `${name}.json`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    const known = await listBaselines(options);
    throw new TuneupError('TUNEUP_BASELINE_NOT_FOUND', `baseline "${name}" not found`, {
      hint: known.length > 0 ? `stored baselines: ${known.join(', ')}` : `save one with "tuneup baseline save ${name} RUN..."`,
      location: path,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new TuneupError('TUNEUP_BASELINE_INVALID', `baseline file is not valid JSON`, { location: path, hint: `save it again with "tuneup baseline save ${name} RUN..."`, cause });
  }
  const b = parsed as Partial<Baseline>;
  if (b.kind !== 'tuneup.baseline' || !Array.isArray(b.runs) || b.runs.some((r) => typeof r?.path !== 'string')) {
    throw new TuneupError('TUNEUP_BASELINE_INVALID', 'not a tuneup baseline file', { location: path, hint: `save it again with "tuneup baseline save ${name} RUN..."` });
  }
  return b as Baseline;
}
