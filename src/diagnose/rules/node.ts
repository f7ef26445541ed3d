/**
 * Rules on the Node.js service process: event loop, CPU, memory, GC
 * (Clinic.js Doctor's signals, read from prom-client metrics and /proc).
 *
 * @module
 */
import type { Finding } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import { linearTrend, numbers, quantile } from '../evidence.js';
import { fmt, makeFinding, pct, type DiagnosisInput } from './types.js';

/** Endpoints ranked by their share of the service's CPU (cpuMs × requests), highest first. */
export function cpuHeavyEndpoints(input: DiagnosisInput): { endpoint: string; cpuMs: number; share: number }[] {
  const rows = input.demand.demands
    .filter((d) => d.cpuMs !== undefined)
    .map((d) => ({ endpoint: d.endpoint, cpuMs: d.cpuMs!, total: d.cpuMs! * (input.result.endpoints.find((e) => e.endpoint === d.endpoint)?.requests ?? 0) }));
  const all = rows.reduce((a, r) => a + r.total, 0);
  return rows
    .map((r) => ({ endpoint: r.endpoint, cpuMs: r.cpuMs, share: all > 0 ? r.total / all : 0 }))
    .sort((a, b) => b.share - a.share);
}

/** CPU samples of the service (% of one core): process probe first, else prometheus. */
export function serviceCpu(input: DiagnosisInput): { values: number[]; source: string } | undefined {
  const p = input.probes.process?.series.values.cpuPercent;
  if (p && numbers(p).length > 0) return { values: numbers(p), source: '/proc/<pid>/stat' };
  const m = input.probes.prometheus?.series.values.cpuPercent;
  if (m && numbers(m).length > 0) return { values: numbers(m), source: 'process_cpu_seconds_total' };
  return undefined;
}

/** Is the service's CPU saturated (p90 ≥ threshold)? Used by other rules to avoid blaming queueing on a dependency. */
export function cpuSaturated(input: DiagnosisInput, config: RuleConfig): boolean {
  const cpu = serviceCpu(input);
  return !!cpu && cpu.values.length >= 3 && quantile(cpu.values, 0.9) >= config.get('cpu.saturatedPercent');
}

/** cpu-saturation: the service process uses ≥ 90 % of its one core at p90 (Clinic Doctor's CPU boundary). */
export function cpuSaturationRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const cpu = serviceCpu(input);
  if (!cpu || cpu.values.length < 3) return [];
  const p90 = quantile(cpu.values, 0.9);
  if (p90 < config.get('cpu.saturatedPercent')) return [];
  const heavy = cpuHeavyEndpoints(input).slice(0, 3);
  const top = heavy[0];
  const bound = top && top.cpuMs > 0 ? 1000 / top.cpuMs : undefined;
  return [
    makeFinding({
      rule: 'cpu-saturation',
      category: 'cpu-saturation',
      subject: 'service',
      severity: 'high',
      endpoint: top?.endpoint,
      endpoints: heavy.filter((h) => h.share >= 0.2).map((h) => h.endpoint),
      title: top ? `The service's CPU is saturated; ${top.endpoint} uses ${pct(top.share)} of it` : 'The service\'s CPU is saturated',
      summary: `The service process ran at ${fmt(p90)} % of one core (p90); a Node.js service runs JavaScript on one core, so requests queue for the CPU and latency grows with load.${top ? ` ${top.endpoint} costs ${fmt(top.cpuMs)} ms CPU per request, bounding it at ~${fmt(bound ?? 0)} req/s alone.` : ''}`,
      evidence: [
        { label: 'service CPU p90', value: p90, unit: '% of one core', source: cpu.source },
        { label: 'service CPU mean', value: cpu.values.reduce((a, b) => a + b, 0) / cpu.values.length, unit: '% of one core', source: cpu.source },
        ...heavy.map((h) => ({ label: `CPU per request, ${h.endpoint}`, value: h.cpuMs, unit: 'ms', source: 'cost model' })),
      ],
      recommendation: {
        text: 'Reduce CPU per request on the top endpoint (profile with `node --cpu-prof` or `clinic flame`; cache computed results; avoid re-serialising large objects), or add cores: run several processes (node:cluster, PM2, more replicas).',
      },
      confidence: 0.85,
      impact: top ? Math.max(0.5, top.share) : 0.6,
    }),
  ];
}

