/**
 * The production clock: `performance.now()` and timers.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from './types.js';

/** Real monotonic clock. */
export const systemClock: Clock = {
  now: () => performance.now(),
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0) return;
    try {
      await delay(ms, undefined, { signal });
    } catch {
      // Aborted sleeps resolve: callers check their own stop flag.
    }
  },
};
