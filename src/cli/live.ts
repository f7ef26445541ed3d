/**
 * The live line shown while a run is under way: elapsed, VUs, req/s,
 * errors, p95 so far. Redrawn in place on a terminal; on CI or a pipe it
 * becomes a plain line every few seconds so logs stay readable.
 *
 * @module
 */
import { createLogUpdate } from 'log-update';
import type { LiveStats } from '../metrics/recorder-types.js';
import type { CliIO } from './io.js';

/** Draws progress; `done()` clears the live line. */
export interface LiveDisplay {
  update(live: LiveStats): void;
  /** Print a notice above the live line (e.g. "stopping gracefully"). */
  notice(text: string): void;
  done(): void;
}

/** Seconds between plain progress lines when the output is not a terminal. */
const PLAIN_EVERY_MS = 5000;

/** Formats one progress line. Exported for tests. */
export function formatLiveLine(live: LiveStats, plannedMs: number | undefined): string {
  const elapsed = (live.elapsedMs / 1000).toFixed(0).padStart(3);
  const planned = plannedMs ? `/${Math.round(plannedMs / 1000)}s` : 's';
  const p95 = live.p95ResponseMs ?? live.p95ServiceMs;
  const errorPct = live.requests > 0 ? ((100 * live.failed) / live.requests).toFixed(2) : '0.00';
  const parts = [
    `${elapsed}${planned}`,
    `vus ${live.vus}`,
    `${Math.round(live.rps)} req/s`,
    `reqs ${live.requests}`,
    `errors ${live.failed} (${errorPct}%)`,
    `p95 ${p95 === null ? '-' : `${p95.toFixed(1)} ms`}`,
  ];
  if (live.droppedIterations > 0) parts.push(`dropped ${live.droppedIterations}`);
  return parts.join('  ');
}

/** Create the display for this terminal (`quiet` shows nothing). */
export function createLiveDisplay(io: CliIO, options: { quiet: boolean; plannedMs?: number }): LiveDisplay {
  if (options.quiet) return { update() {}, notice() {}, done() {} };
  if (io.interactive) {
    const draw = createLogUpdate(process.stderr);
    return {
      update: (live) => draw(formatLiveLine(live, options.plannedMs)),
      notice: (text) => {
        draw.clear();
        io.err(text);
      },
      done: () => draw.clear(),
    };
  }
  let lastPrinted = -Infinity;
  return {
    update: (live) => {
      if (live.elapsedMs - lastPrinted < PLAIN_EVERY_MS) return;
      lastPrinted = live.elapsedMs;
      io.err(formatLiveLine(live, options.plannedMs));
    },
    notice: (text) => io.err(text),
    done: () => {},
  };
}
