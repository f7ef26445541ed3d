/**
 * Smoke test of the academy corpus service (not of diagnosis): seed a real
 * PostgreSQL, start the service for every case (healthy and each fault)
 * against real Redis, serve two rounds of the case's mix and check that
 * nothing answers 5xx except the error-rate fault's endpoint; then that a
 * few faults are planted (and absent when healthy): the index plan of the
 * attempt limit, course-page cache hits, the catalogue's payload size, the
 * sign-in crash of legacy accounts, the transaction open during a
 * certificate render.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../../../test/harness/postgres.js';
import { startRedis, type TestRedis } from '../../../test/harness/redis.js';
import type { CorpusCase, RunningService } from '../types.js';
import { ACADEMY_FAULTS, type AcademyFault } from './faults.js';
import { mediaEnv, service } from './index.js';
import { FIXTURE_PASSWORD } from './schema.js';

const pick = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));

/** Fill in the `randomInt` / `randomChoice` templates of a mix path or body (a lone randomInt becomes a number). */
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
  if (Array.isArray(value)) return value.map(fill);
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
async function withService(fault: AcademyFault | null, body: (s: RunningService) => Promise<void>, upstreamUrl?: string): Promise<void> {
  const running = await service.start({ pgUrl: pgServer.url, redisUrl: redis.url, fault, upstreamUrl });
  try {
    await body(running);
  } finally {
    await running.stop();
  }
  assert.throws(() => process.kill(running.pid, 0), 'service process is gone after stop()');
}

describe('academy corpus service', () => {
  test('one case per fault plus healthy; expected endpoints are in their mixes; rates ordered', () => {
    assert.deepEqual(new Set(service.cases.map((c) => c.fault)), new Set([null, ...ACADEMY_FAULTS]));
    assert.equal(service.cases.length, 13);
    for (const c of service.cases) {
      assert.ok(c.moderateRate > 0 && c.overloadRate > c.moderateRate, c.id);
      if (c.expect) assert.ok(c.mix.some((m) => m.endpoint === c.expect!.endpoint), `${c.id}: expected endpoint in mix`);
      assert.equal(new Set(c.mix.map((m) => m.endpoint)).size, 10, `${c.id}: all ten endpoints in the mix`);
    }
    assert.equal(mediaEnv('media-signer-slow').MEDIA_SIGN_MS, '700-1500');
    assert.equal(mediaEnv(null).MEDIA_SIGN_MS, '25-60');
  });

  test('every case serves two rounds of its mix without 5xx (but the error-rate endpoint); metrics carry route templates and the pool', async () => {
    for (const c of service.cases as CorpusCase[]) {
      await withService(c.fault as AcademyFault | null, async (running) => {
        for (let round = 0; round < 2; round++) {
          for (const entry of c.mix) {
            const res = await call(running.url, entry.method, String(fill(entry.path)), fill(entry.body));
            const errorsAllowed = c.expect?.category === 'error-rate' && c.expect.endpoint === entry.endpoint;
            assert.ok(res.status < 500 || errorsAllowed, `${c.id} ${entry.endpoint}: ${res.status} ${res.text.slice(0, 200)}`);
            assert.ok([200, 201, 404, 409].includes(res.status) || errorsAllowed, `${c.id} ${entry.endpoint}: ${res.status} ${res.text.slice(0, 200)}`);
          }
        }
        const metrics = await (await fetch(running.metricsUrl!)).text();
        assert.match(metrics, /http_request_duration_seconds_count\{method="GET",route="\/courses\/:id",status_code="200"\}/);
        assert.match(metrics, /pg_pool_connections\{state="max"\} 5/);
        assert.match(metrics, /nodejs_eventloop_lag_seconds/);
      });
    }
  });

  test('missing-index-attempts-learner: the deploy lacks the index and the attempt count scans; a healthy deploy puts it back', async () => {
    const count = `SELECT count(*) FROM quiz_attempts WHERE learner_id = 17 AND quiz_id = 99`;
    const plan = async (): Promise<string> => (await db.query(`EXPLAIN ${count}`)).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    await withService('missing-index-attempts-learner', async () => assert.match(await plan(), /Seq Scan on quiz_attempts/));
    await withService(null, async () => assert.doesNotMatch(await plan(), /Seq Scan/));
  });

  test('course-page-ttl-negative: the course page cache hits only when healthy', async () => {
    for (const fault of [null, 'course-page-ttl-negative'] as const) {
      await withService(fault, async (running) => {
        for (let i = 0; i < 3; i++) assert.equal((await call(running.url, 'GET', '/courses/7')).status, 200);
        const metrics = await (await fetch(running.metricsUrl!)).text();
        const hits = Number(/academy_cache_lookups_total\{cache="course-page",result="hit"\} (\d+)/.exec(metrics)?.[1] ?? 0);
        assert.equal(hits, fault === null ? 2 : 0, `${fault ?? 'healthy'}: course-page hits`);
      });
    }
  });

  test('catalogue-embeds-outline: a search page grows from kilobytes to more than half a megabyte', async () => {
    const search = '/courses?category=data-science&level=beginner';
    let healthy = 0;
    await withService(null, async (running) => {
      healthy = (await call(running.url, 'GET', search)).text.length;
    });
    await withService('catalogue-embeds-outline', async (running) => {
      const faulty = (await call(running.url, 'GET', search)).text.length;
      assert.ok(healthy < 12_000 && faulty > 500_000, `healthy ${healthy} B, faulty ${faulty} B`);
    });
  });

  test('legacy-hash-crash: imported accounts answer 500, healthy 201', async () => {
    const signIn = (n: number) => ({ email: `learner${n}@example.com`, password: FIXTURE_PASSWORD });
    await withService('legacy-hash-crash', async (running) => {
      assert.equal((await call(running.url, 'POST', '/sessions', signIn(35))).status, 500);
      assert.equal((await call(running.url, 'POST', '/sessions', signIn(36))).status, 201);
    });
    await withService(null, async (running) => {
      assert.equal((await call(running.url, 'POST', '/sessions', signIn(35))).status, 201);
      assert.equal((await call(running.url, 'POST', '/sessions', { ...signIn(35), password: 'nope' })).status, 401);
    });
  });

  test('certificate-render-in-tx: a transaction stays open while the media service renders', async () => {
    let pending: ServerResponse | undefined;
    let arrived: () => void = () => {};
    const media = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume().on('end', () => {
        pending = res;
        arrived();
      });
    });
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
    const idleInTx = async (): Promise<number> =>
      Number((await db.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`)).rows[0].n);
    try {
      let enrolmentId = 500;
      for (const fault of [null, 'certificate-render-in-tx'] as const) {
        await withService(fault, async (running) => {
          const wait = new Promise<void>((r) => (arrived = r));
          const claim = call(running.url, 'POST', '/certificates', { enrolmentId: ++enrolmentId });
          await wait;
          assert.equal(await idleInTx(), fault ? 1 : 0, `${fault ?? 'healthy'}: sessions idle in transaction during the render`);
          pending!.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ documentId: 'd', url: 'https://x/d.pdf', sha256: 'ab', pages: 1 }));
          assert.equal((await claim).status, 201);
        }, url);
      }
    } finally {
      media.closeAllConnections();
      media.close();
    }
  });
});
