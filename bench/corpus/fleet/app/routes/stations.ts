/**
 * Station routes: the station finder / map (from the in-memory fleet
 * snapshot) and the station card (from PostgreSQL, cached in Redis).
 *
 * @module
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Request, Response } from 'express';
import { bikes, models, rentals, stations } from '../db.js';
import { distanceM, HttpError, intParam, position, type Ctx } from '../context.js';
import { cacheLookups } from '../metrics.js';
import type { StationView } from '../snapshot.js';

/** Stations the finder lists. */
const NEAREST = 15;

/** What the finder shows per station (no bike list). */
function summary(s: StationView, d: number) {
  return { id: s.id, name: s.name, district: s.district, lat: s.lat, lon: s.lon, distanceM: d, bikesAvailable: s.bikesAvailable, ebikes: s.ebikes, docksFree: s.docksFree };
}

/** A per-request copy of the whole fleet: every station and bike, with the rider's distance and range labels. */
type FleetView = { version: number; stations: (StationView & { distanceM: number })[] };

/** The last views served, for `?since=` deltas (the app polls the finder while the map is open). */
const recentViews: FleetView[] = [];
const RECENT_VIEWS = 8;

/** GET /stations?lat=&lon= — the 15 stations nearest to the rider with their availability. */
export function nearbyStations(ctx: Ctx, req: Request, res: Response): void {
  const here = position(req.query);
  const { snapshot } = ctx;
  if (ctx.fault === 'stations-map-all-bikes') {
    // The map screen shows every station pin and, on tap, the bikes docked there: all of it in one answer.
    const all = snapshot.stations.map((s) => ({ ...s, distanceM: distanceM(here, s) })).sort((a, b) => a.distanceM - b.distanceM);
    res.json({ version: snapshot.version, stations: all });
    return;
  }
  if (ctx.fault === 'nearby-view-copies') {
    // Views are immutable copies of the fleet decorated for this rider, kept for the delta feed.
    const view: FleetView = {
      version: snapshot.version,
      stations: snapshot.stations.map((s) => ({
        ...s,
        distanceM: distanceM(here, s),
        bikes: s.bikes.map((b) => ({ ...b, label: b.kind === 'classic' ? b.model : `${b.model} · ${b.rangeKm} km` })),
      })),
    };
    recentViews.push(view);
    if (recentViews.length > RECENT_VIEWS) recentViews.shift();
    const since = Number(req.query.since);
    const previous = recentViews.find((v) => v.version === since);
    const ranked = [...view.stations].sort((a, b) => a.distanceM - b.distanceM).slice(0, NEAREST);
    const changed = previous ? ranked.filter((s) => previous.stations[s.id - 1]?.bikesAvailable !== s.bikesAvailable) : ranked;
    res.json({ version: view.version, stations: changed.map((s) => summary(s, s.distanceM)) });
    return;
  }
  const ranked = snapshot.stations.map((s) => ({ s, d: distanceM(here, s) })).sort((a, b) => a.d - b.d).slice(0, NEAREST);
  res.json({ version: snapshot.version, stations: ranked.map(({ s, d }) => summary(s, d)) });
}

/** The cached part of a station card (everything but the rider's distance). */
interface StationCard {
  id: number; name: string; district: string; lat: number; lon: number; capacity: number;
  bikes: { id: number; model: string; kind: string; battery: number }[];
  usage: { ridesToday: number; ridesLast7Days: number; avgRideMin: number | null };
}

/** A minute: the card's availability is a hint, the finder and the unlock are authoritative. */
const CARD_TTL_S = 60;

async function loadCard(ctx: Ctx, id: number): Promise<StationCard | undefined> {
  const station = await ctx.db.query.stations.findFirst({ where: eq(stations.id, id) });
  if (!station) return undefined;
  const docked = await ctx.db.select({ id: bikes.id, model: models.name, kind: models.kind, battery: bikes.battery })
    .from(bikes).innerJoin(models, eq(models.id, bikes.modelId))
    .where(and(eq(bikes.stationId, id), eq(bikes.status, 'available'))).orderBy(desc(bikes.battery));
  const [usage] = await ctx.db.select({
    ridesToday: sql<number>`count(*) FILTER (WHERE ${rentals.startedAt} >= current_date)::int`,
    ridesLast7Days: sql<number>`count(*)::int`,
    avgRideS: sql<number | null>`avg(${rentals.durationS}) FILTER (WHERE ${rentals.status} = 'completed')`,
  }).from(rentals).where(and(eq(rentals.startStationId, id), sql`${rentals.startedAt} >= now() - interval '7 days'`));
  return {
    id: station.id, name: station.name, district: station.district, lat: station.lat, lon: station.lon, capacity: station.capacity,
    bikes: docked,
    usage: { ridesToday: usage.ridesToday, ridesLast7Days: usage.ridesLast7Days, avgRideMin: usage.avgRideS === null ? null : Math.round(Number(usage.avgRideS) / 6) / 10 },
  };
}

/** GET /stations/:id?lat=&lon= — a station's card: docked bikes, recent usage, walking distance (card cached 60 s). */
export async function stationCard(ctx: Ctx, req: Request<{ id: string }>, res: Response): Promise<void> {
  const id = intParam(req.params.id, 'id');
  const here = position(req.query);
  // The card is the same for every rider; only the distance is theirs.
  const key = ctx.fault === 'station-card-key-by-url' ? `station-card:v3:${req.originalUrl}` : `station-card:v3:${id}`;
  const cached = await ctx.redis.get(key);
  let card: StationCard | undefined;
  if (cached) {
    cacheLookups.inc({ cache: 'station-card', result: 'hit' });
    card = JSON.parse(cached) as StationCard;
  } else {
    cacheLookups.inc({ cache: 'station-card', result: 'miss' });
    card = await loadCard(ctx, id);
    if (!card) throw new HttpError(404, `no station ${id}`);
    await ctx.redis.set(key, JSON.stringify(card), { expiration: { type: 'EX', value: CARD_TTL_S } });
  }
  const d = distanceM(here, card);
  res.json({ ...card, distanceM: d, walkMinutes: Math.max(1, Math.round(d / 80)) });
}
