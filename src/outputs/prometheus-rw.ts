/**
 * Prometheus remote write 1.0 (`--out experimental-prometheus-rw=URL`): each
 * interval's points as one `WriteRequest`, protobuf-encoded (protobufjs) and
 * snappy-compressed in the block format (snappyjs), with the headers the
 * spec requires. Spec: https://prometheus.io/docs/specs/remote_write_spec/
 *
 * @module
 */
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import type { IntervalPoints } from './metric-points.js';
import type { PushTarget } from './push-queue.js';

/** The four messages of remote write 1.0 (`prompb/remote.proto`, `types.proto`; field numbers as there). */
const REMOTE_PROTO = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
`;

/** The `WriteRequest` message type (also used by tests to decode what was sent). */
export const WriteRequest = protobuf.parse(REMOTE_PROTO).root.lookupType('prometheus.WriteRequest');

/** Labels every series of a run carries: `run_id` (when known) and `segment`. */
export type RunLabels = Readonly<Record<string, string>>;

/** One time series as remote write sends it. */
export interface RemoteSeries {
  labels: { name: string; value: string }[];
  samples: { value: number; timestamp: number }[];
}

/** The target of a remote-write output: its URL and the spec's headers. */
export function remoteWriteTarget(url: string, label: string): PushTarget {
  return {
    url,
    label,
    headers: {
      'content-encoding': 'snappy',
      'content-type': 'application/x-protobuf',
      'user-agent': 'tuneup',
      'x-prometheus-remote-write-version': '0.1.0',
    },
  };
}

/**
 * The series of one interval: counters get Prometheus' `_total` suffix,
 * every point is stamped with the interval's end, and labels are sorted by
 * name as the spec requires.
 */
export function remoteWriteSeries(interval: IntervalPoints, run: RunLabels): RemoteSeries[] {
  return interval.points.map((p) => {
    const labels: Record<string, string> = { __name__: p.kind === 'counter' ? `${p.name}_total` : p.name, ...p.labels, ...run };
    return {
      labels: Object.keys(labels)
        .sort()
        .map((name) => ({ name, value: labels[name]! })),
      samples: [{ value: p.value, timestamp: Math.round(interval.endMs) }],
    };
  });
}

/** The snappy-compressed protobuf body of one `WriteRequest`. */
export function encodeWriteRequest(series: RemoteSeries[]): Uint8Array {
  const bytes = WriteRequest.encode(WriteRequest.fromObject({ timeseries: series })).finish();
  return snappy.compress(bytes);
}
