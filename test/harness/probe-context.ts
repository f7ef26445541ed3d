/**
 * A {@link ProbeContext} for tests: the run starts now, offsets come from
 * the monotonic clock.
 *
 * @module
 */
import type { ProbeContext } from '../../src/probes/types.js';

/** A probe context whose run started at the moment of the call. */
export function makeProbeContext(): ProbeContext & { abort(): void } {
  const startedAt = performance.now();
  const controller = new AbortController();
  return {
    runStartedAt: Date.now(),
    offsetMs: () => performance.now() - startedAt,
    signal: controller.signal,
    abort: () => controller.abort(),
  };
}
