/**
 * Smoke test of the ledger corpus service (not of diagnosis): seed a real
 * PostgreSQL, start the service with each case's fault against real Redis,
 * call every endpoint of the mix a few times, check the statuses and a cheap
 * sign that the fault is planted (and absent in the other builds). Bounded:
 * about 5 s per case.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { startPostgres, type TestPostgres } from '../../../test/harness/postgres.js';
import { startRedis, type TestRedis } from '../../../test/harness/redis.js';
import type { CorpusCase } from '../types.js';
import { LEDGER_FAULTS, parseFault } from './faults.js';
import { service } from './index.js';
import { FEE_ACCOUNT_ID, INDEXES, missingIndexes } from './schema.js';

/** Expand the randomInt/randomChoice templates of a mix path or body. */
function expand(value: unknown): unknown {
  if (typeof value === 'string') {
    const one = (expr: string): string => {
      const int = /^randomInt\((\d+),\s*(\d+)\)$/.exec(expr);
      if (int) return String(Number(int[1]) + Math.floor(Math.random() * (Number(int[2]) - Number(int[1]) + 1)));
      const choice = /^randomChoice\((.*)\)$/.exec(expr);
      if (choice) {
        const options = choice[1].split(',').map((s) => s.trim().replace(/^'|'$/g, ''));
        return options[Math.floor(Math.random() * options.length)];
      }
      throw new Error(`unexpected template ${expr}`);
    };
    const whole = /^\{\{\s*(randomInt\(.*\))\s*\}\}$/.exec(value);
    if (whole) return Number(one(whole[1]));
    return value.replace(/\{\{\s*(.*?)\s*\}\}/g, (_m, expr: string) => one(expr));
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
  return value;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  const res = await fetch(base + path, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - started };
}

// One seeded database and one Redis for every case; each case's start() re-migrates and flushes.
let pg: TestPostgres;
let redis: TestRedis;
before(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  await service.seed(pg.url);
});
after(() => Promise.allSettled([redis?.stop(), pg?.stop()]));

describe('ledger corpus service', () => {
  test('one case per fault plus healthy; expected endpoints are in their mixes; rates ordered', () => {
    assert.deepEqual(new Set(service.cases.map((c) => c.fault)), new Set([null, ...LEDGER_FAULTS]));
    assert.equal(service.cases.length, LEDGER_FAULTS.length + 1);
    for (const c of service.cases) {
      assert.ok(c.moderateRate > 0 && c.overloadRate > c.moderateRate, c.id);
      if (c.expect) assert.ok(c.mix.some((m) => m.endpoint === c.expect!.endpoint), `${c.id}: expected endpoint in mix`);
      assert.equal(new Set(c.mix.map((m) => m.endpoint)).size, 9, `${c.id}: all nine endpoints in the mix`);
    }
  });

  test('seed loaded the expected volumes', async () => {
    const [row] = await pg.query<{ accounts: string; transfers: string; entries: string }>(
      'SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM transfers) AS transfers, (SELECT count(*) FROM entries) AS entries',
    );
    assert.equal(Number(row.accounts), 8000);
    assert.equal(Number(row.transfers), 200_000);
    assert.ok(Number(row.entries) > 900_000, `${row.entries} entries`);
  });

  for (const c of service.cases) {
    test(`${c.id}: every endpoint answers, the fault is planted`, async () => {
      const running = await service.start({ pgUrl: pg.url, redisUrl: redis.url, fault: c.fault });
      try {
        for (const entry of c.mix) {
          for (let i = 0; i < 2; i++) {
            const res = await call(running.url, entry.method, String(expand(entry.path)), expand(entry.body));
            // 409: a frozen account or the same account twice; 500 only where the fault is a crash.
            const ok = [200, 201, 409];
            if (c.fault === 'quote-minor-units-crash' && entry.endpoint === 'GET /fx/quote') ok.push(500);
            assert.ok(ok.includes(res.status), `${c.id} ${entry.endpoint}: ${res.status} ${res.text.slice(0, 200)}`);
          }
        }
        await checkSymptoms(c, running.url);
        const metrics = await (await fetch(running.metricsUrl!)).text();
        assert.match(metrics, /http_request_duration_seconds_count\{method="GET",route="\/accounts\/:id\/entries",status_code="200"\}/);
        assert.match(metrics, /nodejs_eventloop_lag_p99_seconds/);
      } finally {
        await running.stop();
      }
      assert.throws(() => process.kill(running.pid, 0), 'service process is gone after stop()');
    });
  }
});

async function checkSymptoms(c: CorpusCase, url: string): Promise<void> {
  const present = new Set((await pg.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")).map((r) => r.indexname));
  for (const name of Object.keys(INDEXES)) {
    assert.equal(present.has(name), !missingIndexes(parseFault(c.fault)).includes(name as keyof typeof INDEXES), `index ${name}`);
  }

  const yen = await call(url, 'GET', '/fx/quote?from=EUR&to=JPY&amount=10000');
  assert.equal(yen.status, c.fault === 'quote-minor-units-crash' ? 500 : 200, 'a yen quote');

  const feed = await call(url, 'GET', `/transfers/feed?before=${Math.floor(Date.now() / 1000) - 30 * 86_400}`);
  assert.equal(feed.text.length > 500_000, c.fault === 'feed-page-1000-embedded', `feed is ${feed.text.length} bytes`);

  // The summary cache: a second read of the same account within the TTL is a hit, unless the TTL is 60 ms.
  await call(url, 'GET', '/accounts/9');
  await new Promise((r) => setTimeout(r, 150));
  await call(url, 'GET', '/accounts/9');
  const hits = Number(/cache_requests_total\{cache="account-summary",result="hit"\} (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? 0);
  assert.equal(hits > 0, c.fault !== 'account-cache-ttl-ms', `account-summary cache hits: ${hits}`);

  const client = new Redis(redis.url);
  try {
    const stats = await client.info('commandstats');
    assert.equal(/cmdstat_keys:/.test(stats), c.fault === 'limits-keys-scan', 'KEYS was called');
    await client.config('RESETSTAT');
  } finally {
    client.disconnect();
  }

  const [fee] = await pg.query<{ balance: string }>('SELECT balance_cents AS balance FROM accounts WHERE id = $1', [FEE_ACCOUNT_ID]);
  const posted = await call(url, 'POST', '/transfers', { fromAccountId: 4321, toAccountId: 1234, amountCents: 5000, memo: 'Rent' });
  assert.equal(posted.status, 201, posted.text);
  const [feeAfter] = await pg.query<{ balance: string }>('SELECT balance_cents AS balance FROM accounts WHERE id = $1', [FEE_ACCOUNT_ID]);
  assert.equal(Number(feeAfter.balance) > Number(fee.balance), c.fault === 'fee-account-hot-row', 'fee account updated in the transfer');
  if (c.fault === 'risk-api-slow') assert.ok(posted.ms >= 250, `slow risk engine answered in ${posted.ms} ms`);

  if (c.fault === 'history-pool-per-request') {
    const count = async (): Promise<number> => Number((await pg.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'"))[0].n);
    const before = await count();
    for (let i = 0; i < 5; i++) await call(url, 'GET', `/accounts/${100 + i}/entries`);
    assert.ok((await count()) >= before + 5, 'each history read leaves a connection open');
  }
}
