/**
 * Runtime configuration of the locker API, from the environment (as the
 * deployment's config map sets it).
 *
 * @module
 */

function env(name: string, fallback?: string): string {
  const value = process.env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`missing ${name}`);
}

function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = env(name, fallback);
  if (!allowed.includes(value as T)) throw new Error(`${name}: '${value}' is not one of ${allowed.join(', ')}`);
  return value as T;
}

export const config = {
  port: Number(env('LOCKER_PORT', '0')),
  pgUrl: env('LOCKER_PG_URL'),
  publicPgUrl: env('LOCKER_PUBLIC_PG_URL'),
  redisUrl: env('LOCKER_REDIS_URL'),
  partnersUrl: env('LOCKER_PARTNERS_URL'),
  pgPoolMax: Number(env('LOCKER_PG_POOL_MAX', '8')),
  publicPoolMax: Number(env('LOCKER_PUBLIC_POOL_MAX', '4')),
  /** Signing secret of pickup receipts (per-site keys are derived from it). */
  receiptSecret: env('LOCKER_RECEIPT_SECRET', 'lk-receipts-2f8d1c7e9a'),
  /** How per-site receipt keys are derived. */
  receiptKdf: oneOf('LOCKER_RECEIPT_KDF', ['hkdf', 'pbkdf2'] as const, 'hkdf'),
  receiptKdfIterations: Number(env('LOCKER_RECEIPT_KDF_ITERATIONS', '100000')),
  /** Redis key of a locker's availability board; {site} and {asOf} are substituted. */
  boardCacheKey: env('LOCKER_BOARD_CACHE_KEY', 'locker:board:v2:{site}'),
  boardCacheTtlS: Number(env('LOCKER_BOARD_CACHE_TTL_S', '30')),
  /** Pickup-time model: from the locker's own history or the whole city's. */
  etaModelScope: oneOf('LOCKER_ETA_MODEL_SCOPE', ['site', 'city'] as const, 'site'),
  /** Memoize the pickup-time estimate: off, or per parcel version. */
  etaMemo: oneOf('LOCKER_ETA_MEMO', ['off', 'parcel'] as const, 'off'),
  etaMemoTtlMs: Number(env('LOCKER_ETA_MEMO_TTL_MS', '600000')),
  /** How a courier's route is loaded: one joined query, or through the ORM repositories. */
  routeLoader: oneOf('LOCKER_ROUTE_LOADER', ['sql', 'orm'] as const, 'sql'),
  /** What each route stop carries: the courier's own parcels, or every parcel at the locker with its timeline. */
  routeStopDetail: oneOf('LOCKER_ROUTE_STOP_DETAIL', ['own', 'full'] as const, 'own'),
  /** Reservation numbers: from a sequence, or gapless per day. */
  reservationNumbering: oneOf('LOCKER_RESERVATION_NUMBERING', ['sequence', 'gapless-daily'] as const, 'sequence'),
  /** Storage-extension charge: reserve, charge, then settle; or all in one transaction. */
  extensionCharge: oneOf('LOCKER_EXTENSION_CHARGE', ['two-phase', 'atomic'] as const, 'two-phase'),
  /** Courier leaderboard window. */
  leaderboardWindow: oneOf('LOCKER_LEADERBOARD_WINDOW', ['iso-week', 'rolling-7d'] as const, 'iso-week'),
  /** The i18n catalog handed to a request: the shared read-only one, or a private copy. */
  i18nIsolation: oneOf('LOCKER_I18N_ISOLATION', ['shared', 'copy'] as const, 'shared'),
  /** Return labels: by e-mail when the recipient has one, else SMS; or always as a PDF by e-mail. */
  returnLabelChannel: oneOf('LOCKER_RETURN_LABEL_CHANNEL', ['auto', 'email'] as const, 'auto'),
};

export type Config = typeof config;
