/**
 * Streaming outputs (`--out json=FILE`, `--out csv=FILE`): the run's
 * interval rows written to files as each interval closes.
 *
 * Every row is written with one synchronous `write(2)` of whole lines, so
 * the lines are in the kernel as soon as the interval is streamed: a run
 * that is killed (even with SIGKILL) leaves a file of complete lines, at
 * most one interval short. Writing is synchronous on purpose: a row is a
 * few hundred bytes once a second, cheaper than any queue.
 *
 * @module
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { TuneupError } from '../errors.js';
import type { IntervalRow } from '../metrics/snapshot.js';
import { CSV_HEADER, intervalCsv } from './csv.js';
import { endLine, intervalLine } from './json-lines.js';
import type { OutputSpec } from './spec.js';
import type { IntervalContext } from './types.js';

export { parseOutputSpecs, OUTPUT_KINDS, type OutputKind, type OutputSpec } from './spec.js';
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
  /** Write one interval row to every output (never throws; a failing file stops and is reported by `close`). */
  write(row: IntervalRow, info: { intervalMs: number; startedAt: number }): void;
  /** Write the closing lines and close the files; returns a warning per output that failed to write. */
  close(end: OutputEnd): string[];
}

interface OpenFile {
  spec: OutputSpec;
  fd: number;
  error?: string;
}

/**
 * Create (truncate) every output file, with its parent folders, and write
 * the CSV header. Throws `TUNEUP_OUTPUT_INVALID` when a file cannot be
 * opened, before any load is sent.
 */
export function openOutputs(specs: readonly OutputSpec[], options: { segment?: string } = {}): IntervalOutputs {
  const segment = options.segment ?? '1/1';
  const files: OpenFile[] = [];
  try {
    for (const spec of specs) {
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
    },
    close(end) {
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
      return warnings;
    },
  };
}
