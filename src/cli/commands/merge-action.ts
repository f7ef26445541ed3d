/**
 * What `tuneup merge` does (declared in merge.ts), also the merge pod of
 * `tuneup k8s`: segment runs merged into one stored run.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { mergeSegmentResults, type SegmentPart } from '../../engine/merge-results.js';
import { writeRunResult } from '../../engine/result.js';
import { ExitCode, TuneupError } from '../../errors.js';
import { asMetricsSnapshot } from '../../metrics/index.js';
import { buildReportModel, loadRun, renderTerminalSummary, writeReports } from '../../report/index.js';
import { SEGMENT_SNAPSHOT_FILE } from '../execute-run.js';
import { setExitCode } from '../exit.js';
import type { CliIO } from '../io.js';
import type { RunResult } from '../../result/types.js';

/**
 * Merge stored segment runs into one stored run with its reports, print it
 * and set exit code 99 when a threshold fails over the whole load. Shared
 * by `tuneup merge` and the merge pod of `tuneup k8s` (`k8s-merge`).
 */
export async function mergeRuns(refs: readonly string[], flags: { runsDir: string; json?: boolean }, io: CliIO): Promise<RunResult> {
  const parts: SegmentPart[] = [];
  for (const ref of refs) {
    const loaded = await loadRun(ref, { runsDir: flags.runsDir });
    const file = join(loaded.dir, SEGMENT_SNAPSHOT_FILE);
    let stored: { segment?: string; snapshot?: unknown };
    try {
      stored = JSON.parse(await readFile(file, 'utf8')) as typeof stored;
    } catch {
      throw new TuneupError('TUNEUP_MERGE_INVALID', `run ${loaded.result.id} has no ${SEGMENT_SNAPSHOT_FILE}`, {
        location: file,
        hint: 'Only runs made with --segment k/N keep the metrics needed to merge exactly.',
      });
    }
    parts.push({ result: loaded.result, snapshot: asMetricsSnapshot(stored.snapshot, file), segment: String(stored.segment) });
  }
  const merged = mergeSegmentResults(parts);
  const path = await writeRunResult(merged, flags.runsDir);
  await writeReports(merged, resolve(path, '..'));
  if (flags.json) io.out(JSON.stringify(merged));
  else {
    io.out(renderTerminalSummary(buildReportModel(merged), { color: io.color, width: process.stdout.columns ?? 100 }));
    io.out(`merged result: ${path}`);
  }
  if (merged.thresholds.some((t) => !t.passed)) setExitCode(ExitCode.THRESHOLDS_FAILED);
  return merged;
}
