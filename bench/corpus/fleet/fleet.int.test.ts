/**
 * Smoke test of the fleet corpus service (not of diagnosis): seed a real
 * PostgreSQL, start the service healthy and with each fault against real
 * Redis, call every endpoint of the mix, check the statuses and the metrics,
 * and that each fault is planted (and absent when healthy): index plans,
 * queries per history, the station-card cache, payload sizes, report
 * crashes, the transaction held across the telemetry call, today's usage row
 * locked across the unlock, event-loop lag of sign-in, retained heap of the
 * telemetry trail, GC time of the finder's fleet copies, the slow unlock.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../../../test/harness/postgres.js';
import { startRedis, type TestRedis } from '../../../test/harness/redis.js';
import type { RunningService } from '../types.js';
import { baseMix } from './cases.js';
import { FLEET_FAULTS, type FleetFault } from './faults.js';
import { gatewayEnv, service } from './index.js';

const pick = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));

/** Fill in the `randomInt` / `randomChoice` templates of a mix path or body. */
function fill(value: unknown): unknown {
  if (typeof value === 'string') {
    const number = /^\{\{\s*randomInt\((\d+),\s*(\d+)\)\s*\}\}$/.exec(value);
    if (number) return pick(Number(number[1]), Number(number[2]));
    return value
      .replace(/\{\{\s*randomInt\((\d+),\s*(\d+)\)\s*\}\}/g, (_m, lo: string, hi: string) => String(pick(Number(lo), Number(hi))))
      .replace(/\{\{\s*randomChoice\(([^)]*)\)\s*\}\}/g, (_m, list: string) => {
        const choices = list.split(',').map((s) => s.trim().replace(/^'|'$/g, ''));
        return choices[pick(0, choices.length - 1)];
      });
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
  return value;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  const res = await fetch(base + path, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - started };
}

const scrape = async (metricsUrl: string, pattern: RegExp): Promise<number> =>
  Number(pattern.exec(await (await fetch(metricsUrl)).text())?.[1] ?? 0);
const HEAP_USED = /^nodejs_heap_size_used_bytes (\S+)$/m;

let pgServer: TestPostgres;
let redis: TestRedis;
let db: pg.Client;
before(async () => {
  [pgServer, redis] = await Promise.all([startPostgres(), startRedis()]);
  await service.seed(pgServer.url);
  db = new pg.Client({ connectionString: pgServer.url });
  await db.connect();
});
after(async () => {
  await db?.end();
  await Promise.allSettled([redis?.stop(), pgServer?.stop()]);
});

/** Start the service with `fault`, run `body`, always stop it. */
async function withService(fault: FleetFault | null, body: (s: RunningService) => Promise<void>, upstreamUrl?: string): Promise<void> {
  const running = await service.start({ pgUrl: pgServer.url, redisUrl: redis.url, fault, upstreamUrl });
  try {
    await body(running);
  } finally {
    await running.stop();
  }
  assert.throws(() => process.kill(running.pid, 0), 'service process is gone after stop()');
}

async function plan(sql: string): Promise<string> {
  return (await db.query(`EXPLAIN ${sql}`)).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
}

/** A lock gateway whose unlock or telemetry answers wait until released; the lock-event feed answers at once. */
async function gatedGateway(): Promise<{ url: string; arrived(): Promise<void>; release(): void; close(): void }> {
  let pending: ServerResponse | undefined;
  let signal: () => void = () => {};
  let arrival = new Promise<void>((r) => (signal = r));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume().on('end', () => {
      if (req.url?.startsWith('/lock-events')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ events: [], last: 0 }));
        return;
      }
      pending = res;
      signal();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived: () => arrival,
    release() {
      const now = new Date().toISOString();
      const ping = { ts: now, lat: 52.09, lon: 5.12, batteryPct: 80, speedKmh: 0, locked: true, signalDbm: -80, tempC: 9 };
      pending!.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bikeId: 1, commandId: 'c1', firmware: 't', latest: ping, samples: [ping] }));
      arrival = new Promise<void>((r) => (signal = r));
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A docked, rentable bike and a rider who is not riding. */
async function rentable(): Promise<{ bikeId: number; riderId: number }> {
  const bike = (await db.query(`SELECT id FROM bikes WHERE status = 'available' AND station_id IS NOT NULL AND battery >= 15 ORDER BY random() LIMIT 1`)).rows[0];
  const rider = (await db.query(`SELECT id FROM riders r WHERE NOT EXISTS (SELECT 1 FROM rentals WHERE rider_id = r.id AND status = 'active') ORDER BY random() LIMIT 1`)).rows[0];
  return { bikeId: Number(bike.id), riderId: Number(rider.id) };
}

