/**
 * Opening a push output (remote write, OTLP): its stateful encoder and its queue. Kept apart from
 * `index.ts` and loaded on demand, because the encoders' libraries are heavy to import.
 *
 * @module
 */
import type { IntervalRow } from '../metrics/snapshot.js';
import { createPointConverter } from './metric-points.js';
import { encodeOtlpRequest, otlpResourceMetrics, otlpTarget } from './otlp.js';
import { encodeWriteRequest, remoteWriteSeries, remoteWriteTarget, type RunLabels } from './prometheus-rw.js';
import { createPushQueue, type PushQueue, type PushQueueOptions } from './push-queue.js';
import type { PushOutputSpec } from './spec.js';
import type { IntervalContext } from './types.js';

/** An open push output: its encoder (stateful: counters are cumulative) and its queue. */
export interface OpenPush {
  spec: PushOutputSpec;
  queue: PushQueue;
  encode: (row: IntervalRow, ctx: IntervalContext) => Uint8Array;
}

/** A push output: its encoder (stateful: counters are cumulative) and its queue. */
export function openPush(spec: PushOutputSpec, run: RunLabels, queueOptions: PushQueueOptions | undefined): OpenPush {
  const points = createPointConverter();
  if (spec.kind === 'prometheus-rw') {
    return {
      spec,
      queue: createPushQueue(remoteWriteTarget(spec.url, spec.raw), queueOptions),
      encode: (row, ctx) => encodeWriteRequest(remoteWriteSeries(points(row, ctx), run)),
    };
  }
  return {
    spec,
    queue: createPushQueue(otlpTarget(spec.url, spec.raw), queueOptions),
    encode: (row, ctx) => encodeOtlpRequest(otlpResourceMetrics(points(row, ctx), run, ctx.startedAt)),
  };
}
