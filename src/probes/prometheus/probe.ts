/**
 * The prometheus probe: scrapes the service's `/metrics` once per sample
 * (short timeout) and turns prom-client's standard metrics into aligned
 * series: event-loop lag, GC time per second, heap, CPU, pool gauges and
 * per-route HTTP rates. It survives the endpoint failing (the failure is
 * recorded, the sample is null, the next scrape tries again).
 *
 * @module
 */
import type { ProbeEvidence } from '../../result/types.js';
import { ExitCode, TuneupError } from '../../errors.js';
import { redactConnection, redactText } from '../../store/index.js';
import { readingTime, type Probe, type ProbeContext } from '../types.js';
import { SeriesBuilder, stats } from '../process/series-builder.js';
import { labelKey, parsePrometheusText, type PromExposition, type PromFamily } from './parse.js';
import type { AppCacheSummary, HttpRouteSummary, PoolGaugeSummary, PrometheusProbeData } from './types.js';

/** Options of {@link createPrometheusProbe}. */
export interface PrometheusProbeOptions {
  /** The metrics URL, e.g. `http://127.0.0.1:3000/metrics`. */
  url: string;
  /** Per-scrape timeout (ms). Default 800, below the 1 s sampling interval. */
  timeoutMs?: number;
  /** Extra request headers (e.g. authorization). */
  headers?: Record<string, string>;
}

/** Histogram families recognised as the service's HTTP request durations, with their unit scale to ms. */
export const HTTP_HISTOGRAMS: { name: string; toMs: number }[] = [
  { name: 'http_request_duration_seconds', toMs: 1000 },
  { name: 'http_server_duration_seconds', toMs: 1000 },
  { name: 'http_server_request_duration_seconds', toMs: 1000 },
  { name: 'http_request_duration_ms', toMs: 1 },
  { name: 'http_request_duration_milliseconds', toMs: 1 },
  { name: 'http_server_duration_milliseconds', toMs: 1 },
];

const MAX_ERRORS_KEPT = 20;
/** Longest wait for the counters' last read at stop (ms), whatever the scrape timeout: stop must not wait on a slow service. */
const FINAL_READ_TIMEOUT_MS = 800;
/** Time the first scrape may take (ms). */
const START_TIMEOUT_MS = 5000;

/** V8's young-generation spaces as prom-client labels them (`space` is the space name without `_space`). */
const YOUNG_SPACES: ReadonlySet<string> = new Set(['new', 'new_large_object']);

/**
 * Bytes used in V8's old generation: every heap space but the young generation's. An object lands there
 * when it survives two scavenges (or is large), and leaves only at a major collection, so the old
 * generation climbs with what requests retain and not with their short-lived garbage, which the young
 * generation's scavenges free every few megabytes. Undefined without prom-client's heap-space gauges.
 */
function oldGenerationUsed(family: PromFamily | undefined): number | undefined {
  if (!family || family.samples.length === 0) return undefined;
  let sum = 0;
  for (const s of family.samples) if (!YOUNG_SPACES.has(s.labels.space ?? '') && Number.isFinite(s.value)) sum += s.value;
  return sum;
}

/** Counter readings from one scrape, used to compute rates against the next one. */
interface CounterReadings {
  /** When the scrape was read, on the reading clock (see readingTime). */
  atMs: number;
  cpuSeconds?: number;
  gcSeconds?: number;
  /** Route key → { count, sumMs, errors } */
  http: Map<string, { method: string; route: string; count: number; sumMs: number; errors: number }>;
  /** Application cache (family and labels without the result label) → its hit and miss counts. */
  caches: Map<string, AppCacheSummary>;
}

/** Label names that split a cache counter into hits and misses, and the values that mean each. */
const RESULT_LABELS = ['result', 'outcome', 'status', 'type'];
const HIT_VALUES: ReadonlySet<string> = new Set(['hit', 'hits']);
const MISS_VALUES: ReadonlySet<string> = new Set(['miss', 'misses']);

/**
 * Create a probe that scrapes a Prometheus text endpoint every sample.
 *
 * @param options - the metrics URL and scrape timeout
 * @returns a {@link Probe} named `prometheus`
 */
