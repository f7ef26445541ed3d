/**
 * Benchmark driver: hold N keep-alive connections open for `--duration` s,
 * each sending one request every `--interval` s (spread evenly, so the
 * connections stay alive and are proven usable), through the real recorder.
 * Samples the generator's RSS every second and prints one JSON line.
 *
 *   node --import tsx bench/drivers/tuneup-hold.ts --url URL --connections 10000 --duration 30 --interval 5
 */
import { systemClock } from '../../src/engine/clock.js';
import { createFixedSender, type FixedSender } from '../../src/engine/http/index.js';
import { createRecorder } from '../../src/metrics/recorder.js';
import type { MetricsRecorder } from '../../src/metrics/recorder-types.js';
import { parseArgs } from '../lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), { url: '', connections: '10000', duration: '30', interval: '5' });
const url = args.url;
if (!url.startsWith('http://127.0.0.1')) throw new Error('benchmarks only target 127.0.0.1');
const n = Number(args.connections);
const durationMs = Number(args.duration) * 1000;
const intervalMs = Number(args.interval) * 1000;
const TICK_MS = 100;
const RAMP_BATCH = 500;

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
const baselineRss = process.memoryUsage().rss;
const clock = systemClock;
const recorder = createRecorder({ runStartMs: clock.now() });
// Count new TCP connections (connecting time > 0) to prove connections are held, not re-opened.
let connects = 0;
const countingRecorder: MetricsRecorder = Object.create(recorder) as MetricsRecorder;
countingRecorder.endpoint = (scenario, method, endpoint, tags) => {
  const inner = recorder.endpoint(scenario, method, endpoint, tags);
  return {
    endpoint: inner.endpoint,
    record(status, error, serviceUs, responseUs, waitingUs, connectingUs, bytesIn, bytesOut) {
      if (connectingUs > 0) connects++;
      inner.record(status, error, serviceUs, responseUs, waitingUs, connectingUs, bytesIn, bytesOut);
    },
  };
};
const options = { timeoutMs: 30_000, recorder: countingRecorder, scenario: 'hold', clock, lag: { lagMs: 0 } };
const senders: FixedSender[] = [];
const callbacks: Array<() => void> = [];
const answered = new Uint8Array(n);
let responses = 0;
for (let i = 0; i < n; i++) {
  senders.push(createFixedSender({ method: 'GET', url }, options));
  callbacks.push(() => {
    responses++;
    answered[i] = 1;
  });
}

let peakRss = 0;
let peakHeap = 0;
const sampleMemory = (): void => {
  const m = process.memoryUsage();
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
};

const start = clock.now();
// Ramp: open connections in batches so the target's accept backlog is not flooded.
let opened = 0;
const ramp = setInterval(() => {
  const until = Math.min(n, opened + RAMP_BATCH);
  for (; opened < until; opened++) senders[opened].send(clock.now(), callbacks[opened]);
  if (opened === n) clearInterval(ramp);
}, 50);

// Keep-alive traffic: every tick, the next slice of connections sends once (each connection once per interval).
const perTick = Math.max(1, Math.ceil((n * TICK_MS) / intervalMs));
let cursor = 0;
const traffic = setInterval(() => {
  recorder.tick(clock.now());
  if (opened < n) return;
  for (let k = 0; k < perTick; k++) {
    const i = cursor;
    cursor = (cursor + 1) % n;
    if (!senders[i].busy) senders[i].send(clock.now(), callbacks[i]);
  }
}, TICK_MS);
const memory = setInterval(sampleMemory, 1000);

setTimeout(() => {
  clearInterval(ramp);
  clearInterval(traffic);
  clearInterval(memory);
  sampleMemory();
  const live = recorder.live();
  let connected = 0;
  let busy = 0;
  for (let i = 0; i < n; i++) {
    connected += answered[i];
    if (senders[i].busy) busy++;
  }
  const seconds = (clock.now() - start) / 1000;
  for (const s of senders) s.close();
  process.stdout.write(
    `${JSON.stringify({ connections: n, answeredConnections: connected, tcpConnects: connects, busyAtEnd: busy, responses, failed: live.failed, seconds, baselineRssMb: mb(baselineRss), peakRssMb: mb(peakRss), peakHeapMb: mb(peakHeap) })}\n`,
  );
}, durationMs);
