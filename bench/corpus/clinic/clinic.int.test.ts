/**
 * Smoke test of the clinic corpus service (not of diagnosis): seed a real
 * PostgreSQL, start the service with each fault against real Redis, hit every
 * endpoint of the case's mix a few times, check status codes and that the
 * fault's observable symptom is there (or absent when healthy).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPostgres, type TestPostgres } from '../../../test/harness/postgres.js';
import { startRedis, type TestRedis } from '../../../test/harness/redis.js';
import type { CorpusCase } from '../types.js';
import { CLINIC_FAULTS } from './faults.js';
import { service } from './index.js';

/** Expand the randomInt templates of a mix path or body (the only template the clinic mixes use). */
function expand(value: unknown): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*randomInt\((\d+),\s*(\d+)\)\s*\}\}$/.exec(value);
    if (whole) return Number(whole[1]) + Math.floor(Math.random() * (Number(whole[2]) - Number(whole[1]) + 1));
    return value.replace(/\{\{\s*randomInt\((\d+),\s*(\d+)\)\s*\}\}/g, (_m, lo: string, hi: string) =>
      String(Number(lo) + Math.floor(Math.random() * (Number(hi) - Number(lo) + 1))),
    );
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
  return value;
}

async function hit(baseUrl: string, entry: CorpusCase['mix'][number]): Promise<{ status: number; body: string }> {
  const res = await fetch(baseUrl + String(expand(entry.path)), {
    method: entry.method,
    ...(entry.body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(expand(entry.body)) }),
  });
  return { status: res.status, body: await res.text() };
}

let pg: TestPostgres;
let redis: TestRedis;

before(async () => {
  pg = await startPostgres();
  redis = await startRedis();
  await service.seed(pg.url);
});

after(async () => {
  await redis?.stop();
  await pg?.stop();
});

describe('clinic corpus service', () => {
  test('has one case per fault plus a healthy one, with endpoints from its routes', () => {
    const faults = service.cases.map((c) => c.fault);
    assert.deepEqual(new Set(faults), new Set([null, ...CLINIC_FAULTS]));
    for (const c of service.cases) {
      assert.ok(c.moderateRate > 0 && c.overloadRate > c.moderateRate, c.id);
      if (c.expect) assert.ok(c.mix.some((m) => m.endpoint === c.expect!.endpoint), `${c.id}: expected endpoint is in the mix`);
    }
  });

  test('seed loaded the expected row counts', async () => {
    const [row] = await pg.query<{ patients: string; appointments: string; prescriptions: string }>(
      'select (select count(*) from patients) as patients, (select count(*) from appointments) as appointments, (select count(*) from prescriptions) as prescriptions',
    );
    assert.equal(Number(row.patients), 60_000);
    assert.ok(Number(row.appointments) >= 300_000);
    assert.ok(Number(row.prescriptions) >= 150_000);
  });

  for (const c of service.cases) {
    test(`${c.id}: every endpoint answers`, async () => {
      const running = await service.start({ pgUrl: pg.url, redisUrl: redis.url, fault: c.fault });
      try {
        for (const entry of c.mix) {
          for (let i = 0; i < 3; i++) {
            const { status } = await hit(running.url, entry);
            // 409: a random booking slot already taken; 500 only where the fault is a crash.
            const ok = [200, 201, 409];
            if (c.fault === 'null-email-crash' && entry.endpoint === 'GET /patients/:id') ok.push(500);
            assert.ok(ok.includes(status), `${c.id} ${entry.endpoint}: status ${status}`);
          }
        }
        await checkSymptom(c, running.url);
        const metrics = await (await fetch(running.metricsUrl!)).text();
        assert.match(metrics, /http_request_duration_seconds_count\{method="GET",route="\/patients\/:id"/);
        assert.match(metrics, /nodejs_heap_size_used_bytes/);
      } finally {
        await running.stop();
      }
      assert.throws(() => process.kill(running.pid, 0), 'service process is gone after stop()');
    });
  }
});

/** The observable symptom of each fault that is cheap to check, and its absence in the healthy build. */
async function checkSymptom(c: CorpusCase, url: string): Promise<void> {
  const indexes = (await pg.query<{ indexname: string }>("select indexname from pg_indexes where schemaname = 'public'")).map((r) => r.indexname);
  assert.equal(indexes.includes('appointments_patient_starts_idx'), c.fault !== 'missing-index-patient-history', 'patient index');
  assert.equal(indexes.includes('prescriptions_appointment_idx'), c.fault !== 'missing-index-prescriptions-join', 'prescriptions index');

  // Patient 3 has no e-mail address (every 8th patient from 3).
  const patient = await fetch(`${url}/patients/3`);
  assert.equal(patient.status, c.fault === 'null-email-crash' ? 500 : 200);
  await patient.arrayBuffer();

  const invoice = await (await fetch(`${url}/appointments/77/invoice`)).text();
  assert.equal(invoice.length > 1_000_000, c.fault === 'invoice-inline-logo', `invoice size ${invoice.length}`);

  const list = JSON.parse(await (await fetch(`${url}/appointments?page=2`)).text()) as { appointments: unknown[]; totals?: unknown };
  assert.equal(list.appointments.length, 50);
  assert.equal(list.totals !== undefined, c.fault === 'count-distinct-on-list');

  if (c.fault === 'cache-key-timestamp' || c.fault === null) {
    await fetch(`${url}/doctors/9/stats`).then((r) => r.arrayBuffer());
    await new Promise((r) => setTimeout(r, 5));
    await fetch(`${url}/doctors/9/stats`).then((r) => r.arrayBuffer());
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const hits = /cache_requests_total\{cache="doctor-stats",result="hit"\} (\d+)/.exec(metrics);
    assert.equal(hits !== null && Number(hits[1]) > 0, c.fault === null, 'doctor-stats cache hits');
  }
}
