/**
 * Duration parsing with k6/Go syntax: `'500ms'`, `'30s'`, `'1m30s'`,
 * `'1.5h'`, `'0'`, or a number of milliseconds.
 *
 * @module
 */
import { TuneupError } from '../errors.js';

const UNIT_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|us|µs|s|m|h)/y;

/**
 * Parse a duration to milliseconds, or return an explanation of why it is
 * invalid. Negative durations are rejected: no plan option means "before".
 */
export function tryParseDuration(input: unknown): { ok: true; ms: number } | { ok: false; reason: string } {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) return { ok: false, reason: `expected a non-negative number of milliseconds, got ${input}` };
    return { ok: true, ms: input };
  }
  if (input === undefined) return { ok: false, reason: 'required option is missing (expected a duration such as "30s")' };
  if (typeof input !== 'string') {
    return { ok: false, reason: `expected a duration such as "30s", "1m30s", "500ms" or a number of ms, got ${describe(input)}` };
  }
  const text = input.trim();
  if (text === '0') return { ok: true, ms: 0 };
  if (text === '') return { ok: false, reason: 'expected a duration such as "30s", got an empty string' };
  if (/^\d+(\.\d+)?$/.test(text)) {
    // Go's ParseDuration rejects a bare number in a string; say which unit to add.
    return { ok: false, reason: `duration "${input}" has no unit; write "${text}s" for seconds or "${text}ms" for milliseconds` };
  }
  let total = 0;
  PART.lastIndex = 0;
  let position = 0;
  while (position < text.length) {
    PART.lastIndex = position;
    const match = PART.exec(text);
    if (match === null) {
      return {
        ok: false,
        reason: `invalid duration "${input}" at character ${position + 1}; use numbers with units ms, s, m, h (e.g. "1m30s")`,
      };
    }
    total += Number(match[1]) * UNIT_MS[match[2]];
    position = PART.lastIndex;
  }
  return { ok: true, ms: total };
}

/**
 * Parse a duration to milliseconds.
 * @param what names the option for the error message (e.g. `scenarios.browse.duration`).
 * @throws TuneupError `TUNEUP_PLAN_INVALID` when the duration is malformed.
 */
export function parseDuration(input: DurationLike, what = 'duration'): number {
  const parsed = tryParseDuration(input);
  if (!parsed.ok) {
    throw new TuneupError('TUNEUP_PLAN_INVALID', `${what}: ${parsed.reason}`, {
      location: what,
      hint: 'Durations look like "500ms", "30s", "1m30s" or "2h"; a plain number means milliseconds.',
    });
  }
  return parsed.ms;
}

/** What {@link parseDuration} accepts. */
export type DurationLike = string | number;

/** Format ms back to a compact duration string (`90000` → `1m30s`), for messages and JSON views. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000 || ms % 1000 !== 0) return `${ms}ms`;
  let seconds = ms / 1000;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  return `${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}${seconds ? `${seconds}s` : ''}`;
}

/** Short description of a value's type for error messages: `"fast"`, `true`, `an object`. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
