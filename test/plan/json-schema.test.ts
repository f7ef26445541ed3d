import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXECUTOR_NAMES, planJsonSchema } from '../../src/plan/index.js';

describe('planJsonSchema', () => {
  it('describes every top-level key, executor and duration form', () => {
    const schema = planJsonSchema() as {
      properties: Record<string, { additionalProperties?: { anyOf?: { properties: { executor: { const?: string } }; additionalProperties?: boolean }[] } }>;
      additionalProperties?: boolean;
    };
    assert.deepEqual(Object.keys(schema.properties).sort(), [
      'baseUrl', 'data', 'flow', 'goals', 'headers', 'name', 'probes', 'profile', 'requests', 'scenarios', 'slo', 'thresholds', 'timeout',
    ]);
    assert.equal(schema.additionalProperties, false, 'unknown keys are flagged by editors too');
    const variants = schema.properties.scenarios.additionalProperties?.anyOf ?? [];
    assert.deepEqual(variants.map((v) => v.properties.executor.const), [...EXECUTOR_NAMES]);
    assert.ok(variants.every((v) => v.additionalProperties === false));
    const timeout = schema.properties.timeout as unknown as { anyOf: { type: string; pattern?: string }[] };
    const pattern = new RegExp(timeout.anyOf.find((a) => a.type === 'string')?.pattern ?? '^$');
    for (const ok of ['30s', '1m30s', '500ms', '0', '1.5h']) assert.ok(pattern.test(ok), ok);
    for (const bad of ['30', '3 days', 's']) assert.ok(!pattern.test(bad), bad);
    assert.doesNotThrow(() => JSON.stringify(schema));
  });
});
