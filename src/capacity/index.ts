/**
 * Capacity: the knee search shared by `tuneup diagnose` and `tuneup capacity`
 * (step plan, step verdicts, the knee), and reading a step's measurement from
 * its run.
 *
 * @module
 */
export * from './knee.js';
export { measureStep, queueGrowth, serviceSpreads, type QueueGrowth, STEP_WARMUP_MS, MIN_GROWTH_POINTS } from './step-result.js';
