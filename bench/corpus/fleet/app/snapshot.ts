/**
 * The fleet snapshot: every station with its docked, rentable bikes, reloaded
 * from PostgreSQL every ten seconds in the background. The station finder and
 * the map read it instead of querying per request; a few seconds of
 * staleness is what the app shows anyway.
 *
 * @module
 */
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { bikes, models, stations, type Db } from './db.js';
import { bikesAvailable } from './metrics.js';

/** A rentable bike docked at a station. */
export interface DockedBike { id: number; model: string; kind: string; battery: number; rangeKm: number; frameNo: string }

/** A station with its docked, rentable bikes. */
export interface StationView {
  id: number; name: string; district: string; lat: number; lon: number; capacity: number;
  bikesAvailable: number; ebikes: number; docksFree: number; bikes: DockedBike[];
}

/** Reloads the stations and their bikes every `intervalMs`. */
export class FleetSnapshot {
  /** The stations of the last load, by id order. */
  stations: StationView[] = [];
  /** Increments with every load (clients compare it to skip unchanged maps). */
  version = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Db, private readonly intervalMs = 10_000) {}

  /** Load once, then keep reloading in the background. */
  async start(): Promise<void> {
    await this.load();
    this.timer = setInterval(() => void this.load().catch(() => {}), this.intervalMs);
  }

  /** Stop reloading. */
  stop(): void {
    clearInterval(this.timer);
  }

  private async load(): Promise<void> {
    const [stationRows, bikeRows] = await Promise.all([
      this.db.select().from(stations).orderBy(asc(stations.id)),
      this.db.select({
        id: bikes.id, stationId: bikes.stationId, battery: bikes.battery, frameNo: bikes.frameNo,
        model: models.name, kind: models.kind, rangeKm: models.rangeKm,
      }).from(bikes).innerJoin(models, eq(models.id, bikes.modelId))
        .where(and(eq(bikes.status, 'available'), isNotNull(bikes.stationId))).orderBy(asc(bikes.id)),
    ]);
    const byStation = new Map<number, DockedBike[]>();
    for (const b of bikeRows) {
      const rangeKm = b.kind === 'classic' ? 0 : Math.round((b.rangeKm * b.battery) / 100);
      const list = byStation.get(b.stationId!) ?? [];
      list.push({ id: b.id, model: b.model, kind: b.kind, battery: b.battery, rangeKm, frameNo: b.frameNo });
      byStation.set(b.stationId!, list);
    }
    this.stations = stationRows.map((s) => {
      const docked = byStation.get(s.id) ?? [];
      return {
        id: s.id, name: s.name, district: s.district, lat: s.lat, lon: s.lon, capacity: s.capacity,
        bikesAvailable: docked.length, ebikes: docked.filter((b) => b.kind !== 'classic').length,
        docksFree: Math.max(0, s.capacity - docked.length), bikes: docked,
      };
    });
    this.version++;
    bikesAvailable.set(bikeRows.length);
  }
}
