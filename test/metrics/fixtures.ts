/**
 * Deterministic sample streams for the metrics tests: a seeded PRNG and a
 * helper that feeds the same stream to one or several recorders in time
 * order, ticking every recorder as the clock advances.
 */
import type { ErrorKind } from '../../src/result/types.js';
import type { Recorder } from '../../src/metrics/recorder.js';

/** mulberry32: small seeded PRNG, so failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One synthetic request. */
export interface Sample {
  atMs: number;
  scenario: string;
  method: string;
  endpoint: string;
  status: number;
  error: ErrorKind | undefined;
  serviceUs: number;
  lagUs: number;
  connectingUs: number;
  bytes: number;
}

const ENDPOINTS: [string, string][] = [
  ['GET', 'GET /api/orders/:id'],
  ['GET', 'GET /api/products'],
  ['POST', 'POST /api/orders'],
];

/** `count` requests spread over `durationMs`, sorted by time, with a mix of statuses and errors. */
export function makeSamples(count: number, durationMs: number, seed = 1): Sample[] {
  const rnd = prng(seed);
  const out: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const [method, endpoint] = ENDPOINTS[Math.floor(rnd() * ENDPOINTS.length)];
    const u = rnd();
    const status = u < 0.9 ? 200 : u < 0.96 ? 500 : 0;
    const error: ErrorKind | undefined = status === 200 ? undefined : status === 500 ? 'http' : 'timeout';
    out.push({
      atMs: rnd() * durationMs,
      scenario: rnd() < 0.7 ? 'browse' : 'buy',
      method,
      endpoint,
      status,
      error,
      // Log-uniform between 0.2 ms and ~160 ms: several HDR buckets, a real tail.
      serviceUs: Math.round(200 * Math.exp(rnd() * 6.7)),
      lagUs: rnd() < 0.8 ? 0 : Math.round(rnd() * 5000),
      connectingUs: rnd() < 0.05 ? Math.round(100 + rnd() * 900) : 0,
      bytes: Math.round(100 + rnd() * 2000),
    });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

/**
 * Feed samples in time order; `pick(i)` chooses the recorder of sample i.
 * Every recorder is ticked to each sample's time, so intervals line up.
 */
export function feed(recorders: Recorder[], samples: Sample[], pick: (i: number) => number): void {
  samples.forEach((s, i) => {
    for (const r of recorders) r.tick(s.atMs);
    const r = recorders[pick(i)];
    r.endpoint(s.scenario, s.method, s.endpoint).record(
      s.status,
      s.error,
      s.serviceUs,
      s.serviceUs + s.lagUs,
      Math.round(s.serviceUs * 0.8),
      s.connectingUs,
      s.bytes,
      50,
    );
    r.recordIteration(s.scenario, s.serviceUs + 10, s.lagUs, false);
    if (i % 97 === 0) r.recordDroppedIteration(s.scenario);
    r.recordCheck(s.scenario, 'status is 200', s.status === 200);
  });
}
