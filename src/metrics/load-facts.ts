/**
 * The load's own facts: what tuneup knows about the requests it sent,
 * independent of any probe (design.md, Diagnosis: "the load's own facts").
 *
 * Per endpoint:
 * - **repeats**: requests whose key (method + path with query, or the plan's
 *   `cacheKey` hint) was already fetched earlier in the run: an earlier
 *   request for it had completed successfully before this one was sent. A
 *   perfect cache can hit nothing else — a duplicate sent while the first
 *   request for its key is still in flight (common past capacity, when
 *   requests take seconds) or after that request failed finds the cache
 *   still empty. repeats / requests is the hit ratio a perfect cache could
 *   reach on this load (the ideal hit ratio), and its 1 s series is the
 *   warm-up curve;
 * - **in-flight**: mean concurrency per interval by Little's law, i.e. the
 *   sum of the request time (send → last byte) overlapping the interval
 *   divided by its length. Unlike completions per second it does not lag
 *   behind the load when requests take seconds (past capacity).
 *
 * Cost on the hot path: one Map lookup of a numeric key hash and a few
 * array additions per request; memory is bounded by `maxKeysPerEndpoint`
 * and `maxKeys` (the remembered keys) and by `maxSlots` (the series coarsen
 * by doubling their interval, as the recorder's rows do).
 *
 * Keys are remembered with the time of their first fetch (the first
 * successful completion), so snapshots of worker threads and execution
 * segments merge: a key first fetched by two parts is a first touch only in
 * the earlier one, a repeat in the other ({@link mergeLoadFacts}) — an upper
 * bound, since whether the later part's request was sent after the earlier
 * fetch is not kept. Beyond the key bound a new key cannot be
 * remembered: its request is counted as `untracked` (it may or may not be a
 * repeat), so the ideal hit ratio is known to lie in
 * [repeats, repeats + untracked] / requests.
 *
 * @module
 */

/** Options of {@link LoadFactsRecorder}. */
export interface LoadFactsOptions {
  /** Finest interval (ms) of the series. Default 1000. */
  slotMs?: number;
  /** Slots kept before the series coarsen (interval doubles). Default 7200. */
  maxSlots?: number;
  /** Distinct keys remembered per endpoint. Default 100 000. */
  maxKeysPerEndpoint?: number;
  /** Distinct keys remembered over all endpoints. Default 1 000 000 (≈ 50–80 MB of Map entries at most). */
  maxKeys?: number;
}

/** One endpoint's facts as plain JSON (inside a metrics snapshot). */
export interface EndpointFactsSnapshot {
  requests: number[];
  repeats: number[];
  /** Request time (ms, send → last byte) overlapping each slot. */
  busyMs: number[];
  /** Requests whose new key could not be remembered (bound reached). */
  untracked: number[];
  /** Remembered keys, flattened pairs [hash, first-touch offset ms, …]. */
  keys: number[];
  /** True when the key bound was reached in this part or a merged one. */
  capped: boolean;
  /** Requests keyed by the plan's `cacheKey` hint rather than method + URL. */
  hinted: number;
}

/** The facts of one recorder (or of merged recorders) as plain JSON. */
export interface LoadFactsSnapshot {
  slotMs: number;
  endpoints: Record<string, EndpointFactsSnapshot>;
}

/** Live per-endpoint state, resolved once per endpoint handle. */
export class EndpointFacts {
  readonly keys = new Map<number, number>();
  capped = false;
  hinted = 0;
  requests: number[] = [];
  repeats: number[] = [];
  busyMs: number[] = [];
  untracked: number[] = [];
  constructor(private readonly owner: LoadFactsRecorder) {}

