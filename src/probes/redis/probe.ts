/**
 * The redis probe: INFO snapshots before and after the run, one INFO per
 * sample for the series, SLOWLOG entries newer than the start (read every
 * few samples so the ring cannot overwrite them unseen, never reset),
 * LATENCY LATEST and CONFIG at the ends.
 *
 * Negligible load: one connection, one INFO per second. The probe counts the
 * commands it sends and subtracts them from the command counters. Survives
 * Redis going away: failures are recorded, the next sample reconnects, and a
 * missing "after" snapshot falls back to the last good sample.
 *
 * @module
 */
import type { createClient } from 'redis';
import { ExitCode, TuneupError } from '../../errors.js';
import type { ProbeEvidence } from '../../result/types.js';
import { readingTime, type Probe, type ProbeContext } from '../types.js';
import { redactConnection } from '../../store/index.js';
import { ProbeErrorLog, SampleTimer, describeError } from '../util/sampling.js';
import { SeriesBuilder, counterDelta, hitRatio, ratePerSecond } from '../util/series.js';
import { infoNumber, parseCommandStats, parseInfo, parseKeyspace, parseLatencyLatest, parseSlowlog, type CommandCounters, type InfoFields } from './info.js';
import {
  REDIS_SERIES_COLUMNS,
  type Gauge,
  type RedisCommandStat,
  type RedisInfoDelta,
  type RedisLatencyEvent,
  type RedisProbeData,
  type RedisSeriesColumn,
  type RedisSlowlogEntry,
} from './types.js';

/** Options of {@link createRedisProbe}. */
export interface RedisProbeOptions {
  /** `redis://[user:password@]host:port[/db]` */
  url: string;
  /** Client name of the probe's connection (default `tuneup-probe`); its own SLOWLOG entries are dropped by it. */
  clientName?: string;
  /** Per-command timeout (default 2000 ms). */
  commandTimeoutMs?: number;
  /** Connection timeout (default 3000 ms). */
  connectTimeoutMs?: number;
  /** Read SLOWLOG every N samples (default 5). */
  slowlogEvery?: number;
}

/** Create a redis probe. Nothing connects until `start`. */
export function createRedisProbe(options: RedisProbeOptions): Probe {
  return new RedisProbe(options);
}

/** Configuration worth showing next to the evidence. */
const CONFIG_KEYS = [
  'maxmemory',
  'maxmemory-policy',
  'maxclients',
  'slowlog-log-slower-than',
  'slowlog-max-len',
  'latency-monitor-threshold',
  'hz',
  'timeout',
  'appendonly',
  'appendfsync',
  'save',
  'activedefrag',
  'lazyfree-lazy-eviction',
] as const;

/** Slowlog entries read per request (Redis' default ring size is 128). */
const SLOWLOG_FETCH = 128;

/** node-redis, loaded when a probe first connects: a run without `--redis` never pays for it. */
async function redisClientFactory(): Promise<typeof createClient> {
  return (await import('redis')).createClient;
}

/** The probe's client. RESP2 on purpose: RESP3 needs HELLO, which Redis < 6 lacks. */
function newClient(create: typeof createClient, options: RedisProbeOptions & { clientName: string; connectTimeoutMs: number; commandTimeoutMs: number }) {
  return create({
    url: options.url,
    RESP: 2,
    name: options.clientName,
    // Fail fast while Redis is down instead of queueing commands until it returns.
    disableOfflineQueue: true,
    disableClientInfo: true,
    maintNotifications: 'disabled',
    socket: { connectTimeout: options.connectTimeoutMs, reconnectStrategy: false },
    commandOptions: { timeout: options.commandTimeoutMs },
  });
}
type Client = ReturnType<typeof newClient>;

interface Reading {
  at: number;
  info: InfoFields;
  /** Probe commands issued before this INFO was sent. */
  issued: number;
}

class RedisProbe implements Probe {
  readonly name = 'redis';
  private readonly target: string;
  private readonly clientName: string;
  private readonly commandTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly slowlogEvery: number;

