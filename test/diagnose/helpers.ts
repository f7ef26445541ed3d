/**
 * Builders of synthetic RunResults and probe evidence for diagnosis tests.
 * They produce our own data structures (no system is mocked): each rule test
 * states the evidence and checks the finding.
 */
import type { EndpointSummary, ProbeEvidence, RunResult, TrendStats } from '../../src/result/types.js';
import type { PostgresProbeData, StatementDelta, TableDelta } from '../../src/probes/postgres/types.js';

export function trend(mean: number, p99 = mean * 2): TrendStats {
  return { count: 1, min: mean / 2, max: p99 * 1.2, mean, stddev: mean / 3, p50: mean, p90: mean * 1.5, p95: mean * 1.8, p99, p999: p99 * 1.1 };
}

export interface EndpointSpec {
  /** Requests per interval. */
  requests: number[];
  serviceMeanMs?: number;
  p99Ms?: number;
  failed?: number;
  meanResponseBytes?: number;
}

/** A RunResult with the given per-second endpoint request columns, summaries and probes. */
export function makeResult(endpoints: Record<string, EndpointSpec>, probes: ProbeEvidence[] = [], patch: Partial<RunResult> = {}): RunResult {
  const n = Math.max(...Object.values(endpoints).map((e) => e.requests.length));
  const t = Array.from({ length: n }, (_, i) => i * 1000);
  const summaries: EndpointSummary[] = Object.entries(endpoints).map(([endpoint, e]) => {
    const requests = e.requests.reduce((a, b) => a + b, 0);
    const failed = e.failed ?? 0;
    const st = trend(e.serviceMeanMs ?? 5, e.p99Ms);
    return {
      endpoint,
      method: endpoint.split(' ')[0]!,
      requests,
      rps: requests / n,
      failed,
      errorRate: requests > 0 ? failed / requests : 0,
      errors: failed > 0 ? { http: failed } : {},
      statuses: { '200': requests - failed, ...(failed > 0 ? { '500': failed } : {}) },
      serviceTime: st,
      responseTime: st,
      waiting: st,
      bytesReceived: requests * (e.meanResponseBytes ?? 500),
      bytesSent: requests * 100,
      meanResponseBytes: e.meanResponseBytes ?? 500,
    };
  });
  const zeros = () => new Array<number>(n).fill(0);
  const nulls = () => new Array<number | null>(n).fill(null);
  const totalReq = summaries.reduce((a, s) => a + s.requests, 0);
  const result: RunResult = {
    schemaVersion: 1,
    tool: { name: 'tuneup', version: 'test' },
    id: '20260101-000000-test',
    status: 'completed',
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_000_000 + n * 1000,
    durationMs: n * 1000,
    plan: { scenarios: {}, thresholds: {} },
    environment: { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, totalMemoryBytes: 4e9, hostname: 'test' },
    model: 'open',
    scenarios: [],
    metrics: [],
    endpoints: summaries,
    totals: {
      requests: totalReq,
      failed: 0,
      errorRate: 0,
      rps: totalReq / n,
      errors: {},
      serviceTime: trend(5),
      responseTime: trend(5),
      bytesReceived: 0,
      bytesSent: 0,
      iterations: totalReq,
      droppedIterations: 0,
      checks: { passes: 0, fails: 0 },
    },
    series: {
      intervalMs: 1000,
      t,
      requests: zeros(),
      failed: zeros(),
      iterations: zeros(),
      droppedIterations: zeros(),
      vus: zeros(),
      targetRate: zeros(),
      service: { p50: nulls(), p90: nulls(), p95: nulls(), p99: nulls(), max: nulls(), mean: nulls() },
      response: { p50: nulls(), p90: nulls(), p95: nulls(), p99: nulls(), max: nulls(), mean: nulls() },
      responseHistograms: [],
      serviceHistograms: [],
      bytesReceived: zeros(),
      endpoints: Object.fromEntries(
        Object.entries(endpoints).map(([name, e]) => [
          name,
          { requests: e.requests, failed: zeros(), serviceSumMs: e.requests.map((r) => r * (e.serviceMeanMs ?? 5)), p50: nulls(), p95: nulls(), p99: nulls(), bytesReceived: zeros() },
        ]),
      ),
      generator: { eventLoopDelayP99: zeros(), cpuPercent: zeros() },
    },
    generator: {
      saturated: false,
      evidence: [],
      eventLoopDelay: { p50: 1, p99: 5, max: 10 },
      cpuPercent: { mean: 30, max: 50 },
      lateStarts: 0,
      lateStartToleranceMs: 10,
      droppedIterations: 0,
      workers: 0,
      maxRssBytes: 1e8,
    },
    thresholds: [],
    probes,
    warnings: [],
    labels: {},
    ...patch,
  };
  return result;
}

