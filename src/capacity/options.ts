/**
 * The shape and budget of `tuneup capacity`'s search, with its defaults.
 * Apart from run.ts so the CLI can show the defaults in its help without
 * loading the engine.
 *
 * @module
 */
import { KNEE_SEARCH_DEFAULTS } from './knee.js';
import { REPEAT_DEFAULTS, type RepeatOptions } from './search.js';

/** Shape and budget of the search. */
export interface CapacityOptions {
  /** Length of each step (ms). */
  stepMs: number;
  /** Pause after each step (ms); failing steps add their drain time. */
  gapMs: number;
  /** First rate (iterations/s); default an eighth of the plan's rate, or 10. */
  startRate?: number;
  /** Highest ramp step; default unbounded (only `maxSteps` bounds the ramp). */
  maxRate?: number;
  factor: number;
  maxSteps: number;
  bisections: number;
  repeat: RepeatOptions;
}

/** Defaults: 5 s steps ×2 up to 10 ramp steps, 3 bisections, 3 runs at 3 rates near the knee, 1 s gaps. */
export const CAPACITY_DEFAULTS: CapacityOptions = {
  stepMs: 5000,
  gapMs: 1000,
  factor: KNEE_SEARCH_DEFAULTS.factor,
  maxSteps: 10,
  bisections: 3,
  repeat: REPEAT_DEFAULTS,
};
