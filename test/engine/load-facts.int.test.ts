// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
// The load's own facts measured through the real engine against a real
// node:http server on port 0: repeated keys (ideal cache hit ratio) and
// in-flight requests (Little's law), in one thread and merged across workers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assembleRunResult, runPlan } from '../../src/engine/index.js';
import { plan, scenario, startServer, type TestServer } from './helpers.js';

describe('load facts through the engine (real HTTP target)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ delayMs: 40 });
  });
  after(async () => {
    await server.close();
  });

  it('counts requests that repeat an earlier URL, per endpoint, and in-flight requests', async () => {
    let n = 0;
    const p = plan(server.url, [
      scenario(
        'keys',
        { executor: 'shared-iterations', vus: 4, iterations: 60, maxDurationMs: 20_000 },
        {
          fn: async (vu) => {
            const i = n++;
            // 60 requests over 15 distinct ids → 45 repeats; the query string is part of the key.
            await vu.http.get(`${server.url}/items/${i % 15}`, { name: 'GET /items/:id' });
            // Every request to /search has a new query: no repeat possible.
            await vu.http.get(`${server.url}/search?q=${i}`, { name: 'GET /search' });
            // A cache-key hint overrides the URL: all 60 share one key.
            await vu.http.get(`${server.url}/me?nonce=${i}`, { name: 'GET /me', cacheKey: 'user:1' });
          },
        },
      ),
    ]);
    const result = assembleRunResult(await runPlan(p));
    const facts = result.loadFacts!;
    assert.ok(facts, 'loadFacts present');
    const items = facts.endpoints['GET /items/:id']!;
    assert.equal(items.requests, 60);
    assert.equal(items.repeats, 45);
    assert.equal(items.distinctKeys, 15);
    assert.equal(items.idealHitRatio, 0.75);
    assert.equal(facts.endpoints['GET /search']!.repeats, 0);
    const me = facts.endpoints['GET /me']!;
    // One key for all 60: a repeat once the first fetch has completed. The 4 VUs' first /me requests go out
    // together, before any has completed, so up to 4 are first touches for a cache.
    assert.ok(me.repeats >= 56 && me.repeats <= 59, `repeats ${me.repeats}`);
    assert.equal(me.keySource, 'cache-key');
    // 4 VUs, each with one request at a time spread over three endpoints: in flight ≤ 4 in every interval,
    // and the per-interval series sums back to the total request time.
    let inFlightTotal = 0;
    for (const e of Object.values(facts.endpoints)) {
      for (const x of e.series.inFlight) assert.ok(x <= 4.01, `in flight ${x}`);
      inFlightTotal += e.series.inFlight.reduce((a, b) => a + b, 0) * (facts.intervalMs / 1000);
    }
    const serviceTotalS = result.endpoints.reduce((a, e) => a + (e.serviceTime.mean * e.requests) / 1000, 0);
    assert.ok(Math.abs(inFlightTotal - serviceTotalS) / serviceTotalS < 0.02, `in-flight ${inFlightTotal} s vs service ${serviceTotalS} s`);
    assert.ok(items.series.repeats.reduce((a, b) => a + b, 0) === 45);
  });

  it('merges across worker threads: a fixed request repeats in every request but the first few', async () => {
    const p = plan(server.url, [
      scenario('fixed', { executor: 'shared-iterations', vus: 4, iterations: 80, maxDurationMs: 20_000 }, { fixed: `${server.url}/same` }),
    ]);
    const result = assembleRunResult(await runPlan(p, { workers: 2 }));
    assert.equal(result.generator.workers, 2);
    const e = result.loadFacts!.endpoints['GET /']!;
    assert.equal(e.requests, 80);
    // Each worker saw the key first once; merged, only the earliest touch is a first touch. The 4 VUs' first
    // requests go out together, before any has completed: up to 4 first touches in all.
    assert.ok(e.repeats >= 76 && e.repeats <= 79, `repeats ${e.repeats}`);
    assert.equal(e.distinctKeys, 1);
    assert.equal(result.loadFacts!.merge.exact, true);
  });
});
