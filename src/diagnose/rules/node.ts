/**
 * Rules on the Node.js service process: event loop, CPU, memory, GC
 * (Clinic.js Doctor's signals, read from prom-client metrics and /proc).
 *
 * @module
 */
import type { Finding } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import { alignToGrid, linearTrend, numbers, quantile } from '../evidence.js';
import { causesBlocking, loopDelayCausedBy, loopDelayOver, mainThreadUtilizationSeries, readLoopDelay } from './loop-delay.js';
import { attributionOf, demandAttribution } from './attribution.js';
import { hostSampleHolder, hostSaturatedPercent } from './host.js';
import { fmt, makeFinding, pct, summaryOf, type DiagnosisInput } from './types.js';

/** Endpoints ranked by their share of the service's CPU (cpuMs × requests), highest first. */
export function cpuHeavyEndpoints(input: DiagnosisInput): { endpoint: string; cpuMs: number; share: number; totalRange: [number, number] }[] {
  const rows = input.demand.demands
    .filter((d) => d.cpuMs !== undefined)
    .map((d) => {
      const requests = input.result.endpoints.find((e) => e.endpoint === d.endpoint)?.requests ?? 0;
      // A regression estimate spans ± 2 standard errors; a measured one (an endpoint alone) is exact. No
      // standard error for a regression estimate means it could not be computed: unbounded.
      const se = d.method === 'profile' ? 0 : (d.stdError?.cpuMs ?? Number.POSITIVE_INFINITY);
      const range: [number, number] = [Math.max(0, d.cpuMs! - 2 * se) * requests, (d.cpuMs! + 2 * se) * requests];
      return { endpoint: d.endpoint, cpuMs: d.cpuMs!, total: d.cpuMs! * requests, range };
    });
  const all = rows.reduce((a, r) => a + r.total, 0);
  return rows
    .map((r) => ({ endpoint: r.endpoint, cpuMs: r.cpuMs, share: all > 0 ? r.total / all : 0, totalRange: r.range }))
    .sort((a, b) => b.share - a.share);
}

/**
 * The endpoint that uses most of the CPU, when the cost model tells it apart: its CPU time's lower bound
 * (estimate − 2 standard errors, × requests) is at least every other endpoint's upper bound. Otherwise
 * undefined: at saturation the CPU is pinned at its limit second after second, so the per-second
 * regression has little to go on exactly when the question is asked.
 */
export function resolvedCpuUser(heavy: ReturnType<typeof cpuHeavyEndpoints>): (typeof heavy)[number] | undefined {
  const [top, ...rest] = heavy;
  if (!top) return undefined;
  return rest.every((r) => top.totalRange[0] >= r.totalRange[1]) ? top : undefined;
}

/** CPU samples of the service (% of one core): process probe first, else prometheus. */
export function serviceCpu(input: DiagnosisInput): { values: number[]; source: string } | undefined {
  const p = input.probes.process?.series.values.cpuPercent;
  if (p && numbers(p).length > 0) return { values: numbers(p), source: '/proc/<pid>/stat' };
  const m = input.probes.prometheus?.series.values.cpuPercent;
  if (m && numbers(m).length > 0) return { values: numbers(m), source: 'process_cpu_seconds_total' };
  return undefined;
}

/**
 * CPU (% of one core) that the load offered to the service asked for: each
 * endpoint's CPU per request (cost model) times its offered rate — the
 * achieved rate scaled up by the iterations an open-model run dropped because
 * the service fell behind. Undefined unless the run dropped more than 1 % of
 * its scheduled iterations: a service that kept up got all the CPU it needed.
 */
export function offeredCpu(input: DiagnosisInput): number | undefined {
  const totals = input.result.totals;
  const scheduled = totals.iterations + totals.droppedIterations;
  if (input.result.model === 'closed' || totals.iterations <= 0 || totals.droppedIterations <= 0.01 * scheduled) return undefined;
  const scale = scheduled / totals.iterations;
  let percent = 0;
  for (const d of input.demand.demands) {
    const rps = input.result.endpoints.find((e) => e.endpoint === d.endpoint)?.rps ?? 0;
    percent += ((d.cpuMs ?? 0) * rps * scale) / 10;
  }
  return percent;
}

/**
 * Is the service's CPU saturated? Either measured (p90 ≥ `cpu.saturatedPercent`),
 * or offered: the load asked for at least a whole core (a Node.js service
 * runs JavaScript on one) and the service fell behind. The second catches a
 * saturated service on a busy host or under a CPU quota, where the process
 * never gets 90 % of a core. Used by other rules to avoid blaming queueing on a dependency.
 */
export function cpuSaturated(input: DiagnosisInput, config: RuleConfig): boolean {
  const cpu = serviceCpu(input);
  if (!cpu || cpu.values.length < 3) return false;
  return measuredSaturation(input, config) !== undefined || (offeredCpu(input) ?? 0) >= 100;
}

/** The CPU measurement that showed the service at its limit. */
export interface MeasuredSaturation {
  /**
   * What was at its limit: the service's main thread, its process (no main-thread series), or the host's
   * cores, held mostly by the service (its other threads — libuv's pool, GC helpers — filling the cores).
   */
  what: 'main thread' | 'process' | 'host';
  /** Its CPU p90 (% of one core); for `host`, the service's process CPU p90. */
  p90: number;
  /** For `host`: the share of samples with the host's cores at the limit and the service holding most of them. */
  hostSampleShare?: number;
  /** For `host`: the host's cores. */
  cores?: number;
  source: string;
}

/**
 * Was the service's CPU measured at its limit (p90 over samples ≥ `cpu.saturatedPercent`)? A Node.js
 * service runs its JavaScript on the main thread, so that thread is what saturates: the process total
 * adds the GC's helper threads and libuv's pool, which run beside it on other cores — a process at 120 %
 * with its main thread at 60 % has a core to spare (seen on the holdout's GC-pressure case). Judged on the
 * main thread when the process probe measured it; without a main-thread series, on the process total
 * against one core, as before. (A host whose cores the service's other threads fill — libuv's pool
 * hashing passwords — is not judged here yet: see docs/rules.md, cpu-saturation.)
 */
