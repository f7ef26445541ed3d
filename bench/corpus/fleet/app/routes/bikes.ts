/**
 * Bike routes: the bike detail (model, dock, live lock telemetry, recent
 * workshop history) and riders' damage reports.
 *
 * @module
 */
import { desc, eq } from 'drizzle-orm';
import type { Request, Response } from 'express';
import { bikes, maintenanceLogs, type Db } from '../db.js';
import { HttpError, intParam, type Ctx } from '../context.js';
import type { Ping, Telemetry } from '../gateway.js';

type Reader = Pick<Db, 'query' | 'select'>;

async function loadBike(db: Reader, id: number) {
  const bike = await db.query.bikes.findFirst({
    where: eq(bikes.id, id),
    with: { model: true, station: { columns: { id: true, name: true, district: true } } },
  });
  if (!bike) throw new HttpError(404, `no bike ${id}`);
  return bike;
}

const recentMaintenance = (db: Reader, id: number) =>
  db.select({ id: maintenanceLogs.id, category: maintenanceLogs.category, status: maintenanceLogs.status, createdAt: maintenanceLogs.createdAt, resolvedAt: maintenanceLogs.resolvedAt })
    .from(maintenanceLogs).where(eq(maintenanceLogs.bikeId, id)).orderBy(desc(maintenanceLogs.createdAt)).limit(5);

/** Pings kept per bike for the battery chart, so it spans more than the gateway's one-hour window. */
const trails = new Map<number, Ping[]>();
const TRAIL_MAX = 1_440;

/** Merge fresh pings into the bike's trail; returns the last two hours of it. */
function trailOf(bikeId: number, samples: Ping[]): Ping[] {
  const trail = trails.get(bikeId) ?? [];
  const lastTs = trail.at(-1)?.ts ?? '';
  trail.push(...samples.filter((p) => p.ts > lastTs));
  trails.set(bikeId, trail);
  return trail.slice(-TRAIL_MAX);
}

/** Twelve points of battery level across `pings` for the sparkline. */
function sparkline(pings: Ping[]): number[] {
  const step = Math.max(1, Math.floor(pings.length / 12));
  return pings.filter((_, i) => i % step === 0).slice(-12).map((p) => p.batteryPct);
}

function live(t: Telemetry, pings: Ping[]) {
  const movingPings = t.samples.filter((p) => p.speedKmh > 0);
  const km = movingPings.reduce((sum, p) => sum + (p.speedKmh * 5) / 3600, 0);
  return { firmware: t.firmware, seenAt: t.latest.ts, lat: t.latest.lat, lon: t.latest.lon, locked: t.latest.locked, batteryPct: t.latest.batteryPct, kmLastHour: Math.round(km * 10) / 10, batteryTrend: sparkline(pings) };
}

/** GET /bikes/:id — a bike: model, dock, live lock telemetry and its last five workshop entries. */
export async function bikeDetail(ctx: Ctx, req: Request<{ id: string }>, res: Response): Promise<void> {
  const id = intParam(req.params.id, 'id');
  let body: unknown;
  if (ctx.fault === 'bike-detail-read-transaction') {
    // One consistent snapshot of the bike and its workshop history, telemetry in between.
    body = await ctx.db.transaction(async (tx) => {
      const bike = await loadBike(tx, id);
      const telemetry = await ctx.gateway.telemetry(id);
      const maintenance = await recentMaintenance(tx, id);
      return { ...bike, live: live(telemetry, telemetry.samples), maintenance };
    }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
  } else {
    const bike = await loadBike(ctx.db, id);
    const telemetry = await ctx.gateway.telemetry(id);
    const pings = ctx.fault === 'telemetry-trail-leak' ? trailOf(id, telemetry.samples) : telemetry.samples;
    const maintenance = await recentMaintenance(ctx.db, id);
    body = { ...bike, live: live(telemetry, pings), maintenance };
  }
  res.json(body);
}

/** Damage categories the rider app offers. */
export const REPORT_CATEGORIES = ['flat_tire', 'brakes', 'chain', 'lights', 'bell', 'other'] as const;
type Category = (typeof REPORT_CATEGORIES)[number];

/** Workshop severity and response time per category. */
const SLA: Record<Category, { severity: number; hours: number }> = {
  brakes: { severity: 3, hours: 4 }, flat_tire: { severity: 2, hours: 12 }, chain: { severity: 2, hours: 24 },
  lights: { severity: 2, hours: 24 }, bell: { severity: 1, hours: 72 }, other: { severity: 1, hours: 72 },
};

/** The workshop's table from before the app split 'lights_bell' into 'lights' and 'bell'. */
const SLA_V1: Record<string, { severity: number; hours: number }> = {
  brakes: { severity: 3, hours: 4 }, flat_tire: { severity: 2, hours: 12 }, chain: { severity: 2, hours: 24 },
  lights_bell: { severity: 2, hours: 24 }, other: { severity: 1, hours: 72 },
};

/** POST /bikes/:id/reports {riderId, category, note} — a rider reports damage; brake reports flag the bike for service. */
export async function reportDamage(ctx: Ctx, req: Request<{ id: string }>, res: Response): Promise<void> {
  const id = intParam(req.params.id, 'id');
  const input = (req.body ?? {}) as Record<string, unknown>;
  const riderId = intParam(input.riderId, 'riderId');
  const category = String(input.category);
  if (!(REPORT_CATEGORIES as readonly string[]).includes(category)) throw new HttpError(400, `unknown category '${category}'`);
  const note = typeof input.note === 'string' ? input.note.slice(0, 500) : '';
  const [bike] = await ctx.db.select({ id: bikes.id }).from(bikes).where(eq(bikes.id, id));
  if (!bike) throw new HttpError(404, `no bike ${id}`);
  const sla = ctx.fault === 'report-category-sla-crash' ? SLA_V1[category] : SLA[category as Category];
  const now = new Date();
  const dueAt = new Date(now.getTime() + sla.hours * 3_600_000);
  const [report] = await ctx.db.insert(maintenanceLogs).values({
    bikeId: id, category, severity: sla.severity, note: note || `Reported via app: ${category}`, status: 'open', reportedBy: riderId, dueAt, createdAt: now,
  }).returning({ id: maintenanceLogs.id });
  if (sla.severity >= 3) await ctx.db.update(bikes).set({ serviceDue: true }).where(eq(bikes.id, id));
  res.status(201).json({ id: report.id, bikeId: id, category, severity: sla.severity, dueAt });
}
