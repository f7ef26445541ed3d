/**
 * Bookkeeping every probe needs: bounded error records and the cost of
 * sampling (for `ProbeEvidence.errors` and `ProbeEvidence.overhead`).
 *
 * @module
 */
import type { ProbeEvidence } from '../../result/types.js';

/** Keeps the first `limit` errors and counts the rest, so a dead target cannot grow memory. */
export class ProbeErrorLog {
  private readonly kept: { offsetMs: number; message: string }[] = [];
  private total = 0;
  private lastMessage = '';

  constructor(private readonly limit = 20) {}

  /** Record a failure at `offsetMs`. Consecutive identical messages are counted but stored once. */
  record(offsetMs: number, error: unknown): void {
    this.total++;
    const message = describeError(error);
    if (message === this.lastMessage) return;
    this.lastMessage = message;
    if (this.kept.length < this.limit) this.kept.push({ offsetMs: Math.round(offsetMs), message });
  }

  /** Number of failures recorded (including repeats and ones not kept). */
  get count(): number {
    return this.total;
  }

  /** The kept errors, plus a summary line when some were dropped. */
  list(): ProbeEvidence['errors'] {
    const out = [...this.kept];
    const dropped = this.total - this.kept.length;
    if (dropped > 0 && out.length > 0) {
      out.push({ offsetMs: out[out.length - 1].offsetMs, message: `${dropped} more failure(s) not listed (repeats or over the limit)` });
    }
    return out;
  }
}

/** Measures how long samples take. */
export class SampleTimer {
  private samples = 0;
  private totalMs = 0;

  /** Run `fn` and account its duration as one sample. */
  async time<T>(fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.samples++;
      this.totalMs += performance.now() - started;
    }
  }

  /** The overhead block of ProbeEvidence. */
  overhead(): ProbeEvidence['overhead'] {
    return { samples: this.samples, meanSampleMs: this.samples === 0 ? 0 : round(this.totalMs / this.samples, 3) };
  }
}

/** One-line description of any thrown value (message plus a code when present). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const text = error.message || error.name;
    return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
  }
  return String(error);
}

/** Round to `digits` decimals. */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