/** Probe evidence with the given columns; samples at t = 1000·(i+1) describe interval i. */
export function probe(name: string, values: Record<string, (number | null)[]>, data: Record<string, unknown> = {}): ProbeEvidence {
  const n = Math.max(0, ...Object.values(values).map((v) => v.length));
  return {
    probe: name,
    target: name,
    ok: true,
    limitations: [],
    errors: [],
    series: { t: Array.from({ length: n }, (_, i) => (i + 1) * 1000), values, units: {} },
    data,
    overhead: { samples: n, meanSampleMs: 1 },
  };
}

export function statement(queryid: string, query: string, calls: number, meanExecMs: number, extra: Partial<StatementDelta> = {}): StatementDelta {
  return {
    queryid,
    query,
    user: 'app',
    toplevel: true,
    calls,
    totalExecMs: calls * meanExecMs,
    meanExecMs,
    totalPlanMs: 0,
    rows: calls,
    sharedBlksHit: calls * 10,
    sharedBlksRead: 0,
    sharedBlksDirtied: 0,
    tempBlksWritten: 0,
    blkReadMs: 0,
    cacheHitRatio: 1,
    shareOfExecTime: 0,
    isNew: false,
    resetDuringRun: false,
    ...extra,
  };
}

export function table(name: string, extra: Partial<TableDelta> = {}): TableDelta {
  return {
    schema: 'public',
    name,
    seqScan: 0,
    seqTupRead: 0,
    idxScan: 100,
    idxTupFetch: 100,
    nTupIns: 0,
    nTupUpd: 0,
    nTupDel: 0,
    nTupHotUpd: 0,
    heapBlksRead: 0,
    heapBlksHit: 1000,
    vacuumCount: 0,
    autovacuumCount: 0,
    analyzeCount: 0,
    autoanalyzeCount: 0,
    nLiveTup: { before: 100_000, after: 100_000 },
    nDeadTup: { before: 0, after: 0 },
    nModSinceAnalyze: 0,
    lastVacuumAt: null,
    lastAutovacuumAt: Date.now() - 3600_000,
    lastAnalyzeAt: null,
    lastAutoanalyzeAt: Date.now() - 3600_000,
    sizeBytes: 10_000_000,
    totalSizeBytes: 14_000_000,
    sizeSource: 'exact',
    reloptions: [],
    autovacuumEnabled: true,
    resetDuringRun: false,
    ...extra,
  };
}

/** A healthy postgres data object; override parts per test. */
export function pgData(extra: Partial<PostgresProbeData> = {}): PostgresProbeData {
  return {
    serverVersion: '15.18',
    serverVersionNum: 150018,
    database: 'app',
    window: { beforeAt: 0, afterAt: 60_000 },
    afterSource: 'snapshot',
    databaseSizeBytes: { before: 50e6, after: 50e6 },
    databaseStats: null,
    cacheHit: { before: 0.999, after: 0.999, window: 0.999, tableWindow: 0.999, indexWindow: 0.999 },
    statementsStatus: { available: true, version: '1.10', track: 'top', limitation: null, enable: null },
    statements: [],
    statementTotals: { calls: 0, totalExecMs: 0, statements: 0 },
    statementSeries: [],
    tables: [],
    indexes: [],
    activity: {
      samples: 60,
      max: { connections: 5, active: 2, idleInTransaction: 0, waitingLock: 0, blocked: 0 },
      mean: { connections: 5, active: 1, idleInTransaction: 0 },
      byApplication: [],
      byClient: [],
      waitEvents: [],
      longestQuery: null,
      longestTransactionMs: null,
    },
    blockedPairs: [],
    settings: {
      max_connections: { value: '100', unit: null, bytes: null, ms: null, context: 'postmaster', source: 'default' },
      superuser_reserved_connections: { value: '3', unit: null, bytes: null, ms: null, context: 'postmaster', source: 'default' },
    },
    ...extra,
  };
}

/** Deterministic pseudo-random numbers (mulberry32) so synthetic series are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
