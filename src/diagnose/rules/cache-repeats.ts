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
 *     misses(t) = Σ_u  firstPerRequest_u · firstTouches_u(t)  +  missesPerRepeat_u · repeats_u(t)
 *
 * over the cache's user endpoints u. `missesPerRepeat_u` is what each repeated request of u missed: about
 * 0 for a cache that works, about its lookups per request (1 for one key a request) for one that misses
 * every repeat. The run's warm-up tells the two columns apart: first touches are many early and few late,
 * repeats the other way round.
 *
 * @module
 */
import { alignToGrid } from '../evidence.js';
import { coefficientStdErrors, correlation, nnls } from '../nnls.js';
import type { DiagnosisInput } from './types.js';

/** What one cache user's requests missed, from the fit. */
export interface RepeatMisses {
  endpoint: string;
  /** Misses per repeated request (the fit's coefficient). */
  perRepeat: number;
  /** Its standard error (Infinity when the fit cannot say). */
  stdError: number;
  /** Misses per first-touch request: the endpoint's lookups per request, when its first touches tell. */
  perFirstTouch: number;
  /** The endpoint's requests that repeated an earlier key, and all its requests, over the run. */
  repeats: number;
  requests: number;
  /** Misses the fit gives the endpoint over the run. */
  misses: number;
}

/** z for a one-sided 97.5 % bound: a miss rate is "at least" its estimate less this many standard errors. */
export const BOUND_Z = 1.96;

/**
 * The fit above over `users` (endpoints that use the cache and whose repeats are lookups), one entry per user.
 * Empty without load facts, without a misses series, or with fewer seconds than twice the coefficients; an
 * endpoint whose first touches and repeats move together (see {@link MAX_COLUMN_CORRELATION}) is left out.
 */
export function repeatMissesByEndpoint(input: DiagnosisInput, users: readonly string[]): RepeatMisses[] {
  const facts = input.result.loadFacts;
  const redis = input.probes.redis;
  const missesPerS = redis?.series.values['redis.misses_per_s'];
  if (!facts || !redis || !missesPerS) return [];
  const present = users.filter((u) => (facts.endpoints[u]?.requests ?? 0) > 0);
  if (present.length === 0) return [];
  const misses = alignToGrid(facts, redis.series, missesPerS);
  const intervalS = facts.intervalMs / 1000;
  const rows = misses.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0);
  if (rows.length < 4 * present.length) return [];
  const design = rows.map((i) =>
    present.flatMap((u) => {
      const s = facts.endpoints[u]!.series;
      const requests = s.requests[i] ?? 0;
      const repeats = s.repeats[i] ?? 0;
      return [(requests - repeats) / intervalS, repeats / intervalS];
    }),
  );
  const observed = rows.map((i) => misses[i]!);
  const { x } = nnls(design, observed);
  const se = coefficientStdErrors(design, observed, x);
  return present.flatMap((endpoint, k) => {
    // First touches and repeats that keep the same proportion through the run are one column twice: no fit
    // can split the misses between them (the warm-up is what tells them apart).
    const first = design.map((row) => row[2 * k]!);
    const repeats = design.map((row) => row[2 * k + 1]!);
    if (!(correlation(first, repeats) < MAX_COLUMN_CORRELATION)) return [];
    const e = facts.endpoints[endpoint]!;
    const perFirstTouch = x[2 * k]!;
    const perRepeat = x[2 * k + 1]!;
    return [{
      endpoint,
      perRepeat,
      // A coefficient the fit set to zero has no standard error of its own; zero is then the estimate's bound.
      stdError: perRepeat > 0 ? se[2 * k + 1]! : 0,
      perFirstTouch,
      repeats: e.repeats,
      requests: e.requests,
      misses: perFirstTouch * (e.requests - e.repeats) + perRepeat * e.repeats,
    }];
  });
}

/**
 * Above this correlation between an endpoint's first touches and repeats per second the two columns move
 * together (a repeat share that stays the same through the run) and the fit cannot tell them apart.
 */
export const MAX_COLUMN_CORRELATION = 0.9;