  private ctx: ProbeContext | null = null;
  private client: Client | null = null;
  private readonly errors = new ProbeErrorLog();
  private readonly timer = new SampleTimer();
  private readonly series = new SeriesBuilder<RedisSeriesColumn>({ ...REDIS_SERIES_COLUMNS });
  private readonly limitations: string[] = [];
  private config: Record<string, string> = {};
  private serverVersion: string | null = null;
  private mode: string | null = null;
  /** Commands this probe sent, total and by commandstats name. */
  private issued = 0;
  private readonly issuedByName = new Map<string, number>();
  private before: (Reading & { commandStats: Map<string, CommandCounters>; issuedByName: Map<string, number> }) | null = null;
  /** The last reading, with when it was read on the reading clock (see {@link readingTime}). */
  private previous: (Reading & { atMs: number }) | null = null;
  private last: Reading | null = null;
  private slowlogFloorId = -1;
  private readonly slowlog = new Map<number, RedisSlowlogEntry>();
  /** Ids of the probe's own slowlog entries: gaps in the kept ids that are not losses. */
  private readonly ownSlowlogIds = new Set<number>();
  private readonly maxima = { ops: null as number | null, memory: null as number | null, clients: null as number | null, blocked: null as number | null };
  private goodSamples = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: RedisProbeOptions) {
    this.target = redactConnection(options.url);
    this.clientName = options.clientName ?? 'tuneup-probe';
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3000;
    this.slowlogEvery = Math.max(1, options.slowlogEvery ?? 5);
  }

  async start(ctx: ProbeContext): Promise<void> {
    this.ctx = ctx;
    let reading: Reading;
    let readAtMs = 0;
    try {
      const client = await this.ensureClient();
      readAtMs = readingTime(ctx, ctx.offsetMs());
      reading = await this.readInfo(client);
    } catch (error) {
      this.errors.record(ctx.offsetMs(), error);
      await this.closeClient();
      throw new TuneupError('TUNEUP_REDIS_CONNECT', `Cannot connect to Redis at ${this.target}: ${describeError(error)}`, {
        hint: 'Check the --redis URL (host, port, password, database) and that Redis accepts connections from this machine.',
        cause: error,
      });
    }
    try {
      const client = await this.ensureClient();
      this.serverVersion = reading.info.get('redis_version') ?? null;
      this.mode = reading.info.get('redis_mode') ?? null;
      this.config = await this.readConfig(client);
      this.noteConfigLimitations();
      const issuedByName = new Map(this.issuedByName);
      const commandStats = await this.readCommandStats(client);
      const newest = parseSlowlog(await this.send(client, 'slowlog|get', ['SLOWLOG', 'GET', '1']));
      this.slowlogFloorId = newest[0]?.id ?? -1;
      this.before = { ...reading, commandStats, issuedByName };
      this.previous = { ...reading, atMs: readAtMs };
      this.observeGauges(reading.info);
    } catch (error) {
      this.errors.record(ctx.offsetMs(), error);
      await this.closeClient();
    }
  }

  sample(offsetMs: number): Promise<void> {
    this.queue = this.queue.then(() => this.sampleOnce(offsetMs));
    return this.queue;
  }

  async stop(): Promise<ProbeEvidence> {
    await this.queue;
    const offsetMs = this.ctx?.offsetMs() ?? 0;
    let after: (Reading & { commandStats: Map<string, CommandCounters>; issuedByName: Map<string, number> }) | null = null;
    let latency: RedisLatencyEvent[] = [];
    if (this.before) {
      try {
        const client = await this.ensureClient();
        const reading = await this.readInfo(client);
        const issuedByName = new Map(this.issuedByName);
        const commandStats = await this.readCommandStats(client);
        after = { ...reading, commandStats, issuedByName };
        this.observeGauges(reading.info);
        await this.collectSlowlog(client);
        latency = await this.readLatency(client);
      } catch (error) {
        this.errors.record(offsetMs, error);
      }
    }
    await this.closeClient();
    return this.evidence(after, latency);
  }

  private async sampleOnce(offsetMs: number): Promise<void> {
    const index = this.series.length;
    try {
      let atMs = 0;
      const reading = await this.timer.time(async () => {
        const client = await this.ensureClient();
        atMs = readingTime(this.ctx, offsetMs);
        const r = await this.readInfo(client);
        if (index % this.slowlogEvery === this.slowlogEvery - 1 && this.before) await this.collectSlowlog(client);
        return r;
      });
      this.fold(offsetMs, atMs, reading);
      this.goodSamples++;
    } catch (error) {
      this.errors.record(offsetMs, error);
      this.series.addFailure(offsetMs);
      await this.closeClient();
    }
  }

  private fold(offsetMs: number, atMs: number, reading: Reading): void {
    const prev = this.previous;
    const elapsed = prev ? atMs - prev.atMs : 0;
    const n = (fields: InfoFields | undefined, name: string): number | undefined => (fields ? (infoNumber(fields, name) ?? undefined) : undefined);
    const rate = (name: string): number | null => {
      const current = n(reading.info, name);
      return current === undefined ? null : ratePerSecond(n(prev?.info, name), current, elapsed);
    };
    let ops: number | null = null;
    const commands = n(reading.info, 'total_commands_processed');
    const previousCommands = n(prev?.info, 'total_commands_processed');
    if (prev && commands !== undefined && previousCommands !== undefined && elapsed > 0 && commands >= previousCommands) {
      ops = (Math.max(0, commands - previousCommands - (reading.issued - prev.issued)) * 1000) / elapsed;
    }
    const hits = rate('keyspace_hits');
    const misses = rate('keyspace_misses');
    this.observeGauges(reading.info);
    this.series.add(offsetMs, {
      'redis.ops_per_s': ops,
      'redis.hits_per_s': hits,
      'redis.misses_per_s': misses,
      'redis.hit_ratio': hits !== null && misses !== null ? hitRatio(hits, misses) : null,
      'redis.clients': clientsExcludingProbe(reading.info),
      'redis.blocked_clients': infoNumber(reading.info, 'blocked_clients'),
      'redis.used_memory': infoNumber(reading.info, 'used_memory'),
      'redis.evicted_per_s': rate('evicted_keys'),
      'redis.expired_per_s': rate('expired_keys'),
      'redis.rejected_per_s': rate('rejected_connections'),
    });
    this.previous = { ...reading, atMs };
    this.last = reading;
  }

  private observeGauges(info: InfoFields): void {
    const bump = (key: keyof RedisProbe['maxima'], value: number | null): void => {
      if (value !== null) this.maxima[key] = Math.max(this.maxima[key] ?? value, value);
    };
    bump('ops', infoNumber(info, 'instantaneous_ops_per_sec'));
    bump('memory', infoNumber(info, 'used_memory'));
    bump('clients', clientsExcludingProbe(info));
    bump('blocked', infoNumber(info, 'blocked_clients'));
  }

  private evidence(after: (Reading & { commandStats: Map<string, CommandCounters>; issuedByName: Map<string, number> }) | null, latency: RedisLatencyEvent[]): ProbeEvidence {
    const before = this.before;
    const end: Reading | null = after ?? (this.goodSamples > 0 ? this.last : null);
    const afterSource: RedisProbeData['afterSource'] = after ? 'snapshot' : end ? 'last-sample' : 'none';
    if (afterSource === 'last-sample') {
      this.limitations.push('Redis could not be reached at the end of the run: INFO deltas end at the last good sample; command stats and LATENCY are missing.');
    }
    const slowlog = [...this.slowlog.values()].sort((a, b) => a.id - b.id).slice(-SLOWLOG_FETCH);
    const data: RedisProbeData = {
      serverVersion: this.serverVersion,
      mode: this.mode,
      window: { beforeAt: before?.at ?? null, afterAt: end?.at ?? null },
      afterSource,
      info: before && end ? this.infoDelta(before, end) : null,
      commandStats: before && after ? commandStatDeltas(before, after) : [],
      slowlog,
      // Ids are consecutive: a gap after the newest entry seen at start means the ring overwrote some.
      slowlogMayHaveDropped: this.slowlogFloorId >= 0 && slowlog.length > 0 && slowlog[0].id > this.slowlogFloorId + 1 && !this.hasOwnEntryAt(this.slowlogFloorId + 1),
      latency,
      config: this.config,
    };
    return {
      probe: this.name,
      target: this.target,
      ok: before !== null || this.goodSamples > 0,
      limitations: [...this.limitations],
      errors: this.errors.list(),
      series: this.series.build(),
      data: data as unknown as Record<string, unknown>,
      overhead: this.timer.overhead(),
    };
  }

  private hasOwnEntryAt(id: number): boolean {
    return this.ownSlowlogIds.has(id);
  }

  private infoDelta(before: Reading, end: Reading): RedisInfoDelta {
    const a = before.info;
    const b = end.info;
    const delta = (name: string): number => counterDelta(infoNumber(a, name) ?? 0, infoNumber(b, name) ?? 0).delta;
    const gauge = (name: string, max: number | null, adjust = 0): Gauge => {
      const x = infoNumber(a, name);
      const y = infoNumber(b, name);
      return { before: x === null ? null : x - adjust, after: y === null ? null : y - adjust, max };
    };
    const hits = delta('keyspace_hits');
    const misses = delta('keyspace_misses');
    const commands = Math.max(0, delta('total_commands_processed') - (end.issued - before.issued));
    const seconds = (end.at - before.at) / 1000;
    const cpu = (fields: InfoFields): number | null => {
      const sys = infoNumber(fields, 'used_cpu_sys');
      const user = infoNumber(fields, 'used_cpu_user');
      return sys === null || user === null ? null : sys + user;
    };
    const cpuBefore = cpu(a);
    const cpuAfter = cpu(b);
    return {
      keyspaceHits: hits,
      keyspaceMisses: misses,
      hitRatio: hitRatio(hits, misses),
      hitRatioCumulative: hitRatio(infoNumber(b, 'keyspace_hits') ?? 0, infoNumber(b, 'keyspace_misses') ?? 0),
      evictedKeys: delta('evicted_keys'),
      expiredKeys: delta('expired_keys'),
      totalCommandsProcessed: commands,
      opsPerSec: seconds > 0 ? commands / seconds : null,
      totalConnectionsReceived: delta('total_connections_received'),
      rejectedConnections: delta('rejected_connections'),
      totalNetInputBytes: delta('total_net_input_bytes'),
      totalNetOutputBytes: delta('total_net_output_bytes'),
      instantaneousOpsPerSec: gauge('instantaneous_ops_per_sec', this.maxima.ops),
      usedMemory: gauge('used_memory', this.maxima.memory),
      usedMemoryRss: infoNumber(b, 'used_memory_rss'),
      usedMemoryPeak: infoNumber(b, 'used_memory_peak'),
      maxmemory: infoNumber(b, 'maxmemory'),
      maxmemoryPolicy: b.get('maxmemory_policy') ?? null,
      memFragmentationRatio: infoNumber(b, 'mem_fragmentation_ratio'),
      connectedClients: gauge('connected_clients', this.maxima.clients, 1),
      blockedClients: gauge('blocked_clients', this.maxima.blocked),
      maxclients: infoNumber(b, 'maxclients'),
      keyspace: parseKeyspace(b),
      latestForkUsec: infoNumber(b, 'latest_fork_usec'),
      cpuSeconds: cpuBefore !== null && cpuAfter !== null && cpuAfter >= cpuBefore ? cpuAfter - cpuBefore : null,
    };
  }

  private async readInfo(client: Client): Promise<Reading> {
    const issued = this.issued;
    const text = await this.send(client, 'info', ['INFO']);
    return { at: Date.now(), info: parseInfo(String(text)), issued };
  }

  private async readCommandStats(client: Client): Promise<Map<string, CommandCounters>> {
    return parseCommandStats(parseInfo(String(await this.send(client, 'info', ['INFO', 'commandstats']))));
  }

  private async collectSlowlog(client: Client): Promise<void> {
    const entries = parseSlowlog(await this.send(client, 'slowlog|get', ['SLOWLOG', 'GET', String(SLOWLOG_FETCH)]));
    for (const entry of entries) {
      if (entry.id <= this.slowlogFloorId) continue;
      if (entry.clientName === this.clientName) {
        this.ownSlowlogIds.add(entry.id);
        continue;
      }
      this.slowlog.set(entry.id, entry);
    }
  }

  private async readLatency(client: Client): Promise<RedisLatencyEvent[]> {
    try {
      return parseLatencyLatest(await this.send(client, 'latency|latest', ['LATENCY', 'LATEST']));
    } catch (error) {
      // Managed services often rename or disable LATENCY: a limitation, not a failure.
      this.limitations.push(`LATENCY LATEST is not available: ${describeError(error)}`);
      return [];
    }
  }

  private async readConfig(client: Client): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    try {
      for (const key of CONFIG_KEYS) {
        const reply = await this.send(client, 'config|get', ['CONFIG', 'GET', key]);
        if (Array.isArray(reply) && reply.length >= 2) out[String(reply[0])] = String(reply[1]);
        else if (reply && typeof reply === 'object' && !Array.isArray(reply)) Object.assign(out, reply);
      }
    } catch (error) {
      this.limitations.push(`CONFIG GET is not available (${describeError(error)}): maxmemory, slowlog and latency settings are unknown.`);
    }
    return out;
  }

  private noteConfigLimitations(): void {
    this.limitations.push(...redisConfigLimitations(this.config));
  }

  /** Send one command, counting it as the probe's own. */
  private async send(client: Client, statName: string, args: string[]): Promise<unknown> {
    this.issued++;
    this.issuedByName.set(statName, (this.issuedByName.get(statName) ?? 0) + 1);
    return client.sendCommand(args);
  }

  private async ensureClient(): Promise<Client> {
    if (this.client?.isReady) return this.client;
    await this.closeClient();
    const client = newClient(await redisClientFactory(), {
      ...this.options,
      clientName: this.clientName,
      connectTimeoutMs: this.connectTimeoutMs,
      commandTimeoutMs: this.commandTimeoutMs,
    });
    // Without a listener an 'error' event would crash the process; failures surface as rejected commands.
    client.on('error', () => {});
    // The handshake sends CLIENT SETNAME (and AUTH/SELECT when configured): count it as ours.
    this.issued++;
    this.issuedByName.set('client|setname', (this.issuedByName.get('client|setname') ?? 0) + 1);
    await client.connect();
    this.client = client;
    return this.client;
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    try {
      client.destroy();
    } catch {
      // Already closed.
    }
  }
}

