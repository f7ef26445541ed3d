/**
 * Synthetic evidence for rule tests: one healthy service, and one variant per
 * planted fault. Each variant changes only what the fault changes.
 */
import type { LoadFacts, ProbeEvidence, RunResult } from '../../src/result/types.js';
import type { PostgresProbeData, StatementSeries } from '../../src/probes/postgres/types.js';
import type { RedisInfoDelta } from '../../src/probes/redis/types.js';
import { makeResult, pgData, probe, rng, statement, table, type EndpointSpec } from './helpers.js';

export const N = 60;

export interface ScenarioParts {
  endpoints: Record<string, EndpointSpec>;
  process: Record<string, (number | null)[]>;
  processData: Record<string, unknown>;
  prometheus: Record<string, (number | null)[]>;
  prometheusData: Record<string, unknown>;
  pgSeries: Record<string, (number | null)[]>;
  pg: PostgresProbeData;
  redis?: { series: Record<string, (number | null)[]>; data: Record<string, unknown>; target?: string };
  patch?: Partial<RunResult>;
}

/** A healthy two-endpoint service: modest CPU, fast statements, one call per request, a warm cache. */
export function healthyParts(seed = 1): ScenarioParts {
  const r = rng(seed);
  const list = Array.from({ length: N }, () => Math.round(40 + 30 * r()));
  const get = Array.from({ length: N }, () => Math.round(80 + 60 * r()));
  const cpuMsPerS = list.map((_, i) => list[i]! * 2 + get[i]! * 0.8 + (r() - 0.5) * 4);
  const callsPerS = list.map((_, i) => list[i]! * 1 + get[i]! * 1);
  const execPerS = list.map((_, i) => list[i]! * 0.6 + get[i]! * 0.15);
  const stSeries: StatementSeries[] = [
    { queryid: '101', toplevel: true, callsPerS: list.map((x) => x), execMsPerS: list.map((x) => x * 0.6) },
    { queryid: '102', toplevel: true, callsPerS: get.map((x) => x), execMsPerS: get.map((x) => x * 0.15) },
  ];
  const listCalls = list.reduce((a, b) => a + b, 0);
  const getCalls = get.reduce((a, b) => a + b, 0);
  const total = listCalls * 0.6 + getCalls * 0.15;
  const pg = pgData({
    statements: [
      statement('101', 'SELECT id, total FROM orders WHERE customer_id = $1 ORDER BY id DESC LIMIT $2', listCalls, 0.6, { shareOfExecTime: (listCalls * 0.6) / total }),
      statement('102', 'SELECT * FROM products WHERE id = $1', getCalls, 0.15, { shareOfExecTime: (getCalls * 0.15) / total }),
    ],
    statementTotals: { calls: listCalls + getCalls, totalExecMs: total, statements: 2 },
    statementSeries: stSeries,
    tables: [
      table('orders', { seqScan: 2, seqTupRead: 400_000, idxScan: listCalls, nLiveTup: { before: 200_000, after: 200_000 } }),
      table('products', { seqScan: 1, seqTupRead: 5_000, idxScan: getCalls, nLiveTup: { before: 5_000, after: 5_000 } }),
    ],
    databaseStats: {
      xactCommit: 1000, xactRollback: 0, blksRead: 50, blksHit: 1_000_000, tupReturned: 0, tupFetched: 0, tupInserted: 0, tupUpdated: 0, tupDeleted: 0,
      conflicts: 0, tempFiles: 0, tempBytes: 0, deadlocks: 0, blkReadMs: 0, blkWriteMs: 0, numBackends: 6,
    },
  });
  pg.activity.waitEvents = [{ type: 'Client', event: 'ClientRead', count: 50 }];
  const heap = Array.from({ length: N }, (_, i) => 30e6 + ((i % 10) * 2e6) + r() * 1e6); // GC sawtooth
  return {
    endpoints: {
      'GET /api/orders': { requests: list, serviceMeanMs: 6, p99Ms: 20, meanResponseBytes: 4000 },
      'GET /api/products/:id': { requests: get, serviceMeanMs: 2.5, p99Ms: 8, meanResponseBytes: 800 },
    },
    process: { cpuPercent: cpuMsPerS.map((v) => v / 10), rssBytes: heap.map((h) => h + 40e6) },
    processData: { remotes: [{ address: '127.0.0.1', port: 5432, maxConnections: 5, samplesSeen: N }, { address: '127.0.0.1', port: 6379, maxConnections: 1, samplesSeen: N }] },
    prometheus: {
      eventLoopLagP50Ms: list.map(() => 10.1 - 9 + r()), // ~1–2 ms
      eventLoopLagP99Ms: list.map(() => 4 + 3 * r()),
      eventLoopLagMaxMs: list.map(() => 8 + 10 * r()),
      gcMsPerS: list.map(() => 5 + 10 * r()),
      heapUsedBytes: heap,
    },
    prometheusData: { pools: [], http: [] },
    pgSeries: {
      'pg.exec_ms_per_s': execPerS,
      'pg.calls_per_s': callsPerS,
      'pg.connections': list.map(() => 5),
      'pg.active': list.map(() => (r() < 0.5 ? 1 : 0)),
      'pg.idle_in_tx': list.map(() => 0),
      'pg.waiting_lock': list.map(() => 0),
    },
    pg,
    redis: {
      series: { 'redis.ops_per_s': get.map((x) => x * 1) },
      data: { info: redisInfo({ keyspaceHits: getCalls * 0.97, keyspaceMisses: getCalls * 0.03 }), commandStats: [{ command: 'get', calls: getCalls, usec: getCalls * 5 }, { command: 'set', calls: getCalls * 0.03, usec: 100 }], slowlog: [] },
      target: 'redis://127.0.0.1:6379',
    },
  };
}

