/**
 * A small seeded pseudo-random number generator, so every bootstrap and
 * every interleaving order can be reproduced from the seed stored in the
 * comparison. Math.random cannot be seeded, hence this.
 *
 * @module
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a 32-bit state generator (Tommy Ettinger). Plenty for
 * resampling indices (we draw at most a few million numbers per comparison)
 * and two lines long, so it is easy to audit.
 *
 * @param seed - any integer; the same seed always gives the same sequence.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** A fresh seed from the clock and Math.random, for when the user gave none (it is stored so the run can be replayed). */
export function freshSeed(): number {
  return (Date.now() ^ Math.floor(Math.random() * 0xffffffff)) >>> 0;
}

/**
 * Standard normal deviate by Box–Muller; used by the simulations in tests
 * and by nothing on the comparison path itself.
 */
export function normal(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Scramble a seed (MurmurHash3's 32-bit finalizer). mulberry32's first
 * output is correlated across neighbouring seeds (seeds 1…6 all start
 * above 0.5), which matters when only one draw is taken, e.g. the coin
 * for the first side of an interleaved A/B schedule: use a bit of this
 * hash instead.
 */
export function hashSeed(seed: number): number {
  let h = seed >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
