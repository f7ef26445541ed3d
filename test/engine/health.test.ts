import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoopDelayMonitor, summarizeHealth, type HealthInputs } from '../../src/engine/health.js';
import type { GeneratorEvidenceKind } from '../../src/result/types.js';

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
    const cases: [Partial<HealthInputs>, RegExp, GeneratorEvidenceKind][] = [
      [{ loopDelays: [{ p50: 1, p99: 2, max: 3 }, { p50: 5, p99: 25, max: 40 }] }, /event-loop delay/, 'event-loop-delay'],
      [{ cpuSamples: [95, 97, 99, 50] }, /CPU/, 'cpu'],
      [{ lateStarts: 20 }, /late/, 'late-starts'],
      [{ droppedIterations: 50 }, /dropped/, 'dropped-iterations'],
    ];
    for (const [change, label, kind] of cases) {
      const h = summarizeHealth({ ...healthy, ...change });
      assert.equal(h.saturated, true, String(label));
      assert.equal(h.evidence.length, 1);
      assert.match(h.evidence[0]!.label, label);
      // Readers decide by the kind; the label is display text.
      assert.equal(h.evidence[0]!.kind, kind);
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

describe('generator health judged by its effect on the latencies and by its own CPU', () => {
  const busyHost: HealthInputs = {
    ...healthy,
    loopDelays: [{ p50: 4, p99: 25, max: 80 }],
    lateStarts: 200, // 20 % late: far past the old fixed 1 % limit
    cpuSamples: [30, 35, 40, 30],
    latency: { lag: { mean: 6, p50: 3, p99: 30 }, service: { mean: 900, p50: 800, p99: 2000 }, response: { mean: 906, p50: 803, p99: 2030 } },
  };

  it('delays a busy host always shows, small against the latencies measured, limit nothing', () => {
    const h = summarizeHealth(busyHost);
    assert.equal(h.saturated, false);
    assert.equal(h.limitedBy, 'none');
    assert.ok(h.distortion!.share < 0.1, JSON.stringify(h.distortion));
    assert.deepEqual(h.evidence, []);
    // The lateness is still reported, for the record.
    assert.ok(h.lateness!.some((e) => /late/.test(e.label)));
    assert.deepEqual(h.startLag, { mean: 6, p50: 3, p99: 30 });
  });

  it('the same delays against fast responses distort them: host contention when the generator\'s CPU is free', () => {
    const h = summarizeHealth({ ...busyHost, latency: { lag: { mean: 6, p50: 3, p99: 30 }, service: { mean: 12, p50: 10, p99: 40 }, response: { mean: 18, p50: 13, p99: 70 } } });
    assert.equal(h.saturated, false);
    assert.equal(h.limitedBy, 'host-contention');
    assert.ok(h.distortion!.share >= 0.1);
  });

  it('with its own CPU exhausted the generator limited the run', () => {
    const h = summarizeHealth({ ...busyHost, cpuSamples: [96, 97, 99, 98], latency: { lag: { mean: 6, p50: 3, p99: 30 }, service: { mean: 12, p50: 10, p99: 40 }, response: { mean: 18, p50: 13, p99: 70 } } });
    assert.equal(h.saturated, true);
    assert.equal(h.limitedBy, 'generator-cpu');
    assert.ok(h.evidence.some((e) => /CPU/.test(e.label)));
    assert.ok(h.evidence.some((e) => /delays \/ measured latency/.test(e.label)));
    assert.ok(h.evidence.some((e) => e.kind === 'distortion'));
  });

  it('dropped iterations with the generator\'s CPU free are the service\'s slowness (overload), not the generator', () => {
    const h = summarizeHealth({ ...busyHost, droppedIterations: 300, lateStarts: 0 });
    assert.equal(h.saturated, false);
    assert.ok(h.lateness!.some((e) => /dropped/.test(e.label)));
  });
});
