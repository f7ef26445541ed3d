/**
 * The fleet's database access: drizzle-orm over a node-postgres Pool of 5
 * connections (the per-replica budget), the tables and their relations.
 *
 * @module
 */
import { relations } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { boolean, date, doublePrecision, integer, pgTable, serial, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import pg from 'pg';

/** Connections of the pool. */
export const POOL_MAX = 5;

const ts = (name: string) => timestamp(name, { withTimezone: true });

/** Bike models with their tariff. */
export const models = pgTable('models', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
  rangeKm: integer('range_km').notNull(),
  unlockFeeCents: integer('unlock_fee_cents').notNull(),
  perMinuteCents: integer('per_minute_cents').notNull(),
});

/** Docking stations. */
export const stations = pgTable('stations', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  district: text('district').notNull(),
  lat: doublePrecision('lat').notNull(),
  lon: doublePrecision('lon').notNull(),
  capacity: integer('capacity').notNull(),
  bikesAvailable: integer('bikes_available').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/** Bikes; `stationId` is null while ridden. */
export const bikes = pgTable('bikes', {
  id: integer('id').primaryKey(),
  modelId: integer('model_id').notNull(),
  stationId: integer('station_id'),
  status: text('status').notNull(),
  battery: smallint('battery').notNull(),
  frameNo: text('frame_no').notNull(),
  serviceDue: boolean('service_due').notNull(),
  lastSeenAt: ts('last_seen_at').notNull(),
});

/** Rider accounts. */
export const riders = pgTable('riders', {
  id: integer('id').primaryKey(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  plan: text('plan').notNull(),
  status: text('status').notNull(),
  createdAt: ts('created_at').notNull(),
});

/** Rentals (rides): active while ridden, then completed; cancelled when the unlock failed. */
export const rentals = pgTable('rentals', {
  id: serial('id').primaryKey(),
  riderId: integer('rider_id').notNull(),
  bikeId: integer('bike_id').notNull(),
  startStationId: integer('start_station_id').notNull(),
  endStationId: integer('end_station_id'),
  startedAt: ts('started_at').notNull(),
  endedAt: ts('ended_at'),
  durationS: integer('duration_s').notNull(),
  distanceM: integer('distance_m').notNull(),
  priceCents: integer('price_cents').notNull(),
  status: text('status').notNull(),
});

/** The charge lines of a rental's receipt. */
export const rentalCharges = pgTable('rental_charges', {
  id: serial('id').primaryKey(),
  rentalId: integer('rental_id').notNull(),
  kind: text('kind').notNull(),
  description: text('description').notNull(),
  amountCents: integer('amount_cents').notNull(),
  createdAt: ts('created_at').notNull(),
});

/** Damage reports and workshop jobs of bikes. */
export const maintenanceLogs = pgTable('maintenance_logs', {
  id: serial('id').primaryKey(),
  bikeId: integer('bike_id').notNull(),
  category: text('category').notNull(),
  severity: smallint('severity').notNull(),
  note: text('note').notNull(),
  status: text('status').notNull(),
  reportedBy: integer('reported_by'),
  dueAt: ts('due_at').notNull(),
  createdAt: ts('created_at').notNull(),
  resolvedAt: ts('resolved_at'),
});

/** Rides started and failed unlocks per day (the operations dashboard and the vendor's SLA report). */
export const dailyUsage = pgTable('daily_usage', {
  day: date('day').primaryKey(),
  ridesStarted: integer('rides_started').notNull(),
  unlockFailures: integer('unlock_failures').notNull(),
});

/** Relations for drizzle's relational queries. */
export const bikesRelations = relations(bikes, ({ one }) => ({
  model: one(models, { fields: [bikes.modelId], references: [models.id] }),
  station: one(stations, { fields: [bikes.stationId], references: [stations.id] }),
}));
/** Relations of a rental. */
export const rentalsRelations = relations(rentals, ({ one, many }) => ({
  bike: one(bikes, { fields: [rentals.bikeId], references: [bikes.id] }),
  rider: one(riders, { fields: [rentals.riderId], references: [riders.id] }),
  startStation: one(stations, { fields: [rentals.startStationId], references: [stations.id], relationName: 'start' }),
  endStation: one(stations, { fields: [rentals.endStationId], references: [stations.id], relationName: 'end' }),
  charges: many(rentalCharges),
}));
/** Relations of a charge line. */
export const rentalChargesRelations = relations(rentalCharges, ({ one }) => ({
  rental: one(rentals, { fields: [rentalCharges.rentalId], references: [rentals.id] }),
}));

const schema = {
  models, stations, bikes, riders, rentals, rentalCharges, maintenanceLogs, dailyUsage,
  bikesRelations, rentalsRelations, rentalChargesRelations,
};

/** The fleet's database handle. */
export type Db = NodePgDatabase<typeof schema>;

/** Open the pool and drizzle over it. */
export function openDb(pgUrl: string): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: pgUrl, max: POOL_MAX, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {});
  return { db: drizzle({ client: pool, schema }), pool };
}
