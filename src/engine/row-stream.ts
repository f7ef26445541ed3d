/**
 * Joining the interval rows that several load threads stream during a run
 * (streaming outputs with `--workers`): a row for interval `t` is complete
 * once every thread still running has closed `t`; the complete rows are
 * combined side by side (`combineRows(…, 'parallel')`), exactly as the
 * final snapshot merge combines them, so a streamed row equals the stored one.
 *
 * Once a thread has finished, its last rows arrive with its result, not
 * here: from then on nothing more is handed out, and the rows still to
 * come are taken from the final snapshot after the load.
 *
 * @module
 */
import { combineRows } from '../metrics/intervals.js';
import type { StreamedRow } from '../metrics/recorder.js';
import type { IntervalRow } from '../metrics/snapshot.js';

/** Collects rows per thread and hands out the complete, combined ones in time order. */
export class ParallelRowJoiner {
  private readonly pending = new Map<number, { rows: IntervalRow[]; intervalMs: number }>();
  private readonly running: boolean[];
  private emittedUpTo = -Infinity;

  /** @param threads number of load threads streaming rows. */
  constructor(threads: number) {
    this.running = new Array<boolean>(threads).fill(true);
  }

  /** Rows thread `index` closed since its previous post. */
  add(index: number, rows: readonly StreamedRow[]): void {
    for (const { row, intervalMs } of rows) {
      if (row.t <= this.emittedUpTo) continue;
      let slot = this.pending.get(row.t);
      if (!slot) this.pending.set(row.t, (slot = { rows: [], intervalMs }));
      slot.rows.push(row);
    }
  }

  /** Thread `index` will post no more rows (its remaining rows arrive with its result). */
  finish(index: number): void {
    this.running[index] = false;
  }

  /** Complete rows not handed out yet, combined, in time order. */
  take(): StreamedRow[] {
    if (this.running.some((r) => !r)) return [];
    const threads = this.running.length;
    const out: StreamedRow[] = [];
    for (const t of [...this.pending.keys()].sort((a, b) => a - b)) {
      const slot = this.pending.get(t)!;
      // Every thread closes every interval in order, so the first incomplete t ends the complete prefix.
      if (slot.rows.length < threads) break;
      this.pending.delete(t);
      this.emittedUpTo = t;
      out.push({ row: combineRows(slot.rows, 'parallel', t), intervalMs: slot.intervalMs });
    }
    return out;
  }
}
