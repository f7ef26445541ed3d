import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode, TuneupError, isTuneupError } from '../src/errors.js';

test('plan errors map to the invalid-config exit code and keep their hint', () => {
  const error = new TuneupError('TUNEUP_PLAN_INVALID', 'bad', { hint: 'fix it', location: 'plan.yaml:3' });
  assert.equal(error.exitCode, ExitCode.INVALID_CONFIG);
  assert.equal(error.hint, 'fix it');
  assert.ok(isTuneupError(error));
  assert.ok(!isTuneupError(new Error('x')));
});
