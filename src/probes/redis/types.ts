/**
 * The `data` of the redis probe's {@link ProbeEvidence}: INFO snapshots and
 * deltas over the run, per-command stats, SLOWLOG entries newer than the
 * start, LATENCY LATEST and the relevant configuration. Diagnosis rules read
 * these types; they change only additively.
 *
 * Conventions: counters are deltas (after − before) over the window, with
 * the probe's own commands subtracted where Redis counts them; times in ms
 * unless the name says `Us` (µs, Redis' own unit); sizes in bytes; instants
 * as epoch ms. `null` means "not measured".
 *
 * @module
 */
import type { ProbeEvidence } from '../../result/types.js';

/** Series columns the redis probe writes into `ProbeEvidence.series`. */
export const REDIS_SERIES_COLUMNS = {
  /** Commands processed per second (total_commands_processed delta, the probe's own commands subtracted). */
  'redis.ops_per_s': '1/s',
  /** keyspace_hits / (hits + misses) over the interval; null when no key was looked up. */
  'redis.hit_ratio': 'ratio',
  /** keyspace_hits per second. */
  'redis.hits_per_s': '1/s',
  /** keyspace_misses per second. */
  'redis.misses_per_s': '1/s',
  /** connected_clients (the probe's own connection excluded). */
  'redis.clients': 'connections',
  /** blocked_clients (BLPOP and friends). */
  'redis.blocked_clients': 'connections',
  /** used_memory. */
  'redis.used_memory': 'bytes',
  /** evicted_keys per second. */
  'redis.evicted_per_s': '1/s',
  /** expired_keys per second. */
  'redis.expired_per_s': '1/s',
  /** rejected_connections per second (maxclients reached). */
  'redis.rejected_per_s': '1/s',
} as const;

/** Name of a redis series column. */
export type RedisSeriesColumn = keyof typeof REDIS_SERIES_COLUMNS;

/** Everything the redis probe found. */
export interface RedisProbeData {
  /** `redis_version`, e.g. `7.0.15`; null if never connected. */
  serverVersion: string | null;
  /** `redis_mode`: standalone, cluster, sentinel. */
  mode: string | null;
  /** Epoch ms of the before and after snapshots. */
  window: { beforeAt: number | null; afterAt: number | null };
  /** Where the after values come from (see the postgres probe): `last-sample` when Redis was gone at the end. */
  afterSource: 'snapshot' | 'last-sample' | 'none';
  /** INFO over the window; null when no before/after pair exists. */
  info: RedisInfoDelta | null;
  /** Per-command stats deltas (INFO commandstats), most time first; the probe's own calls subtracted. */
  commandStats: RedisCommandStat[];
  /** SLOWLOG entries logged during the run (id greater than the newest at start), oldest first; at most 128. */
  slowlog: RedisSlowlogEntry[];
  /**
   * True when the slowlog ring (slowlog-max-len) may have overwritten entries
   * of the run before the probe read them.
   */
  slowlogMayHaveDropped: boolean;
  /** LATENCY LATEST at the end (empty when latency-monitor-threshold is 0, Redis' default). */
  latency: RedisLatencyEvent[];
  /** Relevant configuration (CONFIG GET), by name; empty when CONFIG is disabled (managed services). */
  config: Record<string, string>;
}

/** INFO fields over the run window. */
export interface RedisInfoDelta {
  /** Deltas. */
  keyspaceHits: number;
  keyspaceMisses: number;
  /** hits / (hits + misses) over the window; null when no lookup happened. */
  hitRatio: number | null;
  /** Same ratio since the server started (INFO at the after snapshot): the history, not the run. */
  hitRatioCumulative: number | null;
  evictedKeys: number;
  expiredKeys: number;
  totalCommandsProcessed: number;
  /** Commands per second over the window (probe commands subtracted). */
  opsPerSec: number | null;
  totalConnectionsReceived: number;
  rejectedConnections: number;
  totalNetInputBytes: number;
  totalNetOutputBytes: number;
  /** `instantaneous_ops_per_sec` (Redis' own 16-sample average) at the snapshots and the max seen while sampling. */
  instantaneousOpsPerSec: Gauge;
  usedMemory: Gauge;
  usedMemoryRss: number | null;
  usedMemoryPeak: number | null;
  /** 0 means no limit. */
  maxmemory: number | null;
  maxmemoryPolicy: string | null;
  memFragmentationRatio: number | null;
  /** Client connections (the probe's own connection excluded). */
  connectedClients: Gauge;
  blockedClients: Gauge;
  maxclients: number | null;
  /** Keys and keys with a TTL per database at the after snapshot, e.g. `{ db0: { keys: 10, expires: 2 } }`. */
  keyspace: Record<string, { keys: number; expires: number }>;
  /** Duration of the latest fork (RDB/AOF rewrite), µs. */
  latestForkUsec: number | null;
  /** CPU seconds Redis used over the window (used_cpu_sys + used_cpu_user deltas). */
  cpuSeconds: number | null;
}

/** A gauge at the snapshots and its extreme over the samples. */
export interface Gauge {
  before: number | null;
  after: number | null;
  /** Max over the before/after snapshots and every sample. */
  max: number | null;
}

/** One command's stats over the window. */
export interface RedisCommandStat {
  /** Lower case, subcommands with `|`, e.g. `get`, `config|get`. */
  command: string;
  calls: number;
  usec: number;
  /** usec / calls over the window; null when no call. */
  usecPerCall: number | null;
  rejectedCalls: number;
  failedCalls: number;
}

/** One SLOWLOG entry. */
export interface RedisSlowlogEntry {
  id: number;
  /** Epoch ms when the command ran. */
  at: number;
  /** Execution time in µs (excludes network and queueing). */
  durationUs: number;
  /** Command and arguments as Redis logged them (at most 32 args, long args shortened by Redis). */
  args: string[];
  /** `ip:port` of the client, when logged. */
  client: string;
  clientName: string;
}

/** One LATENCY LATEST row. */
export interface RedisLatencyEvent {
  event: string;
  /** Epoch ms of the latest spike. */
  at: number;
  latestMs: number;
  maxMs: number;
}

/** The redis probe's evidence with its data typed. */
export type RedisProbeEvidence = ProbeEvidence & { probe: 'redis'; data: RedisProbeData & Record<string, unknown> };

/** Narrow a ProbeEvidence to the redis probe's (by name). */
export function isRedisEvidence(evidence: ProbeEvidence): evidence is RedisProbeEvidence {
  return evidence.probe === 'redis';
}