  /**
   * One finished request. `startMs`/`endMs` are offsets from the run start
   * (send and last byte); `keyHash` from {@link hashRequestKey}; `ok` false
   * when it failed (an error or an unexpected status: it fetched nothing a
   * cache could keep).
   */
  note(keyHash: number, startMs: number, endMs: number, hinted: boolean, ok = true): void {
    const o = this.owner;
    const slotMs = o.slotMs;
    const end = endMs > 0 ? endMs : 0;
    const slot = o.slotOf(end);
    this.grow(slot);
    this.requests[slot]++;
    if (hinted) this.hinted++;
    const seen = this.keys.get(keyHash);
    const sent = startMs > 0 ? startMs : 0;
    if (seen !== undefined && seen <= sent) this.repeats[slot]++;
    else if (seen !== undefined) {
      // Sent before the key's first fetch completed: a first touch for a cache too. Completions are noted
      // in about their order, but not exactly (worker threads), so keep the earliest fetch.
      if (ok && end < seen) this.keys.set(keyHash, Math.round(end));
    } else if (!ok) {
      // A failed request fetched nothing to cache: not remembered, and not a repeat.
    } else if (this.keys.size < o.maxKeysPerEndpoint && o.keyCount < o.maxKeys) {
      this.keys.set(keyHash, Math.round(end));
      o.keyCount++;
    } else {
      this.capped = true;
      this.untracked[slot]++;
    }
    // Little's law: spread the request's time over the slots it overlapped.
    let s = sent;
    if (s > end) s = end;
    let k = o.slotOf(s);
    while (k < slot) {
      const boundary = (k + 1) * slotMs;
      this.busyMs[k] += boundary - s;
      s = boundary;
      k++;
    }
    this.busyMs[slot] += end - s;
  }

  /** Make the slot arrays cover `slot`. */
  private grow(slot: number): void {
    while (this.requests.length <= slot) {
      this.requests.push(0);
      this.repeats.push(0);
      this.busyMs.push(0);
      this.untracked.push(0);
    }
  }

  /** @internal Merge slot pairs after the owner doubled its interval. */
  coarsen(): void {
    this.requests = pairSums(this.requests);
    this.repeats = pairSums(this.repeats);
    this.busyMs = pairSums(this.busyMs);
    this.untracked = pairSums(this.untracked);
  }

  /** @internal */
  toSnapshot(): EndpointFactsSnapshot {
    const keys: number[] = new Array(this.keys.size * 2);
    let i = 0;
    for (const [hash, first] of this.keys) {
      keys[i++] = hash;
      keys[i++] = first;
    }
    return {
      requests: this.requests.slice(),
      repeats: this.repeats.slice(),
      busyMs: this.busyMs.map(round3),
      untracked: this.untracked.slice(),
      keys,
      capped: this.capped,
      hinted: this.hinted,
    };
  }
}

/** The per-thread collector of load facts (owned by the metrics recorder). */
export class LoadFactsRecorder {
  slotMs: number;
  keyCount = 0;
  readonly maxSlots: number;
  readonly maxKeysPerEndpoint: number;
  readonly maxKeys: number;
  private readonly endpoints = new Map<string, EndpointFacts>();

  constructor(options: LoadFactsOptions = {}) {
    this.slotMs = options.slotMs ?? 1000;
    this.maxSlots = Math.max(2, options.maxSlots ?? 7200);
    this.maxKeysPerEndpoint = options.maxKeysPerEndpoint ?? 100_000;
    this.maxKeys = options.maxKeys ?? 1_000_000;
  }

  /** The state of one endpoint (created on first use). */
  endpoint(name: string): EndpointFacts {
    let e = this.endpoints.get(name);
    if (!e) this.endpoints.set(name, (e = new EndpointFacts(this)));
    return e;
  }

  /** Slot index of an offset, doubling the slot length first when the series would exceed `maxSlots`. */
  slotOf(offsetMs: number): number {
    let slot = Math.floor(offsetMs / this.slotMs);
    while (slot >= this.maxSlots) {
      this.slotMs *= 2;
      for (const e of this.endpoints.values()) e.coarsen();
      slot = Math.floor(offsetMs / this.slotMs);
    }
    return slot;
  }

  /** Plain-JSON copy (keys included, so parts merge exactly). */
  snapshot(): LoadFactsSnapshot {
    const endpoints: Record<string, EndpointFactsSnapshot> = {};
    for (const [name, e] of this.endpoints) if (e.requests.length > 0) endpoints[name] = e.toSnapshot();
    return { slotMs: this.slotMs, endpoints };
  }
}

