/**
 * Which of a cache's endpoints miss the keys their requests repeat (pure): the cache's misses second by
 * second, explained by each user endpoint's first touches and repeats.
 *
 * Redis counts hits and misses for the whole keyspace, so a cache judged as a whole hides one broken user
 * among healthy ones: another endpoint's hits and first touches make the combined ratio look like a cold
 * cache. But the load knows, for every second, how many of each endpoint's requests asked for a key for
 * the first time and how many repeated an earlier one (load facts). A first touch misses in any cache; a
 * repeat misses only in a broken one (or after its entry expired). So the misses per second are fitted, with
 * non-negative coefficients, as
 *
 *     misses(t) = Σ_u [ firstPerRequest_u · firstTouches_u(t) + missesPerRepeat_u · repeats_u(t) ]
 *               + Σ_o perRequest_o · requests_o(t) + background
 *
 * over the cache's user endpoints u, the other Redis users o and misses no request explains. `missesPerRepeat_u` is what each repeated request of u missed: about
 * 0 for a cache that works, about its lookups per request (1 for one key a request) for one that misses
 * every repeat. The run's warm-up tells the two columns apart: first touches are many early and few late,
 * repeats the other way round.
 *
 * @module
 */
import { alignToGrid } from '../evidence.js';
import { coefficientStdErrors, COLLINEAR_CORRELATION, correlation, nnls } from '../nnls.js';
import type { DiagnosisInput } from './types.js';

/** What one cache user's requests missed, from the fit. */
export interface RepeatMisses {
  /** The user endpoint. */
  endpoint: string;
  /** Misses per repeated request (the fit's coefficient). */
  perRepeat: number;
  /** Its standard error, on every column of the fit (Infinity when the fit cannot say). */
  stdError: number;
  /** Misses per first-touch request: the endpoint's lookups per request, when its first touches tell. */
  perFirstTouch: number;
  /** The endpoint's requests that repeated an earlier key over the run. */
  repeats: number;
  /** The endpoint's requests over the run. */
  requests: number;
  /** Misses the fit gives the endpoint over the run. */
  misses: number;
}

/**
 * The fit above over `users` (endpoints that use the cache and whose repeats are lookups), one entry per user.
 * Misses that are no user's lookups get columns of their own, so they are not shared onto the users'
 * (a steady rate of first touches and repeats adds up to a constant, which would take a background in):
 * the request rate of each of `others` (Redis users whose repeats are not lookups, e.g. a POST reading a
 * session) and a constant (other clients, timers). Empty without load facts, without a misses series, or
 * without two seconds to spare beyond the columns. A user whose first touches and repeats move
 * together (correlation ≥ `COLLINEAR_CORRELATION`: a repeat share that stays the same through the run) is
 * left out: the warm-up is what tells the two apart.
 */
export function repeatMissesByEndpoint(input: DiagnosisInput, users: readonly string[], others: readonly string[] = []): RepeatMisses[] {
  const facts = input.result.loadFacts;
  const redis = input.probes.redis;
  const missesPerS = redis?.series.values['redis.misses_per_s'];
  if (!facts || !redis || !missesPerS) return [];
  const present = users.filter((u) => (facts.endpoints[u]?.requests ?? 0) > 0);
  const background = others.filter((u) => !present.includes(u) && (facts.endpoints[u]?.requests ?? 0) > 0);
  if (present.length === 0) return [];
  const misses = alignToGrid(facts, redis.series, missesPerS);
  const intervalS = facts.intervalMs / 1000;
  const rows = misses.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0);
  const columns = 2 * present.length + background.length + 1;
  // Two rows to spare at least, for the standard errors (fewer spare rows widen them).
  if (rows.length < columns + 2) return [];
  const design = rows.map((i) => [
    ...present.flatMap((u) => {
      const s = facts.endpoints[u]!.series;
      const requests = s.requests[i] ?? 0;
      const repeats = s.repeats[i] ?? 0;
      return [(requests - repeats) / intervalS, repeats / intervalS];
    }),
    ...background.map((u) => (facts.endpoints[u]!.series.requests[i] ?? 0) / intervalS),
    1,
  ]);
  const observed = rows.map((i) => misses[i]!);
  const { x } = nnls(design, observed);
  const se = coefficientStdErrors(design, observed, x, 'all');
  return present.flatMap((endpoint, k) => {
    const first = design.map((row) => row[2 * k]!);
    const repeats = design.map((row) => row[2 * k + 1]!);
    if (!(correlation(first, repeats) < COLLINEAR_CORRELATION)) return [];
    const e = facts.endpoints[endpoint]!;
    const perFirstTouch = x[2 * k]!;
    const perRepeat = x[2 * k + 1]!;
    return [
      {
        endpoint,
        perRepeat,
        stdError: se[2 * k + 1]!,
        perFirstTouch,
        repeats: e.repeats,
        requests: e.requests,
        misses: perFirstTouch * (e.requests - e.repeats) + perRepeat * e.repeats,
      },
    ];
  });
}
