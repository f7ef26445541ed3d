/**
 * The bike vendor's IoT lock gateway the fleet talks to, as its own small
 * node:http process (the real one reaches each bike's smart lock over LTE):
 *
 * - `POST /bikes/:id/unlock` opens the lock after GATEWAY_UNLOCK_MS (a range, default 120-250 ms)
 *   and answers 200. The rider then rides: GATEWAY_RIDE_MS later (default 20,000-60,000 ms) the
 *   lock closes at a random station of 1..GATEWAY_STATIONS and a lock event is queued.
 * - `GET /bikes/:id/telemetry` answers after GATEWAY_TELEMETRY_MS (default 100-200 ms) with the
 *   lock's pings of the last hour (one per 5 s: position, battery, speed, lock state, signal).
 * - `GET /lock-events?after=SEQ` answers at once with the lock events after SEQ (at most 500).
 *
 * Prints `FLEET_GATEWAY_LISTENING <port>`.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

function range(value: string | undefined, fallback: [number, number]): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(value ?? '');
  return m ? [Number(m[1]), Number(m[2])] : fallback;
}

const UNLOCK_MS = range(process.env.GATEWAY_UNLOCK_MS, [120, 250]);
const TELEMETRY_MS = range(process.env.GATEWAY_TELEMETRY_MS, [100, 200]);
const RIDE_MS = range(process.env.GATEWAY_RIDE_MS, [20_000, 60_000]);
const STATIONS = Number(process.env.GATEWAY_STATIONS ?? 600);
const between = ([lo, hi]: [number, number]): number => lo + Math.random() * (hi - lo);
const delay = (r: [number, number]): Promise<void> => new Promise((resolve) => setTimeout(resolve, between(r)));

/** A lock closing at a station: the end of a ride. */
interface LockEvent { seq: number; bikeId: number; stationId: number; distanceM: number; lockedAt: string }
const events: LockEvent[] = [];
let seq = 0;
const rides = new Set<NodeJS.Timeout>();

function scheduleLock(bikeId: number): void {
  const rideMs = between(RIDE_MS);
  const timer = setTimeout(() => {
    rides.delete(timer);
    events.push({ seq: ++seq, bikeId, stationId: 1 + Math.floor(Math.random() * STATIONS), distanceM: Math.round((rideMs / 1000) * 4.2), lockedAt: new Date().toISOString() });
    if (events.length > 20_000) events.splice(0, events.length - 20_000);
  }, rideMs);
  rides.add(timer);
}

/** The last hour of a lock's pings, every 5 s, oldest first. */
function telemetry(bikeId: number): unknown {
  const now = Date.now();
  const samples = [];
  let battery = 40 + (bikeId * 37) % 60;
  for (let i = 719; i >= 0; i--) {
    const moving = (i + bikeId) % 240 < 40;
    if (moving) battery = Math.max(5, battery - 0.05);
    samples.push({
      ts: new Date(now - i * 5000).toISOString(),
      lat: Math.round((52.09 + ((bikeId * 13 + i) % 100) / 5000) * 1e6) / 1e6,
      lon: Math.round((5.12 + ((bikeId * 29 + i) % 100) / 4000) * 1e6) / 1e6,
      batteryPct: Math.round(battery * 10) / 10,
      speedKmh: moving ? 12 + ((i * 7) % 9) : 0,
      locked: !moving,
      signalDbm: -70 - ((i * 3 + bikeId) % 25),
      tempC: 8 + ((i + bikeId) % 6),
    });
  }
  return { bikeId, firmware: '4.12.1', latest: samples[samples.length - 1], samples };
}

const server = createServer((req, res) => {
  req.resume();
  const reply = (status: number, payload: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  };
  const url = new URL(req.url ?? '/', 'http://gateway');
  const bike = /^\/bikes\/(\d+)\/(unlock|telemetry)$/.exec(url.pathname);
  if (req.method === 'POST' && bike?.[2] === 'unlock') {
    void delay(UNLOCK_MS).then(() => {
      scheduleLock(Number(bike[1]));
      reply(200, { bikeId: Number(bike[1]), state: 'unlocked', commandId: randomUUID() });
    });
  } else if (req.method === 'GET' && bike?.[2] === 'telemetry') {
    void delay(TELEMETRY_MS).then(() => reply(200, telemetry(Number(bike[1]))));
  } else if (req.method === 'GET' && url.pathname === '/lock-events') {
    const after = Number(url.searchParams.get('after') ?? 0);
    const start = events.findIndex((e) => e.seq > after);
    reply(200, { events: start < 0 ? [] : events.slice(start, start + 500), last: seq });
  } else {
    reply(404, { error: 'not found' });
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`FLEET_GATEWAY_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => {
  for (const timer of rides) clearTimeout(timer);
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