/** memory-growth: heap (or RSS) grows steadily through the run: a leak or an unbounded cache. */
export function memoryGrowthRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const candidates: { series?: { t: number[]; values: Record<string, (number | null)[]> }; column: string; source: string }[] = [
    { series: input.probes.prometheus?.series, column: 'heapUsedBytes', source: 'nodejs_heap_size_used_bytes' },
    { series: input.probes.process?.series, column: 'rssBytes', source: '/proc/<pid>/status VmRSS' },
    { series: input.probes.prometheus?.series, column: 'rssBytes', source: 'process_resident_memory_bytes' },
  ];
  for (const c of candidates) {
    const col = c.series?.values[c.column];
    if (!c.series || !col) continue;
    const pts = c.series.t.map((t, i) => [t, col[i]] as const).filter((p): p is readonly [number, number] => p[1] !== null && p[1] !== undefined);
    if (pts.length < 10) continue;
    // Skip the warm-up fifth: JIT, caches and pools fill at the start of every run.
    const body = pts.slice(Math.floor(pts.length / 5));
    if ((body[body.length - 1]![0] - body[0]![0]) / 1000 < config.get('memory.minDurationS')) continue;
    const trend = linearTrend(body.map((p) => p[0]), body.map((p) => p[1]));
    const mbPerMin = (trend.slope * 60_000) / (1024 * 1024);
    const growthMb = (body[body.length - 1]![1] - body[0]![1]) / (1024 * 1024);
    if (mbPerMin < config.get('memory.growthMBPerMin') || trend.r2 < config.get('memory.minR2') || growthMb < 5) return [];
    const durationMin = (body[body.length - 1]![0] - body[0]![0]) / 60_000;
    return [
      makeFinding({
        rule: 'memory-growth',
        category: 'memory-growth',
        subject: c.column,
        severity: mbPerMin >= 5 * config.get('memory.growthMBPerMin') ? 'high' : 'medium',
        title: `Memory grows steadily: +${fmt(mbPerMin)} MB/min (${c.column === 'heapUsedBytes' ? 'heap' : 'RSS'})`,
        summary: `Over ${fmt(durationMin)} min after warm-up, ${c.column === 'heapUsedBytes' ? 'the JavaScript heap' : 'resident memory'} grew by ${fmt(growthMb)} MB on a straight line (R² ${fmt(trend.r2)}): something keeps references per request (a leak or an unbounded cache). Under sustained load it ends in long GC pauses or an out-of-memory crash.`,
        evidence: [
          { label: 'growth rate', value: mbPerMin, unit: 'MB/min', source: c.source },
          { label: 'growth after warm-up', value: growthMb, unit: 'MB', source: c.source },
          { label: 'linearity (R²)', value: trend.r2, unit: '', source: 'tuneup' },
        ],
        recommendation: {
          text: 'Take two heap snapshots some minutes apart under load (`node --heapsnapshot-signal=SIGUSR2`, or `clinic heapprofiler`) and compare retained objects. Bound in-process caches (LRU with a max size and TTL) and remove per-request listeners/timers that are never cleared.',
        },
        confidence: 0.75,
        impact: 0.3,
      }),
    ];
  }
  return [];
}

/** gc-pressure: GC time per second beyond Clinic Doctor's 100 ms per 1 s window. */
export function gcPressureRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const gc = numbers(input.probes.prometheus?.series.values.gcMsPerS);
  if (gc.length < 3) return [];
  const p90 = quantile(gc, 0.9);
  if (p90 < config.get('gc.msPerSecond')) return [];
  const mean = gc.reduce((a, b) => a + b, 0) / gc.length;
  const heap = input.probes.prometheus?.data.heapUsedBytes;
  return [
    makeFinding({
      rule: 'gc-pressure',
      category: 'gc-pressure',
      subject: 'service',
      severity: p90 >= 2 * config.get('gc.msPerSecond') ? 'high' : 'medium',
      title: `Garbage collection takes ${fmt(p90)} ms of every second`,
      summary: `GC ran ${fmt(mean)} ms/s on average and ${fmt(p90)} ms/s at p90; GC pauses stop JavaScript, so this time adds to request latency. The service allocates too much per request${heap ? ` (heap used up to ${fmt(heap.max / 1048576)} MB)` : ''}.`,
      evidence: [
        { label: 'GC time p90', value: p90, unit: 'ms/s', source: 'nodejs_gc_duration_seconds' },
        { label: 'GC time mean', value: mean, unit: 'ms/s', source: 'nodejs_gc_duration_seconds' },
        ...(heap ? [{ label: 'heap used max', value: heap.max, unit: 'bytes', source: 'nodejs_heap_size_used_bytes' }] : []),
      ],
      recommendation: {
        text: 'Allocate less per request: avoid building large temporary arrays/strings and buffers, stream large responses, reuse objects. Profile allocations with `clinic heapprofiler` or `--heap-prof`. If the live set is simply large, raise `--max-old-space-size`.',
      },
      confidence: 0.8,
      impact: Math.min(1, mean / 1000 + 0.2),
    }),
  ];
}
