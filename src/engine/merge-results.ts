/**
 * Combine the results of execution segments (`--segment 1/4` … `4/4`, run on
 * several machines or processes) into one RunResult. Histograms merge
 * exactly, so percentiles and thresholds of the merged result are those of
 * the whole run — thresholds are judged globally, not per segment.
 *
 * @module
 */
import { TuneupError } from '../errors.js';
import { buildResultMetrics, mergeSnapshots } from '../metrics/index.js';
import type { RecorderSnapshot } from '../metrics/recorder-types.js';
import type { GeneratorHealth, RunResult, RunStatus, ScenarioResult } from '../result/types.js';
import { collectThresholds, evaluateThresholds } from '../thresholds/index.js';
import { runId } from './result.js';
import { thresholdQuery } from './run.js';
import { mergeScenarioResults } from './scenarios.js';

/** One segment's stored result and its mergeable metrics. */
export interface SegmentPart {
  result: RunResult;
  snapshot: RecorderSnapshot;
  /** The segment it ran, e.g. `2/4`. */
  segment: string;
}

const STATUS_ORDER: RunStatus[] = ['completed', 'aborted-by-threshold', 'aborted-by-script', 'interrupted', 'failed'];

/**
 * Merge segment results into one RunResult with globally evaluated thresholds.
 * @throws TuneupError `TUNEUP_MERGE_INVALID` when fewer than two parts are given or they ran different plans.
 */
export function mergeSegmentResults(parts: readonly SegmentPart[]): RunResult {
  if (parts.length < 2) {
    throw new TuneupError('TUNEUP_MERGE_INVALID', `merge needs at least two segment results, got ${parts.length}`, {
      hint: 'Run the plan with --segment 1/N … N/N (one per process or machine), then merge all N results.',
    });
  }
  const first = parts[0]!.result;
  const scenarioNames = JSON.stringify(Object.keys(first.plan.scenarios).sort());
  for (const part of parts) {
    if (JSON.stringify(Object.keys(part.result.plan.scenarios).sort()) !== scenarioNames) {
      throw new TuneupError('TUNEUP_MERGE_INVALID', `run ${part.result.id} ran different scenarios than ${first.id}`, {
        hint: 'Merge only the segments of one plan.',
      });
    }
  }
  const segments = parts.map((p) => p.segment).sort();
  if (new Set(segments).size !== segments.length) {
    throw new TuneupError('TUNEUP_MERGE_INVALID', `the same segment appears twice (${segments.join(', ')})`, {
      hint: 'Each segment result must be given once.',
    });
  }

  const startedAt = Math.min(...parts.map((p) => p.result.startedAt));
  const endedAt = Math.max(...parts.map((p) => p.result.endedAt));
  const durationMs = Math.max(...parts.map((p) => p.result.durationMs));
  const merged = mergeSnapshots(parts.map((p) => p.snapshot));
  const metrics = buildResultMetrics(merged, { durationMs });

  const { specs } = collectThresholds(first.plan.thresholds as Record<string, unknown>);
  const thresholds = evaluateThresholds(specs, thresholdQuery(metrics.metrics), { durationMs });

  const byName = new Map<string, ScenarioResult[]>();
  for (const part of parts) for (const s of part.result.scenarios) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const scenarios = [...byName.values()].map((list) => mergeScenarioResults(list));

  const generators = parts.map((p) => p.result.generator);
  const limits = generators.map((g) => g.limitedBy);
  const distortions = generators.flatMap((g) => (g.distortion ? [g.distortion] : []));
  const lags = generators.flatMap((g) => (g.startLag ? [g.startLag] : []));
  const generator: GeneratorHealth = {
    // A segment's own judgement stands: the merged run is limited wherever one segment was.
    ...(limits.some((l) => l !== undefined)
      ? { limitedBy: limits.includes('generator-cpu') ? 'generator-cpu' : limits.includes('host-contention') ? 'host-contention' : 'none' }
      : {}),
    ...(distortions.length > 0 ? { distortion: distortions.reduce((a, b) => (b.share > a.share ? b : a)) } : {}),
    ...(lags.length > 0 ? { startLag: { mean: Math.max(...lags.map((l) => l.mean)), p50: Math.max(...lags.map((l) => l.p50)), p99: Math.max(...lags.map((l) => l.p99)) } } : {}),
    saturated: generators.some((g) => g.saturated),
    evidence: generators.flatMap((g, i) => g.evidence.map((e) => ({ ...e, label: `segment ${parts[i]!.segment}: ${e.label}` }))),
    eventLoopDelay: {
      p50: Math.max(...generators.map((g) => g.eventLoopDelay.p50)),
      p99: Math.max(...generators.map((g) => g.eventLoopDelay.p99)),
      max: Math.max(...generators.map((g) => g.eventLoopDelay.max)),
    },
    cpuPercent: {
      mean: generators.reduce((a, g) => a + g.cpuPercent.mean, 0),
      max: generators.reduce((a, g) => a + g.cpuPercent.max, 0),
    },
    lateStarts: generators.reduce((a, g) => a + g.lateStarts, 0),
    lateStartToleranceMs: first.generator.lateStartToleranceMs,
    droppedIterations: generators.reduce((a, g) => a + g.droppedIterations, 0),
    workers: generators.reduce((a, g) => a + g.workers, 0),
    maxRssBytes: Math.max(...generators.map((g) => g.maxRssBytes)),
  };
  const status = parts.map((p) => p.result.status).reduce((worst, s) => (STATUS_ORDER.indexOf(s) > STATUS_ORDER.indexOf(worst) ? s : worst));

  return {
    ...first,
    id: runId(startedAt),
    status,
    startedAt,
    endedAt,
    durationMs,
    scenarios,
    metrics: metrics.metrics,
    endpoints: metrics.endpoints,
    totals: metrics.totals,
    series: metrics.series,
    ...(metrics.loadFacts ? { loadFacts: metrics.loadFacts } : {}),
    generator,
    thresholds,
    probes: parts.flatMap((p) => p.result.probes ?? []),
    findings: undefined,
    demands: undefined,
    warnings: [...metrics.warnings, `merged from segments ${segments.join(', ')} (runs ${parts.map((p) => p.result.id).join(', ')})`],
    labels: { ...first.labels, merged: segments.join(',') },
  };
}
