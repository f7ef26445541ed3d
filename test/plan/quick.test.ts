import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTuneupError } from '../../src/errors.js';
import { planFromQuickOptions } from '../../src/plan/index.js';
import { recordingVU } from './fake-vu.js';

describe('planFromQuickOptions', () => {
  it('builds a closed-model constant-vus plan with a fixed request', async () => {
    const plan = planFromQuickOptions({ url: 'http://127.0.0.1:3000/api?x=1', connections: 50, duration: '30s', env: {} });
    const [quick] = plan.scenarios;
    assert.equal(quick.name, 'quick');
    assert.equal(quick.executor, 'constant-vus');
    if (quick.executor !== 'constant-vus') return;
    assert.deepEqual([quick.vus, quick.durationMs, quick.model], [50, 30_000, 'closed']);
    assert.deepEqual(quick.fixed, { method: 'GET', url: 'http://127.0.0.1:3000/api?x=1', discardBody: true });
    assert.equal(plan.timeoutMs, 60_000);
    const { vu, sent } = recordingVU();
    await quick.fn(vu);
    assert.equal(sent[0], quick.fixed);
    assert.deepEqual(plan.json.scenarios.quick, { executor: 'constant-vus', vus: 50, duration: '30s' });
  });

  it('builds an open-model plan with a rate', () => {
    const plan = planFromQuickOptions({
      url: 'http://127.0.0.1:3000/',
      connections: 20,
      duration: 5000,
      rate: 2000,
      method: 'post',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
      timeout: '2s',
    });
    const [quick] = plan.scenarios;
    if (quick.executor !== 'constant-arrival-rate') assert.fail(quick.executor);
    assert.deepEqual([quick.rate, quick.timeUnitMs, quick.durationMs, quick.preAllocatedVUs, quick.maxVUs, quick.model], [2000, 1000, 5000, 20, 20, 'open']);
    assert.deepEqual(quick.fixed, {
      method: 'POST',
      url: 'http://127.0.0.1:3000/',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
      timeout: 2000,
      discardBody: true,
    });
  });

  it('turns amount into shared iterations, or a bounded open run with a rate', () => {
    const closed = planFromQuickOptions({ url: 'http://h/', connections: 10, amount: 4 }).scenarios[0];
    if (closed.executor !== 'shared-iterations') assert.fail(closed.executor);
    assert.deepEqual([closed.vus, closed.iterations], [4, 4]);
    const open = planFromQuickOptions({ url: 'http://h/', amount: 500, rate: 100 }).scenarios[0];
    if (open.executor !== 'constant-arrival-rate') assert.fail(open.executor);
    assert.equal(open.durationMs, 5000);
  });

  it('rejects bad options naming the flag', () => {
    const cases: [Parameters<typeof planFromQuickOptions>[0], string, RegExp][] = [
      [{ url: 'localhost:3000' }, 'URL', /only http:\/\/ URLs|not a valid URL/],
      [{ url: 'https://example.com' }, 'URL', /only http:\/\/ URLs are supported, got https:/],
      [{ url: 'not a url' }, 'URL', /not a valid URL/],
      [{ url: 'http://h/', connections: 0 }, '--connections', /positive integer/],
      [{ url: 'http://h/', duration: 'forever' }, '--duration', /invalid duration/],
      [{ url: 'http://h/', rate: -5 }, '--rate', /positive number/],
      [{ url: 'http://h/', method: 'GE T' }, '--method', /not an HTTP method/],
    ];
    for (const [options, flag, pattern] of cases) {
      assert.throws(
        () => planFromQuickOptions(options),
        (e: unknown) => isTuneupError(e) && e.code === 'TUNEUP_OPTION_INVALID' && e.location === flag && pattern.test(e.message),
        JSON.stringify(options),
      );
    }
  });
});
