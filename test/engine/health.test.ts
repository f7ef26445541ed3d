import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoopDelayMonitor, summarizeHealth, type HealthInputs } from '../../src/engine/health.js';

const healthy: HealthInputs = {
  loopDelays: [{ p50: 0.1, p99: 2, max: 5 }],
  cpuSamples: [30, 40, 35, 30],
  maxRssBytes: 100e6,
  loadThreads: 1,
  workers: 1,
  openIterations: 1000,
  lateStarts: 5,
  droppedIterations: 0,
  lateStartToleranceMs: 10,
};

describe('generator health', () => {
  it('a healthy generator is not saturated and carries no evidence', () => {
    const h = summarizeHealth(healthy);
    assert.equal(h.saturated, false);
    assert.deepEqual(h.evidence, []);
    assert.equal(h.cpuPercent.max, 40);
    assert.equal(h.eventLoopDelay.p99, 2);
  });

  it('each rule alone marks the generator saturated, with its evidence', () => {
    const cases: [Partial<HealthInputs>, RegExp][] = [
      [{ loopDelays: [{ p50: 1, p99: 2, max: 3 }, { p50: 5, p99: 25, max: 40 }] }, /event-loop delay/],
      [{ cpuSamples: [95, 97, 99, 50] }, /CPU/],
      [{ lateStarts: 20 }, /late/],
      [{ droppedIterations: 50 }, /dropped/],
    ];
    for (const [change, label] of cases) {
      const h = summarizeHealth({ ...healthy, ...change });
      assert.equal(h.saturated, true, String(label));
      assert.equal(h.evidence.length, 1);
      assert.match(h.evidence[0]!.label, label);
      assert.ok(h.evidence[0]!.value > h.evidence[0]!.limit);
    }
  });

  it('CPU limit scales with the threads that generate load', () => {
    const h = summarizeHealth({ ...healthy, cpuSamples: [150, 160, 170], loadThreads: 2, workers: 2 });
    // 2 load threads on a machine with ≥ 2 cores: the limit is 180 %.
    if (h.evidence.length > 0) assert.ok(h.evidence[0]!.limit > 0);
    assert.equal(h.workers, 2);
  });

  it('the event-loop monitor sees a blocked loop', async () => {
    const monitor = new LoopDelayMonitor();
    await new Promise((r) => setTimeout(r, 30));
    const end = performance.now() + 60;
    while (performance.now() < end) {
      // block the event loop on purpose
    }
    await new Promise((r) => setTimeout(r, 30));
    const p99 = monitor.takeInterval();
    monitor.stop();
    assert.ok(p99 >= 40, `p99 ${p99}`);
    assert.ok(monitor.summary().max >= 40);
  });
});
