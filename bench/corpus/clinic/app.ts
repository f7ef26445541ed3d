/**
 * The clinic API: fastify + postgres.js + node-redis, Prometheus metrics via
 * prom-client. Patients, doctors, appointments, prescriptions, invoices and
 * insurance eligibility. Each planted fault (see faults.ts) is a branch
 * written the way the bug appears in real code.
 *
 * @module
 */
import { createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import postgres from 'postgres';
import client from 'prom-client';
import { createClient } from 'redis';
import type { ClinicFault } from './faults.js';

/** Configuration of {@link buildClinicApp}. */
export interface ClinicConfig {
  /** postgres URL of the application role. */
  pgUrl: string;
  redisUrl: string;
  /** Base URL of the insurer / SMS gateway. */
  upstreamUrl: string;
  fault: ClinicFault | null;
}

/** The app plus what must be closed on shutdown. */
export interface ClinicApp {
  app: FastifyInstance;
  close(): Promise<void>;
}

const PAGE_SIZE = 50;
/** Week 1 of the schedule API starts on Monday 2025-01-06. */
const WEEK_ONE = Date.UTC(2025, 0, 6);
const DAY_MS = 86_400_000;
/** Booking slots: 30-minute slots from 2027-01-04 08:00 UTC, 20 per day. */
const FIRST_SLOT = Date.UTC(2027, 0, 4, 8);
/** Patients with an outstanding balance (one in three, 20k): the front desk flags them. */
const FLAGGED_SET = 'patients:balance-due';
const SIGNING_SECRET = 'clinic-invoice-signing-secret';
const SIGNING_SALT = 'invoices-2026';
const KDF_ITERATIONS = 40_000;

interface Drug {
  code: string;
  name: string;
  atc: string;
  unitPriceCents: number;
  interactions: string[];
}

/** Reference data loaded once: the drug catalog (5,000 entries). */
function buildDrugCatalog(): Map<string, Drug> {
  const catalog = new Map<string, Drug>();
  const stems = ['amoxi', 'ibupro', 'parace', 'metfor', 'atorva', 'omepra', 'lisino', 'salbu', 'sertra', 'levoth'];
  for (let i = 0; i < 5000; i++) {
    const code = 'D' + String(i).padStart(5, '0');
    catalog.set(code, {
      code,
      name: `${stems[i % 10]}${['cillin', 'fen', 'tamol', 'min', 'statin', 'zole'][i % 6]} ${5 * (1 + (i % 40))} mg`,
      atc: `${'ABCDGHJLMNPRSV'[i % 14]}${String(i % 99).padStart(2, '0')}`,
      unitPriceCents: 50 + ((i * 37) % 4000),
      interactions: ['D' + String((i * 7) % 5000).padStart(5, '0'), 'D' + String((i * 13) % 5000).padStart(5, '0')],
    });
  }
  return catalog;
}

/** Build the fastify app (not listening yet). */
export async function buildClinicApp(config: ClinicConfig): Promise<ClinicApp> {
  const { fault } = config;
  const sql = postgres(config.pgUrl, {
    // The pool was cut to 3 "to protect the database" in the faulty build.
    max: fault === 'pool-held-across-upstream' ? 3 : 10,
    idle_timeout: 0,
    connection: { application_name: 'clinic-api' },
    onnotice: () => {},
  });
  const redis = createClient({ url: config.redisUrl });
  redis.on('error', () => {});
  await redis.connect();
  const leakedClients: postgres.Sql[] = [];

  // --- metrics -----------------------------------------------------------
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpDuration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const upstreamDuration = new client.Histogram({
    name: 'upstream_request_duration_seconds',
    help: 'Outgoing HTTP calls by upstream and operation',
    labelNames: ['upstream', 'operation', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const cacheOps = new client.Counter({
    name: 'cache_requests_total',
    help: 'Cache lookups by cache and result',
    labelNames: ['cache', 'result'],
    registers: [registry],
  });

  // --- reference data, startup work ---------------------------------------
  const drugCatalog = buildDrugCatalog();
  const drugCatalogList = [...drugCatalog.values()];
  // Derived once at startup: the key derivation is deliberately slow.
  const signingKey = pbkdf2Sync(SIGNING_SECRET, SIGNING_SALT, KDF_ITERATIONS, 32, 'sha256');
  // The clinic letterhead (an incompressible ~900 KB image) is served from the CDN in the healthy build.
  const letterhead = randomBytes(900 * 1024).toString('base64');
  const recentTimelines: { at: number; patientId: number; rows: unknown[]; html: string; body: string }[] = [];

  // The nightly billing job publishes patients with a balance due as a Redis set.
  if ((await redis.sCard(FLAGGED_SET)) === 0) {
    const members: string[] = [];
    for (let id = 1; id <= 60_000; id++) if (id % 3 === 1) members.push(String(id));
    for (let i = 0; i < members.length; i += 5000) await redis.sAdd(FLAGGED_SET, members.slice(i, i + 5000));
  }

  let maxAppointmentId = { value: 0, at: 0 };
  async function currentMaxAppointmentId(): Promise<number> {
    if (Date.now() - maxAppointmentId.at > 5000) {
      const [row] = await sql`select max(id)::bigint as max from appointments`;
      maxAppointmentId = { value: Number(row.max), at: Date.now() };
    }
    return maxAppointmentId.value;
  }

  async function callUpstream<T>(operation: string, path: string, init?: RequestInit): Promise<T> {
    const started = performance.now();
    let status = 'error';
    try {
      const res = await fetch(config.upstreamUrl + path, init);
      status = String(res.status);
      if (!res.ok) throw new Error(`insurer ${operation} answered ${res.status}`);
      return (await res.json()) as T;
    } finally {
      upstreamDuration.observe({ upstream: 'insurer', operation, status_code: status }, (performance.now() - started) / 1000);
    }
  }

  async function cached<T>(cache: string, key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    const hit = await redis.get(key);
    if (hit !== null) {
      cacheOps.inc({ cache, result: 'hit' });
      return JSON.parse(hit) as T;
    }
    cacheOps.inc({ cache, result: 'miss' });
    const value = await load();
    await redis.set(key, JSON.stringify(value), { EX: ttlSeconds });
    return value;
  }

  function renderTimeline(patientId: number, rows: Record<string, unknown>[]): string {
    const cards = rows.map(
      (r) =>
        `<article class="visit visit--${String(r.status)}"><header><time>${new Date(String(r.starts_at)).toISOString()}</time>` +
        `<span class="doctor">${String(r.doctor)}</span><span class="specialty">${String(r.specialty)}</span></header>` +
        `<p class="reason">${String(r.reason)}</p><p class="notes">${String(r.notes)}</p>` +
        `<details><summary>Doctor</summary><p>${String(r.doctor_bio)}</p></details></article>`,
    );
    return `<section class="timeline" data-patient="${patientId}">${cards.join('')}</section>`;
  }

  const app = Fastify({ logger: false, keepAliveTimeout: 30_000 });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined || route === '/metrics') return;
    httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.get('/health', async () => ({ ok: true }));
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });

  // --- GET /patients/:id ----------------------------------------------------
  app.get<{ Params: { id: string } }>('/patients/:id', async (request, reply) => {
    const id = Number(request.params.id);
    if (!Number.isInteger(id) || id < 1) return reply.code(400).send({ error: 'bad patient id' });
    const patient = await cached('patient', `patient:${id}`, 600, async () => {
      const [row] = await sql`select id, name, email, phone, birth_date, city, insurer_member_id, created_at from patients where id = ${id}`;
      return row ?? null;
    });
    if (patient === null) return reply.code(404).send({ error: 'patient not found' });
    let balanceDue: boolean;
    if (fault === 'redis-smembers-flag-check') {
      // Fetch the flagged list and look the patient up in it.
      const flagged = await redis.sMembers(FLAGGED_SET);
      balanceDue = flagged.includes(String(id));
    } else {
      balanceDue = (await redis.sIsMember(FLAGGED_SET, String(id))) === 1;
    }
    const email = fault === 'null-email-crash' ? (patient.email as string).toLowerCase() : ((patient.email as string | null)?.toLowerCase() ?? null);
    return { ...patient, email, balanceDue };
  });

  // --- GET /patients/:id/appointments ------------------------------------------
  app.get<{ Params: { id: string } }>('/patients/:id/appointments', async (request) => {
    const id = Number(request.params.id);
    const rows = await sql`
      select a.id, a.starts_at, a.status, a.reason, a.notes, d.name as doctor, d.bio as doctor_bio, s.name as specialty
      from appointments a
      join doctors d on d.id = a.doctor_id
      join specialties s on s.id = d.specialty_id
      where a.patient_id = ${id}
      order by a.starts_at desc
      limit 20`;
    const html = renderTimeline(id, rows);
    const body = { patientId: id, appointments: rows.map(({ doctor_bio: _bio, ...r }) => r), html };
    if (fault === 'timeline-leak') {
      // Keep the last 100 rendered timelines for the support debug page.
      recentTimelines.push({ at: Date.now(), patientId: id, rows: [...rows], html, body: JSON.stringify(body) });
      if (recentTimelines.length > 100) recentTimelines.slice(-100);
    }
    return body;
  });

  // --- GET /doctors/:id/schedule?week=N -----------------------------------------
  app.get<{ Params: { id: string }; Querystring: { week?: string } }>('/doctors/:id/schedule', async (request) => {
    const doctorId = Number(request.params.id);
    const week = Math.max(1, Number(request.query.week ?? 1) || 1);
    const from = new Date(WEEK_ONE + (week - 1) * 7 * DAY_MS);
    const to = new Date(from.getTime() + 7 * DAY_MS);
    if (fault === 'n-plus-one-schedule') {
      const visits = await sql`
        select id, patient_id, starts_at, duration_min, status, reason
        from appointments where doctor_id = ${doctorId} and starts_at >= ${from} and starts_at < ${to}
        order by starts_at`;
      const out = [];
      for (const visit of visits) {
        const [patient] = await sql`select id, name, phone from patients where id = ${visit.patient_id}`;
        const drugs = await sql`select drug_code from prescriptions where appointment_id = ${visit.id}`;
        out.push({ ...visit, patient: patient.name, phone: patient.phone, drugs: drugs.map((d) => d.drug_code) });
      }
      return { doctorId, week, visits: out };
    }
    const visits = await sql`
      select a.id, a.patient_id, a.starts_at, a.duration_min, a.status, a.reason, p.name as patient, p.phone,
             coalesce(json_agg(pr.drug_code) filter (where pr.id is not null), '[]') as drugs
      from appointments a
      join patients p on p.id = a.patient_id
      left join prescriptions pr on pr.appointment_id = a.id
      where a.doctor_id = ${doctorId} and a.starts_at >= ${from} and a.starts_at < ${to}
      group by a.id, p.id
      order by a.starts_at`;
    return { doctorId, week, visits };
  });

  // --- GET /appointments/:id ------------------------------------------------------
  app.get<{ Params: { id: string } }>('/appointments/:id', async (request, reply) => {
    const id = Number(request.params.id);
    const [row] = await sql`
      select a.id, a.starts_at, a.duration_min, a.status, a.reason, a.notes, a.patient_id, p.name as patient,
             a.doctor_id, d.name as doctor,
             coalesce(json_agg(json_build_object('drug', pr.drug_code, 'dose', pr.dose, 'days', pr.days))
                      filter (where pr.id is not null), '[]') as prescriptions
      from appointments a
      join patients p on p.id = a.patient_id
      join doctors d on d.id = a.doctor_id
      left join prescriptions pr on pr.appointment_id = a.id
      where a.id = ${id}
      group by a.id, p.name, d.name`;
    if (!row) return reply.code(404).send({ error: 'appointment not found' });
    // Defensive copy of the reference data so a handler can never mutate the shared catalog.
    const catalog =
      fault === 'catalog-clone-churn' ? new Map(structuredClone(drugCatalogList).map((d) => [d.code, d])) : drugCatalog;
    const prescriptions = (row.prescriptions as { drug: string; dose: string; days: number }[]).map((p) => {
      const drug = catalog.get(p.drug);
      return { ...p, name: drug?.name ?? 'unknown', atc: drug?.atc, interactions: drug?.interactions ?? [] };
    });
    return { ...row, prescriptions };
  });

  // --- POST /appointments ---------------------------------------------------------
  app.post<{ Body: { patientId: number; doctorId: number; slot: number } }>('/appointments', async (request, reply) => {
    const { patientId, doctorId, slot } = request.body ?? ({} as never);
    if (!Number.isInteger(patientId) || !Number.isInteger(doctorId) || !Number.isInteger(slot) || slot < 0) {
      return reply.code(400).send({ error: 'patientId, doctorId and slot are required integers' });
    }
    const startsAt = new Date(FIRST_SLOT + Math.floor(slot / 20) * DAY_MS + (slot % 20) * 30 * 60_000);
    const sms = () =>
      callUpstream('sms', '/v1/sms', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ patientId, text: `Your appointment on ${startsAt.toISOString()} is confirmed.` }),
      });
    if (fault === 'booking-counter-lock') {
      // Take the next invoice booking number first, so it is gap-free, and only
      // commit once the confirmation SMS went out.
      const result = await sql.begin(async (tx) => {
        const [counter] = await tx`select next_no from booking_counters where id = 1 for update`;
        const [conflict] = await tx`
          select id from appointments where doctor_id = ${doctorId} and starts_at = ${startsAt} and status <> 'cancelled'`;
        if (conflict) return null;
        const [created] = await tx`
          insert into appointments (patient_id, doctor_id, starts_at, duration_min, status, reason, notes, booking_no, created_at)
          values (${patientId}, ${doctorId}, ${startsAt}, 30, 'booked', 'Online booking', '', ${counter.next_no}, now())
          returning id, booking_no`;
        await tx`update booking_counters set next_no = next_no + 1 where id = 1`;
        await tx`update clinic_counters set bookings = bookings + 1 where clinic_id = (select clinic_id from doctors where id = ${doctorId})`;
        await sms();
        return created;
      });
      if (result === null) return reply.code(409).send({ error: 'slot taken' });
      return reply.code(201).send(result);
    }
    const result = await sql.begin(async (tx) => {
      const [conflict] = await tx`
        select id from appointments where doctor_id = ${doctorId} and starts_at = ${startsAt} and status <> 'cancelled'`;
      if (conflict) return null;
      const [created] = await tx`
        insert into appointments (patient_id, doctor_id, starts_at, duration_min, status, reason, notes, booking_no, created_at)
        values (${patientId}, ${doctorId}, ${startsAt}, 30, 'booked', 'Online booking', '', nextval('appointments_id_seq') + 1000000, now())
        returning id, booking_no`;
      // Counter rows last: their lock is held only until the commit right after.
      await tx`update clinic_counters set bookings = bookings + 1 where clinic_id = (select clinic_id from doctors where id = ${doctorId})`;
      return created;
    });
    if (result === null) return reply.code(409).send({ error: 'slot taken' });
    await sms();
    return reply.code(201).send(result);
  });

  // --- GET /appointments?page=N (back-office list, newest first) ----------------------
  app.get<{ Querystring: { page?: string } }>('/appointments', async (request) => {
    const page = Math.max(1, Number(request.query.page ?? 1) || 1);
    let rows;
    if (fault === 'deep-offset-pagination') {
      rows = await sql`
        select a.id, a.starts_at, a.status, a.reason, p.name as patient, d.name as doctor
        from appointments a join patients p on p.id = a.patient_id join doctors d on d.id = a.doctor_id
        order by a.id desc
        limit ${PAGE_SIZE} offset ${(page - 1) * PAGE_SIZE}`;
    } else {
      // Appointments are never deleted and ids are dense, so a page is an id window on the primary key.
      const top = (await currentMaxAppointmentId()) - (page - 1) * PAGE_SIZE;
      rows = await sql`
        select a.id, a.starts_at, a.status, a.reason, p.name as patient, d.name as doctor
        from appointments a join patients p on p.id = a.patient_id join doctors d on d.id = a.doctor_id
        where a.id <= ${top}
        order by a.id desc
        limit ${PAGE_SIZE}`;
    }
    const body: Record<string, unknown> = { page, pageSize: PAGE_SIZE, appointments: rows };
    if (fault === 'count-distinct-on-list') {
      // The back-office header shows totals on every page.
      const [totals] = await sql`select count(*)::int as appointments, count(distinct patient_id)::int as patients from appointments`;
      body.totals = totals;
    }
    return body;
  });

  // --- GET /doctors/:id/stats ---------------------------------------------------------
  app.get<{ Params: { id: string } }>('/doctors/:id/stats', async (request) => {
    const doctorId = Number(request.params.id);
    // Stats are recomputed daily: the cache key carries the day.
    const stamp = fault === 'cache-key-timestamp' ? new Date().toISOString() : new Date().toISOString().slice(0, 10);
    const months = await cached('doctor-stats', `doctor-stats:${doctorId}:${stamp}`, 3600, async () =>
      sql`
        select to_char(date_trunc('month', starts_at), 'YYYY-MM') as month, status, count(*)::int as visits,
               sum(duration_min)::int as minutes, count(distinct patient_id)::int as patients
        from appointments where doctor_id = ${doctorId}
        group by 1, 2 order by 1, 2`.then((r) => [...r]),
    );
    return { doctorId, months };
  });

  // --- GET /patients/:id/eligibility ----------------------------------------------------
  app.get<{ Params: { id: string } }>('/patients/:id/eligibility', async (request, reply) => {
    const id = Number(request.params.id);
    const path = fault === 'slow-insurer' ? '/v1/eligibility/' : '/v2/eligibility/';
    type Answer = { member: string; eligible: boolean; plan: string | null; copayCents: number | null };
    if (fault === 'pool-held-across-upstream') {
      // Lock the patient row while asking the insurer, so two checks cannot race.
      const answer = await sql.begin(async (tx) => {
        const [patient] = await tx`select insurer_member_id from patients where id = ${id} for update`;
        if (!patient) return null;
        const res = await callUpstream<Answer>('eligibility', path + patient.insurer_member_id);
        await tx`insert into eligibility_checks (patient_id, eligible, plan) values (${id}, ${res.eligible}, ${res.plan})`;
        return res;
      });
      if (answer === null) return reply.code(404).send({ error: 'patient not found' });
      return { patientId: id, ...answer };
    }
    const answer = await cached('eligibility', `eligibility:${id}`, 3600, async () => {
      const [patient] = await sql`select insurer_member_id from patients where id = ${id}`;
      if (!patient) return null;
      const res = await callUpstream<Answer>('eligibility', path + patient.insurer_member_id);
      if (fault === 'connection-per-request') {
        // Audit writes go through their own connection so they never wait behind API queries.
        const audit = postgres(config.pgUrl, { max: 1, connection: { application_name: 'clinic-audit' }, onnotice: () => {} });
        leakedClients.push(audit);
        await audit`insert into eligibility_checks (patient_id, eligible, plan) values (${id}, ${res.eligible}, ${res.plan})`;
      } else {
        await sql`insert into eligibility_checks (patient_id, eligible, plan) values (${id}, ${res.eligible}, ${res.plan})`;
      }
      return res;
    });
    if (answer === null) return reply.code(404).send({ error: 'patient not found' });
    return { patientId: id, ...answer };
  });

  // --- GET /appointments/:id/invoice ------------------------------------------------------
  app.get<{ Params: { id: string } }>('/appointments/:id/invoice', async (request, reply) => {
    const id = Number(request.params.id);
    const [visit] = await sql`
      select a.id, a.starts_at, a.duration_min, a.status, a.booking_no, p.name as patient, p.city, d.name as doctor, s.name as specialty
      from appointments a join patients p on p.id = a.patient_id join doctors d on d.id = a.doctor_id join specialties s on s.id = d.specialty_id
      where a.id = ${id}`;
    if (!visit) return reply.code(404).send({ error: 'appointment not found' });
    const drugs = await sql`select drug_code, days from prescriptions where appointment_id = ${id}`;
    const lines = [
      { item: `Consultation (${String(visit.specialty)}, ${Number(visit.duration_min)} min)`, cents: 2500 + 40 * Number(visit.duration_min) },
      ...drugs.map((d) => {
        const drug = drugCatalog.get(String(d.drug_code));
        return { item: drug?.name ?? String(d.drug_code), cents: (drug?.unitPriceCents ?? 0) * Number(d.days) };
      }),
    ];
    const invoice = {
      number: `INV-${String(visit.booking_no ?? 1_000_000 + id)}`,
      issuedAt: new Date(String(visit.starts_at)).toISOString(),
      patient: visit.patient,
      doctor: visit.doctor,
      lines,
      totalCents: lines.reduce((sum, l) => sum + l.cents, 0),
    };
    // Derive the signing key next to where it is used.
    const key = fault === 'sync-key-derivation' ? pbkdf2Sync(SIGNING_SECRET, SIGNING_SALT, KDF_ITERATIONS, 32, 'sha256') : signingKey;
    const signature = createHmac('sha256', key).update(JSON.stringify(invoice)).digest('hex');
    const letterheadField =
      fault === 'invoice-inline-logo' ? { letterhead: `data:image/png;base64,${letterhead}` } : { letterhead: '/static/letterhead.png' };
    return { ...invoice, ...letterheadField, signature };
  });

  return {
    app,
    async close() {
      await app.close();
      await Promise.allSettled(leakedClients.map((c) => c.end({ timeout: 1 })));
      await sql.end({ timeout: 2 });
      await redis.quit().catch(() => {});
    },
  };
}