describe('fleet corpus service', () => {
  test('one case per fault plus healthy; expected endpoints are in their mixes; rates ordered', () => {
    assert.deepEqual(new Set(service.cases.map((c) => c.fault)), new Set([null, ...FLEET_FAULTS]));
    assert.equal(service.cases.length, 13);
    for (const c of service.cases) {
      assert.ok(c.moderateRate > 0 && c.overloadRate > c.moderateRate, c.id);
      if (c.expect) assert.ok(c.mix.some((m) => m.endpoint === c.expect!.endpoint), `${c.id}: expected endpoint in mix`);
      assert.equal(new Set(c.mix.map((m) => m.endpoint)).size, 8, `${c.id}: all eight endpoints in the mix`);
    }
    assert.equal(gatewayEnv('gateway-unlock-slow').GATEWAY_UNLOCK_MS, '1500-3000');
    assert.equal(gatewayEnv(null).GATEWAY_UNLOCK_MS, '120-250');
  });

  test('healthy and every fault: each endpoint of the mix answers; metrics carry route templates and the pool', async () => {
    for (const fault of [null, ...FLEET_FAULTS]) {
      await withService(fault, async (running) => {
        for (const entry of baseMix()) {
          const body = entry.endpoint === 'POST /bikes/:id/reports' ? { ...(fill(entry.body) as object), category: 'brakes' } : fill(entry.body);
          const res = await call(running.url, entry.method, String(fill(entry.path)), body);
          // 409: the bike drawn is ridden, in the workshop or flat.
          assert.ok([200, 201, 409].includes(res.status), `${fault ?? 'healthy'} ${entry.endpoint}: ${res.status} ${res.text.slice(0, 200)}`);
        }
        const metrics = await (await fetch(running.metricsUrl!)).text();
        assert.match(metrics, /http_request_duration_seconds_count\{method="GET",route="\/rentals\/:id",status_code="200"\}/);
        assert.match(metrics, /pg_pool_connections\{state="max"\} 5/);
        assert.match(metrics, /nodejs_eventloop_lag_seconds/);
        assert.match(metrics, /fleet_gateway_request_duration_seconds_count\{operation="telemetry",outcome="ok"\}/);
      });
    }
  });

  test('station-card-key-by-url: the card cache hits across riders only when healthy', async () => {
    for (const fault of [null, 'station-card-key-by-url'] as const) {
      await withService(fault, async (running) => {
        assert.equal((await call(running.url, 'GET', '/stations/7?lat=52.0901&lon=5.1201')).status, 200);
        assert.equal((await call(running.url, 'GET', '/stations/7?lat=52.0932&lon=5.1287')).status, 200);
        const hits = await scrape(running.metricsUrl!, /fleet_cache_lookups_total\{cache="station-card",result="hit"\} (\d+)/);
        assert.equal(hits, fault === null ? 1 : 0, `${fault ?? 'healthy'}: station-card hits`);
      });
    }
  });

  for (const fault of ['missing-index-rentals-rider', 'missing-index-charges-rental'] as const) {
    test(`${fault}: the deploy lacks the index and the plan scans; a healthy deploy puts it back`, async () => {
      const history = `SELECT * FROM rentals WHERE rider_id = 17 ORDER BY started_at DESC LIMIT 20`;
      const receipt = `SELECT * FROM rental_charges WHERE rental_id = 12345 ORDER BY id`;
      await withService(fault, async () => {
        if (fault === 'missing-index-rentals-rider') assert.match(await plan(history), /Seq Scan on rentals/);
        else assert.match(await plan(receipt), /Seq Scan on rental_charges/);
      });
      await withService(null, async () => {
        assert.doesNotMatch(await plan(history), /Seq Scan/);
        assert.doesNotMatch(await plan(receipt), /Seq Scan/);
      });
    });
  }

  test('history-lazy-stations: the history runs three queries per ride, healthy one', async () => {
    const { rider_id: rider, n } = (await db.query(`SELECT rider_id, count(*)::int AS n FROM rentals GROUP BY 1 ORDER BY 2 DESC LIMIT 1`)).rows[0];
    const queriesOf = async (fault: FleetFault | null): Promise<number> => {
      let queries = 0;
      await withService(fault, async (running) => {
        await db.query('SELECT pg_stat_statements_reset()');
        assert.equal((await call(running.url, 'GET', `/riders/${rider}/rentals`)).status, 200);
        // The background snapshot reload (stations, docked bikes) is not the history's.
        const { rows } = await db.query(`SELECT coalesce(sum(calls), 0)::int AS n FROM pg_stat_statements
          WHERE query NOT ILIKE '%pg_stat_statements%' AND query NOT ILIKE '%order by "stations"."id"%' AND query NOT ILIKE '%"bikes"."status" =%'
            AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`);
        queries = rows[0].n as number;
      });
      return queries;
    };
    const healthy = await queriesOf(null);
    const lazy = await queriesOf('history-lazy-stations');
    assert.ok(healthy <= 1, `healthy: ${healthy} queries`);
    assert.ok(lazy >= 2.5 * Math.min(n, 20), `lazy: ${lazy} queries for ${n} rides`);
  });

  test('stations-map-all-bikes: the finder grows from kilobytes to most of a megabyte', async () => {
    const finder = '/stations?lat=52.0901&lon=5.1201';
    let healthy = 0;
    await withService(null, async (running) => {
      healthy = (await call(running.url, 'GET', finder)).text.length;
    });
    await withService('stations-map-all-bikes', async (running) => {
      const faulty = (await call(running.url, 'GET', finder)).text.length;
      assert.ok(healthy < 10_000 && faulty > 700_000, `healthy ${healthy} B, faulty ${faulty} B`);
    });
  });

  test('report-category-sla-crash: reports in the new categories answer 500, healthy 201', async () => {
    const report = (category: string) => ({ riderId: 5, category, note: 'test' });
    await withService('report-category-sla-crash', async (running) => {
      assert.equal((await call(running.url, 'POST', '/bikes/42/reports', report('bell'))).status, 500);
      assert.equal((await call(running.url, 'POST', '/bikes/42/reports', report('lights'))).status, 500);
      assert.equal((await call(running.url, 'POST', '/bikes/42/reports', report('chain'))).status, 201);
    });
    await withService(null, async (running) => {
      assert.equal((await call(running.url, 'POST', '/bikes/42/reports', report('bell'))).status, 201);
      assert.equal((await call(running.url, 'POST', '/bikes/42/reports', report('lights'))).status, 201);
    });
  });

  test('bike-detail-read-transaction: a transaction stays open while the lock gateway answers the telemetry', async () => {
    const gateway = await gatedGateway();
    const idleInTx = async (): Promise<number> =>
      Number((await db.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`)).rows[0].n);
    try {
      for (const fault of [null, 'bike-detail-read-transaction'] as const) {
        await withService(fault, async (running) => {
          const detail = call(running.url, 'GET', '/bikes/77');
          await gateway.arrived();
          assert.equal(await idleInTx(), fault ? 1 : 0, `${fault ?? 'healthy'}: sessions idle in transaction during the telemetry call`);
          gateway.release();
          assert.equal((await detail).status, 200);
        }, gateway.url);
      }
    } finally {
      gateway.close();
    }
  });

  test('daily-usage-first: today\'s usage row stays locked while the bike unlocks', async () => {
    const gateway = await gatedGateway();
    try {
      for (const fault of [null, 'daily-usage-first'] as const) {
        await withService(fault, async (running) => {
          const { bikeId, riderId } = await rentable();
          const rental = call(running.url, 'POST', '/rentals', { riderId, bikeId });
          await gateway.arrived();
          const probe = new pg.Client({ connectionString: pgServer.url });
          await probe.connect();
          let locked = false;
          try {
            await probe.query('BEGIN');
            await probe.query(`SELECT 1 FROM daily_usage WHERE day = current_date FOR UPDATE NOWAIT`);
          } catch (error) {
            locked = (error as { code?: string }).code === '55P03';
          } finally {
            await probe.query('ROLLBACK').catch(() => {});
            await probe.end();
          }
          assert.equal(locked, fault !== null, `${fault ?? 'healthy'}: today's usage row locked during the unlock`);
          gateway.release();
          const res = await rental;
          assert.equal(res.status, 201, res.text);
        }, gateway.url);
      }
    } finally {
      gateway.close();
    }
  });

  test('gateway-unlock-slow: starting a ride waits seconds for the unlock', async () => {
    await withService('gateway-unlock-slow', async (running) => {
      const { bikeId, riderId } = await rentable();
      const res = await call(running.url, 'POST', '/rentals', { riderId, bikeId });
      assert.equal(res.status, 201, res.text);
      assert.ok(res.ms >= 1400, `unlock took ${res.ms.toFixed(0)} ms`);
    });
  });

  test('login-scrypt-sync: sign-in blocks the event loop for the password check', async () => {
    const maxLag: Record<string, number> = {};
    for (const fault of [null, 'login-scrypt-sync'] as const) {
      await withService(fault, async (running) => {
        const lagMax = () => scrape(running.metricsUrl!, /^nodejs_eventloop_lag_max_seconds (\S+)$/m);
        assert.equal((await call(running.url, 'POST', '/sessions', { email: 'rider9@example.com', password: 'nope' })).status, 401);
        await lagMax(); // resets the loop-delay histogram
        for (let i = 1; i <= 6; i++) {
          const res = await call(running.url, 'POST', '/sessions', { email: `rider${i * 997}@example.com`, password: 'pedal-power-2026' });
          assert.equal(res.status, 201, res.text);
        }
        maxLag[fault ?? 'healthy'] = await lagMax();
      });
    }
    assert.ok(maxLag['login-scrypt-sync'] >= 0.02 && maxLag['login-scrypt-sync'] > 1.5 * maxLag.healthy, `max loop lag ${JSON.stringify(maxLag)}`);
  });

  test('telemetry-trail-leak: every bike opened keeps its hour of pings on the heap', async () => {
    await withService('telemetry-trail-leak', async (running) => {
      const heap = () => scrape(running.metricsUrl!, HEAP_USED);
      for (let i = 1; i <= 10; i++) await call(running.url, 'GET', `/bikes/${i}`);
      const start = await heap();
      for (let batch = 0; batch < 30; batch++) {
        const ids = Array.from({ length: 10 }, (_, i) => 100 + batch * 10 + i);
        for (const res of await Promise.all(ids.map((id) => call(running.url, 'GET', `/bikes/${id}`)))) assert.equal(res.status, 200);
      }
      const grown = (await heap()) - start;
      // 300 bikes × 720 pings kept; garbage alone cannot explain the floor.
      assert.ok(grown > 25e6, `heap grew ${(grown / 1e6).toFixed(1)} MB`);
    });
  });

  test('nearby-view-copies: the finder copies the whole fleet per request and GC time follows', async () => {
    const gcSeconds = async (metricsUrl: string): Promise<number> =>
      [...(await (await fetch(metricsUrl)).text()).matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    const gc: Record<string, number> = {};
    for (const fault of [null, 'nearby-view-copies'] as const) {
      await withService(fault, async (running) => {
        const before = await gcSeconds(running.metricsUrl!);
        for (let i = 0; i < 40; i++) {
          const body = JSON.parse((await call(running.url, 'GET', `/stations?lat=52.09${i % 10}&lon=5.12${i % 7}`)).text) as { stations: unknown[] };
          assert.equal(body.stations.length, 15);
        }
        gc[fault ?? 'healthy'] = (await gcSeconds(running.metricsUrl!)) - before;
      });
    }
    assert.ok(gc['nearby-view-copies'] > 0.08 && gc['nearby-view-copies'] > 3 * gc.healthy, `GC seconds over 40 finder calls ${JSON.stringify(gc)}`);
  });
});

