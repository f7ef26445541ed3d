/**
 * Resolve the run sets `compare` is given. A set is a comma-separated list
 * of references; each reference is `latest`, a run id (or unique prefix)
 * under `.tuneup/runs/`, a run directory, a path to a result.json, or
 * `baseline:NAME` (all runs of a saved baseline). Single runs are loaded by
 * the shared loader in `src/report/load-run.ts`.
 *
 * @module
 */
import { resolve } from 'node:path';
import { ExitCode, TuneupError } from '../errors.js';
import { loadRun, type LoadedRun } from '../report/load-run.js';
import type { RunResult } from '../result/types.js';
import { loadBaseline, type BaselineOptions } from './baseline.js';

/** Prefix that names a saved baseline in a run set. */
export const BASELINE_PREFIX = 'baseline:';

/** Split `a,b , c` into references; empty items are dropped. */
export function splitRunSet(spec: string): string[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Load every run of one or more set specs (each comma-separated).
 * The same run listed twice is an error: it would count twice in the test.
 *
 * @throws TuneupError `TUNEUP_RUN_NOT_FOUND`, `TUNEUP_RESULT_INVALID`, `TUNEUP_BASELINE_NOT_FOUND`, `TUNEUP_COMPARE_DUPLICATE_RUN`.
 */
export async function loadRunSet(specs: string | readonly string[], options: BaselineOptions = {}): Promise<RunResult[]> {
  const refs = (typeof specs === 'string' ? [specs] : specs).flatMap(splitRunSet);
  if (refs.length === 0) {
    throw new TuneupError('TUNEUP_COMPARE_EMPTY', 'empty run set', { hint: 'list runs separated by commas, e.g. A1,A2,A3,A4,A5' });
  }
  const loaded: LoadedRun[] = [];
  for (const ref of refs) {
    if (ref.startsWith(BASELINE_PREFIX)) {
      const baseline = await loadBaseline(ref.slice(BASELINE_PREFIX.length), options);
      const cwd = options.cwd ?? process.cwd();
      for (const run of baseline.runs) loaded.push(await loadRun(resolve(cwd, run.path), options));
    } else {
      loaded.push(await loadRun(ref, options));
    }
  }
  const seen = new Set<string>();
  for (const run of loaded) {
    if (seen.has(run.path)) {
      throw new TuneupError('TUNEUP_COMPARE_DUPLICATE_RUN', `run ${run.result.id} is listed twice`, {
        hint: 'each run may appear once: a repeated run would count as two independent measurements',
        location: run.path,
      });
    }
    seen.add(run.path);
  }
  return loaded.map((l) => l.result);
}
