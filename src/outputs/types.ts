/**
 * Types shared by the streaming output formats.
 * @module
 */

/** Where an interval row sits in the run. */
export interface IntervalContext {
  /** Length of the row's interval (ms); 1000 unless a long run coarsened its series. */
  intervalMs: number;
  /** Epoch ms of the run's t = 0. */
  startedAt: number;
  /** Execution segment of this process (`1/1` for the whole run). */
  segment: string;
}
