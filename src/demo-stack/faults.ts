/**
 * The names of the demo service's planted faults (demo/faults.mjs is the
 * service's own copy; a unit test keeps the two in step, since src/ does not
 * import demo/).
 *
 * @module
 */

/** Every fault `tuneup demo --fault NAME` accepts, in the order they are shown. */
export const DEMO_FAULTS = ['missing-index', 'n-plus-one', 'cache-never-hits', 'blocking-handler', 'slow-upstream', 'small-pool'] as const;

/** One fault name. */
export type DemoFault = (typeof DEMO_FAULTS)[number];

/** The finding categories a fault is expected to show as (for the summary's "planted → found" table). */
export const FAULT_CATEGORIES: Record<DemoFault, string[]> = {
  'missing-index': ['missing-index', 'inefficient-query'],
  'n-plus-one': ['n-plus-one'],
  'cache-never-hits': ['cache-miss'],
  'blocking-handler': ['event-loop-blocked', 'cpu-saturation'],
  'slow-upstream': ['slow-dependency'],
  'small-pool': ['pool-saturation'],
};
