/**
 * Streaming outputs (`--out json=FILE`, `--out csv=FILE`,
 * `--out experimental-prometheus-rw=URL`, `--out opentelemetry=URL`): the
 * run's interval rows written to files, or pushed to a receiver, as each
 * interval closes.
 *
 * Every row is written with one synchronous `write(2)` of whole lines, so
 * the lines are in the kernel as soon as the interval is streamed: a run
 * that is killed (even with SIGKILL) leaves a file of complete lines, at
 * most one interval short. Writing is synchronous on purpose: a row is a
 * few hundred bytes once a second, cheaper than any queue.
 *
 * Pushing is asynchronous on purpose: a row is encoded at once and queued
 * (bounded), and the HTTP requests go out on the event loop, so a slow or
 * dead receiver never delays the generator; `close` waits for the queue
 * with a timeout and reports what was not delivered as a warning.
 *
 * @module
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { TuneupError } from '../errors.js';
import type { IntervalRow } from '../metrics/snapshot.js';
import { CSV_HEADER, intervalCsv } from './csv.js';
import { endLine, intervalLine } from './json-lines.js';
import type { RunLabels } from './prometheus-rw.js';
import type { OpenPush } from './push-open.js';
import type { PushQueueOptions } from './push-queue.js';
import type { FileOutputSpec, OutputSpec, PushOutputSpec } from './spec.js';
import type { IntervalContext } from './types.js';

export { parseOutputSpecs, OUTPUT_KINDS, DEFAULT_PUSH_URLS, type OutputKind, type OutputSpec, type FileOutputSpec, type PushOutputSpec } from './spec.js';
export { createPointConverter, METRIC_PREFIX, type MetricPoint, type IntervalPoints } from './metric-points.js';
export type { RunLabels, RemoteSeries } from './prometheus-rw.js';
export { createPushQueue, type PushQueue, type PushQueueOptions, type PushTarget } from './push-queue.js';
export { CSV_HEADER, intervalCsv, csvField } from './csv.js';
export { intervalLine, endLine, JSON_LINES_VERSION } from './json-lines.js';
export type { IntervalContext } from './types.js';

/** How a run ended, for the closing lines. */
export interface OutputEnd {
  status: string;
  endedAt: number;
  durationMs: number;
}

/** Open streaming outputs of one run. */
export interface IntervalOutputs {
  /**
   * Write one interval row to every file and queue it for every push output
   * (never throws, never waits; a failing file stops and is reported by `close`).
   */
  write(row: IntervalRow, info: { intervalMs: number; startedAt: number }): void;
  /**
   * Write the closing lines and close the files, and wait (at most the
   * flush timeout) for the push outputs to send what is queued; returns a
   * warning per output that failed to write or deliver. Never rejects.
   */
  close(end: OutputEnd): Promise<string[]>;
}

/** Options of {@link openOutputs}. */
export interface OpenOutputsOptions {
  /** Execution segment of this process (default `1/1`). */
  segment?: string;
  /** Id of the run (the `run_id` label of pushed series; the stored result's id). */
  runId?: string;
  /** How long `close` waits for push outputs to deliver (ms, default 5000). */
  flushTimeoutMs?: number;
  /** Queue tuning of push outputs. */
  push?: PushQueueOptions;
}

interface OpenFile {
  spec: FileOutputSpec;
  fd: number;
  error?: string;
}

/**
 * A push output whose encoder is still loading. The encoders (protobufjs, the OpenTelemetry transformer)
 * cost a third of a second of start-up to every process that imports them, so they load only when a push
 * output is asked for; the rows written meanwhile wait, in order, and are encoded once it has loaded.
 */
interface LazyPush {
  spec: PushOutputSpec;
  open?: OpenPush;
  waiting: { row: IntervalRow; ctx: IntervalContext }[];
  loaded: Promise<void>;
  error?: string;
}

/** Encode one row and queue it; an encoding bug stops this output, never the run. */
function pushRow(p: LazyPush, row: IntervalRow, ctx: IntervalContext): void {
  if (p.error !== undefined) return;
  try {
    p.open!.queue.push(p.open!.encode(row, ctx));
  } catch (error) {
    p.error = (error as Error).message;
  }
}

function lazyPush(spec: PushOutputSpec, run: RunLabels, queueOptions: PushQueueOptions | undefined): LazyPush {
  const p: LazyPush = { spec, waiting: [], loaded: Promise.resolve() };
  p.loaded = import('./push-open.js').then(
    (m) => {
      p.open = m.openPush(spec, run, queueOptions);
      for (const w of p.waiting.splice(0)) pushRow(p, w.row, w.ctx);
    },
    (error: Error) => {
      p.error = `loading the encoder failed: ${error.message}`;
    },
  );
  return p;
}

/**
 * Create (truncate) every output file, with its parent folders, and write
 * the CSV header. Throws `TUNEUP_OUTPUT_INVALID` when a file cannot be
 * opened, before any load is sent.
 */
export function openOutputs(specs: readonly OutputSpec[], options: OpenOutputsOptions = {}): IntervalOutputs {
  const segment = options.segment ?? '1/1';
  const run: RunLabels = { ...(options.runId ? { run_id: options.runId } : {}), segment };
  const files: OpenFile[] = [];
  const pushes: LazyPush[] = specs.filter((s): s is PushOutputSpec => !('path' in s)).map((spec) => lazyPush(spec, run, options.push));
  try {
    for (const spec of specs) {
      if (!('path' in spec)) continue;
      try {
        mkdirSync(dirname(spec.path), { recursive: true });
        files.push({ spec, fd: openSync(spec.path, 'w') });
      } catch (error) {
        throw new TuneupError('TUNEUP_OUTPUT_INVALID', `--out ${spec.raw}: cannot write ${spec.path} (${(error as Error).message})`, {
          location: '--out',
          hint: 'Choose a file in a folder you can write to.',
          cause: error,
        });
      }
    }
  } catch (error) {
    for (const f of files) closeSync(f.fd);
    throw error;
  }
  const put = (file: OpenFile, text: string): void => {
    if (file.error !== undefined || text === '') return;
    try {
      writeSync(file.fd, text);
    } catch (error) {
      file.error = (error as Error).message;
    }
  };
  for (const f of files) if (f.spec.kind === 'csv') put(f, `${CSV_HEADER}\n`);

  return {
    write(row, info) {
      const ctx: IntervalContext = { ...info, segment };
      for (const f of files) put(f, f.spec.kind === 'json' ? `${intervalLine(row, ctx)}\n` : intervalCsv(row, ctx));
      for (const p of pushes) {
        if (p.open) pushRow(p, row, ctx);
        else if (p.error === undefined) p.waiting.push({ row, ctx });
      }
    },
    async close(end) {
      const warnings: string[] = [];
      for (const f of files) {
        if (f.spec.kind === 'json') put(f, `${endLine({ ...end, segment })}\n`);
        try {
          closeSync(f.fd);
        } catch (error) {
          f.error ??= (error as Error).message;
        }
        if (f.error !== undefined) warnings.push(`--out ${f.spec.raw}: writing ${f.spec.path} failed (${f.error}); the file is incomplete`);
      }
      await Promise.all(pushes.map((p) => p.loaded));
      const flushed = await Promise.all(pushes.map((p) => p.open?.queue.close(options.flushTimeoutMs ?? 5000) ?? Promise.resolve([])));
      pushes.forEach((p, i) => {
        if (p.error !== undefined) warnings.push(`--out ${p.spec.raw}: encoding failed (${p.error}); later intervals were not sent`);
        warnings.push(...flushed[i]!);
      });
      return warnings;
    },
  };
}
