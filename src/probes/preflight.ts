/**
 * The pre-run check of every probe's prerequisites: before any load is sent,
 * say what the diagnosis will not be able to see and the exact fix — a
 * PostgreSQL without pg_stat_statements preloaded (Debian's default) makes
 * missing indexes and N+1 queries invisible, and a run is minutes lost if the
 * user learns it only from the report. Read-only: it changes nothing on the
 * servers, and a target it cannot reach is left to the probe's own start.
 *
 * @module
 */
import pg from 'pg';
import { createClient } from 'redis';
import { readServerInfo, readSettings } from './postgres/queries.js';
import { checkStatements, settingLimitations } from './postgres/status.js';
import { redisConfigLimitations } from './redis/probe.js';

/** Where the probes will point. */
export interface PreflightTargets {
  pgUrl?: string;
  redisUrl?: string;
}

/** One thing a probe will not see, with its fix inside the text. */
export interface PreflightGap {
  probe: 'postgres' | 'redis';
  message: string;
}

const TIMEOUT_MS = 3000;

/** Check every configured probe's prerequisites; never throws. */
export async function checkProbePrerequisites(targets: PreflightTargets): Promise<PreflightGap[]> {
  const checks = await Promise.all([
    targets.pgUrl ? postgresGaps(targets.pgUrl) : [],
    targets.redisUrl ? redisGaps(targets.redisUrl) : [],
  ]);
  return checks.flat();
}

async function postgresGaps(url: string): Promise<PreflightGap[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'tuneup-preflight', connectionTimeoutMillis: TIMEOUT_MS, query_timeout: TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
    const server = await readServerInfo(client);
    const statements = await checkStatements(client, server);
    const gaps = settingLimitations(server, await readSettings(client));
    if (!statements.available) gaps.unshift(`${statements.limitation} Fix: ${statements.enable}`);
    return gaps.map((message) => ({ probe: 'postgres', message }));
  } catch {
    // Unreachable or refused: the probe's start reports it with its own error code.
    return [];
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisGaps(url: string): Promise<PreflightGap[]> {
  const client = createClient({ url, name: 'tuneup-preflight', socket: { connectTimeout: TIMEOUT_MS, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    const config: Record<string, string> = {};
    for (const key of ['slowlog-log-slower-than', 'latency-monitor-threshold']) {
      const reply = (await client.sendCommand(['CONFIG', 'GET', key])) as unknown;
      // RESP2 answers [key, value]; RESP3 a map.
      if (Array.isArray(reply) && reply.length >= 2) config[String(reply[0])] = String(reply[1]);
      else if (reply instanceof Map) for (const [k, v] of reply) config[String(k)] = String(v);
      else if (reply && typeof reply === 'object') for (const [k, v] of Object.entries(reply)) config[k] = String(v);
    }
    return redisConfigLimitations(config).map((message) => ({ probe: 'redis', message }));
  } catch {
    return [];
  } finally {
    await client.quit().catch(() => client.disconnect().catch(() => {}));
  }
}
