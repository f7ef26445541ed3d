/**
 * Parsers for repeatable and typed command-line options, shared by commands.
 * Each throws a TuneupError naming the flag and the expected form.
 *
 * @module
 */
import { TuneupError } from '../errors.js';

/** Collect a repeatable option into an array (commander `argParser` helper). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parse `-H 'name: value'` headers. */
export function parseHeaders(values: readonly string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const raw of values ?? []) {
    const colon = raw.indexOf(':');
    if (colon <= 0) {
      throw new TuneupError('TUNEUP_OPTION_INVALID', `-H ${JSON.stringify(raw)}: expected "name: value"`, {
        location: '-H/--header',
        hint: "Quote the header, e.g. -H 'authorization: Bearer TOKEN'.",
      });
    }
    headers[raw.slice(0, colon).trim().toLowerCase()] = raw.slice(colon + 1).trim();
  }
  return headers;
}

/** Parse repeatable `key=value` pairs (`--tag`, `--env`). */
export function parsePairs(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const raw of values ?? []) {
    const eq = raw.indexOf('=');
    if (eq <= 0) {
      throw new TuneupError('TUNEUP_OPTION_INVALID', `${flag} ${JSON.stringify(raw)}: expected key=value`, {
        location: flag,
        hint: `For example ${flag} variant=after.`,
      });
    }
    pairs[raw.slice(0, eq)] = raw.slice(eq + 1);
  }
  return pairs;
}

/** Parse a positive integer option. */
export function parsePositiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `${flag}: expected a positive integer, got ${JSON.stringify(value)}`, {
      location: flag,
      hint: `For example ${flag} 4.`,
    });
  }
  return n;
}

/** Parse a positive number option. */
export function parsePositiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `${flag}: expected a positive number, got ${JSON.stringify(value)}`, {
      location: flag,
      hint: `For example ${flag} 100.`,
    });
  }
  return n;
}