/** Assemble a RunResult from parts. */
export function build(parts: ScenarioParts): RunResult {
  const probes: ProbeEvidence[] = [
    probe('process', parts.process, parts.processData),
    probe('prometheus', parts.prometheus, parts.prometheusData),
    { ...probe('postgres', parts.pgSeries, parts.pg as unknown as Record<string, unknown>), target: 'postgres://app@127.0.0.1:5432/app' },
  ];
  if (parts.redis) probes.push({ ...probe('redis', parts.redis.series, parts.redis.data), target: parts.redis.target ?? 'redis://127.0.0.1:6379' });
  return makeResult(parts.endpoints, probes, parts.patch);
}

/** A RedisInfoDelta with quiet defaults. */
export function redisInfo(extra: Partial<RedisInfoDelta> = {}): RedisInfoDelta {
  const g = (v: number) => ({ before: v, after: v, max: v });
  return {
    keyspaceHits: 0, keyspaceMisses: 0, hitRatio: null, hitRatioCumulative: null, evictedKeys: 0, expiredKeys: 0, totalCommandsProcessed: 0, opsPerSec: null,
    totalConnectionsReceived: 0, rejectedConnections: 0, totalNetInputBytes: 0, totalNetOutputBytes: 0, instantaneousOpsPerSec: g(0), usedMemory: g(1e6),
    usedMemoryRss: 2e6, usedMemoryPeak: 1e6, maxmemory: 0, maxmemoryPolicy: 'noeviction', memFragmentationRatio: 1.2, connectedClients: g(2), blockedClients: g(0),
    maxclients: 10000, keyspace: {}, latestForkUsec: null, cpuSeconds: null,
    ...extra,
  };
}

/** Load facts for a scenario's endpoints where `share(endpoint, i)` of an endpoint's requests in second i repeated an earlier key. */
export function loadFactsWith(p: ScenarioParts, share: (endpoint: string, i: number) => number): LoadFacts {
  const endpoints: LoadFacts['endpoints'] = {};
  for (const [name, spec] of Object.entries(p.endpoints)) {
    const requests = spec.requests;
    const repeats = requests.map((n, i) => Math.round(n * share(name, i)));
    const total = requests.reduce((a, b) => a + b, 0);
    const rep = repeats.reduce((a, b) => a + b, 0);
    endpoints[name] = {
      requests: total,
      repeats: rep,
      distinctKeys: total - rep,
      idealHitRatio: rep / total,
      untracked: 0,
      capped: false,
      keySource: 'url',
      meanInFlight: 1,
      series: { requests: [...requests], repeats, inFlight: requests.map(() => 1) },
    };
  }
  return { intervalMs: 1000, t: Array.from({ length: N }, (_, i) => i * 1000), endpoints, merge: { parts: 1, exact: true } };
}
