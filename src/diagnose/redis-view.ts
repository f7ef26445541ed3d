/**
 * A normalized view of the redis probe's evidence (src/probes/redis/types.ts):
 * what the cache rules and the cost model need. The adapter tolerates
 * field-name variants, so results written by older probe versions keep
 * working with `tuneup analyze --run ID`.
 *
 * @module
 */
import type { ProbeEvidence } from '../result/types.js';

/** What the cache rules need from the redis probe, normalized. */
export interface RedisView {
  hits?: number;
  misses?: number;
  evictedKeys?: number;
  rejectedConnections?: number;
  connectedClients?: number;
  maxClients?: number;
  usedMemory?: number;
  maxMemory?: number;
  maxMemoryPolicy?: string;
  /** Calls per command (lower-case name) over the window. */
  commandCalls: Record<string, number>;
  /** Microseconds per command over the window, when known. */
  commandUsec: Record<string, number>;
  /** Slow log entries recorded during the window. */
  /** `at` is the epoch ms when the command ran, when logged. */
  slowlog: { command: string; args: string; durationUs: number; at?: number }[];
}

function num(x: unknown): number | undefined {
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  if (typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x))) return Number(x);
  if (x && typeof x === 'object' && 'delta' in x) return num((x as { delta: unknown }).delta);
  return undefined;
}

function pick(obj: unknown, ...paths: string[]): unknown {
  for (const path of paths) {
    let cur: unknown = obj;
    for (const key of path.split('.')) {
      if (cur === null || typeof cur !== 'object') {
        cur = undefined;
        break;
      }
      cur = (cur as Record<string, unknown>)[key];
    }
    if (cur !== undefined && cur !== null) return cur;
  }
  return undefined;
}

/** Normalize the redis probe's `data` (tolerant of naming variants) into a {@link RedisView}. */
export function readRedis(ev: ProbeEvidence): RedisView {
  const d = ev.data;
  const view: RedisView = { commandCalls: {}, commandUsec: {}, slowlog: [] };
  view.hits = num(pick(d, 'info.keyspaceHits', 'stats.keyspaceHits', 'deltas.keyspaceHits', 'delta.keyspaceHits', 'keyspaceHits', 'hits', 'stats.keyspace_hits', 'delta.keyspace_hits', 'deltas.keyspace_hits'));
  view.misses = num(pick(d, 'info.keyspaceMisses', 'stats.keyspaceMisses', 'deltas.keyspaceMisses', 'delta.keyspaceMisses', 'keyspaceMisses', 'misses', 'stats.keyspace_misses', 'delta.keyspace_misses', 'deltas.keyspace_misses'));
  view.evictedKeys = num(pick(d, 'info.evictedKeys', 'stats.evictedKeys', 'deltas.evictedKeys', 'delta.evictedKeys', 'evictedKeys', 'stats.evicted_keys', 'delta.evicted_keys', 'deltas.evicted_keys'));
  view.rejectedConnections = num(pick(d, 'info.rejectedConnections', 'stats.rejectedConnections', 'deltas.rejectedConnections', 'delta.rejectedConnections', 'rejectedConnections', 'delta.rejected_connections', 'deltas.rejected_connections'));
  view.connectedClients = num(pick(d, 'info.connectedClients.max', 'info.connectedClients.after', 'clients.maxConnected', 'clients.max', 'clients.connectedMax', 'maxConnectedClients', 'clients.connected', 'connectedClients', 'after.connectedClients', 'after.connected_clients'));
  view.maxClients = num(pick(d, 'info.maxclients', 'config.maxclients', 'clients.maxClients', 'clients.maxclients', 'config.maxclients', 'settings.maxclients', 'maxClients'));
  view.usedMemory = num(pick(d, 'info.usedMemory.max', 'info.usedMemory.after', 'memory.usedMemory', 'memory.used', 'usedMemory', 'after.usedMemory', 'after.used_memory', 'memory.used_memory'));
  view.maxMemory = num(pick(d, 'info.maxmemory', 'memory.maxMemory', 'memory.maxmemory', 'maxMemory', 'config.maxmemory', 'settings.maxmemory'));
  const policy = pick(d, 'info.maxmemoryPolicy', 'memory.maxMemoryPolicy', 'memory.maxmemoryPolicy', 'maxMemoryPolicy', 'config.maxmemory-policy', 'settings.maxmemory-policy');
  if (typeof policy === 'string') view.maxMemoryPolicy = policy;
  const cmds = pick(d, 'commandStats', 'commands', 'commandstats', 'deltas.commands', 'delta.commands');
  if (Array.isArray(cmds)) {
    for (const c of cmds) {
      const name = String(pick(c, 'command', 'name', 'cmd') ?? '').toLowerCase();
      const calls = num(pick(c, 'calls', 'callsDelta'));
      const usec = num(pick(c, 'usec', 'usecDelta', 'totalUsec'));
      if (name && calls !== undefined) view.commandCalls[name] = (view.commandCalls[name] ?? 0) + calls;
      if (name && usec !== undefined) view.commandUsec[name] = (view.commandUsec[name] ?? 0) + usec;
    }
  } else if (cmds && typeof cmds === 'object') {
    for (const [k, c] of Object.entries(cmds as Record<string, unknown>)) {
      const name = k.replace(/^cmdstat_/, '').toLowerCase();
      const calls = num(typeof c === 'object' ? pick(c, 'calls', 'callsDelta') : c);
      const usec = num(typeof c === 'object' ? pick(c, 'usec', 'usecDelta', 'totalUsec') : undefined);
      if (calls !== undefined) view.commandCalls[name] = calls;
      if (usec !== undefined) view.commandUsec[name] = usec;
    }
  }
  const slow = pick(d, 'slowlog', 'slowLog', 'slowlogEntries', 'slowlog.entries');
  const entries = Array.isArray(slow) ? slow : Array.isArray(pick(slow, 'entries')) ? (pick(slow, 'entries') as unknown[]) : [];
  for (const e of entries) {
    const argv = pick(e, 'args', 'argv', 'arguments');
    const args = Array.isArray(argv) ? argv.map(String) : typeof argv === 'string' ? argv.split(' ') : [];
    const command = String(pick(e, 'command', 'cmd') ?? args[0] ?? '').toLowerCase();
    const us = num(pick(e, 'durationUs', 'durationMicros', 'duration_us', 'microseconds', 'duration'));
    const at = num(pick(e, 'at', 'timestampMs'));
    if (command && us !== undefined) view.slowlog.push({ command, args: args.join(' ').slice(0, 120), durationUs: us, ...(at !== undefined ? { at } : {}) });
  }
  return view;
}

