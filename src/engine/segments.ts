/**
 * Execution segments (k6 `--execution-segment`): a run split into disjoint
 * parts of [0, 1) that several threads or machines execute; their results
 * merge exactly because every histogram is HDR.
 *
 * Two rules make the parts sum to the whole:
 * - integers (`vus`, `iterations`, `preAllocatedVUs`, `maxVUs`) scale as
 *   `floor(v·to) − floor(v·from)` with exact rational arithmetic, which
 *   telescopes to `v` over any partition;
 * - open-model iterations are striped: iteration `k` belongs to the segment
 *   that contains the van der Corput (base-2 radical inverse) position of
 *   `k`, so each segment gets every iteration of the global schedule whose
 *   position falls in it — at its exact global intended time. Segments
 *   interleave instead of bursting together, and their union is the global
 *   schedule, iteration for iteration.
 *
 * @module
 */
import { TuneupError } from '../errors.js';

/** A rational number `num/den` (den > 0). */
export interface Fraction {
  num: number;
  den: number;
}

/** A segment [from, to) of the unit interval. */
export interface ExecutionSegment {
  from: Fraction;
  to: Fraction;
  /** How the segment was written (for results and messages), e.g. `2/8`. */
  label: string;
  /**
   * 0-based index and count when the segment is the `index+1`-th of `count`
   * equal parts; used to give VUs ids unique across segments.
   */
  index: number;
  count: number;
}

/** The whole run as one segment. */
export const FULL_SEGMENT: ExecutionSegment = { from: { num: 0, den: 1 }, to: { num: 1, den: 1 }, label: '1/1', index: 0, count: 1 };

/**
 * Parse `--segment`: `i/n` (the i-th of n equal parts, 1-based, e.g. `2/8`)
 * or k6's `a:b` with fractions or decimals (e.g. `1/3:2/3`, `0:0.5`).
 */
export function parseSegment(text: string): ExecutionSegment {
  const s = text.trim();
  const fail = (why: string): never => {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `Invalid execution segment "${text}": ${why}.`, {
      hint: 'Write --segment i/n (e.g. 2/8 for the second of eight equal parts) or from:to (e.g. 1/4:1/2).',
      location: '--segment',
    });
  };
  if (!s.includes(':')) {
    const m = /^(\d+)\/(\d+)$/.exec(s);
    if (!m) return fail('expected i/n');
    const i = Number(m[1]);
    const n = Number(m[2]);
    if (n < 1 || i < 1 || i > n) return fail(`i must be between 1 and n (${n})`);
    return equalSegment(i - 1, n);
  }
  const [a, b] = s.split(':');
  const from = parseFraction(a ?? '', fail);
  const to = parseFraction(b ?? '', fail);
  if (compare(from, { num: 0, den: 1 }) < 0 || compare(to, { num: 1, den: 1 }) > 0 || compare(from, to) >= 0) {
    return fail('need 0 ≤ from < to ≤ 1');
  }
  // Recover an index/count when the segment is an equal part (a:b with b−a = 1/n).
  const width = sub(to, from);
  let index = 0;
  let count = 1;
  if (width.num === 1 && (from.num * width.den) % from.den === 0) {
    count = width.den;
    index = (from.num * width.den) / from.den;
  } else {
    // Not an equal part: spread ids by the segment start so they stay unique in practice.
    count = 1_000;
    index = Math.floor((from.num / from.den) * 1_000);
  }
  return { from, to, label: s, index, count };
}

/** The `index`-th (0-based) of `count` equal segments. */
export function equalSegment(index: number, count: number): ExecutionSegment {
  return {
    from: reduce({ num: index, den: count }),
    to: reduce({ num: index + 1, den: count }),
    label: `${index + 1}/${count}`,
    index,
    count,
  };
}

/** Split the run into `n` equal segments (one per worker thread). */
export function splitSegments(n: number): ExecutionSegment[] {
  return Array.from({ length: n }, (_, i) => equalSegment(i, n));
}

