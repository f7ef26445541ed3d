/**
 * Parsing Redis replies: INFO text, INFO commandstats, SLOWLOG GET and
 * LATENCY LATEST. Pure functions over what the server returned.
 *
 * @module
 */
import type { RedisLatencyEvent, RedisSlowlogEntry } from './types.js';

/** INFO fields by name (sections flattened; `# Section` headers dropped). */
export type InfoFields = Map<string, string>;

/** Parse INFO text (`field:value` lines) into a map. */
export function parseInfo(text: string): InfoFields {
  const fields: InfoFields = new Map();
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** A numeric INFO field, or null when absent or not numeric. */
export function infoNumber(fields: InfoFields, name: string): number | null {
  const raw = fields.get(name);
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

/** Cumulative stats of one command. */
export interface CommandCounters {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

/**
 * Parse `cmdstat_<name>:calls=…,usec=…,usec_per_call=…,rejected_calls=…,failed_calls=…`
 * lines (rejected/failed exist since Redis 6.2).
 */
export function parseCommandStats(fields: InfoFields): Map<string, CommandCounters> {
  const out = new Map<string, CommandCounters>();
  for (const [key, value] of fields) {
    if (!key.startsWith('cmdstat_')) continue;
    const parts = new Map(value.split(',').map((kv) => kv.split('=') as [string, string]));
    out.set(key.slice('cmdstat_'.length), {
      calls: Number(parts.get('calls') ?? 0),
      usec: Number(parts.get('usec') ?? 0),
      rejectedCalls: Number(parts.get('rejected_calls') ?? 0),
      failedCalls: Number(parts.get('failed_calls') ?? 0),
    });
  }
  return out;
}

/** Parse `db0:keys=1,expires=0,avg_ttl=0` lines. */
export function parseKeyspace(fields: InfoFields): Record<string, { keys: number; expires: number }> {
  const out: Record<string, { keys: number; expires: number }> = {};
  for (const [key, value] of fields) {
    if (!/^db\d+$/.test(key)) continue;
    const parts = new Map(value.split(',').map((kv) => kv.split('=') as [string, string]));
    out[key] = { keys: Number(parts.get('keys') ?? 0), expires: Number(parts.get('expires') ?? 0) };
  }
  return out;
}

/**
 * Parse a SLOWLOG GET reply: `[id, unix_seconds, duration_us, [args…], client, client_name]`
 * (the last two since Redis 4).
 */
export function parseSlowlog(reply: unknown): RedisSlowlogEntry[] {
  if (!Array.isArray(reply)) return [];
  const out: RedisSlowlogEntry[] = [];
  for (const item of reply) {
    if (!Array.isArray(item) || item.length < 4) continue;
    out.push({
      id: Number(item[0]),
      at: Number(item[1]) * 1000,
      durationUs: Number(item[2]),
      args: Array.isArray(item[3]) ? (item[3] as unknown[]).map((a) => String(a)) : [],
      client: item[4] === undefined ? '' : String(item[4]),
      clientName: item[5] === undefined ? '' : String(item[5]),
    });
  }
  return out;
}

/** Parse a LATENCY LATEST reply: `[event, unix_seconds, latest_ms, max_ms, …]` rows. */
export function parseLatencyLatest(reply: unknown): RedisLatencyEvent[] {
  if (!Array.isArray(reply)) return [];
  const out: RedisLatencyEvent[] = [];
  for (const item of reply) {
    if (!Array.isArray(item) || item.length < 4) continue;
    out.push({ event: String(item[0]), at: Number(item[1]) * 1000, latestMs: Number(item[2]), maxMs: Number(item[3]) });
  }
  return out;
}
