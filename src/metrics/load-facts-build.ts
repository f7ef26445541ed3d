/**
 * Turn the load facts of a (merged) metrics snapshot into the RunResult's
 * `loadFacts`: totals, the ideal hit ratio and the interval columns.
 *
 * @module
 */
import type { LoadFacts } from '../result/types.js';
import type { LoadFactsSnapshot } from './load-facts.js';

/**
 * Build the RunResult field. `durationMs` is the run's active duration (the
 * denominator of the mean in-flight count); `parts` the number of merged
 * recorders (worker threads, segments).
 */
export function buildLoadFacts(facts: LoadFactsSnapshot, durationMs: number, parts: number): LoadFacts {
  const slotMs = facts.slotMs;
  let length = 0;
  for (const e of Object.values(facts.endpoints)) length = Math.max(length, e.requests.length);
  const t = Array.from({ length }, (_, i) => i * slotMs);
  const endpoints: LoadFacts['endpoints'] = {};
  let capped = false;
  for (const [name, e] of Object.entries(facts.endpoints)) {
    const pad = (a: number[]): number[] => {
      const out = a.slice(0, length);
      while (out.length < length) out.push(0);
      return out;
    };
    const requests = sum(e.requests);
    const repeats = sum(e.repeats);
    const untracked = sum(e.untracked);
    const busy = sum(e.busyMs);
    capped ||= e.capped;
    endpoints[name] = {
      requests,
      repeats,
      distinctKeys: e.keys.length / 2,
      idealHitRatio: requests > 0 ? repeats / requests : 0,
      untracked,
      capped: e.capped,
      keySource: e.hinted === 0 ? 'url' : e.hinted >= requests ? 'cache-key' : 'mixed',
      meanInFlight: durationMs > 0 ? busy / durationMs : 0,
      series: {
        requests: pad(e.requests),
        repeats: pad(e.repeats),
        inFlight: pad(e.busyMs).map((ms) => Math.round((ms / slotMs) * 1000) / 1000),
      },
    };
  }
  const merge: LoadFacts['merge'] = { parts, exact: !capped };
  if (capped) {
    merge.note =
      'the key bound was reached on some endpoint: requests with a new key after it are counted as untracked, so the ideal hit ratio is a lower bound (see `untracked`)';
  }
  return { intervalMs: slotMs, t, endpoints, merge };
}

function sum(a: number[]): number {
  let s = 0;
  for (const x of a) s += x;
  return s;
}
