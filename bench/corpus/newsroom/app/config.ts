/**
 * The API's configuration, read once from the environment at boot (the
 * deploy sets NEWSROOM_* variables; see ../index.ts).
 *
 * @module
 */
import { parseFault, type NewsroomFault } from '../faults.js';

/** Runtime configuration of the newsroom API. */
export interface Config {
  port: number;
  pgUrl: string;
  /** Same database as the reporting role (authors' dashboard). */
  analyticsUrl: string;
  redisUrl: string;
  /** Partner platform: image CDN, comment moderation, push notifications. */
  partnerUrl: string;
  /** postgres.js pool size of the API (max_connections is shared with workers and reporting). */
  poolMax: number;
  /** Secret the paywall's entitlement tokens are signed with. */
  entitlementSecret: string;
  /** The build's planted fault (null = healthy build). */
  fault: NewsroomFault | null;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`missing ${name}`);
  return v;
}

/** Read the configuration from `env`; throws on a missing variable or unknown fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: Number(env.NEWSROOM_PORT ?? 0),
    pgUrl: required(env, 'NEWSROOM_PG_URL'),
    analyticsUrl: required(env, 'NEWSROOM_ANALYTICS_PG_URL'),
    redisUrl: required(env, 'NEWSROOM_REDIS_URL'),
    partnerUrl: required(env, 'NEWSROOM_PARTNER_URL'),
    poolMax: Number(env.NEWSROOM_PG_POOL_MAX ?? 4),
    entitlementSecret: env.NEWSROOM_ENTITLEMENT_SECRET ?? 'dev-entitlement-secret-change-me',
    fault: parseFault(env.NEWSROOM_FAULT),
  };
}
