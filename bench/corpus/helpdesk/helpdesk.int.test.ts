/**
 * The helpdesk corpus service end to end on a real PostgreSQL and Redis:
 * seed, start the healthy build and hit every endpoint of the load mixes
 * once (2xx), check the index-drop migration both ways, then start the
 * `csat-duplicate-insert` build, where answering a survey a second time
 * fails (500) while every other endpoint still answers 2xx.
 *
 * Run: node --import tsx bench/corpus/helpdesk/helpdesk.int.test.ts
 *
 * @module
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startPostgres, type TestPostgres } from '../../../test/harness/postgres.js';
import { startRedis, type TestRedis } from '../../../test/harness/redis.js';
import { HELPDESK_FAULTS } from './faults.js';
import { service } from './index.js';
import { migrateHelpdesk } from './schema.js';

let pg: TestPostgres;
let redis: TestRedis;

before(async () => {
  [pg, redis] = await Promise.all([startPostgres({ preload: false }), startRedis()]);
  await service.seed(pg.url);
}, { timeout: 180_000 });

after(async () => {
  await Promise.allSettled([pg?.stop(), redis?.stop()]);
});

interface Call {
  endpoint: string;
  method: string;
  path: string;
  body?: unknown;
}

/** One request per endpoint of the mixes, with ids that exist in the seed. */
function calls(csatTicket: number): Call[] {
  return [
    { endpoint: 'POST /auth/sign-in', method: 'POST', path: '/auth/sign-in', body: { email: 'agent17@helpdesk.test', password: 'correct horse battery staple' } },
    { endpoint: 'GET /tickets', method: 'GET', path: '/tickets?org=5&status=open&limit=50' },
    { endpoint: 'GET /tickets/:id', method: 'GET', path: '/tickets/123?agent=7' },
    { endpoint: 'POST /tickets', method: 'POST', path: '/tickets', body: { org: '1', email: 'c201@example.net', subject: 'Refund not received', body: 'Hello, my refund and invoice are wrong. Thanks' } },
    { endpoint: 'POST /tickets/:id/replies', method: 'POST', path: '/tickets/55/replies', body: { agentId: '55', body: 'Thanks, we refunded the charge.' } },
    { endpoint: 'POST /tickets/:id/csat', method: 'POST', path: `/tickets/${csatTicket}/csat`, body: { score: '4', comment: 'Great help' } },
    { endpoint: 'GET /customers/lookup', method: 'GET', path: '/customers/lookup?email=c777@example.net' },
    { endpoint: 'GET /agents/:id/queue', method: 'GET', path: '/agents/777/queue' },
    { endpoint: 'GET /orgs/:id/dashboard', method: 'GET', path: '/orgs/7/dashboard' },
    { endpoint: 'GET /orgs/:id/macros', method: 'GET', path: '/orgs/7/macros' },
    { endpoint: 'GET /reports/sla', method: 'GET', path: '/reports/sla?org=7' },
  ];
}

async function hit(baseUrl: string, call: Call): Promise<{ status: number; body: string }> {
  const res = await fetch(baseUrl + call.path, {
    method: call.method,
    headers: call.body ? { 'content-type': 'application/json' } : {},
    body: call.body ? JSON.stringify(call.body) : undefined,
  });
  return { status: res.status, body: await res.text() };
}

async function ticketWithCsat(): Promise<number> {
  const [row] = await pg.query<{ ticket_id: number }>('SELECT ticket_id FROM csat_responses ORDER BY ticket_id LIMIT 1');
  return row!.ticket_id;
}

test('the cases are well formed', () => {
  assert.equal(service.cases.length, 13);
  assert.equal(service.cases.filter((c) => c.fault === null).length, 1);
  const faults = service.cases.map((c) => c.fault).filter((f) => f !== null);
  assert.deepEqual([...faults].sort(), [...HELPDESK_FAULTS].sort());
  const endpoints = new Set(calls(1).map((c) => c.endpoint));
  for (const c of service.cases) {
    assert.ok(c.overloadRate > c.moderateRate && c.moderateRate > 0, c.id);
    for (const m of c.mix) assert.ok(endpoints.has(m.endpoint), `${c.id}: ${m.endpoint}`);
    if (c.expect) assert.ok(c.mix.some((m) => m.endpoint === c.expect!.endpoint), `${c.id}: expected endpoint is in the mix`);
  }
});

test('healthy build: every endpoint answers 2xx', { timeout: 120_000 }, async () => {
  const running = await service.start({ pgUrl: pg.url, redisUrl: redis.url, fault: null });
  try {
    assert.equal(running.metricsUrl, undefined);
    for (const call of calls(await ticketWithCsat())) {
      const { status, body } = await hit(running.url, call);
      assert.ok(status >= 200 && status < 300, `${call.endpoint}: ${status} ${body.slice(0, 200)}`);
    }
    const page = JSON.parse((await hit(running.url, { endpoint: 'GET /tickets/:id', method: 'GET', path: '/tickets/123?agent=9' })).body);
    assert.deepEqual(page.viewers, [7], 'agent 7 viewed ticket 123 just before');
  } finally {
    await running.stop();
  }
});

test('the index-drop migration is idempotent both ways', { timeout: 60_000 }, async () => {
  const hasIndex = async (): Promise<boolean> => (await pg.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'customers_email_idx'`)).length === 1;
  await migrateHelpdesk(pg.url, 'customers-email-index-dropped');
  await migrateHelpdesk(pg.url, 'customers-email-index-dropped');
  assert.equal(await hasIndex(), false);
  await migrateHelpdesk(pg.url, null);
  await migrateHelpdesk(pg.url, null);
  assert.equal(await hasIndex(), true);
});

test('csat-duplicate-insert build: a repeated survey answer fails, the rest answers 2xx', { timeout: 120_000 }, async () => {
  const running = await service.start({ pgUrl: pg.url, redisUrl: redis.url, fault: 'csat-duplicate-insert' });
  try {
    for (const call of calls(await ticketWithCsat())) {
      const { status, body } = await hit(running.url, call);
      if (call.endpoint === 'POST /tickets/:id/csat') assert.equal(status, 500, `${call.endpoint}: ${body}`);
      else assert.ok(status >= 200 && status < 300, `${call.endpoint}: ${status} ${body.slice(0, 200)}`);
    }
    const [fresh] = await pg.query<{ id: number }>('SELECT t.id FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM csat_responses r WHERE r.ticket_id = t.id) LIMIT 1');
    const first = await hit(running.url, { endpoint: 'POST /tickets/:id/csat', method: 'POST', path: `/tickets/${fresh!.id}/csat`, body: { score: '5' } });
    assert.equal(first.status, 201, 'a first answer still works');
  } finally {
    await running.stop();
  }
});
