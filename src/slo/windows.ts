/**
 * SLO periods and the multi-window multi-burn-rate alert table.
 *
 * The table is Sloth's `google-30d` (the SRE workbook's): for a 30-day
 * period, page on 2 % of the budget spent in 1 h (×14.4, checked against 5 m)
 * or 5 % in 6 h (×6, against 30 m); ticket on 10 % in 1 d (×3, against 2 h) or
 * 10 % in 3 d (×1, against 6 h). For another period every window scales by
 * period / 30 d and the factors stay (Pyrra scales its table the same way
 * relative to 28 d), so a 30-day period gives exactly the table.
 *
 * @module
 */
import { TuneupError } from '../errors.js';

/** One window pair of a burn-rate alert. */
export interface BurnWindow {
  severity: 'page' | 'ticket';
  /** Long window (ms). */
  longMs: number;
  /** Short window (ms): makes the alert reset soon after the burn stops. */
  shortMs: number;
  /** Burn-rate factor: fire when both windows' error ratios exceed factor × budget. */
  factor: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The default SLO period: 30 days. */
export const DEFAULT_PERIOD_MS = 30 * DAY;

/** Sloth's google-30d windows for a 30-day period. */
export const GOOGLE_30D: readonly BurnWindow[] = [
  { severity: 'page', longMs: HOUR, shortMs: 5 * MINUTE, factor: 14.4 },
  { severity: 'page', longMs: 6 * HOUR, shortMs: 30 * MINUTE, factor: 6 },
  { severity: 'ticket', longMs: DAY, shortMs: 2 * HOUR, factor: 3 },
  { severity: 'ticket', longMs: 3 * DAY, shortMs: 6 * HOUR, factor: 1 },
];

/** The burn windows for a period (exactly {@link GOOGLE_30D} for 30 days). */
export function burnWindows(periodMs: number): BurnWindow[] {
  const scale = periodMs / DEFAULT_PERIOD_MS;
  // At least 1 ms: a zero window would not parse as PromQL (a window shorter than the scrape interval just has no data).
  const scaled = (ms: number): number => Math.max(1, Math.round(ms * scale));
  return GOOGLE_30D.map((w) => ({ ...w, longMs: scaled(w.longMs), shortMs: scaled(w.shortMs) }));
}

/** Every distinct window the rules record, shortest first (the period excluded). */
export function recordedWindows(periodMs: number): number[] {
  const all = burnWindows(periodMs).flatMap((w) => [w.shortMs, w.longMs]);
  return [...new Set(all)].sort((a, b) => a - b);
}

const UNITS: ReadonlyArray<[string, number]> = [
  ['y', 365 * DAY],
  ['w', 7 * DAY],
  ['d', DAY],
  ['h', HOUR],
  ['m', MINUTE],
  ['s', 1000],
  ['ms', 1],
];

/** A duration in Prometheus's notation, largest units first: `30d`, `1h`, `4m40s`. */
export function formatPromDuration(ms: number): string {
  if (!(ms > 0)) return '0s';
  let rest = Math.round(ms);
  let text = '';
  for (const [unit, size] of UNITS) {
    if (unit === 'y' || unit === 'w') continue; // days read better than weeks in rule names
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}

/**
 * Parse a Prometheus-style duration (`30d`, `6h`, `1h30m`, `10s`) or a number
 * of milliseconds.
 * @throws TuneupError `TUNEUP_SLO_INVALID`
 */
export function parsePromDuration(input: string | number, location: string): number {
  if (typeof input === 'number' && Number.isFinite(input) && input > 0) return input;
  const text = String(input).trim();
  const pattern = /(\d+(?:\.\d+)?)(ms|y|w|d|h|m|s)/gy;
  let ms = 0;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    ms += Number(match[1]) * UNITS.find(([unit]) => unit === match[2])![1];
    consumed += match[0].length;
  }
  if (consumed !== text.length || consumed === 0 || !(ms > 0)) {
    throw new TuneupError('TUNEUP_SLO_INVALID', `${JSON.stringify(input)} is not a duration`, {
      location,
      hint: 'write it as Prometheus does, e.g. 30d, 28d, 6h, 1h30m or 10s',
    });
  }
  return ms;
}
