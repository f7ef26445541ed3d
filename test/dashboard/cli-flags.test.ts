import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dashboardFromFlags } from '../../src/cli/run-options.js';

test('--dashboard is a free port; --dashboard-port N implies it; anything else is TUNEUP_OPTION_INVALID', () => {
  assert.equal(dashboardFromFlags({}), undefined);
  assert.deepEqual(dashboardFromFlags({ dashboard: true }), { port: 0 });
  assert.deepEqual(dashboardFromFlags({ dashboardPort: '5665' }), { port: 5665 });
  assert.deepEqual(dashboardFromFlags({ dashboard: true, dashboardPort: '0' }), { port: 0 });
  for (const bad of ['-1', '65536', 'http', '80.5', '']) {
    assert.throws(() => dashboardFromFlags({ dashboardPort: bad }), (error: unknown) => {
      const e = error as { code: string; location: string; hint: string };
      assert.equal(e.code, 'TUNEUP_OPTION_INVALID');
      assert.equal(e.location, '--dashboard-port');
      assert.match(e.hint, /--dashboard-port 5665/);
      return true;
    }, bad);
  }
});