export function createPrometheusProbe(options: PrometheusProbeOptions): Probe {
  const timeoutMs = options.timeoutMs ?? 800;
  const endpoint = scrapeEndpoint(options.url, options.headers);
  const shownUrl = redactConnection(options.url);
  const series = new SeriesBuilder();
  const errors: { offsetMs: number; message: string }[] = [];
  const pools = new Map<string, { metric: string; labels: Record<string, string>; column: string; values: number[] }>();
  let ctx: ProbeContext | undefined;
  let previous: CounterReadings | undefined;
  let first: CounterReadings | undefined;
  let lastGood: CounterReadings | undefined;
  let lastFamilies: string[] = [];
  let scrapes = 0;
  let failed = 0;
  let sampleMsTotal = 0;
  let samples = 0;
  /** A sample's scrape is in flight: the service is slow to answer, and stop does not scrape it again. */
  let sampling = false;

  const scrape = async (signal?: AbortSignal, limitMs = timeoutMs): Promise<PromExposition> => {
    const timeout = AbortSignal.timeout(limitMs);
    const res = await fetch(endpoint.url, {
      headers: { accept: 'text/plain;version=0.0.4, application/openmetrics-text;q=0.5', ...endpoint.headers },
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`HTTP ${res.status} from ${shownUrl}`);
    }
    return parsePrometheusText(await res.text());
  };

  const record = (offsetMs: number, message: string) => {
    if (errors.length < MAX_ERRORS_KEPT) errors.push({ offsetMs, message });
  };

  const ingest = (offsetMs: number, expo: PromExposition) => {
    const f = expo.families;
    lastFamilies = [...f.keys()];
    const readings = readCounters(readingTime(ctx, offsetMs), f);
    series.row(offsetMs);
    const gaugeMs = (name: string) => {
      const v = firstValue(f.get(name));
      return v === undefined ? undefined : v * 1000;
    };
    series.set('eventLoopLagP50Ms', gaugeMs('nodejs_eventloop_lag_p50_seconds'), 'ms');
    series.set('eventLoopLagP99Ms', gaugeMs('nodejs_eventloop_lag_p99_seconds'), 'ms');
    series.set('eventLoopLagMaxMs', gaugeMs('nodejs_eventloop_lag_max_seconds'), 'ms');
    series.set('eventLoopLagMinMs', gaugeMs('nodejs_eventloop_lag_min_seconds'), 'ms');
    series.set('eventLoopLagMs', gaugeMs('nodejs_eventloop_lag_seconds'), 'ms');
    series.set('heapUsedBytes', firstValue(f.get('nodejs_heap_size_used_bytes')), 'bytes');
    series.set('heapOldUsedBytes', oldGenerationUsed(f.get('nodejs_heap_space_size_used_bytes')), 'bytes');
    series.set('rssBytes', firstValue(f.get('process_resident_memory_bytes')), 'bytes');
    for (const fam of f.values()) {
      if (!fam.name.includes('pool') || (fam.type !== 'gauge' && fam.type !== 'untyped')) continue;
      for (const s of fam.samples) {
        const column = `pool:${fam.name}{${labelKey(s.labels)}}`;
        series.set(column, s.value, '');
        let p = pools.get(column);
        if (!p) {
          p = { metric: fam.name, labels: s.labels, column, values: [] };
          pools.set(column, p);
        }
        if (Number.isFinite(s.value)) p.values.push(s.value);
      }
    }
    if (previous) {
      const dtS = (readings.atMs - previous.atMs) / 1000;
      if (dtS > 0) {
        if (readings.cpuSeconds !== undefined && previous.cpuSeconds !== undefined) {
          series.set('cpuPercent', nonNegative(readings.cpuSeconds - previous.cpuSeconds) / dtS * 100, '%');
        }
        if (readings.gcSeconds !== undefined && previous.gcSeconds !== undefined) {
          series.set('gcMsPerS', (nonNegative(readings.gcSeconds - previous.gcSeconds) * 1000) / dtS, 'ms/s');
        }
        for (const [key, now] of readings.http) {
          const before = previous.http.get(key);
          const dCount = nonNegative(now.count - (before?.count ?? 0));
          const dSum = nonNegative(now.sumMs - (before?.sumMs ?? 0));
          series.set(`http:${key}:rps`, dCount / dtS, 'req/s');
          series.set(`http:${key}:meanMs`, dCount > 0 ? dSum / dCount : null, 'ms');
        }
      }
    }
    previous = readings;
    first ??= readings;
    lastGood = readings;
  };

  return {
    name: 'prometheus',
    async start(context: ProbeContext): Promise<void> {
      ctx = context;
      try {
        // The first scrape happens before any load and decides whether the probe runs at all: a service
        // (or a freshly started worker) on a busy host may need more than the per-sample budget for it.
        const expo = await scrape(context.signal, Math.max(timeoutMs, START_TIMEOUT_MS));
        scrapes++;
        ingest(context.offsetMs(), expo);
      } catch (err) {
        throw new TuneupError('TUNEUP_PROBE_PROMETHEUS_UNREACHABLE', `Cannot scrape ${shownUrl}: ${redactText((err as Error).message)}`, {
          hint: 'Check that the service exposes Prometheus metrics at this URL (e.g. prom-client with collectDefaultMetrics()), or drop the prometheus probe.',
          cause: err,
          location: 'probes.prometheus.url',
        });
      }
    },
    async sample(offsetMs: number): Promise<void> {
      const started = performance.now();
      sampling = true;
      try {
        const expo = await scrape(ctx?.signal);
        scrapes++;
        ingest(offsetMs, expo);
      } catch (err) {
        failed++;
        series.row(offsetMs);
        // A restart resets counters; forget the previous reading so no negative rate appears.
        previous = undefined;
        record(offsetMs, (err as Error).message);
      } finally {
        sampling = false;
        samples++;
        sampleMsTotal += performance.now() - started;
      }
    },
    async stop(): Promise<ProbeEvidence> {
      // One last reading of the counters once the load is over: the last sample may precede the run's final
      // second, and totals compared with the requests the load counted (a cache's lookups against an
      // endpoint's requests) must cover every request. Not a sample: the series keep their one-second rows.
      // Bounded, and skipped while a sample's scrape still hangs: stop never waits on a slow service.
      if (first && !sampling) {
        try {
          lastGood = readCounters(readingTime(ctx!, ctx!.offsetMs()), (await scrape(ctx?.signal, Math.min(timeoutMs, FINAL_READ_TIMEOUT_MS))).families);
        } catch {
          // The service may be gone at the end of the run: the totals then end at the last good sample.
        }
      }
      const built = series.build();
      const withEdges = (column: string) => {
        const xs = series.numbers(column);
        return xs.length === 0 ? undefined : { ...stats(xs), first: xs[0]!, last: xs[xs.length - 1]! };
      };
      const maybe = (column: string) => {
        const xs = series.numbers(column);
        return xs.length === 0 ? undefined : stats(xs);
      };
      const eventLoop = {
        p50Ms: maybe('eventLoopLagP50Ms'),
        p99Ms: maybe('eventLoopLagP99Ms'),
        maxMs: maybe('eventLoopLagMaxMs'),
        lagMs: maybe('eventLoopLagMs'),
      };
      const data: PrometheusProbeData = {
        url: shownUrl,
        scrapes,
        failedScrapes: failed,
        families: lastFamilies,
        eventLoop: Object.values(eventLoop).some((v) => v !== undefined) ? eventLoop : undefined,
        gcMsPerS: maybe('gcMsPerS'),
        heapUsedBytes: withEdges('heapUsedBytes'),
        rssBytes: withEdges('rssBytes'),
        cpuPercent: maybe('cpuPercent'),
        pools: [...pools.values()].map((p): PoolGaugeSummary => {
          const s = stats(p.values);
          return { metric: p.metric, labels: p.labels, column: p.column, min: s.min, max: s.max, mean: s.mean, last: p.values.at(-1) ?? 0 };
        }),
        http: httpTotals(first, lastGood),
        caches: cacheTotals(first, lastGood),
      };
      const limitations: string[] = [];
      if (scrapes > 0 && !data.eventLoop) limitations.push('No event-loop lag metric (nodejs_eventloop_lag_*): enable prom-client collectDefaultMetrics() to diagnose a blocked event loop.');
      if (scrapes > 0 && data.gcMsPerS === undefined && lastFamilies.length > 0 && !lastFamilies.includes('nodejs_gc_duration_seconds')) {
        limitations.push('No nodejs_gc_duration_seconds histogram: GC pressure cannot be measured from metrics.');
      }
      return {
        probe: 'prometheus',
        target: shownUrl,
        ok: scrapes > 0,
        limitations,
        errors,
        series: built,
        data: data as unknown as Record<string, unknown>,
        overhead: { samples, meanSampleMs: samples > 0 ? sampleMsTotal / samples : 0 },
      };
    },
  };
}

