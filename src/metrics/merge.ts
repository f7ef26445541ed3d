/**
 * Exact merge of recorder snapshots (worker threads, execution segments,
 * pods of a distributed run).
 *
 * Rules per metric series (grouped by name + tag set):
 * - counters add; rates add passes and fails; trends merge their HDR
 *   histograms (lossless);
 * - gauges: `vus` and `vus_max` add (each part runs its own share of the
 *   VUs, so the run total is the sum); any other gauge keeps the largest
 *   current value. `min`/`max` of summed gauges add too (an upper bound: the
 *   parts' extremes need not coincide), of the others take the extremes.
 *
 * Interval series: parts are first brought to the coarsest interval length
 * among them, then rows are aligned by start offset `t` and combined with
 * `combineRows(…, 'parallel')` (see `intervals.ts` for exactness).
 *
 * @module
 */
import { TuneupError } from '../errors.js';
import { createCompactHistogram } from './hdr.js';
import { encodeFast } from './encode.js';
import { addEncoded, coarsenRows, combineRows } from './intervals.js';
import { asMetricsSnapshot, type IntervalRow, type MetricsSnapshot, type SnapshotMetric } from './snapshot.js';
import type { RecorderSnapshot } from './recorder-types.js';
import { seriesKey } from './tags.js';
import { mergeLoadFacts, type LoadFactsSnapshot } from './load-facts.js';

/** Gauges whose values add across parts. */
const SUMMED_GAUGES = new Set(['vus', 'vus_max']);

/** Options of {@link mergeSnapshots}. */
export interface MergeOptions {
  /**
   * Keep the merged per-endpoint interval histograms (default true), so the
   * result can be merged again exactly. Pass false for a final merge that
   * only feeds `buildResultMetrics`: re-encoding them is most of a merge's cost.
   */
  keepEndpointHistograms?: boolean;
}

/**
 * Merge snapshots into one. Exact for counters, rates, trends and the
 * overall interval columns; one snapshot is returned as an equivalent copy.
 * Throws `TUNEUP_METRICS_SNAPSHOT_INVALID` for a value that is not a snapshot
 * and `TUNEUP_METRICS_MERGE_EMPTY` for an empty list.
 */
export function mergeSnapshots(snapshots: RecorderSnapshot[], options: MergeOptions = {}): MetricsSnapshot {
  if (snapshots.length === 0) {
    throw new TuneupError('TUNEUP_METRICS_MERGE_EMPTY', 'no metrics snapshots to merge', {
      hint: 'Pass at least one snapshot (recorder.snapshot()).',
    });
  }
  const parts = snapshots.map((s, i) => asMetricsSnapshot(s, `snapshots[${i}]`));
  return {
    kind: 'tuneup-metrics-snapshot',
    version: 1,
    intervalMs: Math.max(...parts.map((p) => p.intervalMs)),
    baseIntervalMs: Math.min(...parts.map((p) => p.baseIntervalMs ?? p.intervalMs)),
    metrics: mergeMetrics(parts.flatMap((p) => p.metrics)),
    intervals: mergeIntervals(parts, options.keepEndpointHistograms ?? true),
    folded: mergeFolded(parts),
    droppedTagSets: parts.reduce((n, p) => n + (p.droppedTagSets ?? 0), 0),
    parts: parts.reduce((n, p) => n + (p.parts ?? 1), 0),
    ...loadFactsOf(parts),
  };
}

/** Merged load facts, present only when every part has them (a part without them would make repeats wrong). */
function loadFactsOf(parts: MetricsSnapshot[]): { loadFacts?: LoadFactsSnapshot } {
  const facts = parts.map((p) => p.loadFacts);
  if (facts.some((f) => f === undefined)) return {};
  const merged = mergeLoadFacts(facts as LoadFactsSnapshot[]);
  return merged ? { loadFacts: merged } : {};
}

/** Merge metric series with equal name and tag set. */
export function mergeMetrics(all: SnapshotMetric[]): SnapshotMetric[] {
  const groups = new Map<string, SnapshotMetric[]>();
  for (const m of all) {
    const key = seriesKey(m.name, m.tags);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(m);
  }
  const out: SnapshotMetric[] = [];
  for (const group of groups.values()) out.push(mergeGroup(group));
  return out;
}

function mergeGroup(group: SnapshotMetric[]): SnapshotMetric {
  const first = group[0];
  const base = { name: first.name, type: first.type, unit: first.unit, tags: { ...first.tags } };
  if (group.length === 1) return { ...first, tags: base.tags };
  switch (first.type) {
    case 'counter':
      return { ...base, count: group.reduce((n, m) => n + (m.count ?? 0), 0) };
    case 'rate':
      return {
        ...base,
        passes: group.reduce((n, m) => n + (m.passes ?? 0), 0),
        fails: group.reduce((n, m) => n + (m.fails ?? 0), 0),
      };
    case 'gauge': {
      if (SUMMED_GAUGES.has(first.name)) {
        return {
          ...base,
          value: group.reduce((n, m) => n + (m.value ?? 0), 0),
          min: group.reduce((n, m) => n + (m.min ?? 0), 0),
          max: group.reduce((n, m) => n + (m.max ?? 0), 0),
        };
      }
      return {
        ...base,
        value: Math.max(...group.map((m) => m.value ?? -Infinity)),
        min: Math.min(...group.map((m) => m.min ?? Infinity)),
        max: Math.max(...group.map((m) => m.max ?? -Infinity)),
      };
    }
    case 'trend': {
      const h = createCompactHistogram();
      for (const m of group) addEncoded(h, m.histogram ?? '');
      return { ...base, histogram: encodeFast(h) };
    }
  }
}

function mergeIntervals(parts: MetricsSnapshot[], keepEndpointHistograms: boolean): IntervalRow[] {
  const target = Math.max(...parts.map((p) => p.intervalMs));
  const bySlot = new Map<number, IntervalRow[]>();
  for (const p of parts) {
    const rows = coarsenRows(p.intervals, p.intervalMs, target, keepEndpointHistograms);
    for (const r of rows) {
      const slot = Math.round(r.t / target);
      let g = bySlot.get(slot);
      if (!g) bySlot.set(slot, (g = []));
      g.push(r);
    }
  }
  const slots = [...bySlot.keys()].sort((a, b) => a - b);
  const out: IntervalRow[] = [];
  if (slots.length === 0) return out;
  // Dense from 0 to the last slot: a gap (no part had a row) becomes an empty row.
  const last = slots[slots.length - 1];
  for (let slot = 0; slot <= last; slot++) {
    out.push(combineRows(bySlot.get(slot) ?? [], 'parallel', slot * target, keepEndpointHistograms));
  }
  return out;
}

function mergeFolded(parts: MetricsSnapshot[]): MetricsSnapshot['folded'] {
  const examples: string[] = [];
  for (const p of parts) {
    for (const e of p.folded?.examples ?? []) if (!examples.includes(e) && examples.length < 10) examples.push(e);
  }
  return {
    // Parts may fold the same names, so the sum is an upper bound on distinct names.
    count: parts.reduce((n, p) => n + (p.folded?.count ?? 0), 0),
    examples,
    limit: Math.max(...parts.map((p) => p.folded?.limit ?? 0)),
  };
}
