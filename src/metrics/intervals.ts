/**
 * Combining interval rows, the one operation behind both merging worker
 * snapshots (rows side by side: `parallel`) and coarsening long runs (rows
 * one after another: `sequential`).
 *
 * Exactness: counts, sums and histograms combine exactly, and percentiles
 * are recomputed from the combined histogram. The only approximation is a
 * per-endpoint cell whose histogram was dropped by the recorder's budget
 * (`EndpointCell.histogram === null`): its combined p50/p95/p99 are the
 * request-weighted mean of the parts' percentiles. That is exact when the
 * parts have the same distribution and otherwise lies between them; the
 * overall response/service columns are always exact.
 *
 * Coarsening rule (bounded series for long soaks): a recorder keeps at most
 * `maxIntervals` rows (default 7200 = 2 h at 1 s). When it has that many, the
 * interval length doubles and adjacent pairs merge, so a 4 h run has 2 s
 * intervals, an 8 h run 4 s intervals, and the series never exceeds
 * `maxIntervals` rows.
 *
 * @module
 */
import { createCompactHistogram, type Histogram } from './hdr.js';
import { encodeFast } from './encode.js';
import * as hdr from 'hdr-histogram-js';
import { summarize } from './summary.js';
import { emptyPercentiles, emptyRow, type EndpointCell, type IntervalPercentiles, type IntervalRow } from './snapshot.js';

/** How rows relate: produced side by side by different recorders, or one after another by the same recorder. */
export type CombineMode = 'parallel' | 'sequential';

/** Percentile columns (ms) of a µs histogram; all null when empty. */
export function percentilesOf(histogram: Histogram): IntervalPercentiles {
  if (histogram.totalCount === 0) return emptyPercentiles();
  const s = summarize(histogram);
  return {
    p50: s.p50 / 1000,
    p90: s.p90 / 1000,
    p95: s.p95 / 1000,
    p99: s.p99 / 1000,
    // The top bucket's highest equivalent value, like the percentiles: an
    // exact max would not survive encoding, and merged rows must equal unmerged ones.
    max: s.p100 / 1000,
    mean: s.mean / 1000,
  };
}

/**
 * Decode an encoded histogram as is ('' gives an empty compact histogram).
 * Cheaper than hdr.ts's `decodeHistogram`, which copies into a full-range
 * histogram; use it for reading, and record only into histograms you create.
 */
