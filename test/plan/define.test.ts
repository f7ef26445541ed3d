import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineTest } from '../../src/index.js';

describe('defineTest', () => {
  it('returns the definition unchanged and types exec against functions', () => {
    const browse = async () => undefined;
    const definition = defineTest({
      scenarios: { a: { executor: 'constant-vus', duration: '1s', exec: 'browse' } },
      functions: { browse },
    });
    assert.equal(definition.functions?.browse, browse);

    defineTest({
      // @ts-expect-error -- "brwose" is not a key of functions
      scenarios: { a: { executor: 'constant-vus', duration: '1s', exec: 'brwose' } },
      functions: { browse },
    });
    defineTest({
      // @ts-expect-error -- constant-vus has no "rate"
      scenarios: { a: { executor: 'constant-vus', duration: '1s', rate: 5 } },
    });
    defineTest({
      // @ts-expect-error -- preAllocatedVUs is required for arrival-rate executors
      scenarios: { a: { executor: 'constant-arrival-rate', rate: 5, duration: '1s' } },
    });
  });
});