/** connected_clients minus the probe's own connection. */
function clientsExcludingProbe(info: InfoFields): number | null {
  const clients = infoNumber(info, 'connected_clients');
  return clients === null ? null : Math.max(0, clients - 1);
}

/** Per-command deltas with the probe's own calls subtracted, most time first. */
export function commandStatDeltas(
  before: { commandStats: Map<string, CommandCounters>; issuedByName: Map<string, number> },
  after: { commandStats: Map<string, CommandCounters>; issuedByName: Map<string, number> },
): RedisCommandStat[] {
  const out: RedisCommandStat[] = [];
  for (const [command, now] of after.commandStats) {
    const then = before.commandStats.get(command);
    const reset = then !== undefined && now.calls < then.calls;
    const d = (pick: (c: CommandCounters) => number): number => (then && !reset ? pick(now) - pick(then) : pick(now));
    // Redis < 7 reports `slowlog` where Redis 7 reports `slowlog|get`.
    const own = ownCalls(command, before.issuedByName, after.issuedByName);
    const calls = d((c) => c.calls) - own;
    if (calls <= 0) continue;
    const usec = d((c) => c.usec);
    out.push({
      command,
      calls,
      usec,
      usecPerCall: usec / (calls + own),
      rejectedCalls: d((c) => c.rejectedCalls),
      failedCalls: d((c) => c.failedCalls),
    });
  }
  return out.sort((a, b) => b.usec - a.usec);
}

function ownCalls(command: string, before: Map<string, number>, after: Map<string, number>): number {
  let own = 0;
  for (const [name, count] of after) {
    if (name === command || name.split('|')[0] === command) own += count - (before.get(name) ?? 0);
  }
  return own;
}

/**
 * What the Redis settings hide from the probe, with the fix: a disabled
 * SLOWLOG or latency monitor. Shared by the probe and the pre-run check.
 */
export function redisConfigLimitations(config: Record<string, string>): string[] {
  const out: string[] = [];
  const slower = Number(config['slowlog-log-slower-than']);
  if (Number.isFinite(slower) && slower < 0) {
    out.push('SLOWLOG is disabled (slowlog-log-slower-than < 0): slow commands are not recorded. Fix: CONFIG SET slowlog-log-slower-than 10000');
  }
  if (config['latency-monitor-threshold'] === '0') {
    out.push('The latency monitor is off (latency-monitor-threshold 0, the default): LATENCY LATEST is empty. Fix: CONFIG SET latency-monitor-threshold 100');
  }
  return out;
}
