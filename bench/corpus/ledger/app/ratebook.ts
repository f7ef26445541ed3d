/**
 * The in-process FX rate book: daily mid rates of every currency for the
 * last year, loaded from the rates provider at boot and refreshed every
 * minute, with a date-indexed lookup (bid/mid/ask per currency and day)
 * built once per refresh. Quotes read the latest day and a 7-day trend.
 *
 * @module
 */
import type { RateHistory, Upstream } from './upstream.js';

/** Days of history the book keeps (the app's rate chart shows a year). */
export const BOOK_DAYS = 365;

/** Quoted spread around the mid, each side. */
const HALF_SPREAD = 0.001;

/** Bid/mid/ask of one currency on one day. */
export interface Fixing { mid: number; bid: number; ask: number }

/** Currency → day (YYYY-MM-DD) → fixing. */
export type BookIndex = Map<string, Map<string, Fixing>>;

/** Index a rate history by currency and day. */
export function indexBook(history: RateHistory): BookIndex {
  const index: BookIndex = new Map();
  for (const [code, points] of Object.entries(history)) {
    const days = new Map<string, Fixing>();
    for (const p of points) days.set(p.date, { mid: p.mid, bid: p.mid * (1 - HALF_SPREAD), ask: p.mid * (1 + HALF_SPREAD) });
    index.set(code, days);
  }
  return index;
}

/** The shared rate book. */
export class RateBook {
  history: RateHistory = {};
  index: BookIndex = new Map();
  /** Days of the book, oldest first. */
  days: string[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly upstream: Upstream) {}

  /** Load the book, then refresh it every minute in the background. */
  async start(): Promise<void> {
    this.use(await this.upstream.history(BOOK_DAYS));
    this.timer = setInterval(() => {
      this.upstream.history(BOOK_DAYS).then((h) => this.use(h), () => {});
    }, 60_000);
    this.timer.unref();
  }

  private use(history: RateHistory): void {
    this.history = history;
    this.index = indexBook(history);
    this.days = history.EUR.map((p) => p.date);
  }

  /** Stop refreshing. */
  stop(): void {
    clearInterval(this.timer);
  }
}

/** Mid rate of `code` per EUR on the latest day of `history`; undefined for an unknown currency. */
export function latestMid(history: RateHistory, code: string): number | undefined {
  return history[code]?.at(-1)?.mid;
}

/** Mid cross rate `from`→`to` on each of `days` (YYYY-MM-DD) from an index. */
export function crossTrend(index: BookIndex, from: string, to: string, days: string[]): { date: string; rate: number }[] {
  return days.map((date) => ({ date, rate: Number((index.get(to)!.get(date)!.mid / index.get(from)!.get(date)!.mid).toPrecision(7)) }));
}
