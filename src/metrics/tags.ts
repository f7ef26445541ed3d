/**
 * Tag-set helpers: a canonical string key per (metric name, tag set) so
 * series can be grouped and merged, and the subset match used by queries.
 *
 * @module
 */
import type { Tags } from '../result/types.js';

/**
 * Canonical key of a metric series: name plus tags sorted by key. Two tag
 * objects with the same pairs in any order give the same key. Uses control
 * characters as separators so no tag value can forge another key.
 */
export function seriesKey(name: string, tags: Tags): string {
  const keys = Object.keys(tags).sort();
  let key = name;
  for (const k of keys) key += `\u0001${k}\u0002${tags[k]}`;
  return key;
}

/** True when `tags` contains every pair of `filter` (exact string match). An empty filter matches everything. */
export function tagsMatch(tags: Tags, filter: Tags): boolean {
  for (const k in filter) {
    if (tags[k] !== filter[k]) return false;
  }
  return true;
}
