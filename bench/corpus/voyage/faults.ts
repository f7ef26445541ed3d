/**
 * The voyage's planted faults. Each one is a build of the service (a code
 * path or a migration that a team could plausibly have shipped), switched on
 * by name through VOYAGE_FAULT. The healthy build is the empty string / null.
 *
 * @module
 */

export const VOYAGE_FAULTS = [
  /** missing-index: the (traveller_id, created_at) index of bookings was dropped by a migration. */
  'bookings-traveller-index-dropped',
  /** inefficient-query: hotel search made case-insensitive with lower(city), defeating the (city, rating) index. */
  'hotel-search-lower-city',
  /** n-plus-one: itinerary view loads flight, traveller and hotel per booking with one query each. */
  'itinerary-per-booking-queries',
  /** lock-contention: every points credit bumps the programme-wide liability row first, inside its transaction. */
  'loyalty-programme-liability-row',
  /** pool-saturation: booking transaction opened before the seat hold, payment and e-mail calls. */
  'booking-transaction-spans-partner-calls',
  /** slow-dependency: the GDS availability service is degraded (hundreds of ms per call). */
  'gds-availability-degraded',
  /** cache-miss: fare-search cache written with PX 300 (ms) where 300 s were meant. */
  'fare-search-cache-ttl-ms',
  /** cache-slow-command: deals read the whole global deals sorted set and filter by origin in process. */
  'deals-full-zrange',
  /** event-loop-blocked: traveller profile derives the APIS document token with pbkdf2Sync on every read. */
  'traveller-document-token-sync',
  /** gc-pressure: hotel rates build the whole 365-night rate calendar per request, then slice it. */
  'hotel-rates-full-calendar',
  /** large-payload: the seat map embeds the full fare-conditions document into every seat. */
  'seatmap-embedded-fare-rules',
  /** error-rate: booking confirmation v2 assumes every booking has a hotel stay (flight-only bookings 500). */
  'confirmation-assumes-hotel',
] as const;

export type VoyageFault = (typeof VOYAGE_FAULTS)[number];

/** Validate a fault switch (null / '' = healthy). */
export function parseFault(value: string | null | undefined): VoyageFault | null {
  if (value === null || value === undefined || value === '') return null;
  if (!(VOYAGE_FAULTS as readonly string[]).includes(value)) throw new Error(`voyage: unknown fault '${value}'`);
  return value as VoyageFault;
}
