/**
 * OTLP metrics over HTTP (`--out opentelemetry=URL`): each interval's points
 * as one `ExportMetricsServiceRequest`, protobuf-encoded by
 * `@opentelemetry/otlp-transformer` and POSTed to `/v1/metrics`.
 *
 * Why not the metrics SDK's MeterProvider and exporter: the SDK aggregates
 * measurements itself and stamps them when its reader collects, while
 * tuneup already has each interval aggregated (HDR percentiles of exactly
 * that second) and must send it with that interval's start and end. So the
 * points are written as the SDK's `ResourceMetrics` data (the public type
 * its exporters take) and serialized with the official transformer; the
 * sending is the same bounded queue as remote write.
 *
 * Counters are monotonic cumulative Sums from the run's start; gauges are
 * Gauges over the interval. Attributes are the remote-write labels.
 *
 * @module
 */
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { METRIC_HELP, METRIC_PREFIX, type IntervalPoints, type MetricPoint } from './metric-points.js';
import type { RunLabels } from './prometheus-rw.js';
import type { PushTarget } from './push-queue.js';

/** Instrumentation scope of the metrics. */
export const OTLP_SCOPE = { name: 'tuneup', version: '1' } as const;

/**
 * The target of an OTLP/HTTP output: its URL, the protobuf content type, and
 * the reading of a partial success (data points the receiver refused).
 */
export function otlpTarget(url: string, label: string): PushTarget {
  return {
    url,
    label,
    headers: { 'content-type': 'application/x-protobuf', 'user-agent': 'tuneup' },
    refusal: (body) => {
      const partial = ProtobufMetricsSerializer.deserializeResponse(body).partialSuccess;
      if (!partial?.rejectedDataPoints && !partial?.errorMessage) return undefined;
      return `${partial.rejectedDataPoints ?? 0} data points rejected${partial.errorMessage ? `: ${partial.errorMessage}` : ''}`;
    },
  };
}

/**
 * One interval as the SDK's `ResourceMetrics`: one metric per name, one data
 * point per label set. Sums start at `runStartMs`; gauges at the interval start.
 */
export function otlpResourceMetrics(interval: IntervalPoints, run: RunLabels, runStartMs: number): ResourceMetrics {
  const byName = new Map<string, MetricPoint[]>();
  for (const p of interval.points) {
    const list = byName.get(p.name);
    if (list) list.push(p);
    else byName.set(p.name, [p]);
  }
  const endTime = hrTime(interval.endMs);
  const metrics: MetricData[] = [];
  for (const [name, points] of byName) {
    const first = points[0]!;
    const descriptor = { name, description: METRIC_HELP[name.slice(METRIC_PREFIX.length)] ?? '', unit: first.unit, valueType: ValueType.DOUBLE };
    const startTime = hrTime(first.kind === 'counter' ? runStartMs : interval.startMs);
    const dataPoints = points.map((p) => ({ startTime, endTime, attributes: { ...p.labels, ...run } as Attributes, value: p.value }));
    metrics.push(
      first.kind === 'counter'
        ? { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints }
        : { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints },
    );
  }
  return { resource: resourceFromAttributes({ 'service.name': 'tuneup' }), scopeMetrics: [{ scope: OTLP_SCOPE, metrics }] };
}

/** The protobuf body of one `ExportMetricsServiceRequest`. */
export function encodeOtlpRequest(metrics: ResourceMetrics): Uint8Array {
  const bytes = ProtobufMetricsSerializer.serializeRequest(metrics);
  if (bytes === undefined) throw new Error('the OTLP serializer returned nothing');
  return bytes;
}

function hrTime(epochMs: number): HrTime {
  const whole = Math.floor(epochMs);
  return [Math.floor(whole / 1000), (whole % 1000) * 1e6 + Math.round((epochMs - whole) * 1e6)];
}
