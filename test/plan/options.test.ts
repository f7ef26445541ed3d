import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTuneupError } from '../../src/errors.js';
import { checkOverrides, overridesFromEnv, parseDuration, resolveOptions, tryParseDuration } from '../../src/plan/index.js';

describe('parseDuration', () => {
  it('parses k6 durations and numbers of ms', () => {
    const cases: [string | number, number][] = [
      ['30s', 30_000],
      ['1m30s', 90_000],
      ['500ms', 500],
      ['2h', 7_200_000],
      ['1.5s', 1500],
      ['0', 0],
      [250, 250],
      ['1h2m3s4ms', 3_723_004],
    ];
    for (const [input, ms] of cases) assert.equal(parseDuration(input), ms, String(input));
  });

  it('explains bad durations', () => {
    assert.match((tryParseDuration('30') as { reason: string }).reason, /no unit; write "30s"/);
    assert.match((tryParseDuration('3 days') as { reason: string }).reason, /invalid duration "3 days" at character 1/);
    assert.match((tryParseDuration(-1) as { reason: string }).reason, /non-negative/);
    assert.match((tryParseDuration(true) as { reason: string }).reason, /got true/);
    assert.throws(
      () => parseDuration('1x', 'scenarios.a.duration'),
      (e: unknown) => isTuneupError(e) && e.code === 'TUNEUP_PLAN_INVALID' && e.message.startsWith('scenarios.a.duration: '),
    );
  });
});

describe('resolveOptions', () => {
  it('merges file < env < flags and applies defaults last', () => {
    type O = { a?: number; b?: string; c?: boolean };
    assert.deepEqual(resolveOptions<O>({ a: 1, b: 'default', c: false }, { a: 2 }, { b: 'env' }, { a: 3, b: undefined }), {
      a: 3,
      b: 'env',
      c: false,
    });
    assert.deepEqual(resolveOptions<O>({ a: 1 }, undefined, undefined, undefined), { a: 1 });
    assert.deepEqual(resolveOptions<O>({}, { a: 0 }, undefined, {}), { a: 0 }, '0 is a value, not unset');
  });
});

describe('overrides', () => {
  it('reads TUNEUP_* variables', () => {
    assert.deepEqual(overridesFromEnv({ TUNEUP_TIMEOUT: '5s', TUNEUP_RATE: '12.5', TUNEUP_PROFILE: 'load', TUNEUP_BASE_URL: '', OTHER: 'x' }), {
      timeout: '5s',
      rate: 12.5,
      profile: 'load',
    });
  });

  it('names the variable or flag in errors', () => {
    assert.throws(
      () => overridesFromEnv({ TUNEUP_RATE: 'fast' }),
      (e: unknown) => isTuneupError(e) && e.code === 'TUNEUP_OPTION_INVALID' && e.location === 'TUNEUP_RATE',
    );
    assert.throws(
      () => checkOverrides({ profile: 'lod' as never }, (k) => `--${k}`),
      (e: unknown) => isTuneupError(e) && /--profile: unknown profile "lod".*did you mean "load"/.test(e.message),
    );
    assert.throws(() => overridesFromEnv({ TUNEUP_TIMEOUT: '30' }), /TUNEUP_TIMEOUT: duration "30" has no unit/);
  });
});
