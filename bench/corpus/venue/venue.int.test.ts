/**
 * Smoke test of the venue corpus service (not of diagnosis): seed a real
 * PostgreSQL, start the service healthy and with each fault against real
 * Redis, call every endpoint of the mix, check the statuses and the metrics,
 * and that each fault is planted (and absent when healthy): index plans,
 * payload sizes, receipts of guest orders, queries per history, the
 * transaction held across the charge, the event row locked before the hold's
 * work, the memo's retained heap, the card cache TTL, the QR key derivation.
 */
import assert from 'node:assert/strict';
import { createHmac, pbkdf2Sync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../../../test/harness/postgres.js';
import { startRedis, type TestRedis } from '../../../test/harness/redis.js';
import type { RunningService } from '../types.js';
import { VENUE_FAULTS, type VenueFault } from './faults.js';
import { paymentsEnv, service } from './index.js';

/** Expand the randomInt / randomChoice templates of a mix path or body value. */
function expand(value: unknown): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*randomInt\((\d+),\s*(\d+)\)\s*\}\}$/.exec(value);
    if (whole) return Number(whole[1]) + Math.floor(Math.random() * (Number(whole[2]) - Number(whole[1]) + 1));
    return value
      .replace(/\{\{\s*randomInt\((\d+),\s*(\d+)\)\s*\}\}/g, (_m, lo: string, hi: string) => String(Number(lo) + Math.floor(Math.random() * (Number(hi) - Number(lo) + 1))))
      .replace(/\{\{\s*randomChoice\(([^)]*)\)\s*\}\}/g, (_m, list: string) => {
        const items = list.split(',').map((s) => s.trim().replace(/^'|'$/g, ''));
        return items[Math.floor(Math.random() * items.length)];
      });
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
  return value;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(base + path, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
  });
  return { status: res.status, text: await res.text() };
}

