/**
 * Benchmark driver: tuneup's fixed-request sender under an open-model
 * (constant-arrival-rate) schedule, or a paced closed loop for comparison.
 * Records through the real metrics recorder and prints the endpoint summary
 * (service and response time percentiles) as one JSON line.
 *
 * Until the engine's executors exist, the schedule is a simple timer loop
 * over a stack of free FixedSenders: request i is due at t0 + i/rate and is
 * sent on any free connection; response time is measured from that intended
 * time, so a stalled target shows up in full (no coordinated omission).
 *
 *   node --import tsx bench/drivers/tuneup-open.ts --url URL --rate 500 --duration 20 --connections 200 [--closed]
 *
 * --closed: `connections` senders each pace themselves at rate/connections
 * and send their next request only after the previous one finished (what
 * wrk2 without correction, autocannon -R or a k6 closed executor do): a stall
 * delays one request per connection and the rest are silently never sent.
 */
import { systemClock } from '../../src/engine/clock.js';
import { createFixedSender, type FixedSender } from '../../src/engine/http/index.js';
import { buildResultMetrics } from '../../src/metrics/build.js';
import { createRecorder } from '../../src/metrics/recorder.js';
import { parseArgs } from '../lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), { url: '', rate: '500', duration: '20', connections: '200' }) 
const url = String(args.url);
if (!url.startsWith('http://127.0.0.1')) throw new Error('benchmarks only target 127.0.0.1');
const rate = Number(args.rate);
const durationMs = Number(args.duration) * 1000;
const connections = Number(args.connections);
const closed = args.closed === true;
const intervalMs = 1000 / rate;

const clock = systemClock;

/**
 * Start of the schedule. With --align-epoch/--align-period the window starts
 * half a period after a grid point (e.g. midway between two target stalls), so
 * a duration of N periods covers exactly N stalls.
 */
function scheduleStart(): number {
  const earliest = clock.now() + 200;
  if (args['align-epoch'] === '' || args['align-period'] === '') return earliest;
  const grid = Number(args['align-epoch']);
  const period = Number(args['align-period']);
  const epochNow = performance.timeOrigin + clock.now();
  const earliestEpoch = epochNow + (earliest - clock.now());
  const k = Math.ceil((earliestEpoch - grid - period / 2) / period);
  const startEpoch = grid + period / 2 + k * period;
  return clock.now() + (startEpoch - epochNow);
}
const t0 = scheduleStart();
const recorder = createRecorder({ runStartMs: t0 });
const options = { timeoutMs: 60_000, recorder, scenario: 'accuracy', clock, lag: { lagMs: 0 } };
const ticker = setInterval(() => recorder.tick(clock.now()), 100);
let sent = 0;
let completed = 0;
let dropped = 0;
let maxLateMs = 0;
const senders: FixedSender[] = [];

function finish(): void {
  clearInterval(ticker);
  for (const s of senders) s.close();
  recorder.tick(clock.now());
  const built = buildResultMetrics(recorder.snapshot(), { durationMs });
  const e = built.endpoints[0];
  process.stdout.write(
    `${JSON.stringify({ sent, completed, dropped, maxLateMs, failed: e?.failed ?? 0, service: e?.serviceTime, response: e?.responseTime })}\n`,
  );
}

if (!closed) {
  // Open model: a free-list of sender indices; the schedule never waits for a response.
  const free: number[] = [];
  const callbacks: Array<() => void> = [];
  for (let i = 0; i < connections; i++) {
    senders.push(createFixedSender({ method: 'GET', url }, options));
    callbacks.push(() => {
      completed++;
      free.push(i);
    });
    free.push(i);
  }
  const total = Math.floor(durationMs / intervalMs);
  const tick = (): void => {
    const now = clock.now();
    while (sent + dropped < total) {
      const intended = t0 + (sent + dropped) * intervalMs;
      if (intended > now) break;
      if (now - intended > maxLateMs) maxLateMs = now - intended;
      const index = free.pop();
      if (index === undefined) {
        dropped++;
        continue;
      }
      sent++;
      senders[index].send(intended, callbacks[index]);
    }
    if (sent + dropped < total) {
      setTimeout(tick, Math.max(0, t0 + (sent + dropped) * intervalMs - clock.now()));
    } else {
      // Wait for stragglers (bounded), then report.
      const deadline = clock.now() + 5_000;
      const wait = (): void => {
        if (completed >= sent || clock.now() > deadline) finish();
        else setTimeout(wait, 10);
      };
      wait();
    }
  };
  setTimeout(tick, Math.max(0, t0 - clock.now()));
} else {
  // Paced closed loop: each connection has its own schedule but never sends before its previous response.
  const perConnInterval = intervalMs * connections;
  let running = connections;
  for (let c = 0; c < connections; c++) {
    const sender = createFixedSender({ method: 'GET', url }, options);
    senders.push(sender);
    let next = t0 + c * intervalMs;
    const go = (): void => {
      sent++;
      // Measured from the actual send, as closed-loop tools do.
      sender.send(clock.now(), onDone);
    };
    const onDone = (): void => {
      completed++;
      next += perConnInterval;
      // Slots that passed while waiting are skipped: that is the omission.
      const now = clock.now();
      while (next < now) next += perConnInterval;
      if (next >= t0 + durationMs) {
        running--;
        if (running === 0) finish();
        return;
      }
      setTimeout(go, next - now);
    };
    setTimeout(go, Math.max(0, next - clock.now()));
  }
}
