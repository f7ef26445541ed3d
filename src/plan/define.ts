/**
 * `defineTest`: the typed entry point of a code plan.
 *
 * ```ts
 * import { defineTest } from 'tuneup';
 * export default defineTest({
 *   baseUrl: 'http://127.0.0.1:3000',
 *   scenarios: {
 *     browse: { executor: 'constant-arrival-rate', rate: 200, duration: '1m', preAllocatedVUs: 50, exec: 'browse' },
 *   },
 *   thresholds: { 'http_req_duration{endpoint:GET /api/orders/:id}': ['p(95)<200'] },
 *   functions: {
 *     async browse(vu) { await vu.http.get('/api/orders/42', { name: 'GET /api/orders/:id' }); },
 *   },
 * });
 * ```
 *
 * @module
 */
import type { ScenarioFunction } from '../engine/types.js';
import type { PlanOptions, ScenarioInput } from './types.js';

/** A scenario whose `exec` must name one of the plan's functions. */
export type ScenarioDefinition<F extends string> = ScenarioInput & {
  /** Name of a function in `functions`; default: the plan's `default` function. */
  exec?: F;
};

/** What a code plan exports as default: plan options plus its functions. */
export interface TestDefinition<F extends string = string> extends Omit<PlanOptions, 'scenarios'> {
  /** Scenarios by name (letters, digits, `_`, `-`). */
  scenarios?: Record<string, ScenarioDefinition<F>>;
  /** The function scenarios run when they name no `exec` (one call is one iteration). */
  default?: ScenarioFunction;
  /** Named scenario functions for `exec`. */
  functions?: Record<F, ScenarioFunction>;
}

/**
 * Declare a test plan with full type checking and autocompletion. It
 * returns its argument unchanged; `tuneup run` validates it at load.
 */
export function defineTest<const F extends string = never>(
  definition: TestDefinition<NoInfer<F>> & { functions?: Record<F, ScenarioFunction> },
): TestDefinition<F> {
  return definition as TestDefinition<F>;
}