const metric = async (metricsUrl: string, pattern: RegExp): Promise<number> =>
  Number(pattern.exec(await (await fetch(metricsUrl)).text())?.[1] ?? 0);

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
async function withService(fault: VenueFault | null, body: (s: RunningService) => Promise<void>, upstreamUrl?: string): Promise<void> {
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

/** Statements the service ran since the last reset (pg_stat_statements counts at statement end), the hold sweeper's aside. */
async function statementsRun(): Promise<number> {
  const { rows } = await db.query(`SELECT coalesce(sum(calls), 0)::int AS n FROM pg_stat_statements
    WHERE query NOT ILIKE '%pg_stat_statements%' AND query NOT ILIKE '%DELETE FROM holds%'
      AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`);
  return rows[0].n as number;
}

describe('venue corpus service', () => {
  test('one case per fault plus healthy; expected endpoints are in their mixes; rates ordered', () => {
    assert.deepEqual(new Set(service.cases.map((c) => c.fault)), new Set([null, ...VENUE_FAULTS]));
    for (const c of service.cases) {
      assert.ok(c.moderateRate > 0 && c.overloadRate > c.moderateRate, c.id);
      if (c.expect) assert.ok(c.mix.some((m) => m.endpoint === c.expect!.endpoint), `${c.id}: expected endpoint in mix`);
      assert.equal(new Set(c.mix.map((m) => m.endpoint)).size, 8, `${c.id}: all eight endpoints in the mix`);
    }
    assert.equal(paymentsEnv('payments-slow').PAYMENTS_CHARGE_MS, '1200-2400');
    assert.equal(paymentsEnv(null).PAYMENTS_CHARGE_MS, '150-250');
  });

  for (const fault of [null, 'event-card-ttl-ms'] as const) {
    test(`${fault ?? 'healthy'}: every endpoint answers; the card cache hits only when healthy`, async () => {
      await withService(fault, async (running) => {
        for (const entry of service.cases[0].mix) {
          const res = await call(running.url, entry.method, String(expand(entry.path)), expand(entry.body));
          // 409: the seat was held or sold by an earlier call.
          assert.ok([200, 201, 409].includes(res.status), `${entry.endpoint}: ${res.status} ${res.text.slice(0, 200)}`);
        }
        await call(running.url, 'GET', '/events/7');
        await sleep(100);
        await call(running.url, 'GET', '/events/7');
        const hits = await metric(running.metricsUrl!, /cache_requests_total\{cache="event-card",result="hit"\} (\d+)/);
        assert.equal(hits > 0, fault === null, 'event-card cache hits');
        const metrics = await (await fetch(running.metricsUrl!)).text();
        assert.match(metrics, /http_request_duration_seconds_count\{method="GET",route="\/events\/:id\/seatmap",status_code="200"\}/);
        assert.match(metrics, /db_pool_connections\{state="max"\} 5/);
        assert.match(metrics, /nodejs_eventloop_lag_seconds/);
      });
    });
  }

  for (const fault of ['missing-index-orders-customer', 'missing-index-tickets-order'] as const) {
    test(`${fault}: the deploy lacks the index and the plan scans; a healthy deploy puts it back`, async () => {
      const history = `SELECT * FROM orders WHERE customer_id = 17 ORDER BY created_at DESC LIMIT 20`;
      const receipt = `SELECT * FROM tickets WHERE order_id = 1234`;
      await withService(fault, async () => {
        if (fault === 'missing-index-orders-customer') assert.match(await plan(history), /Seq Scan on orders/);
        else assert.match(await plan(receipt), /Seq Scan on tickets/);
      });
      await withService(null, async () => {
        assert.doesNotMatch(await plan(history), /Seq Scan/);
        assert.doesNotMatch(await plan(receipt), /Seq Scan/);
      });
    });
  }

  test('order-guest-receipt-crash: guest orders answer 500, healthy 200', async () => {
    const guest = Number((await db.query('SELECT min(id) AS id FROM orders WHERE customer_id IS NULL')).rows[0].id);
    const member = Number((await db.query('SELECT min(id) AS id FROM orders WHERE customer_id IS NOT NULL')).rows[0].id);
    await withService('order-guest-receipt-crash', async (running) => {
      assert.equal((await call(running.url, 'GET', `/orders/${guest}`)).status, 500);
      assert.equal((await call(running.url, 'GET', `/orders/${member}`)).status, 200);
    });
    await withService(null, async (running) => {
      assert.equal((await call(running.url, 'GET', `/orders/${guest}`)).status, 200);
    });
  });

  test('seatmap-full-seat-objects: the seat map of a 3,000-seat hall grows from kilobytes to most of a megabyte', async () => {
    let healthy = 0;
    await withService(null, async (running) => {
      healthy = (await call(running.url, 'GET', '/events/5/seatmap')).text.length;
    });
    await withService('seatmap-full-seat-objects', async (running) => {
      const faulty = (await call(running.url, 'GET', '/events/5/seatmap')).text.length;
      assert.ok(healthy < 20_000 && faulty > 500_000, `healthy ${healthy} B, faulty ${faulty} B`);
    });
  });

  test('seatmap-microcache-leak: every seat map built stays on the heap', async () => {
    const arenaEvents = Array.from({ length: 40 }, (_, i) => 1 + 40 * Math.floor(i / 4) + (i % 4));
    await withService('seatmap-microcache-leak', async (running) => {
      const heap = () => metric(running.metricsUrl!, /nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)/);
      for (const id of arenaEvents.slice(0, 4)) await call(running.url, 'GET', `/events/${id}/seatmap`);
      const start = await heap();
      for (const id of arenaEvents) assert.equal((await call(running.url, 'GET', `/events/${id}/seatmap`)).status, 200);
      const grown = (await heap()) - start;
      // 40 arena maps of 12,000 seat rows each are kept (≈ 1.5 MB apiece); garbage alone cannot explain the floor.
      assert.ok(grown > 30e6, `heap grew ${(grown / 1e6).toFixed(1)} MB`);
    });
  });

  test('customer-orders-lazy-events: the history runs a query per order, healthy one', async () => {
    const { customer_id: customer, n } = (await db.query('SELECT customer_id, count(*)::int AS n FROM orders WHERE customer_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1')).rows[0];
    const queriesOf = async (fault: VenueFault | null): Promise<number> => {
      let queries = 0;
      await withService(fault, async (running) => {
        await db.query('SELECT pg_stat_statements_reset()');
        assert.equal((await call(running.url, 'GET', `/customers/${customer}/orders`)).status, 200);
        queries = await statementsRun();
      });
      return queries;
    };
    const healthy = await queriesOf(null);
    const lazy = await queriesOf('customer-orders-lazy-events');
    assert.ok(healthy <= 2, `healthy: ${healthy} queries`);
    assert.ok(lazy >= 2 * Math.min(n, 20), `lazy: ${lazy} queries for ${n} orders`);
  });

  test('charge-in-transaction: the order transaction stays open while the payment provider answers', async () => {
    let pending: ServerResponse | undefined;
    let arrived!: () => void;
    const upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume().on('end', () => {
        pending = res;
        arrived();
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const idleInTx = async (): Promise<number> =>
      Number((await db.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`)).rows[0].n);
    try {
      for (const fault of [null, 'charge-in-transaction'] as const) {
        await withService(fault, async (running) => {
          const charged = new Promise<void>((r) => (arrived = r));
          const order = call(running.url, 'POST', '/orders', { customerId: 9, eventId: 3, quantity: 2 });
          await charged;
          assert.equal(await idleInTx(), fault ? 1 : 0, `${fault ?? 'healthy'}: sessions idle in transaction during the charge`);
          pending!.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'ch_test' }));
          assert.equal((await order).status, 201);
        }, upstreamUrl);
      }
    } finally {
      upstream.closeAllConnections();
      upstream.close();
    }
  });

  test('hold-counter-first: the event row is locked before the hold does any work', async () => {
    for (const fault of [null, 'hold-counter-first'] as const) {
      await withService(fault, async (running) => {
        const blocker = new pg.Client({ connectionString: pgServer.url });
        await blocker.connect();
        try {
          await blocker.query('BEGIN');
          await blocker.query('SELECT id FROM events WHERE id = 1 FOR UPDATE');
          const seat = 5000 + Math.floor(Math.random() * 5000);
          const hold = call(running.url, 'POST', '/events/1/holds', { seatId: seat, customerId: 31 });
          let waiting: { pid: number; query: string } | undefined;
          while (!waiting) {
            await sleep(50);
            waiting = (await db.query(`SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0];
          }
          const touchedHolds = (await db.query(`SELECT 1 FROM pg_locks WHERE pid = $1 AND relation = 'holds'::regclass`, [waiting.pid])).rowCount! > 0;
          assert.equal(touchedHolds, fault === null, `${fault ?? 'healthy'}: the hold was written before waiting for the event row (${waiting.query})`);
          await blocker.query('COMMIT');
          assert.equal((await hold).status, 201);
        } finally {
          await blocker.end();
        }
      });
    }
  });

  test('ticket-key-pbkdf2-sync: the QR is signed with a per-request PBKDF2 key', async () => {
    const code = 'TK10000005';
    const qrs: Record<string, string> = {};
    for (const fault of [null, 'ticket-key-pbkdf2-sync'] as const) {
      await withService(fault, async (running) => {
        qrs[fault ?? 'healthy'] = (JSON.parse((await call(running.url, 'GET', `/tickets/${code}`)).text) as { qr: string }).qr;
      });
    }
    const payload = qrs.healthy.split('.').slice(0, 3).join('.');
    const eventId = payload.split('.')[1];
    const key = pbkdf2Sync('venue-qr-master-secret-2026', `event:${eventId}`, 120_000, 32, 'sha256');
    assert.equal(qrs['ticket-key-pbkdf2-sync'], `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`);
    assert.notEqual(qrs.healthy, qrs['ticket-key-pbkdf2-sync']);
  });

  test('search-snapshot-clone: every search copies the catalog for its cursor', async () => {
    for (const fault of [null, 'search-snapshot-clone'] as const) {
      await withService(fault, async (running) => {
        const body = JSON.parse((await call(running.url, 'GET', '/events?city=Berlin')).text) as { cursor?: string; events: unknown[] };
        assert.equal(body.events.length > 0, true);
        assert.equal(typeof body.cursor, fault ? 'string' : 'undefined');
      });
    }
  });
});