export function measuredSaturation(input: DiagnosisInput, config: RuleConfig): MeasuredSaturation | undefined {
  const limit = config.get('cpu.saturatedPercent');
  const main = numbers(input.probes.process?.series.values.mainThreadCpuPercent);
  if (main.length >= 3) {
    const p90 = quantile(main, 0.9);
    return p90 >= limit ? { what: 'main thread', p90, source: '/proc/<pid>/task/<pid>/stat' } : hostHeldByService(input, config);
  }
  const host = hostHeldByService(input, config);
  if (host) return host;
  const cpu = serviceCpu(input);
  if (!cpu || cpu.values.length < 3) return undefined;
  const p90 = quantile(cpu.values, 0.9);
  return p90 >= limit ? { what: 'process', p90, source: cpu.source } : undefined;
}

/**
 * cpu-saturation: the service process uses ≥ 90 % of its one core at p90
 * (Clinic Doctor's CPU boundary), or the offered load needed a whole core and
 * the service fell behind (utilization law: CPU per request × rate ≥ 1 core).
 */
export function cpuSaturationRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const cpu = serviceCpu(input);
  if (!cpu || cpu.values.length < 3) return [];
  const p90 = quantile(cpu.values, 0.9);
  const offered = offeredCpu(input);
  const saturation = measuredSaturation(input, config);
  const measured = saturation !== undefined;
  if (!measured && (offered ?? 0) < 100) return [];
  const all = cpuHeavyEndpoints(input);
  const heavy = all.slice(0, 3);
  const top = resolvedCpuUser(all);
  const candidates = heavy.filter((h) => h.share >= 0.2).map((h) => h.endpoint);
  const bound = top && top.cpuMs > 0 ? 1000 / top.cpuMs : undefined;
  const cpuMean = cpu.values.reduce((a, b) => a + b, 0) / cpu.values.length;
  const finding = makeFinding({
      rule: 'cpu-saturation',
      category: 'cpu-saturation',
      subject: 'service',
      severity: 'high',
      endpoint: top?.endpoint,
      endpoints: top ? candidates : [],
      title: top ? `The service's CPU is saturated; ${top.endpoint} uses ${pct(top.share)} of it` : 'The service\'s CPU is saturated',
      summary: `${saturation ? saturationText(saturation, p90) : `The load asked for ${fmt(offered!)} % of one core (CPU per request × offered rate) and the service fell behind (${fmt(input.result.totals.droppedIterations)} iterations dropped) while its process got ${fmt(p90)} % at p90 (a busy host or a CPU quota gives it less than a core)`}; a Node.js service runs JavaScript on one core, so requests queue for the CPU and latency grows with load.${top ? ` ${top.endpoint} costs ${fmt(top.cpuMs)} ms CPU per request, bounding it at ~${fmt(bound ?? 0)} req/s alone.` : candidates.length > 0 ? ` This mixed run cannot tell which endpoint uses most of it (estimates: ${heavy.map((h) => `${h.endpoint} ${fmt(h.cpuMs)} ms`).join(', ')} per request, overlapping within their errors); run them alone (\`tuneup profile\`, or \`tuneup diagnose\`).` : ''}`,
      evidence: [
        ...(saturation?.what === 'main thread' ? [{ label: 'service main-thread CPU p90', value: saturation.p90, unit: '% of one core', source: saturation.source }] : []),
        ...(saturation?.what === 'host' ? [{ label: "samples with the host's cores at their limit, held mostly by the service", value: saturation.hostSampleShare ?? 0, unit: 'ratio', source: saturation.source }] : []),
        { label: 'service CPU p90', value: p90, unit: '% of one core', source: cpu.source },
        { label: 'service CPU mean', value: cpuMean, unit: '% of one core', source: cpu.source },
        ...(offered !== undefined ? [{ label: 'CPU the offered load needs', value: offered, unit: '% of one core', source: 'cost model × offered rate' }] : []),
        ...heavy.map((h) => ({ label: `CPU per request, ${h.endpoint}`, value: h.cpuMs, unit: 'ms', source: 'cost model' })),
      ],
      metrics: { serviceCpuPercent: cpuMean },
      recommendation: {
        text: 'Reduce CPU per request on the top endpoint (profile with `node --cpu-prof` or `clinic flame`; cache computed results; avoid re-serialising large objects), or add cores: run several processes (node:cluster, PM2, more replicas).',
      },
      confidence: measured ? 0.85 : 0.8,
      impact: top ? Math.max(0.5, top.share) : 0.6,
      attribution: demandAttribution(input, [top?.endpoint]),
    });
  // A core busy all the time delays every callback: with the service's CPU measured at its limit, part of the
  // event-loop delay is the saturation's, and the saturation (with the endpoint that uses the core) is said
  // first. Long synchronous blocks remain a problem of their own (they delay others even below saturation),
  // so the event-loop finding keeps its severity: the link orders, it does not demote.
  if (measured) finding.explains = [{ category: 'event-loop-blocked', as: 'contributes' }];
  return [finding];
}

/**
 * The host's cores at their limit with the service holding most of them, judged sample by sample: in at least
 * `cpu.hostHeldSamples` of the samples the host is at `cpu.saturatedPercent` of all its cores and the service's
 * processes hold a majority of the busy CPU. A service whose other threads (libuv's pool hashing passwords,
 * compressing, resolving names) fill the cores is CPU-bound with its main thread half idle: requests queue for
 * the pool's threads, which wait for a core. Both conditions in the same sample — a host the database fills in
 * some seconds and the service in others is neither's saturation.
 */
function hostHeldByService(input: DiagnosisInput, config: RuleConfig): MeasuredSaturation | undefined {
  const probe = input.probes.process;
  const cores = probe?.data.host?.cores ?? 0;
  const host = probe?.series.values.hostCpuPercent;
  const service = probe?.series.values.targetTreeCpuPercent;
  if (!host || !service || cores <= 0) return undefined;
  const full = hostSaturatedPercent(config, cores);
  let judged = 0;
  let held = 0;
  for (let i = 0; i < host.length; i++) {
    const h = host[i];
    const s = service[i];
    if (h === null || h === undefined || s === null || s === undefined) continue;
    judged++;
    if (hostSampleHolder(h, s, full) === 'service') held++;
  }
  if (judged < 3 || held / judged < config.get('cpu.hostHeldSamples')) return undefined;
  const cpu = serviceCpu(input);
  const p90 = cpu && cpu.values.length > 0 ? quantile(cpu.values, 0.9) : quantile(numbers(service), 0.9);
  return { what: 'host', p90, hostSampleShare: held / judged, cores, source: '/proc/stat and /proc/<pid>/stat (per sample)' };
}

/** How the finding states what was at its limit. */
function saturationText(s: MeasuredSaturation, processP90: number): string {
  if (s.what === 'host') return `The host's ${s.cores} cores were at their limit in ${pct(s.hostSampleShare ?? 0)} of the samples, the service's processes holding most of them (the process ${fmt(processP90)} % of one core at p90: threads beside the main thread — libuv's pool, GC helpers — fill the other cores)`;
  if (s.what === 'main thread') return `The service's main thread ran at ${fmt(s.p90)} % of one core (p90; the process ${fmt(processP90)} %)`;
  return `The service process ran at ${fmt(s.p90)} % of one core (p90)`;
}

/** A memory trend over one stretch of samples ([t ms, bytes] pairs). */
interface MemoryTrend {
  mbPerMin: number;
  growthMb: number;
  r2: number;
  durationS: number;
  /** Slope of the stretch's second half over the slope of the whole (1 for a straight line, → 0 for a plateau). */
  lateSlopeRatio: number;
}

function slopeOf(pts: readonly (readonly [number, number])[]): { slope: number; r2: number } {
  return linearTrend(pts.map((p) => p[0]), pts.map((p) => p[1]));
}

function memoryTrend(pts: readonly (readonly [number, number])[]): MemoryTrend {
  const trend = slopeOf(pts);
  const late = pts.length >= 8 ? slopeOf(pts.slice(Math.floor(pts.length / 2))).slope : trend.slope;
  return {
    mbPerMin: (trend.slope * 60_000) / (1024 * 1024),
    growthMb: (pts[pts.length - 1]![1] - pts[0]![1]) / (1024 * 1024),
    r2: trend.r2,
    durationS: (pts[pts.length - 1]![0] - pts[0]![0]) / 1000,
    lateSlopeRatio: trend.slope > 0 ? late / trend.slope : 0,
  };
}

/**
 * The heap may climb by at most this share of what RSS climbed for RSS
 * releases to be added back: the climb is then off-heap (Buffers, native
 * memory), which V8 never hands back, while a heap that climbs and falls with
 * RSS is a GC sawtooth, not a leak.
 */
const OFF_HEAP_CLIMB_SHARE = 0.25;

/** Sum of the rises between consecutive samples (MB-agnostic: same unit as the values). */
function climb(values: readonly number[]): number {
  let sum = 0;
  for (let i = 1; i < values.length; i++) sum += Math.max(0, values[i]! - values[i - 1]!);
  return sum;
}

/** Indexes of samples that fell by more than `memory.releaseShare` of the level before them. */
function releasesIn(pts: readonly (readonly [number, number])[], config: RuleConfig): number[] {
  const out: number[] = [];
  for (let i = 1; i < pts.length; i++) if (pts[i - 1]![1] - pts[i]![1] > config.get('memory.releaseShare') * pts[i - 1]![1]) out.push(i);
  return out;
}

/**
 * Resident memory with its releases added back. RSS of a process in steady
 * state is flat (V8 and the allocator keep the pages they committed); it falls
 * when they hand pages back (V8's memory reducer after the start-up heap is
 * compacted, often in a few steps; an allocator trim), while leaked off-heap
 * memory is never handed back and keeps climbing from the new level. A fall
 * between two samples larger than `memory.releaseShare` of the level is such
 * a release; the series after it is shifted up by the fall. Undefined when
 * there was no release, or when the releases may be a GC sawtooth: the heap
 * climbed with RSS (more than {@link OFF_HEAP_CLIMB_SHARE} of its climb), or,
 * without a heap series, more than `memory.maxReleasesPerMin` releases per minute.
 */
function withReleasesAddedBack(
  pts: readonly (readonly [number, number])[],
  heap: readonly (readonly [number, number])[] | undefined,
  config: RuleConfig,
): { pts: (readonly [number, number])[]; releases: number } | undefined {
  const at = new Set(releasesIn(pts, config));
  if (at.size === 0) return undefined;
  let shift = 0;
  const out: (readonly [number, number])[] = [];
  for (let i = 0; i < pts.length; i++) {
    if (at.has(i)) shift += pts[i - 1]![1] - pts[i]![1];
    out.push([pts[i]![0], pts[i]![1] + shift]);
  }
  const releases = at.size;
  const from = pts[0]![0];
  const to = pts[pts.length - 1]![0];
  const heapInWindow = (heap ?? []).filter((p) => p[0] >= from && p[0] <= to).map((p) => p[1]);
  if (heapInWindow.length >= pts.length / 2) {
    return climb(heapInWindow) <= OFF_HEAP_CLIMB_SHARE * climb(pts.map((p) => p[1])) ? { pts: out, releases } : undefined;
  }
  return releases <= Math.max(1, Math.floor(((to - from) / 60_000) * config.get('memory.maxReleasesPerMin'))) ? { pts: out, releases } : undefined;
}

/**
 * The heap's floor: the samples right after each major collection (a fall of more than `memory.releaseShare`).
 * Garbage raises only the peaks of a GC sawtooth; a leak raises the level every collection returns to. Undefined
 * when the heap never fell (no sawtooth: judge the series itself) or fell fewer than three times (no floor trend).
 *
 * Only for a heap read as a whole (`nodejs_heap_size_used_bytes` without the spaces): its falls are mostly
 * scavenges, whose floor still climbs with promotion, so it is the fallback; see {@link oldGenerationFloor}.
 */
function heapFloor(pts: readonly (readonly [number, number])[], config: RuleConfig): (readonly [number, number])[] | 'sawtooth' | undefined {
  const falls = releasesIn(pts, config);
  if (falls.length === 0) return undefined;
  return falls.length >= MIN_FLOORS ? falls.map((i) => pts[i]!) : 'sawtooth';
}

/** Floors a trend needs: two points always make a line, three can miss it. */
const MIN_FLOORS = 3;

/** Samples a memory trend needs: a slope, and its second half's slope to tell a plateau from a line. */
const MIN_TREND_SAMPLES = 10;

/**
 * Indexes of the bottoms of a series' falls: a sample lower than the one before it, with a later sample at
 * least as high (a fall still going on at the last sample has not shown its bottom).
 */
function fallBottoms(pts: readonly (readonly [number, number])[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < pts.length - 1; i++) if (pts[i]![1] < pts[i - 1]![1] && pts[i + 1]![1] >= pts[i]![1]) out.push(i);
  return out;
}

/**
 * The old generation's floors: the bottom of each of its falls. The old generation only grows between major
 * collections — every scavenge promotes what was alive at that moment, garbage in flight included — and only a
 * major collection (mark-compact, its sweeping spread over a sample or two) lowers it. So its level after a
 * fall is what the collector could not free, and a leak is a rising floor; its climb between collections is
 * not evidence either way. Undefined with fewer than {@link MIN_FLOORS} falls: no major collection to judge by.
 */
function oldGenerationFloor(pts: readonly (readonly [number, number])[]): (readonly [number, number])[] | undefined {
  const floors = fallBottoms(pts).map((i) => pts[i]!);
  return floors.length >= MIN_FLOORS ? floors : undefined;
}

/**
 * Resident memory beyond the heap's high-water mark: each RSS sample less the highest heap used (as a whole) at
 * or before it. RSS holds the pages V8 committed for its heap, and V8 commits them while the heap's peaks rise
 * — a fresh process sizing its heap to its load, whose garbage peaks still grow — and keeps them after a
 * collection; that climb is the heap's, judged on the heap. A release of pages (a fall of RSS by more than
 * `memory.releaseShare`: V8's memory reducer handing the start-up heap back) starts the mark again from the heap
 * at that moment, since the pages the earlier peaks held are gone and RSS climbs back as the heap needs them.
 * What RSS adds beyond the heap's peak is memory the heap does not hold: Buffers, native allocations, code.
 * Undefined without heap samples.
 */
function beyondHeapPeak(rss: readonly (readonly [number, number])[], heap: readonly (readonly [number, number])[], config: RuleConfig): (readonly [number, number])[] | undefined {
  if (heap.length === 0) return undefined;
  const releases = new Set(releasesIn(rss, config));
  // Scrapes of the two probes are not simultaneous: a heap sample up to half a sampling interval after an RSS
  // sample describes the same moment.
  const gaps = heap.slice(1).map((p, i) => p[0] - heap[i]![0]);
  const skewMs = gaps.length > 0 ? quantile(gaps, 0.5) / 2 : 0;
  let peak = heap[0]![1];
  let next = 0;
  return rss.map(([t, v], i) => {
    // A release hands back pages the earlier peaks held: the high-water mark starts again from the heap now.
    if (releases.has(i)) {
      while (next < heap.length && heap[next]![0] <= t + skewMs) next++;
      peak = heap[Math.max(0, next - 1)]![1];
    }
    while (next < heap.length && heap[next]![0] <= t + skewMs) peak = Math.max(peak, heap[next++]![1]);
    return [t, v - peak] as const;
  });
}

/**
 * memory-growth: heap or RSS grows steadily through the run: a leak or an
 * unbounded cache. Judged by the growth itself, not by a minimum run length:
 * its slope (`memory.growthMBPerMin`), its fit to a straight line
 * (`memory.minR2`), its size (`memory.minGrowthMB`), and its shape — a leak
 * keeps its slope, while warm-up (caches, JIT, pools filling) flattens
 * towards a plateau (`memory.flatteningRatio`). Severity follows the time to
 * exhaust the host's memory at that slope (`memory.exhaustMinutes`). Each
 * source is judged on its own: a flat heap does not clear a growing RSS,
 * since Buffers and native allocations live outside the JavaScript heap. RSS
 * is also judged with its rare releases added back (see
 * withReleasesAddedBack); a heap with a GC sawtooth by its floor (see heapFloor).
 */
export function memoryGrowthRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const prom = input.probes.prometheus?.series;
  // The heap by its old generation when the service exports V8's heap spaces (see oldGenerationFloor), else as a whole.
  const heapColumn = (prom?.values.heapOldUsedBytes?.filter((v) => v !== null).length ?? 0) >= MIN_TREND_SAMPLES ? 'heapOldUsedBytes' : 'heapUsedBytes';
  const candidates: { series?: { t: number[]; values: Record<string, (number | null)[]> }; column: string; source: string }[] = [
    { series: prom, column: heapColumn, source: heapColumn === 'heapOldUsedBytes' ? 'nodejs_heap_space_size_used_bytes (old generation)' : 'nodejs_heap_size_used_bytes' },
    { series: input.probes.process?.series, column: 'rssBytes', source: '/proc/<pid>/status VmRSS' },
    { series: input.probes.prometheus?.series, column: 'rssBytes', source: 'process_resident_memory_bytes' },
  ];
  const grows = (t: MemoryTrend): boolean =>
    t.mbPerMin >= config.get('memory.growthMBPerMin') &&
    t.r2 >= config.get('memory.minR2') &&
    t.growthMb >= config.get('memory.minGrowthMB') &&
    t.lateSlopeRatio >= config.get('memory.flatteningRatio');
  const points = (series: { t: number[]; values: Record<string, (number | null)[]> } | undefined, column: string): (readonly [number, number])[] =>
    (series?.t ?? []).map((t, i) => [t, series!.values[column]?.[i]] as const).filter((p): p is readonly [number, number] => p[1] !== null && p[1] !== undefined);
  const heap = points(input.probes.prometheus?.series, 'heapUsedBytes');
  // Set when the heap was measured and did not grow: RSS growth is then off-heap memory.
  let heapFlat = false;
  // An old generation that climbed with no major collection to judge it by: said at low if nothing else grows.
  let unsettled: Finding | undefined;
  for (const c of candidates) {
    if (!c.series?.values[c.column]) continue;
    const pts = points(c.series, c.column);
    // Enough samples for a slope and its second half's slope; no minimum run length beyond that.
    if (pts.length < MIN_TREND_SAMPLES) continue;
    // Skip the warm-up fifth: JIT, caches and pools fill at the start of every run. RSS is judged beyond the heap's peak.
    const beyondHeap = c.column === 'rssBytes' ? beyondHeapPeak(pts, heap, config) : undefined;
    const offHeap = beyondHeap !== undefined;
    const judged = beyondHeap ?? pts;
    const body = judged.slice(Math.floor(judged.length / 5));
    let whole = memoryTrend(body);
    let floorJudged = false;
    if (c.column === 'heapOldUsedBytes') {
      // Judged by its floors only: without major collections to return to, its climb is promotion, live or not.
      const floor = oldGenerationFloor(body);
      if (!floor) {
        unsettled ??= unsettledClimb(body, grows, config);
        continue;
      }
      whole = { ...memoryTrend(floor), growthMb: (floor[floor.length - 1]![1] - floor[0]![1]) / (1024 * 1024) };
      floorJudged = true;
    } else if (c.column === 'heapUsedBytes') {
      // The heap falls at every major GC by design: a sawtooth is judged by its floor, or not at all.
      const floor = heapFloor(body, config);
      if (floor === 'sawtooth') {
        heapFlat = true;
        continue;
      }
      if (floor) {
        whole = { ...memoryTrend(floor), growthMb: (floor[floor.length - 1]![1] - floor[0]![1]) / (1024 * 1024) };
        floorJudged = true;
      }
    }
    // Only RSS is judged with its releases added back.
    const adjusted = c.column === 'rssBytes' && !grows(whole) ? withReleasesAddedBack(body, heap.length > 0 ? heap : undefined, config) : undefined;
    const trend = grows(whole) ? whole : adjusted && grows(memoryTrend(adjusted.pts)) ? memoryTrend(adjusted.pts) : undefined;
    const releases = trend === whole ? 0 : (adjusted?.releases ?? 0);
    if (!trend) {
      if (c.column !== 'rssBytes') heapFlat = true;
      continue;
    }
    const { mbPerMin, growthMb } = trend;
    const durationMin = trend.durationS / 60;
    // Magnitude: how long until the host's memory is gone at this slope (the heap lives in RSS too).
    const rssNow = points(input.probes.process?.series ?? input.probes.prometheus?.series, 'rssBytes').at(-1)?.[1] ?? body[body.length - 1]![1];
    const total = input.result.environment.totalMemoryBytes;
    const minutesToExhaust = total > rssNow && mbPerMin > 0 ? (total - rssNow) / (1024 * 1024) / mbPerMin : undefined;
    const urgent = minutesToExhaust !== undefined && minutesToExhaust <= config.get('memory.exhaustMinutes');
    // Too short a stretch to tell a leak from the warm-up of a fresh process: said, at low. A process that
    // served the same load for that long just before the run (diagnose's capacity ramp) is past its warm-up.
    const minJudgedS = config.get('memory.minJudgedS');
    const warmedUp = (input.result.precededByLoadMs ?? 0) >= minJudgedS * 1000;
    const tooShort = !warmedUp && trend.durationS < minJudgedS;
    return [
      makeFinding({
        rule: 'memory-growth',
        category: 'memory-growth',
        subject: c.column,
        severity: tooShort ? 'low' : urgent ? 'high' : 'medium',
        title: `Memory grows steadily: +${fmt(mbPerMin)} MB/min (${c.column === 'rssBytes' ? 'RSS' : 'heap'})${tooShort ? ` over only ${fmt(trend.durationS)} s` : ''}`,
        summary: `Over ${fmt(durationMin)} min after warm-up, ${c.column === 'rssBytes' ? (offHeap ? 'resident memory beyond the heap\'s high-water mark' : 'resident memory') : `the JavaScript heap${floorJudged ? '\'s level after each major GC' : ''}`} grew by ${fmt(growthMb)} MB on a straight line (R² ${fmt(trend.r2)}${releases > 0 ? `, counting ${releases} release${releases > 1 ? 's' : ''} of memory the process gave back on the way` : ''}) without flattening: something keeps references per request (a leak or an unbounded cache).${offHeap || heapFlat ? ' The JavaScript heap does not hold it, so the growth is off-heap: Buffers, typed arrays or native allocations.' : ''}${minutesToExhaust !== undefined ? ` At this load the host's memory is gone in ~${fmt(minutesToExhaust)} min` : ' Under sustained load it ends'}${minutesToExhaust !== undefined ? ' (sooner under a container limit or V8\'s heap limit): then' : ''} long GC pauses or an out-of-memory crash.${tooShort ? ` The growth was judged on only ${fmt(trend.durationS)} s, where the warm-up of a freshly started process (JIT, heap sizing, caches and pools filling) grows on a straight line too: run at least ${Math.ceil(config.get('memory.minJudgedS') * 1.25 + 2)} s to confirm it.` : ''}`,
        evidence: [
          { label: 'growth rate', value: mbPerMin, unit: 'MB/min', source: c.source },
          { label: releases > 0 ? 'growth after warm-up (releases added back)' : 'growth after warm-up', value: growthMb, unit: 'MB', source: c.source },
          { label: 'linearity (R²)', value: trend.r2, unit: '', source: 'tuneup' },
          { label: 'second-half slope / whole slope', value: trend.lateSlopeRatio, unit: 'ratio', source: 'tuneup' },
          ...(minutesToExhaust !== undefined ? [{ label: 'time to exhaust host memory', value: minutesToExhaust, unit: 'min', source: 'environment.totalMemoryBytes' }] : []),
        ],
        recommendation: {
          text: 'Take two heap snapshots some minutes apart under load (`node --heapsnapshot-signal=SIGUSR2`, or `clinic heapprofiler`) and compare retained objects. Bound in-process caches (LRU with a max size and TTL) and remove per-request listeners/timers that are never cleared.',
        },
        metrics: { memoryGrowthMBPerMin: mbPerMin },
        confidence: 0.75,
        impact: 0.3,
      }),
    ];
  }
  return unsettled ? [unsettled] : [];
}

/**
 * The note for an old generation that climbed on a line while no major collection (fewer than three falls)
 * showed what the collector can free. A fall that took back at least `memory.garbageFallShare` of the climb
 * before it shows that climb to be garbage, so the stretch is judged from the last such fall on: when what
 * follows it still grows (and has the samples a trend needs), it is said at low, with what would settle it.
 * Promotion climbs that way whether the promoted objects live or not. Undefined otherwise.
 */
function unsettledClimb(body: readonly (readonly [number, number])[], grows: (t: MemoryTrend) => boolean, config: RuleConfig): Finding | undefined {
  const share = config.get('memory.garbageFallShare');
  let from = 0;
  let base = body[0]![1];
  let previous = 0;
  for (const i of fallBottoms(body)) {
    const peak = Math.max(...body.slice(previous, i).map((p) => p[1]));
    if (peak - body[i]![1] >= share * (peak - base)) from = i;
    base = body[i]![1];
    previous = i;
  }
  const stretch = body.slice(from);
  if (stretch.length < MIN_TREND_SAMPLES) return undefined;
  const trend = memoryTrend(stretch);
  if (!grows(trend)) return undefined;
  const falls = fallBottoms(stretch).length;
  const collections = falls === 0 ? 'no major collection ran' : `only ${falls} major collection${falls > 1 ? 's' : ''} ran, each freeing less than ${pct(share)} of the climb before it`;
  return makeFinding({
    rule: 'memory-growth',
    category: 'memory-growth',
    subject: 'heapOldUsedBytes',
    severity: 'low',
    title: `The heap's old generation climbed +${fmt(trend.mbPerMin)} MB/min, and ${collections}: not yet a leak or not`,
    summary: `Over ${fmt(trend.durationS)} s after warm-up the old generation grew by ${fmt(trend.growthMb)} MB on a line (R² ${fmt(trend.r2)}), and ${collections}. Every scavenge promotes what is alive at that moment, requests' garbage in flight included, so the old generation climbs between major collections whether the promoted objects live on or not; only the level a major collection returns to says what is kept. Run longer (a few minutes at this load), or take two heap snapshots some minutes apart, to settle it.`,
    evidence: [
      { label: 'old-generation climb rate', value: trend.mbPerMin, unit: 'MB/min', source: 'nodejs_heap_space_size_used_bytes (old generation)' },
      { label: 'growth after warm-up', value: trend.growthMb, unit: 'MB', source: 'nodejs_heap_space_size_used_bytes (old generation)' },
      { label: 'major collections seen (falls of the old generation)', value: falls, unit: 'collections', source: 'nodejs_heap_space_size_used_bytes (old generation)' },
    ],
    recommendation: { text: 'Run longer at this load (or `tuneup diagnose`) so that major collections show what the heap keeps; or compare two heap snapshots taken minutes apart (`node --heapsnapshot-signal=SIGUSR2`).' },
    confidence: 0.4,
    impact: 0.1,
  });
}

/**
 * Share of the main thread's CPU that is not garbage collection: 1 − (GC ms per second ÷ main-thread CPU ms
 * per second), over the run. GC pauses run on the main thread, so an allocation-heavy endpoint's main-thread
 * CPU per request includes its garbage's collection; this share scales it back to the synchronous JavaScript
 * alone. 1 when either series is missing.
 */
export function nonGcShareOfMainThread(input: DiagnosisInput): number {
  const gc = numbers(input.probes.prometheus?.series.values.gcMsPerS);
  const main = numbers(input.probes.process?.series.values.mainThreadCpuPercent);
  if (gc.length === 0 || main.length === 0) return 1;
  const gcMsPerS = gc.reduce((a, b) => a + b, 0) / gc.length;
  const mainMsPerS = (main.reduce((a, b) => a + b, 0) / main.length) * 10;
  return mainMsPerS > 0 ? Math.max(0, Math.min(1, 1 - gcMsPerS / mainMsPerS)) : 1;
}

/** Event-loop delay over the run as the event-loop rule reads it (ms above the monitor's resolution), and whether it breaches a limit. */
function loopDelay(input: DiagnosisInput, config: RuleConfig): { p99Ms: number; maxMs: number; over: boolean } | undefined {
  const delay = readLoopDelay(input);
  if (!delay) return undefined;
  return { p99Ms: Math.max(delay.p99, delay.p50), maxMs: delay.maxP90, over: loopDelayOver(delay, config) };
}

/**
 * The endpoint whose requests' garbage takes at least `gc.ownerShare` of the GC time (GC ms per request from
 * the cost model × its requests) and half again its share of the requests (it allocates more per request
 * than the rest), or undefined when the GC time is spread (no endpoint owns it) or unmeasured.
 */
function gcOwner(input: DiagnosisInput, config: RuleConfig): { endpoint: string; share: number; gcMs: number; method: 'profile' | 'regression' } | undefined {
  const parts = input.demand.demands
    .filter((d) => d.gcMs !== undefined && d.gcMs > 0)
    .map((d) => ({ endpoint: d.endpoint, gcMs: d.gcMs!, method: d.method, total: d.gcMs! * (summaryOf(input, d.endpoint)?.requests ?? 0) }));
  const all = parts.reduce((a, p) => a + p.total, 0);
  const top = [...parts].sort((a, b) => b.total - a.total)[0];
  if (!top || all <= 0) return undefined;
  const share = top.total / all;
  // Owning the garbage means allocating more per request than the rest, not only serving more requests: its
  // share of GC time must also be half again its share of the requests.
  const requests = input.demand.demands.reduce((a, d) => a + (summaryOf(input, d.endpoint)?.requests ?? 0), 0);
  const requestShare = requests > 0 ? (summaryOf(input, top.endpoint)?.requests ?? 0) / requests : 1;
  if (share < Math.max(config.get('gc.ownerShare'), Math.min(0.95, 1.5 * requestShare))) return undefined;
  return { endpoint: top.endpoint, share, gcMs: top.gcMs, method: top.method };
}

/**
 * Did the service's GC time per second reach `gc.msPerSecond` (Clinic Doctor's limit) at p90, in at least two
 * scrapes? In a short run the p90 is the maximum: one scrape that caught a single major GC is not pressure.
 */
export function gcOverServiceLimit(input: DiagnosisInput, config: RuleConfig): boolean {
  return overGcLimit(numbers(input.probes.prometheus?.series.values.gcMsPerS), config.get('gc.msPerSecond'));
}

/** GC seconds (ms of GC per second) at `limit` at p90 and in at least two of them, from at least three. */
function overGcLimit(seconds: number[], limit: number): boolean {
  return seconds.length >= 3 && quantile(seconds, 0.9) >= limit && seconds.filter((x) => x >= limit).length >= 2;
}

/**
 * GC time per second in the seconds the host had a free core. GC time is a pause measured in wall time (the
 * `gc` performance entries behind nodejs_gc_duration_seconds): on a host whose cores are all busy the pause
 * also holds the wait of V8's GC threads for a core, so it measures the host's contention as much as the
 * service's allocations. Seconds with the host at `cpu.saturatedPercent` of all its cores, held mostly by other
 * processes, are left out: cores the service's own threads fill (V8's GC helpers among them) are its own cost.
 * Without the host's CPU series every second counts.
 */
function gcWithFreeCore(input: DiagnosisInput, config: RuleConfig): { free: number[]; saturated: number; aligned: number[] } {
  const prom = input.probes.prometheus;
  const process = input.probes.process;
  const cores = process?.data.host?.cores ?? 0;
  const hostColumn = process?.series.values.hostCpuPercent;
  if (!prom?.series.values.gcMsPerS || !hostColumn || cores <= 0) {
    const raw = numbers(prom?.series.values.gcMsPerS);
    return { free: raw, saturated: 0, aligned: raw };
  }
  const grid = input.result.series;
  const gc = alignToGrid(grid, prom.series, prom.series.values.gcMsPerS);
  const host = alignToGrid(grid, process.series, hostColumn);
  const service = process.series.values.targetTreeCpuPercent ? alignToGrid(grid, process.series, process.series.values.targetTreeCpuPercent) : undefined;
  const busy = hostSaturatedPercent(config, cores);
  const free: number[] = [];
  const aligned: number[] = [];
  let saturated = 0;
  gc.forEach((v, i) => {
    if (v === null) return;
    aligned.push(v);
    // Cores the service's own threads fill (GC helpers among them) are its own cost, not contention.
    if (hostSampleHolder(host[i], service?.[i], busy) === 'others') saturated++;
    else free.push(v);
  });
  return { free, saturated, aligned };
}

/**
 * GC time over the limit, but not in the seconds the host had a free core (`free`, too few of them or under
 * the limit): reported, not judged (low). `seconds` is every sampled second on the run's grid.
 */
function gcOnSaturatedHost(input: DiagnosisInput, seconds: number[], saturated: number, free: number[]): Finding {
  const cores = input.probes.process?.data.host?.cores ?? 0;
  const p90 = quantile(seconds, 0.9);
  const freeText =
    free.length < 3
      ? `Only ${free.length} of the ${seconds.length} sampled seconds had a free core, too few to judge GC on its own.`
      : `In the ${free.length} seconds with a free core it stayed under the limit (p90 ${fmt(quantile(free, 0.9))} ms/s).`;
  return makeFinding({
    rule: 'gc-pressure',
    category: 'gc-pressure',
    subject: 'service',
    severity: 'low',
    title: `Garbage collection takes ${fmt(p90)} ms of every second while the host's cores were saturated: not judged`,
    summary: `GC pauses are measured in wall time, and in ${saturated} of the ${seconds.length} sampled seconds the host's ${cores} cores were all busy: a pause then also waits for a core, so GC time measures the contention as much as the service's allocations. ${freeText} Relieve the CPU (see the CPU and overload findings), then judge GC again.`,
    evidence: [
      { label: 'GC time p90, every sampled second', value: p90, unit: 'ms/s', source: 'nodejs_gc_duration_seconds' },
      { label: "seconds with the host's cores saturated", value: saturated, unit: 'seconds', source: 'process probe /proc/stat' },
      { label: 'seconds with a free core', value: free.length, unit: 'seconds', source: 'process probe /proc/stat' },
    ],
    recommendation: { text: 'Nothing to change for GC from this run: run at a load the host sustains (or `tuneup diagnose`) to judge it.' },
    confidence: 0.4,
    impact: 0.05,
  });
}

/**
 * gc-pressure: GC time per second beyond Clinic Doctor's 100 ms per 1 s window.
 *
 * It needs two samples over the limit (in a short run the p90 is the
 * maximum, one major GC), and is high only when the mean is over it too.
 * GC pauses stop the event loop. When GC is sustained (mean over the limit),
 * the loop is delayed beyond the event-loop limits, the CPU is not saturated and no endpoint's synchronous
 * work delays the other requests beyond those limits (loop-delay.ts#loopDelayCausedBy), the
 * pauses are the delay: the finding claims it (severity high, the delay's
 * share of the mean service time as impact), as Clinic Doctor classifies a
 * memory issue as "gc" before it considers an event-loop one.
 */
export function gcPressureRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  if (!gcOverServiceLimit(input, config)) return [];
  const limit = config.get('gc.msPerSecond');
  const { free: gc, saturated, aligned } = gcWithFreeCore(input, config);
  if (!overGcLimit(gc, limit)) return saturated > 0 ? [gcOnSaturatedHost(input, aligned, saturated, gc)] : [];
  const p90 = quantile(gc, 0.9);
  const mean = gc.reduce((a, b) => a + b, 0) / gc.length;
  // Pressure that lasts (the mean over the limit too) is what can be held responsible for the loop's delay.
  const sustained = mean >= limit;
  const heap = input.probes.prometheus?.data.heapUsedBytes;
  const loop = loopDelay(input, config);
  // Synchronous work per request: main-thread CPU when measured (the loop's own thread), else the process's.
  const nonGc = nonGcShareOfMainThread(input);
  const perEndpoint = input.demand.demands.map((d) => ({ endpoint: d.endpoint, cpuMs: d.mainThreadCpuMs !== undefined ? d.mainThreadCpuMs * nonGc : (d.cpuMs ?? 0) }));
  const heaviest = [...perEndpoint].sort((a, b) => b.cpuMs - a.cpuMs)[0];
  // No endpoint's own synchronous work delays the loop beyond the limits (the same queueing model the
  // event-loop rule judges handlers by): then the pauses are what delays it.
  const handlerBlocks = loopDelayCausedBy(input, perEndpoint.map((e) => ({ endpoint: e.endpoint, blockMs: e.cpuMs })), mainThreadUtilizationSeries(input)).some((c) => causesBlocking(c, config));
  const claimsLoop = sustained && !!loop?.over && !cpuSaturated(input, config) && !handlerBlocks;
  const meanService = input.result.totals.serviceTime.mean || input.result.endpoints[0]?.serviceTime.mean || 0;
  const loopImpact = claimsLoop && meanService > 0 ? Math.min(1, loop!.p99Ms / meanService) : 0;
  const owner = gcOwner(input, config);
  return [
    makeFinding({
      rule: 'gc-pressure',
      category: 'gc-pressure',
      subject: 'service',
      severity: claimsLoop || (sustained && p90 >= 2 * limit) ? 'high' : 'medium',
      ...(owner ? { endpoint: owner.endpoint, endpoints: [owner.endpoint], attribution: attributionOf([owner.method]) } : {}),
      title: `Garbage collection takes ${fmt(p90)} ms of every second${owner ? `, mostly for ${owner.endpoint}'s allocations` : ''}`,
      summary: `GC ran ${fmt(mean)} ms/s on average and ${fmt(p90)} ms/s at p90; GC pauses stop JavaScript, so this time adds to request latency. The service allocates too much per request${heap ? ` (heap used up to ${fmt(heap.max / 1048576)} MB)` : ''}.${claimsLoop ? ` The pauses are what delays the event loop (p99 ${fmt(loop!.p99Ms)} ms, max ${fmt(loop!.maxMs)} ms): no endpoint does enough synchronous work per request to block it${heaviest ? ` (the most is ${fmt(heaviest.cpuMs)} ms CPU in ${heaviest.endpoint}, GC included)` : ''} and the CPU is not saturated.` : ''}`,
      evidence: [
        { label: 'GC time p90', value: p90, unit: 'ms/s', source: 'nodejs_gc_duration_seconds' },
        { label: 'GC time mean', value: mean, unit: 'ms/s', source: 'nodejs_gc_duration_seconds' },
        ...(owner
          ? [
              { label: `share of GC time, ${owner.endpoint}`, value: owner.share, unit: 'ratio', source: `cost model (${owner.method})` },
              { label: `GC time per request, ${owner.endpoint}`, value: owner.gcMs, unit: 'ms', source: `cost model (${owner.method})` },
            ]
          : []),
        ...(heap ? [{ label: 'heap used max', value: heap.max, unit: 'bytes', source: 'nodejs_heap_size_used_bytes' }] : []),
        ...(claimsLoop
          ? [
              { label: 'event-loop delay p99 (median over scrapes)', value: loop!.p99Ms, unit: 'ms', source: 'nodejs_eventloop_lag_p99_seconds' },
              { label: 'event-loop delay max (p90 over scrapes)', value: loop!.maxMs, unit: 'ms', source: 'nodejs_eventloop_lag_max_seconds' },
              ...(heaviest ? [{ label: `CPU per request, ${heaviest.endpoint}`, value: heaviest.cpuMs, unit: 'ms', source: 'cost model' }] : []),
            ]
          : []),
      ],
      metrics: { gcMsPerSecond: mean },
      recommendation: {
        text: 'Allocate less per request: avoid building large temporary arrays/strings and buffers, stream large responses, reuse objects, do not copy shared data defensively per request. Profile allocations with `clinic heapprofiler` or `--heap-prof`. If the live set is simply large, raise `--max-old-space-size`.',
      },
      confidence: claimsLoop ? 0.9 : 0.8,
      impact: Math.max(Math.min(1, mean / 1000 + 0.2), loopImpact),
    }),
  ];
}