function pairSums(a: number[]): number[] {
  const out: number[] = new Array(Math.ceil(a.length / 2)).fill(0);
  for (let i = 0; i < a.length; i++) out[i >> 1] += a[i]!;
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Sum groups of `factor` consecutive slots. */
function regroup(a: number[], factor: number): number[] {
  if (factor === 1) return a.slice();
  const out: number[] = new Array(Math.ceil(a.length / factor)).fill(0);
  for (let i = 0; i < a.length; i++) out[Math.floor(i / factor)] += a[i]!;
  return out;
}

function addInto(target: number[], source: number[]): void {
  while (target.length < source.length) target.push(0);
  for (let i = 0; i < source.length; i++) target[i] += source[i]!;
}

/**
 * Merge the facts of several parts (worker threads, segments). Exact for
 * requests and in-flight time; exact for repeats while no part reached its
 * key bound: each key stays a first touch only in the part that touched it
 * first (ties: the first part), and becomes a repeat, at its first-touch
 * time, in every other part.
 */
export function mergeLoadFacts(parts: readonly LoadFactsSnapshot[]): LoadFactsSnapshot | undefined {
  if (parts.length === 0) return undefined;
  const slotMs = Math.max(...parts.map((p) => p.slotMs));
  const names = new Set<string>();
  for (const p of parts) for (const n of Object.keys(p.endpoints)) names.add(n);
  const endpoints: Record<string, EndpointFactsSnapshot> = {};
  for (const name of names) {
    const out: EndpointFactsSnapshot = { requests: [], repeats: [], busyMs: [], untracked: [], keys: [], capped: false, hinted: 0 };
    const first = new Map<number, number>();
    for (const p of parts) {
      const e = p.endpoints[name];
      if (!e) continue;
      const factor = Math.round(slotMs / p.slotMs);
      addInto(out.requests, regroup(e.requests, factor));
      addInto(out.repeats, regroup(e.repeats, factor));
      addInto(out.busyMs, regroup(e.busyMs, factor));
      addInto(out.untracked, regroup(e.untracked, factor));
      out.capped ||= e.capped;
      out.hinted += e.hinted;
      for (let i = 0; i + 1 < e.keys.length; i += 2) {
        const hash = e.keys[i]!;
        const at = e.keys[i + 1]!;
        const earlier = first.get(hash);
        if (earlier === undefined) {
          first.set(hash, at);
          continue;
        }
        // Two parts first-touched the same key: the later touch was a repeat.
        const later = Math.max(earlier, at);
        if (at < earlier) first.set(hash, at);
        const slot = Math.floor(later / slotMs);
        while (out.repeats.length <= slot) {
          out.requests.push(0);
          out.repeats.push(0);
          out.busyMs.push(0);
          out.untracked.push(0);
        }
        out.repeats[slot]++;
      }
    }
    const n = Math.max(out.requests.length, out.repeats.length, out.busyMs.length, out.untracked.length);
    for (const col of [out.requests, out.repeats, out.busyMs, out.untracked]) while (col.length < n) col.push(0);
    out.busyMs = out.busyMs.map(round3);
    out.keys = new Array(first.size * 2);
    let i = 0;
    for (const [hash, at] of first) {
      out.keys[i++] = hash;
      out.keys[i++] = at;
    }
    endpoints[name] = out;
  }
  return { slotMs, endpoints };
}

/**
 * Hash a request key to a number below 2^52 (two 32-bit FNV-1a passes with
 * different seeds): collisions among a million keys have a probability of
 * about 10⁻⁴, and a number key costs no string retention in the key map.
 * `a` and `b` are hashed as if concatenated with a space between them.
 */
export function hashRequestKey(a: string, b: string): number {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 = Math.imul(h1 ^ 32, 0x01000193);
  h2 = Math.imul(h2 ^ 32, 0x5bd1e995);
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 0x100000 + ((h2 >>> 0) & 0xfffff);
}
