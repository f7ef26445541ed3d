/**
 * Collecting segment results on the shared volume: each segment pod writes
 * a marker when its run is stored (or failed); the merge pod waits for all
 * N markers and hands the stored runs to `tuneup merge`.
 *
 * Markers are written atomically (temp file + rename), so the merge pod
 * never reads half a marker, even over NFS.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../engine/result.js';
import { TuneupError } from '../errors.js';
import { markerPath } from './pod-env.js';

/** What a segment pod leaves for the merge step. */
export interface SegmentMarker {
  index: number;
  segment: string;
  /** Stored result.json of the segment run; absent when the segment failed. */
  resultPath?: string;
  status: string;
  error?: string;
}

/** Write segment `marker.index`'s marker. */
export async function writeMarker(resultsDir: string, marker: SegmentMarker): Promise<void> {
  await writeJsonAtomic(markerPath(resultsDir, marker.index), marker);
}

/**
 * Wait until every segment of `count` left its marker, polling every
 * `pollMs` (default 500). Resolves with the stored result paths in index order; rejects
 * with TUNEUP_K8S_SEGMENTS_MISSING when a segment failed or the time is up.
 */
export async function awaitSegments(resultsDir: string, count: number, options: { timeoutMs: number; pollMs?: number; signal?: AbortSignal }): Promise<string[]> {
  const deadline = Date.now() + options.timeoutMs;
  const markers = new Map<number, SegmentMarker>();
  for (;;) {
    for (let i = 0; i < count; i++) {
      if (markers.has(i)) continue;
      const marker = await readMarker(resultsDir, i);
      if (!marker) continue;
      if (!marker.resultPath) {
        throw new TuneupError('TUNEUP_K8S_SEGMENTS_MISSING', `segment ${marker.segment} failed: ${marker.error ?? marker.status}`, {
          location: markerPath(resultsDir, i),
          hint: 'Read that pod\'s log (kubectl logs POD); a partial set of segments cannot give global thresholds, so nothing was merged.',
        });
      }
      markers.set(i, marker);
    }
    if (markers.size === count) return [...markers.values()].sort((a, b) => a.index - b.index).map((m) => m.resultPath!);
    if (Date.now() >= deadline || options.signal?.aborted) {
      const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !markers.has(i));
      throw new TuneupError('TUNEUP_K8S_SEGMENTS_MISSING', `no result from segment(s) ${missing.map((i) => `${i + 1}/${count}`).join(', ')} after ${Math.round(options.timeoutMs / 1000)} s`, {
        location: resultsDir,
        hint: 'Check the segment Job (kubectl get pods -l app.kubernetes.io/component=segment); raise --merge-timeout for runs longer than it.',
      });
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
  }
}

/** Segment `index`'s marker, or undefined when it has none (yet). */
export async function readMarker(resultsDir: string, index: number): Promise<SegmentMarker | undefined> {
  try {
    return JSON.parse(await readFile(markerPath(resultsDir, index), 'utf8')) as SegmentMarker;
  } catch {
    return undefined;
  }
}
