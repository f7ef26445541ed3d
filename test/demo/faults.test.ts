/** The fault list of `tuneup demo` (src/demo-stack/faults.ts) and the service's own (demo/faults.mjs) agree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_FAULTS } from '../../src/demo-stack/faults.js';

test('src and demo/ name the same faults', async () => {
  // @ts-expect-error demo/ is plain JavaScript without types
  const service = (await import('../../demo/faults.mjs')) as { FAULT_NAMES: string[]; parseFaults: (t: string) => Set<string> };
  assert.deepEqual([...DEMO_FAULTS], service.FAULT_NAMES);
  assert.deepEqual([...service.parseFaults('all')], service.FAULT_NAMES);
  assert.deepEqual([...service.parseFaults('none')], []);
  assert.throws(() => service.parseFaults('no-such-fault'), /unknown fault/);
});