function nonNegative(x: number): number {
  return x > 0 ? x : 0;
}

function firstValue(f: PromFamily | undefined): number | undefined {
  return f?.samples[0]?.value;
}

function sumValues(f: PromFamily | undefined): number | undefined {
  if (!f || f.samples.length === 0) return undefined;
  return f.samples.reduce((a, s) => a + (Number.isFinite(s.value) ? s.value : 0), 0);
}

function readCounters(atMs: number, f: Map<string, PromFamily>): CounterReadings {
  const gc = f.get('nodejs_gc_duration_seconds');
  const readings: CounterReadings = {
    atMs,
    cpuSeconds: sumValues(f.get('process_cpu_seconds_total')),
    gcSeconds: gc?.histograms ? gc.histograms.reduce((a, h) => a + h.sum, 0) : undefined,
    http: new Map(),
    caches: new Map(),
  };
  for (const fam of f.values()) {
    if (!/cache/i.test(fam.name) || (fam.type !== 'counter' && fam.type !== 'untyped')) continue;
    for (const s of fam.samples) {
      if (s.name.endsWith('_created') || !Number.isFinite(s.value)) continue;
      const label = RESULT_LABELS.find((k) => HIT_VALUES.has(s.labels[k]?.toLowerCase() ?? '') || MISS_VALUES.has(s.labels[k]?.toLowerCase() ?? ''));
      if (!label) continue;
      const key = `${fam.name}{${labelKey(s.labels, label)}}`;
      const labels = Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== label));
      const acc = readings.caches.get(key) ?? { metric: fam.name, labels, hits: 0, misses: 0 };
      if (HIT_VALUES.has(s.labels[label]!.toLowerCase())) acc.hits += s.value;
      else acc.misses += s.value;
      readings.caches.set(key, acc);
    }
  }
  for (const { name, toMs } of HTTP_HISTOGRAMS) {
    const fam = f.get(name);
    if (!fam?.histograms) continue;
    for (const h of fam.histograms) {
      const route = h.labels.route ?? h.labels.path ?? h.labels.http_route ?? h.labels.handler ?? h.labels.url ?? '';
      const method = (h.labels.method ?? h.labels.http_method ?? h.labels.http_request_method ?? '').toUpperCase();
      const status = h.labels.status_code ?? h.labels.code ?? h.labels.status ?? h.labels.http_status_code ?? h.labels.http_response_status_code ?? '';
      const key = `${method} ${route}`.trim();
      const acc = readings.http.get(key) ?? { method, route, count: 0, sumMs: 0, errors: 0 };
      acc.count += h.count;
      acc.sumMs += h.sum * toMs;
      if (status.startsWith('5')) acc.errors += h.count;
      readings.http.set(key, acc);
    }
    break; // one HTTP histogram family is enough; several would double count
  }
  return readings;
}

