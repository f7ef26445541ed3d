/**
 * Benchmark driver: tuneup's fixed-request fast path in a closed loop.
 * N FixedSenders (one connection each) re-send from their completion
 * callback for `--duration` seconds; every response goes through the real
 * metrics recorder (or, with `--recorder stub`, a counting stub to isolate
 * the recording cost). Prints one JSON line.
 *
 * Stand-in for `tuneup load URL -c N -d Ds` until the CLI exists.
 *
 *   node --import tsx bench/drivers/tuneup-fixed.ts --url http://127.0.0.1:8080/ --connections 64 --duration 5
 */
import { systemClock } from '../../src/engine/clock.js';
import { createFixedSender, type FixedSender } from '../../src/engine/http/index.js';
import { createRecorder } from '../../src/metrics/recorder.js';
import type { EndpointHandle, MetricsRecorder } from '../../src/metrics/recorder-types.js';
import { parseArgs } from '../lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), { url: '', connections: '64', duration: '5', recorder: 'real' });
const url = args.url;
if (!url.startsWith('http://127.0.0.1') && !url.startsWith('http://localhost')) throw new Error('benchmarks only target 127.0.0.1');
const connections = Number(args.connections);
const durationMs = Number(args.duration) * 1000;

/** Counting stub: isolates transport cost from recording cost (only used with --recorder stub). */
function stubRecorder(): MetricsRecorder {
  const handle: EndpointHandle & { count: number } = {
    endpoint: 'stub',
    count: 0,
    record() {
      this.count++;
    },
  };
  const none = () => undefined;
  return {
    endpoint: () => handle,
    recordIteration: none,
    recordDroppedIteration: none,
    recordCheck: none,
    addCounter: none,
    addTrend: none,
    addRate: none,
    setGauge: none,
    setLoad: none,
    setGeneratorHealth: none,
    tick: none,
    live: () => ({ elapsedMs: 0, requests: handle.count, failed: 0, rps: 0, p95ServiceMs: null, p95ResponseMs: null, iterations: 0, droppedIterations: 0, vus: 0 }),
    snapshot: () => ({ kind: 'tuneup-metrics-snapshot', version: 1 }),
  };
}

const start = systemClock.now();
const cpu0 = process.cpuUsage();
const recorder = args.recorder === 'stub' ? stubRecorder() : createRecorder({ runStartMs: start });
const options = { timeoutMs: 60_000, recorder, scenario: 'bench', clock: systemClock, lag: { lagMs: 0 } };
let completed = 0;
let stopping = false;
const senders: FixedSender[] = [];
for (let i = 0; i < connections; i++) {
  const sender = createFixedSender({ method: 'GET', url }, options);
  // One callback per sender, created once: the loop allocates nothing per request.
  const onDone = (): void => {
    completed++;
    if (!stopping) sender.send(systemClock.now(), onDone);
  };
  senders.push(sender);
  sender.send(systemClock.now(), onDone);
}
const ticker = setInterval(() => recorder.tick(systemClock.now()), 100);
setTimeout(() => {
  stopping = true;
  const seconds = (systemClock.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(ticker);
  const live = recorder.live();
  for (const sender of senders) sender.close();
  process.stdout.write(
    `${JSON.stringify({ requests: completed, recorded: live.requests, failed: live.failed, seconds, rps: completed / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rssMb: process.memoryUsage().rss / 2 ** 20 })}\n`,
  );
}, durationMs);
