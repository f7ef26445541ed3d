/**
 * Config layering, one merge function for every option:
 * defaults < plan file < environment (`TUNEUP_*`) < command-line flags.
 *
 * `undefined` means "not set" in every layer, and defaults are applied LAST
 * (k6's getConsolidatedConfig lesson): a default must never hide a value set
 * in a lower layer, e.g. a flag's default overriding the file.
 *
 * @module
 */
import { TuneupError } from '../errors.js';
import { tryParseDuration } from './duration.js';
import { closest } from './suggest.js';
import { PROFILE_NAMES, type DurationInput, type ProfileName } from './types.js';

/**
 * Merge layers of options: each later layer overrides earlier ones where its
 * value is not undefined; `defaults` fill whatever is still unset.
 */
export function resolveOptions<T extends object>(
  defaults: Partial<T>,
  file: Partial<T> | undefined,
  env: Partial<T> | undefined,
  flags: Partial<T> | undefined,
): Partial<T> {
  const merged: Partial<T> = {};
  for (const layer of [file, env, flags]) {
    if (layer === undefined) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    }
  }
  for (const [key, value] of Object.entries(defaults)) {
    if ((merged as Record<string, unknown>)[key] === undefined && value !== undefined) {
      (merged as Record<string, unknown>)[key] = value;
    }
  }
  return merged;
}

/** Run options that the environment and flags may override in a plan. */
export interface PlanOverrides {
  /** `--base-url` / `TUNEUP_BASE_URL`. */
  baseUrl?: string;
  /** `--timeout` / `TUNEUP_TIMEOUT`. */
  timeout?: DurationInput;
  /** `--profile` / `TUNEUP_PROFILE`: replace the plan's scenarios with a profile. */
  profile?: ProfileName;
  /** `--rate` / `TUNEUP_RATE`: the profile's expected iterations per second. */
  rate?: number;
  /** `--duration` / `TUNEUP_DURATION`: the profile's main duration. */
  duration?: DurationInput;
}

/** Environment variable → override key. */
export const ENV_OPTIONS: Readonly<Record<string, keyof PlanOverrides>> = {
  TUNEUP_BASE_URL: 'baseUrl',
  TUNEUP_TIMEOUT: 'timeout',
  TUNEUP_PROFILE: 'profile',
  TUNEUP_RATE: 'rate',
  TUNEUP_DURATION: 'duration',
};

/**
 * Read `TUNEUP_*` overrides from an environment. Empty strings count as unset.
 * @throws TuneupError `TUNEUP_OPTION_INVALID` naming the variable.
 */
export function overridesFromEnv(env: Record<string, string | undefined>): PlanOverrides {
  const out: PlanOverrides = {};
  for (const [variable, key] of Object.entries(ENV_OPTIONS)) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    assign(out, key, raw.trim(), variable);
  }
  return out;
}

/**
 * Validate overrides (from flags or env) and normalize types.
 * @param source names the flag or variable in messages, e.g. `--rate`.
 */
export function checkOverrides(overrides: PlanOverrides, source: (key: keyof PlanOverrides) => string): PlanOverrides {
  const out: PlanOverrides = {};
  for (const [key, value] of Object.entries(overrides) as [keyof PlanOverrides, unknown][]) {
    if (value === undefined) continue;
    assign(out, key, value, source(key));
  }
  return out;
}

function assign(out: PlanOverrides, key: keyof PlanOverrides, value: unknown, where: string): void {
  const invalid = (message: string, hint: string) =>
    new TuneupError('TUNEUP_OPTION_INVALID', `${where}: ${message}`, { location: where, hint });
  switch (key) {
    case 'baseUrl':
      if (typeof value !== 'string' || !isHttpUrl(value)) {
        throw invalid(`expected an http:// or https:// URL, got ${JSON.stringify(value)}`, 'Give the service root, e.g. http://127.0.0.1:3000.');
      }
      out.baseUrl = value;
      return;
    case 'timeout':
    case 'duration': {
      const parsed = tryParseDuration(value);
      if (!parsed.ok) throw invalid(parsed.reason, 'Durations look like "500ms", "30s", "1m30s" or "2h".');
      out[key] = value as DurationInput;
      return;
    }
    case 'profile':
      if (typeof value !== 'string' || !(PROFILE_NAMES as readonly string[]).includes(value)) {
        const guess = typeof value === 'string' ? closest(value, PROFILE_NAMES) : undefined;
        throw invalid(
          `unknown profile ${JSON.stringify(value)}; expected one of ${PROFILE_NAMES.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`,
          'Profiles are described in docs/plan.md (Profiles).',
        );
      }
      out.profile = value as ProfileName;
      return;
    case 'rate': {
      const rate = typeof value === 'string' ? Number(value) : value;
      if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
        throw invalid(`expected a positive number of iterations per second, got ${JSON.stringify(value)}`, 'For example --rate 200.');
      }
      out.rate = rate;
      return;
    }
  }
}

/** True for an absolute http: or https: URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