/** Each application cache's hits and misses between two readings; caches without a lookup in between are left out. */
function cacheTotals(first: CounterReadings | undefined, last: CounterReadings | undefined): AppCacheSummary[] {
  if (!first || !last) return [];
  const out: AppCacheSummary[] = [];
  for (const [key, now] of last.caches) {
    const before = first.caches.get(key);
    const hits = nonNegative(now.hits - (before?.hits ?? 0));
    const misses = nonNegative(now.misses - (before?.misses ?? 0));
    if (hits + misses > 0) out.push({ metric: now.metric, labels: now.labels, hits, misses });
  }
  return out.sort((a, b) => b.hits + b.misses - (a.hits + a.misses));
}

function httpTotals(first: CounterReadings | undefined, last: CounterReadings | undefined): HttpRouteSummary[] {
  if (!first || !last) return [];
  const out: HttpRouteSummary[] = [];
  for (const [key, now] of last.http) {
    const before = first.http.get(key);
    const requests = nonNegative(now.count - (before?.count ?? 0));
    const sumMs = nonNegative(now.sumMs - (before?.sumMs ?? 0));
    out.push({
      method: now.method,
      route: now.route,
      requests,
      meanMs: requests > 0 ? sumMs / requests : 0,
      serverErrors: nonNegative(now.errors - (before?.errors ?? 0)),
    });
  }
  return out.sort((a, b) => b.requests - a.requests);
}

/**
 * fetch() refuses URLs with credentials: move `user:password@` into a Basic
 * Authorization header (unless the caller gave one) and scrape the bare URL.
 */
export function scrapeEndpoint(raw: string, headers: Record<string, string> | undefined): { url: string; headers: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { url: raw, headers: { ...headers } };
  }
  if (url.username === '' && url.password === '') return { url: raw, headers: { ...headers } };
  const basic = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  url.username = '';
  url.password = '';
  const given = Object.keys(headers ?? {}).some((k) => k.toLowerCase() === 'authorization');
  return { url: url.toString(), headers: { ...(given ? {} : { authorization: `Basic ${basic}` }), ...headers } };
}
