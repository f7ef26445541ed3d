/**
 * The bikeshare's fault switches: each one is a change a team shipped in
 * ONE endpoint (the code paths live in app/, guarded by `fault === ...`),
 * plus, for the index fault, the schema state the deploy's migration leaves
 * behind (schema.ts `migrateBikeshare`).
 *
 * @module
 */

export const BIKESHARE_FAULTS = [
  /** missing-index, GET /riders/:id/payments: a "duplicate-looking" index on payments(rider_id, created_at) was dropped. */
  'payments-index-dropped',
  /** n-plus-one, GET /riders/:id/trips: trip history loads each trip's stations and bike one query at a time. */
  'trip-history-lazy-stations',
  /** inefficient-query, GET /districts/:district/stats: the 7-day window became "calendar days" written as started_at::date >= current_date - 7, a cast on the column that defeats the started_at index. */
  'district-stats-calendar-days',
  /** cache-miss, GET /map: the district map is cached with PX (milliseconds) where EX (seconds) was meant, so it never hits. */
  'map-cache-ttl-ms',
  /** cache-slow-command, GET /stations/:id: reservation holds counted with KEYS hold:<id>:* over the whole keyspace. */
  'station-holds-keys-scan',
  /** lock-contention, POST /passes: the city campaign row is locked FOR UPDATE across the card charge. */
  'campaign-row-lock',
  /** pool-saturation, POST /trips: unlock waits for the dock's confirmation (IoT over LTE-M, 400-1000 ms) inside the DB transaction. */
  'unlock-waits-dock-in-tx',
  /** slow-dependency, GET /trips/:id: trip detail reverse-geocodes start and end through the city geocoder on every request. */
  'trip-geocoder-inline',
  /** event-loop-blocked, POST /trips/:id/return: the receipt verification code is derived with pbkdf2Sync. */
  'receipt-signing-sync',
  /** gc-pressure, GET /riders/:id/notifications: the localized template catalogue (9,600 entries, ~13 MB) is rebuilt per request. */
  'notification-catalog-rebuild',
  /** large-payload, GET /stations/nearby: radius 600 m -> 2 km, no LIMIT, and every dock with its bike (and telemetry) embedded. */
  'nearby-full-fleet',
  /** error-rate, GET /bikes/:id: range estimate reads telemetry.battery of classic bikes (no telemetry) -> TypeError -> 500. */
  'bike-telemetry-null',
] as const;

export type BikeshareFault = (typeof BIKESHARE_FAULTS)[number];

/** '' / null / undefined = healthy; an unknown name throws. */
export function parseFault(value: string | null | undefined): BikeshareFault | null {
  if (value === null || value === undefined || value === '') return null;
  if ((BIKESHARE_FAULTS as readonly string[]).includes(value)) return value as BikeshareFault;
  throw new Error(`unknown bikeshare fault '${value}' (known: ${BIKESHARE_FAULTS.join(', ')})`);
}
