/**
 * VU pool sizes of an open-model scenario in one execution segment.
 *
 * @module
 */
import { isFullSegment, scaleInt, type ExecutionSegment } from '../segments.js';

/**
 * `preAllocatedVUs` and `maxVUs` scaled to `segment`. A partial segment gets
 * at least one VU (it owns iterations), so the shares may sum to slightly
 * more than the totals — the price of never dropping a whole segment's load.
 */
export function openPoolShare(preAllocatedVUs: number, maxVUs: number, segment: ExecutionSegment): { preAllocated: number; max: number } {
  if (isFullSegment(segment)) return { preAllocated: preAllocatedVUs, max: Math.max(maxVUs, preAllocatedVUs) };
  const preAllocated = Math.max(1, scaleInt(preAllocatedVUs, segment));
  const max = Math.max(preAllocated, scaleInt(maxVUs, segment));
  return { preAllocated, max };
}