export function decodeForReading(encoded: string): Histogram {
  if (encoded === '') return createCompactHistogram();
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

/** Add an encoded histogram into a live one ('' adds nothing). */
export function addEncoded(target: Histogram, encoded: string): void {
  if (encoded === '') return;
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  target.add(decoded);
  decoded.destroy();
}

/** Merge encoded histograms; returns the encoding and percentiles of the result. */
function mergeEncodedAll(parts: string[]): { encoded: string; percentiles: IntervalPercentiles } {
  const nonEmpty = parts.filter((p) => p !== '');
  if (nonEmpty.length === 0) return { encoded: '', percentiles: emptyPercentiles() };
  const h = createCompactHistogram();
  for (const part of nonEmpty) addEncoded(h, part);
  return { encoded: encodeFast(h), percentiles: percentilesOf(h) };
}

/**
 * Combine one endpoint's cells (see the module doc for the one
 * approximation). With `keepHistogram` false the combined percentiles are
 * still exact but the combined histogram is not encoded (saves most of the cost).
 */
export function combineCells(cells: EndpointCell[], keepHistogram = true): EndpointCell {
  if (cells.length === 1) return { ...cells[0] };
  const out: EndpointCell = { requests: 0, failed: 0, serviceSumUs: 0, bytesReceived: 0, p50: null, p95: null, p99: null, histogram: null };
  let exact = true;
  for (const c of cells) {
    out.requests += c.requests;
    out.failed += c.failed;
    out.serviceSumUs += c.serviceSumUs;
    out.bytesReceived += c.bytesReceived;
    if (c.requests > 0 && c.histogram === null) exact = false;
  }
  if (out.requests === 0) return out;
  if (exact) {
    const h = createCompactHistogram();
    for (const c of cells) if (c.histogram) addEncoded(h, c.histogram);
    if (keepHistogram) out.histogram = encodeFast(h);
    if (h.totalCount > 0) {
      const s = summarize(h);
      out.p50 = s.p50 / 1000;
      out.p95 = s.p95 / 1000;
      out.p99 = s.p99 / 1000;
    }
    return out;
  }
  out.p50 = weightedMean(cells, 'p50');
  out.p95 = weightedMean(cells, 'p95');
  out.p99 = weightedMean(cells, 'p99');
  return out;
}

function weightedMean(cells: EndpointCell[], key: 'p50' | 'p95' | 'p99'): number | null {
  let sum = 0;
  let weight = 0;
  for (const c of cells) {
    const v = c[key];
    if (v === null || c.requests === 0) continue;
    sum += v * c.requests;
    weight += c.requests;
  }
  return weight === 0 ? null : sum / weight;
}

/**
 * Combine rows into one row starting at `t`.
 * - `parallel` (same interval, different recorders): VUs and target rates add,
 *   event-loop delay and CPU take the maximum (each thread reports the
 *   process CPU, so adding would double count).
 * - `sequential` (consecutive intervals, coarsening): VUs are those at the end
 *   of the last row, target rate and CPU are means, event-loop delay the maximum.
 * Counts, bytes and histograms add in both modes.
 */
export function combineRows(rows: IntervalRow[], mode: CombineMode, t: number, keepEndpointHistograms = true): IntervalRow {
  if (rows.length === 0) return emptyRow(t);
  if (rows.length === 1) return { ...rows[0], t };
  const out = emptyRow(t);
  const cells = new Map<string, EndpointCell[]>();
  for (const r of rows) {
    out.requests += r.requests;
    out.failed += r.failed;
    out.iterations += r.iterations;
    out.droppedIterations += r.droppedIterations;
    out.bytesReceived += r.bytesReceived;
    out.eventLoopDelayP99 = Math.max(out.eventLoopDelayP99, r.eventLoopDelayP99);
    if (mode === 'parallel') {
      out.vus += r.vus;
      out.targetRate += r.targetRate;
      out.cpuPercent = Math.max(out.cpuPercent, r.cpuPercent);
    } else {
      out.targetRate += r.targetRate / rows.length;
      out.cpuPercent += r.cpuPercent / rows.length;
    }
    for (const name in r.endpoints) {
      let list = cells.get(name);
      if (!list) cells.set(name, (list = []));
      list.push(r.endpoints[name]);
    }
  }
  if (mode === 'sequential') out.vus = rows[rows.length - 1].vus;
  const response = mergeEncodedAll(rows.map((r) => r.responseHistogram));
  const service = mergeEncodedAll(rows.map((r) => r.serviceHistogram));
  out.responseHistogram = response.encoded;
  out.response = response.percentiles;
  out.serviceHistogram = service.encoded;
  out.service = service.percentiles;
  for (const [name, list] of cells) out.endpoints[name] = combineCells(list, keepEndpointHistograms);
  return out;
}

/**
 * Coarsen rows of length `fromMs` to `toMs` (a whole multiple), grouping
 * rows by `floor(t / toMs)`. Missing rows count as empty.
 */
export function coarsenRows(rows: IntervalRow[], fromMs: number, toMs: number, keepEndpointHistograms = true): IntervalRow[] {
  if (toMs === fromMs) return rows;
  const groups = new Map<number, IntervalRow[]>();
  for (const r of rows) {
    const slot = Math.floor(r.t / toMs);
    let g = groups.get(slot);
    if (!g) groups.set(slot, (g = []));
    g.push(r);
  }
  const out: IntervalRow[] = [];
  for (const slot of [...groups.keys()].sort((a, b) => a - b)) {
    out.push(combineRows(groups.get(slot)!, 'sequential', slot * toMs, keepEndpointHistograms));
  }
  return out;
}