/**
 * The `index`-th of `count` equal parts of `parent` (worker threads inside
 * a `--segment`). Its index/count keep VU ids unique across all parts.
 */
export function subSegment(parent: ExecutionSegment, index: number, count: number): ExecutionSegment {
  const width = { num: parent.to.num * parent.from.den - parent.from.num * parent.to.den, den: parent.to.den * parent.from.den };
  const at = (k: number): Fraction =>
    reduce({ num: parent.from.num * width.den * count + k * width.num * parent.from.den, den: parent.from.den * width.den * count });
  return {
    from: at(index),
    to: at(index + 1),
    label: isFullSegment(parent) ? `${index + 1}/${count}` : `${parent.label}#${index + 1}/${count}`,
    index: parent.index * count + index,
    count: parent.count * count,
  };
}

/** True when the segment is the whole run. */
export function isFullSegment(segment: ExecutionSegment): boolean {
  return segment.from.num === 0 && segment.to.num === segment.to.den;
}

/**
 * This segment's share of an integer option: `floor(v·to) − floor(v·from)`.
 * Over any partition of [0, 1) the shares sum to exactly `v`.
 */
export function scaleInt(value: number, segment: ExecutionSegment): number {
  return floorTimes(value, segment.to) - floorTimes(value, segment.from);
}

/** The segment's share (0..1) as a number, for scaling rates. */
export function segmentWidth(segment: ExecutionSegment): number {
  return segment.to.num / segment.to.den - segment.from.num / segment.from.den;
}

/**
 * Base-2 radical inverse of `k` (van der Corput sequence): 0, 1/2, 1/4, 3/4,
 * 1/8, … Any interval [a, b) receives a share of consecutive `k`s that
 * converges to b − a with error O(log n / n), spread evenly in time.
 */
export function stripePosition(k: number): number {
  let result = 0;
  let f = 0.5;
  let i = k;
  while (i > 0) {
    if (i & 1) result += f;
    i = Math.floor(i / 2);
    f /= 2;
  }
  return result;
}

/** True when open-model iteration `k` of the global schedule belongs to `segment`. */
export function ownsIteration(k: number, segment: ExecutionSegment): boolean {
  const p = stripePosition(k);
  return p >= segment.from.num / segment.from.den && p < segment.to.num / segment.to.den;
}

/** Filter a global offset generator down to the iterations of `segment`. */
export function* stripeOffsets(offsets: Iterable<number>, segment: ExecutionSegment): Generator<number, void, undefined> {
  if (isFullSegment(segment)) {
    yield* offsets;
    return;
  }
  let k = 0;
  for (const t of offsets) {
    if (ownsIteration(k, segment)) yield t;
    k++;
  }
}

function floorTimes(value: number, f: Fraction): number {
  return Math.floor((value * f.num) / f.den);
}

function parseFraction(text: string, fail: (why: string) => never): Fraction {
  const t = text.trim();
  const m = /^(\d+)\/(\d+)$/.exec(t);
  if (m) {
    const den = Number(m[2]);
    if (den === 0) return fail('zero denominator');
    return reduce({ num: Number(m[1]), den });
  }
  if (/^\d+(\.\d+)?$/.test(t)) {
    const [, dec = ''] = t.split('.');
    const den = 10 ** dec.length;
    return reduce({ num: Math.round(Number(t) * den), den });
  }
  return fail(`"${text}" is not a fraction or decimal`);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}

function reduce(f: Fraction): Fraction {
  const g = gcd(f.num, f.den) || 1;
  return { num: f.num / g, den: f.den / g };
}

function compare(a: Fraction, b: Fraction): number {
  return a.num * b.den - b.num * a.den;
}

function sub(a: Fraction, b: Fraction): Fraction {
  return reduce({ num: a.num * b.den - b.num * a.den, den: a.den * b.den });
}
