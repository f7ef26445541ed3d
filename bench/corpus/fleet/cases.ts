/**
 * The fleet's corpus cases: the healthy baseline and one case per planted
 * fault, with the top finding an experienced performance engineer would
 * name, the request mix and the calibrated rates (CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import type { FleetFault } from './faults.js';

type MixEntry = CorpusCase['mix'][number];

/** A rider's position downtown (the app sends it with finder and card requests). */
const HERE = 'lat=52.0{{ randomInt(850, 970) }}&lon=5.1{{ randomInt(120, 310) }}';

/**
 * A weekday evening rush, weights in percent. Riders downtown look up the
 * stations around them and the cards of the 25 downtown stations (the card
 * cache warms within ~15 s at 15 req/s), open bikes of the 12,000, start rides on them,
 * report damage, read receipts of 500,000 rentals and the histories of 60,000
 * riders, and sign in.
 */
export function baseMix(weights: Partial<Record<string, number>> = {}): MixEntry[] {
  const entries: MixEntry[] = [
    { endpoint: 'GET /stations', method: 'GET', path: `/stations?${HERE}`, weight: 14 },
    { endpoint: 'GET /stations/:id', method: 'GET', path: `/stations/{{ randomInt(1, 25) }}?${HERE}`, weight: 18 },
    { endpoint: 'GET /bikes/:id', method: 'GET', path: '/bikes/{{ randomInt(1, 12000) }}', weight: 14 },
    {
      endpoint: 'POST /bikes/:id/reports', method: 'POST', path: '/bikes/{{ randomInt(1, 12000) }}/reports', weight: 5,
      body: { riderId: '{{ randomInt(1, 60000) }}', category: "{{ randomChoice('flat_tire', 'brakes', 'chain', 'lights', 'bell', 'other') }}", note: 'Reported from the app' },
    },
    {
      endpoint: 'POST /rentals', method: 'POST', path: '/rentals', weight: 8,
      body: { riderId: '{{ randomInt(1, 60000) }}', bikeId: '{{ randomInt(1, 12000) }}' },
    },
    { endpoint: 'GET /rentals/:id', method: 'GET', path: '/rentals/{{ randomInt(1, 500000) }}', weight: 18 },
    { endpoint: 'GET /riders/:id/rentals', method: 'GET', path: '/riders/{{ randomInt(1, 60000) }}/rentals', weight: 19 },
    {
      endpoint: 'POST /sessions', method: 'POST', path: '/sessions', weight: 4,
      body: { email: 'rider{{ randomInt(1, 60000) }}@example.com', password: 'pedal-power-2026' },
    },
  ];
  for (const endpoint of Object.keys(weights)) {
    if (!entries.some((e) => e.endpoint === endpoint)) throw new Error(`no endpoint ${endpoint} in the fleet mix`);
  }
  return entries.map((e) => (weights[e.endpoint] === undefined ? e : { ...e, weight: weights[e.endpoint]! }));
}

interface Spec {
  fault: FleetFault | null;
  expect: CorpusCase['expect'];
  /** The faulty endpoint's weight in this case's mix (default: the base weight). */
  weight?: number;
  moderateRate: number;
  overloadRate: number;
}

function make(s: Spec): CorpusCase {
  return {
    id: `fleet/${s.fault ?? 'healthy'}`,
    fault: s.fault,
    expect: s.expect,
    mix: s.expect && s.weight ? baseMix({ [s.expect.endpoint]: s.weight }) : baseMix(),
    moderateRate: s.moderateRate,
    overloadRate: s.overloadRate,
  };
}

const on = (category: string, endpoint: string): CorpusCase['expect'] => ({ category, endpoint });

/**
 * All fleet cases. Rates: measured with bench/corpus/calibrate.ts in demand mode on the shared
 * 2-core machine (CALIBRATION.md).
 */
export const FLEET_CASES: CorpusCase[] = [
  // Healthy, including the cold start of the station-card cache (25 cards, 60 s TTL, warm within ~15 s).
  make({ fault: null, expect: null, moderateRate: 15, overloadRate: 200 }),
  // The deploy lacks rentals(rider_id, started_at): each history seq-scans 500k rentals.
  make({ fault: 'missing-index-rentals-rider', expect: on('missing-index', 'GET /riders/:id/rentals'), weight: 16, moderateRate: 15, overloadRate: 120 }),
  // The deploy lacks rental_charges(rental_id): each receipt seq-scans 1.1M charge lines.
  make({ fault: 'missing-index-charges-rental', expect: on('missing-index', 'GET /rentals/:id'), weight: 16, moderateRate: 15, overloadRate: 100 }),
  // The history looks up both stations and the bike ride by ride: 1 + 3 × rides queries.
  make({ fault: 'history-lazy-stations', expect: on('n-plus-one', 'GET /riders/:id/rentals'), weight: 20, moderateRate: 15, overloadRate: 150 }),
  // The station card is cached under the full URL, rider coordinates included: every lookup misses.
  make({ fault: 'station-card-key-by-url', expect: on('cache-miss', 'GET /stations/:id'), weight: 30, moderateRate: 20, overloadRate: 150 }),
  // Sign-in verifies the password with scryptSync on the event loop.
  make({ fault: 'login-scrypt-sync', expect: on('event-loop-blocked', 'POST /sessions'), weight: 12, moderateRate: 15, overloadRate: 120 }),
  // Every finder request copies the whole fleet (600 stations, ~11k bikes) and keeps the last 8 copies.
  make({ fault: 'nearby-view-copies', expect: on('gc-pressure', 'GET /stations'), weight: 20, moderateRate: 10, overloadRate: 80 }),
  // Telemetry pings merged into a per-bike trail that is never trimmed nor evicted (~720 pings per new bike).
  make({ fault: 'telemetry-trail-leak', expect: on('memory-growth', 'GET /bikes/:id'), weight: 45, moderateRate: 15, overloadRate: 120 }),
  // The finder answers every station with its docked bikes: ~1 MB per request.
  make({ fault: 'stations-map-all-bikes', expect: on('large-payload', 'GET /stations'), weight: 14, moderateRate: 20, overloadRate: 110 }),
  // The lock gateway's unlocks degrade to 1.5-3 s (outside any transaction).
  make({ fault: 'gateway-unlock-slow', expect: on('slow-dependency', 'POST /rentals'), weight: 12, moderateRate: 15, overloadRate: 120 }),
  // The bike detail runs in a read-only transaction around the telemetry call: a connection of 5 held 100-200 ms.
  make({ fault: 'bike-detail-read-transaction', expect: on('pool-saturation', 'GET /bikes/:id'), weight: 70, moderateRate: 15, overloadRate: 120 }),
  // Today's usage row is upserted first in a transaction spanning the unlock: all ride starts serialise on it.
  make({ fault: 'daily-usage-first', expect: on('lock-contention', 'POST /rentals'), weight: 25, moderateRate: 10, overloadRate: 100 }),
  // Damage reports in the app's new 'lights' and 'bell' categories crash on the old SLA table (500).
  make({ fault: 'report-category-sla-crash', expect: on('error-rate', 'POST /bikes/:id/reports'), weight: 20, moderateRate: 15, overloadRate: 160 }),
];
