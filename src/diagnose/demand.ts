/**
 * The cost model (operational analysis). For every endpoint it estimates the
 * demand one request puts on each resource — service CPU ms, database exec ms
 * and calls, distinct statements, Redis commands, response bytes — and the
 * wait left unexplained by them. The resource with the highest demand is the
 * endpoint's bottleneck, and by the utilization law (U = X·D ≤ servers) the
 * throughput cannot exceed servers / D.
 *
 * Two estimators, chosen from the run's shape:
 *
 * - **profile** (exact): every second of load served one endpoint only (a
 *   `tuneup profile` run, or a plan with one endpoint). Demand = resource used
 *   during that endpoint's seconds ÷ requests completed in them.
 * - **regression** (mixed run): per-second resource usage is regressed on the
 *   per-second request counts of all endpoints, y_r(t) = Σ_e D_{r,e}·x_e(t),
 *   with non-negative least squares (a demand cannot be negative). Limits:
 *   (1) when two endpoints' rates move together (constant-rate scenarios
 *   started together) their columns are collinear and only the sum of their
 *   demands is identified — the split is then arbitrary; this is flagged in
 *   `notes` when the correlation of two columns exceeds 0.95. (2) There is no
 *   intercept, so a resource's idle baseline is charged to the endpoints (a
 *   Node service's idle CPU is well under 1 % of a core, negligible under load).
 *   (3) Probe samples and request counts are aligned at 1 s; lag between a
 *   request's work and its completion smears demand across neighbours, which
 *   only matters for requests lasting seconds. Under queueing, completions
 *   lag the work: when requests last half an interval or more (response p95)
 *   and the run records in-flight requests per endpoint per second, the
 *   regressors are those (scaled so each endpoint's column sums
 *   to its request count: a request's work is spread over the seconds it was
 *   in flight), else completions (see {@link workColumns}). Statements are
 *   the exception: they run after the wait for a connection, so they are
 *   regressed on served completions (see attributeStatements).
 *
 * The database's parallelism (utilization law servers) is its cores when
 * known — `dbCores` option, the `db.cores` run label, or the host's cores when
 * the process probe found the PostgreSQL server on this host — capped by the
 * connections the service used: ten connections on a two-core server still
 * execute on two cores.
 *
 * Unexplained wait = mean service time − (CPU + DB + cache ms per request):
 * time spent waiting on something not measured (a remote service, a pool
 * queue, a lock, the event loop busy with other requests).
 *
 * @module
 */
import { serviceMeanFrom, startupTransient, type StartupTransient } from './transient.js';
import { changesOrLocks, isSafeMethod, isWriteStatement, oncePerRequestOwner, statementFamilies } from './count-identity.js';
import type { EndpointDemand, RunResult } from '../result/types.js';
import { alignToGrid, probeSet, type ProbeSet } from './evidence.js';
import { boundedNnls, coefficientStdErrors, COLLINEAR_CORRELATION, correlation, nnls, rSquared } from './nnls.js';
import { sparseNnls } from './sparse-fit.js';
import { readRedis } from './redis-view.js';

/** Per-request attribution of one statement (pg_stat_statements queryid) to one endpoint. */
export interface StatementAttribution {
  queryid: string;
  endpoint: string;
  callsPerRequest: number;
  execMsPerRequest: number;
  /** 'direct' when the endpoint was alone (exact), 'regression' otherwise. */
  method: 'direct' | 'regression';
  /** Set when the count identity, not the regression, named the endpoint (see count-identity.ts). */
  byCount?: true;
  /**
   * Set when, behind a queue, the regression on every endpoint explained none of the statement's calls (R² ≤ 0)
   * and the statement changes rows or takes a lock: it was fitted on the endpoints whose method asks for a state
   * change alone.
   */
  byMethod?: true;
}

/** Output of {@link computeDemands}. */
export interface DemandModel {
  demands: EndpointDemand[];
  /** The estimator used for the whole run; 'none' without any resource series. */
  method: 'profile' | 'regression' | 'none';
  /** Fit quality per resource (regression), and warnings such as collinearity. */
  fits: { resource: string; r2: number; rows: number }[];
  notes: string[];
  /** Which statements each endpoint runs, per request. */
  statements: StatementAttribution[];
  /** Parallelism assumed for the database: min(connections used, database cores) when the cores are known, else the connections. */
  dbServers: number;
  /** The database server's cores when known, and where that came from. */
  dbCores?: { cores: number; source: 'option' | 'label' | 'local host' };
  /** What the per-second regression used as each endpoint's work per second (set by {@link computeDemands}). */
  regressors?: 'in-flight' | 'completions';
  /** The start-up transient left out of each endpoint's mean service time, when the run began with one. */
  transient?: StartupTransient;
}

/** Options of {@link computeDemands}. */
export interface DemandOptions {
  /** Cores of the database server (wins over the `db.cores` label and the local-host inference). */
  dbCores?: number;
}

/**
 * For a grid interval, the index in `endpoints` of the one endpoint that had requests in it, or −1 when none
 * or several did: the seconds that measured an endpoint alone (a profile run, an isolation run).
 */
export function soloEndpointOf(result: RunResult, endpoints: readonly string[]): (interval: number) => number {
  const columns = endpoints.map((e) => result.series.endpoints[e]?.requests ?? []);
  return (i) => {
    let solo = -1;
    for (let k = 0; k < columns.length; k++) {
      if ((columns[k]![i] ?? 0) <= 0) continue;
      if (solo >= 0) return -1;
      solo = k;
    }
    return solo;
  };
}

/** Run label that records the database server's cores, so `tuneup analyze --run` re-diagnoses with the same bound. */
export const DB_CORES_LABEL = 'db.cores';

/**
 * Cores of the database server: the option, else the `db.cores` run label, else the host's cores when the
 * process probe found the PostgreSQL server processes on this host (it reads the local /proc, so a server it
 * found shares the host the run recorded in `environment.cpus`). Undefined when none applies.
 */
export function databaseCores(result: RunResult, probes: ProbeSet, options: DemandOptions = {}): DemandModel['dbCores'] {
  if (options.dbCores !== undefined && options.dbCores > 0) return { cores: options.dbCores, source: 'option' };
  const label = Number(result.labels?.[DB_CORES_LABEL]);
  if (Number.isFinite(label) && label > 0) return { cores: label, source: 'label' };
  if (probes.process?.data.postgres && result.environment.cpus > 0) return { cores: result.environment.cpus, source: 'local host' };
  return undefined;
}

/**
 * An endpoint's mean in-flight requests per interval of the run's grid, from the load facts
 * (`result.loadFacts`, recorded by the generator), or undefined when absent or on another interval.
 */
function inFlightOf(result: RunResult, endpoint: string): number[] | undefined {
  const facts = result.loadFacts;
  const grid = result.series;
  const column = facts?.endpoints[endpoint]?.series.inFlight;
  if (!facts || !column || facts.intervalMs !== grid.intervalMs || facts.t.length === 0) return undefined;
  const out: number[] = [];
  for (const t of grid.t) {
    const j = Math.round((t - facts.t[0]!) / facts.intervalMs);
    const v = column[j];
    if (v === undefined || !Number.isFinite(v)) return undefined;
    out.push(v);
  }
  return out;
}

/**
 * Work per second of each endpoint, in requests, as the regression's columns. Completions lag the work
 * under queueing (a request that waited 2 s is counted in the second it ended, not the seconds it ran), so
 * when every endpoint has an in-flight series the column is that series scaled by requests ÷ Σ in-flight:
 * each request's work is spread over the seconds it was in flight, and the column still sums to the
 * endpoint's requests, so coefficients stay per request. Otherwise completions per second.
 */
export function workColumns(
  result: RunResult,
  endpoints: string[],
): { rates: number[][]; regressors: NonNullable<DemandModel['regressors']>; served: number[][]; queued: boolean } {
  const grid = result.series;
  const intervalS = grid.intervalMs / 1000;
  const completions = endpoints.map((e) => grid.endpoints[e]!.requests.map((r) => r / intervalS));
  // Completions lag the work by at most a response time: with responses well inside the interval they are the
  // faithful regressor, and in-flight counts would add a confound (an endpoint waiting on a slow upstream is in
  // flight for long without using the database). Only when requests last as long as half an interval — the
  // queueing regime — is the work spread over the seconds it was in flight.
  const queued = (result.totals.responseTime?.p95 ?? 0) >= grid.intervalMs / 2;
  // Behind a queue (a connection pool), a request's database work comes after its wait, just before it
  // completes, and a request that failed in the queue (timed out) did none: its served completions, not the
  // seconds it spent in flight, carry its statements. See attributeStatements.
  const served = queued
    ? endpoints.map((e) => {
        const col = grid.endpoints[e]!;
        return col.requests.map((r, i) => Math.max(0, r - (col.failed?.[i] ?? 0)) / intervalS);
      })
    : completions;
  const inFlight = endpoints.map((e) => inFlightOf(result, e));
  if (!queued || endpoints.length < 2 || inFlight.some((f) => !f || f.length !== grid.t.length)) return { rates: completions, regressors: 'completions', served, queued };
  const rates = endpoints.map((e, k) => {
    const f = inFlight[k]!;
    const total = sum(f);
    const reqs = sum(grid.endpoints[e]!.requests);
    return total > 0 ? f.map((x) => (x * reqs) / total / intervalS) : completions[k]!;
  });
  return { rates, regressors: 'in-flight', served, queued };
}

/** Redis series columns that carry commands per second, in order of preference (the redis probe writes one of them). */
export const REDIS_COMMAND_RATE_COLUMNS = ['redis.commands_per_s', 'redis.ops_per_s', 'redis.cmds_per_s', 'commandsPerS', 'opsPerS'];

/** Redis series columns that carry command time per second (ms/s), when the probe measures it. */
export const REDIS_COMMAND_TIME_COLUMNS = ['redis.command_ms_per_s', 'redis.usec_per_s', 'commandMsPerS'];

/** A resource usage rate per interval on the run grid (unit per second), or null where not measured. */
type RateColumn = (number | null)[];

/** Share of active intervals that must be single-endpoint for the profile estimator (step boundaries mix two endpoints; those intervals are left out). */
const PROFILE_SOLO_SHARE = 0.6;
/** Unexplained wait (ms per request) above which, when it is also most of the service time, the bottleneck is reported as `wait`. */
const WAIT_BOTTLENECK_MS = 20;

/**
 * Estimate per-endpoint demands from a run and its probe evidence.
 *
 * @param result - a RunResult with `series.endpoints` and (optionally) probe evidence
 * @returns demands per endpoint, the estimator used, and attribution of statements
 */
export function computeDemands(result: RunResult, probes: ProbeSet = probeSet(result), options: DemandOptions = {}): DemandModel {
  const grid = result.series;
  const endpoints = Object.keys(grid.endpoints).filter((e) => sum(grid.endpoints[e]!.requests) > 0);
  const notes: string[] = [];
  const fits: DemandModel['fits'] = [];
  const intervalS = grid.intervalMs / 1000;
  const n = grid.t.length;
  // Completions decide which seconds served which endpoint (the profile estimator); the regression's columns
  // are each endpoint's work per second (in-flight when recorded).
  const reqRate = endpoints.map((e) => grid.endpoints[e]!.requests.map((r) => r / intervalS));
  const work = workColumns(result, endpoints);

  // Resource columns as rates (per second) on the run's grid.
  const cpuCol: RateColumn | undefined = probes.process?.series.values.cpuPercent
    ? alignToGrid(grid, probes.process.series, probes.process.series.values.cpuPercent).map((v) => (v === null ? null : v * 10))
    : probes.prometheus?.series.values.cpuPercent
      ? alignToGrid(grid, probes.prometheus.series, probes.prometheus.series.values.cpuPercent).map((v) => (v === null ? null : v * 10))
      : undefined;
  const mainCol: RateColumn | undefined = probes.process?.series.values.mainThreadCpuPercent
    ? alignToGrid(grid, probes.process.series, probes.process.series.values.mainThreadCpuPercent).map((v) => (v === null ? null : v * 10))
    : undefined;
  // GC pauses stop every request, but the garbage is the allocating requests': GC time per second regressed
  // on each endpoint's work charges it to the endpoints that allocate.
  const gcCol: RateColumn | undefined = probes.prometheus?.series.values.gcMsPerS
    ? alignToGrid(grid, probes.prometheus.series, probes.prometheus.series.values.gcMsPerS)
    : undefined;
  const pg = probes.postgres;
  const dbMsCol = pg?.series.values['pg.exec_ms_per_s'] ? alignToGrid(grid, pg.series, pg.series.values['pg.exec_ms_per_s']) : undefined;
  const dbCallsCol = pg?.series.values['pg.calls_per_s'] ? alignToGrid(grid, pg.series, pg.series.values['pg.calls_per_s']) : undefined;
  const redis = probes.redis;
  const redisName = redis ? REDIS_COMMAND_RATE_COLUMNS.find((c) => redis.series.values[c]) : undefined;
  const redisCol = redis && redisName ? alignToGrid(grid, redis.series, redis.series.values[redisName]) : undefined;
  const redisTimeName = redis ? REDIS_COMMAND_TIME_COLUMNS.find((c) => redis.series.values[c]) : undefined;
  const redisMsCol = redis && redisTimeName ? alignToGrid(grid, redis.series, redis.series.values[redisTimeName]) : undefined;

  // Which estimator: profile when (nearly) every active second served one endpoint.
  const active = range(n).filter((i) => endpoints.some((_, k) => reqRate[k]![i]! > 0));
  const soloOf = soloEndpointOf(result, endpoints);
  const soloCount = active.filter((i) => soloOf(i) >= 0).length;
  const profile = active.length > 0 && soloCount / active.length >= PROFILE_SOLO_SHARE && endpoints.every((_, k) => active.some((i) => soloOf(i) === k));
  const anyResource = cpuCol || dbMsCol || dbCallsCol || redisCol;
  const method: DemandModel['method'] = !anyResource && !pg ? 'none' : profile ? 'profile' : 'regression';

  if (!profile && endpoints.length > 1) {
    for (let a = 0; a < endpoints.length; a++) {
      for (let b = a + 1; b < endpoints.length; b++) {
        const r = correlation(
          active.map((i) => work.rates[a]![i]!),
          active.map((i) => work.rates[b]![i]!),
        );
        if (r > COLLINEAR_CORRELATION) {
          notes.push(`Request rates of "${endpoints[a]}" and "${endpoints[b]}" move together (r = ${r.toFixed(2)}): their individual demands are not separable in this run; run \`tuneup profile\` for exact per-endpoint demands.`);
        }
      }
    }
  }

  /** The most main-thread CPU one request of an endpoint can hold: its mean service time, with slack for clock ticks. */
  const mainThreadCeiling = (endpoint: string): number => {
    const mean = result.endpoints.find((s) => s.endpoint === endpoint)?.serviceTime.mean;
    return mean !== undefined && mean > 0 ? PHYSICAL_SLACK * mean : Number.POSITIVE_INFINITY;
  };
  /** Standard errors of regression estimates, by resource, one per endpoint (profile estimates are exact). */
  const stdErrors = new Map<string, number[]>();
  /** Per-request demand of each endpoint on one resource column (undefined where not estimable). */
  const estimate = (resource: string, col: RateColumn | undefined): (number | undefined)[] => {
    if (!col) return endpoints.map(() => undefined);
    if (profile) {
      return endpoints.map((_, k) => {
        let used = 0;
        let reqs = 0;
        for (const i of active) {
          if (soloOf(i) !== k || col[i] === null) continue;
          used += col[i]! * intervalS;
          reqs += reqRate[k]![i]! * intervalS;
        }
        return reqs > 0 ? used / reqs : undefined;
      });
    }
    const rows = active.filter((i) => col[i] !== null);
    if (rows.length < Math.max(3, endpoints.length + 1)) {
      // Behind a queue a second's work belongs to requests that complete later: the seconds no longer say which
      // few endpoints cost more (past capacity the fit named a different endpoint in every run).
      return SPARSE_RESOURCES.has(resource) && !work.queued && rows.length >= SPARSE_MIN_SECONDS ? commonPlusFew(resource, rows, col) : endpoints.map(() => undefined);
    }
    const design = rows.map((i) => endpoints.map((_, k) => work.rates[k]![i]!));
    const observed = rows.map((i) => col[i]!);
    // Synchronous CPU runs inside its own request: an endpoint's main-thread demand cannot exceed its service
    // time (the holdout's 1.6 ms endpoint was given 19.9 ms, and the 33 ms export handler 14.3 ms).
    const fit = resource === 'cpu.main-thread' ? boundedNnls(design, observed, endpoints.map(mainThreadCeiling)) : nnls(design, observed);
    fits.push({ resource, r2: fit.r2, rows: rows.length });
    stdErrors.set(resource, coefficientStdErrors(design, observed, fit.x));
    return fit.x;
  };

  const sparseNotes = new Set<string>();
  /**
   * Too few seconds for a demand per endpoint: a common cost per request plus the few endpoints that cost more,
   * chosen by the sparse fit (see {@link SPARSE_RESOURCES}). The common column is every request's count; an
   * endpoint the fit selects costs the common demand plus its own, the others the common demand — unknown when
   * the fit kept no common column. A main-thread demand is held to the endpoint's ceiling, as in the full fit.
   */
  const commonPlusFew = (resource: string, rows: number[], col: RateColumn): (number | undefined)[] => {
    const design = rows.map((i) => {
      const per = endpoints.map((_, k) => work.rates[k]![i]!);
      return [per.reduce((a, b) => a + b, 0), ...per];
    });
    const observed = rows.map((i) => col[i]!);
    const fit = sparseNnls(design, observed, SPARSE_MIN_SHARE);
    if (fit.selected.length === 0) return endpoints.map(() => undefined);
    const chosen = fit.selected;
    const reduced = design.map((row) => chosen.map((c) => row[c]!));
    const se = coefficientStdErrors(reduced, observed, chosen.map((c) => fit.x[c]!));
    const seOf = (c: number) => { const q = chosen.indexOf(c); return q < 0 ? 0 : se[q]!; };
    fits.push({ resource: `${resource} (common + few)`, r2: rSquared(observed, fit.rss), rows: rows.length });
    stdErrors.set(resource, endpoints.map((_, k) => Math.hypot(seOf(0), seOf(k + 1))));
    sparseNotes.add(resource);
    const common = chosen.includes(0);
    return endpoints.map((e, k) => {
      if (!common && !chosen.includes(k + 1)) return undefined;
      const v = fit.x[0]! + fit.x[k + 1]!;
      return resource === 'cpu.main-thread' ? Math.min(v, mainThreadCeiling(e)) : v;
    });
  };
  const cpu = estimate('cpu', cpuCol);
  const mainCpu = estimate('cpu.main-thread', mainCol);
  const gc = estimate('gc', gcCol);
  const redisCmds = estimate('redis.commands', redisCol);
  // Cache time per request: a measured time series when the probe has one, else commands × Redis' mean µs per command
  // (INFO commandstats: execution time only, without the network round trip).
  let redisMs = estimate('redis.time', redisMsCol);
  if (redis && !redisMsCol) {
    const view = readRedis(redis);
    const calls = Object.values(view.commandCalls).reduce((a, b) => a + b, 0);
    const usec = Object.values(view.commandUsec).reduce((a, b) => a + b, 0);
    if (calls > 0) redisMs = redisCmds.map((c) => (c === undefined ? undefined : (c * usec) / calls / 1000));
  }
  const statements = attributeStatements(result, probes, endpoints, profile, reqRate, work.served, profile ? active : statementRows(active, work.queued), soloOf, work.queued);
  // An endpoint's database time and calls are the sum of its statements' (each attributed on its own calls
  // series), plus a regression of only the remainder (statements without a series of their own). The total's
  // own regression mixes every statement's noise into one column and, on the depot corpus, gave one endpoint
  // all the database time while its statements were attributed elsewhere.
  const statementTotals = profile ? undefined : statementColumns(result, probes, statements, endpoints, work.served);
  /** Endpoints whose database time is only what the counts gave them (no remainder regression): a lower bound. */
  const dbLowerBound = new Set<string>();
  const withStatements = (resource: string, col: RateColumn | undefined, covered: number[] | undefined, per: (s: StatementAttribution) => number): (number | undefined)[] => {
    if (!col || !covered) return estimate(resource, col);
    const rest = estimate(`${resource} (statements without a series)`, col.map((v, i) => (v === null ? null : Math.max(0, v - covered[i]!))));
    return endpoints.map((e, k) => {
      const mine = statements.filter((s) => s.endpoint === e);
      // Too few seconds for the remainder's regression: an endpoint the counts gave statements has at least
      // those; one they gave none is unknown, not zero.
      if (mine.length === 0 && rest[k] === undefined) return undefined;
      if (rest[k] === undefined) dbLowerBound.add(e);
      return mine.reduce((a, s) => a + per(s), 0) + (rest[k] ?? 0);
    });
  };
  const dbMs = withStatements('db.exec', dbMsCol, statementTotals?.execMsPerS, (s) => s.execMsPerRequest);
  const dbCalls = withStatements('db.calls', dbCallsCol, statementTotals?.callsPerS, (s) => s.callsPerRequest);
  const connections = Math.max(1, pg?.data.activity?.max?.connections ?? 1);
  const dbCores = databaseCores(result, probes, options);
  const dbServers = dbCores ? Math.max(1, Math.min(connections, dbCores.cores)) : connections;

  // A backlog that built and drained in the first seconds is not the steady state: judge waits after it.
  const transient = profile ? undefined : startupTransient(result);
  if (transient) {
    notes.push(
      `The first ${transient.seconds} s were a start-up transient (up to ${transient.peakInFlight} requests in flight, ${transient.steadyInFlight} after it): each endpoint's mean service time and unexplained wait are judged on the steady part.`,
    );
  }
  // Too few seconds for the regression (one per endpoint and one more): no endpoint's CPU or database time is
  // estimated. Each endpoint still used at most all of it, so its wait is at least its service time minus the
  // whole run's CPU, database and cache time per request of its own (utilization law).
  const unestimated = !profile && cpuCol !== undefined && cpu.every((c) => c === undefined);
  const totalOver = (col: RateColumn | undefined) => (col ? active.reduce((a, i) => a + (col[i] ?? 0) * intervalS, 0) : undefined);
  const runTotals = unestimated ? { cpu: totalOver(cpuCol)!, db: totalOver(dbMsCol), cache: totalOver(redisMsCol) } : undefined;
  if (sparseNotes.size > 0) {
    notes.push(
      `Too few seconds (${active.length}) for a ${[...sparseNotes].join(' and ')} demand per endpoint: estimated as a cost common to every request plus the few endpoints whose requests cost more (sparse fit); the others share the common cost.`,
    );
  }
  if (unestimated) {
    notes.push(
      `Too few seconds (${active.length}) to estimate ${endpoints.length} endpoints' CPU and database time in a mixed run (it needs ${endpoints.length + 1}): waits are lower bounds, as if each endpoint had used the whole run's CPU and database time. Run longer, or \`tuneup diagnose\` to measure the endpoints alone.`,
    );
  }
  const demands: EndpointDemand[] = endpoints.map((endpoint, k) => {
    const summary = result.endpoints.find((s) => s.endpoint === endpoint);
    const serviceMs = summary ? ((transient ? serviceMeanFrom(result, endpoint, transient.steadyFrom) : undefined) ?? summary.serviceTime.mean) : undefined;
    const d: EndpointDemand = { endpoint, method: profile ? 'profile' : 'regression' };
    if (cpu[k] !== undefined) d.cpuMs = round(cpu[k]!);
    if (mainCpu[k] !== undefined) d.mainThreadCpuMs = round(mainCpu[k]!);
    if (gc[k] !== undefined) d.gcMs = round(gc[k]!);
    const cpuSe = stdErrors.get('cpu')?.[k];
    const mainSe = stdErrors.get('cpu.main-thread')?.[k];
    const gcSe = stdErrors.get('gc')?.[k];
    const redisSe = stdErrors.get('redis.commands')?.[k];
    if (cpuSe !== undefined || mainSe !== undefined || gcSe !== undefined || redisSe !== undefined) {
      d.stdError = {};
      if (cpuSe !== undefined && Number.isFinite(cpuSe)) d.stdError.cpuMs = round(cpuSe);
      if (mainSe !== undefined && Number.isFinite(mainSe)) d.stdError.mainThreadCpuMs = round(mainSe);
      if (gcSe !== undefined && Number.isFinite(gcSe)) d.stdError.gcMs = round(gcSe);
      if (redisSe !== undefined && Number.isFinite(redisSe)) d.stdError.redisCommands = round(redisSe);
    }
    if (dbMs[k] !== undefined) d.dbMs = round(dbMs[k]!);
    if (dbCalls[k] !== undefined) d.dbCalls = round(dbCalls[k]!);
    if (redisCmds[k] !== undefined) d.redisCommands = round(redisCmds[k]!);
    const mine = statements.filter((s) => s.endpoint === endpoint && s.callsPerRequest >= 0.05);
    if (pg && mine.length > 0) d.distinctStatements = mine.length;
    if (summary) d.responseBytes = Math.round(summary.meanResponseBytes);
    const cacheMs = redisMs[k] ?? 0;
    if (serviceMs !== undefined) d.serviceMs = round(serviceMs);
    if (serviceMs !== undefined && d.cpuMs !== undefined) {
      d.unexplainedMs = round(Math.max(0, serviceMs - d.cpuMs - (d.dbMs ?? 0) - cacheMs));
    } else if (serviceMs !== undefined && runTotals && summary && summary.requests > 0) {
      const per = (total: number | undefined) => (total === undefined ? undefined : total / summary.requests);
      const bound = { cpuMsAtMost: round(per(runTotals.cpu)!), ...(runTotals.db !== undefined ? { dbMsAtMost: round(per(runTotals.db)!) } : {}), ...(runTotals.cache !== undefined ? { cacheMsAtMost: round(per(runTotals.cache)!) } : {}) };
      d.unexplainedMs = round(Math.max(0, serviceMs - bound.cpuMsAtMost - (bound.dbMsAtMost ?? 0) - (bound.cacheMsAtMost ?? 0)));
      d.unexplainedBound = bound;
    }
    // Utilization law: each resource bounds throughput at servers / demand.
    const perServer: [string, number][] = [];
    if (d.cpuMs !== undefined) perServer.push(['cpu', d.cpuMs]);
    // A lower bound of the database time would overstate the throughput it allows: no bound from it.
    if (d.dbMs !== undefined && !dbLowerBound.has(endpoint)) perServer.push(['db', d.dbMs / dbServers]);
    if (redisMs[k] !== undefined) perServer.push(['cache', redisMs[k]!]);
    const top = perServer.sort((a, b) => b[1] - a[1])[0];
    if (top && top[1] > 0) {
      d.maxThroughput = round(1000 / top[1]);
      d.bottleneck = top[0];
    }
    // An endpoint mostly waiting on something unmeasured is bounded by that, not by a local resource.
    if (serviceMs !== undefined && d.unexplainedMs !== undefined && d.unexplainedMs >= WAIT_BOTTLENECK_MS && d.unexplainedMs > 0.5 * serviceMs && (!top || d.unexplainedMs > top[1])) {
      d.bottleneck = 'wait';
    }
    return d;
  });
  if (pg && !dbCores && connections > 1 && demands.some((d) => d.bottleneck === 'db')) {
    notes.push(`The database's cores are unknown: its throughput bound assumes ${connections} parallel connections, optimistic when the server has fewer cores (give --db-cores).`);
  }
  if (method === 'none') notes.push('No resource series (process, prometheus, postgres or redis probe): demands are limited to response bytes.');
  return { demands, method, fits, notes, statements, dbServers, ...(dbCores ? { dbCores } : {}), regressors: profile ? 'completions' : work.regressors, ...(transient ? { transient } : {}) };
}

/**
 * The intervals the statement regression reads. Behind a queue a request's statements run up to a response
 * time before it completes, so the run's first active interval holds the statements of requests that
 * complete later, and its last holds completions whose statements ran before — at 100 requests/s with
 * 400 ms responses, ~40 requests' worth of calls with no completion against them. A load tester discards
 * a step's first second for the same reason (capacity/step-result.ts, `STEP_WARMUP_MS`). In the queued
 * regime those two edge intervals are left out (when at least four remain, {@link EDGE_TRIM_MIN_SECONDS}); otherwise the lag is under
 * half an interval and every active interval counts.
 */
export function statementRows(active: readonly number[], queued: boolean): number[] {
  return queued && active.length >= EDGE_TRIM_MIN_SECONDS ? active.slice(1, -1) : [...active];
}

/**
 * Tolerance of synchronous CPU per request over the endpoint's mean service time (clock-tick resolution of
 * /proc CPU times, sampling jitter): the ceiling of a main-thread demand.
 */
export const PHYSICAL_SLACK = 1.25;

/**
 * Resources estimated as a common cost per request plus a few endpoints' own when the run has fewer seconds
 * than endpoints: the main thread's CPU and GC time. A Node service's handlers share the framework's cost per
 * request, and the work that blocks its loop or makes its garbage comes from few of them (a hash, a rebuilt
 * table), so the question the seconds can answer is which few. Not the process CPU, database or cache time:
 * the unexplained wait is computed from those, and a common cost would hide a slow query's or a remote's
 * endpoint behind an average.
 */
const SPARSE_RESOURCES = new Set(['cpu.main-thread', 'gc']);

/**
 * Fewest seconds for a sparse selection among more endpoints than seconds (the common-plus-few fit, and a
 * statement's owners). Simulated on Poisson request counts (13 endpoints at 5/s, 300 trials): with 5 seconds
 * the fit named a spurious endpoint for a statement 58 % of the time, with 7 seconds 17 %, with 10 none.
 */
const SPARSE_MIN_SECONDS = 10;

/**
 * Share of the fitted total an endpoint's own column must explain to enter the common-plus-few fit. The
 * common column carries most of the total, so the statements' 0.2 would fold a real blocker into it on a
 * service with many endpoints: simulated (10 seconds, a 15 ms blocker among 40 endpoints at 4/s), 0.2 found
 * it 5 % of the time, 0.1 99 %; with no blocker among 13 endpoints, 0.1 named a spurious one 9 % of the time.
 */
const SPARSE_MIN_SHARE = 0.1;

/** Fewest active seconds for leaving out the edges: four remain, enough for a fit over a few endpoints. */
const EDGE_TRIM_MIN_SECONDS = 6;

/**
 * Attribute pg_stat_statements statements to endpoints, per request. In a mixed run the regression's columns
 * are each endpoint's served completions per second (`workColumns().served`): a statement runs while its
 * request holds a connection, after any wait for one, so it lands in the second the request completes —
 * and a request that failed while queueing ran none. Spreading a request over the seconds it was in flight
 * (right for CPU or cache work done along the way) puts its statements in seconds that were all queue:
 * measured on the ledger corpus past capacity, in-flight columns named the wrong endpoint for 5 of 9
 * statement-driven findings, served completions for 1.
 */
function attributeStatements(
  result: RunResult,
  probes: ProbeSet,
  endpoints: string[],
  profile: boolean,
  reqRate: number[][],
  workRate: number[][],
  active: number[],
  soloOf: (i: number) => number,
  queued = false,
): StatementAttribution[] {
  const pg = probes.postgres;
  if (!pg || endpoints.length === 0) return [];
  const grid = result.series;
  const intervalS = grid.intervalMs / 1000;
  const out: StatementAttribution[] = [];
  const requestsOf = (e: string) => result.endpoints.find((s) => s.endpoint === e)?.requests ?? sum(grid.endpoints[e]!.requests);
  const served = endpoints.map((endpoint) => {
    const summary = result.endpoints.find((s) => s.endpoint === endpoint);
    return { endpoint, requests: requestsOf(endpoint), ...(summary ? { serviceTime: { mean: summary.serviceTime.mean } } : {}) };
  });
  const seriesOf = new Set((pg.data.statementSeries ?? []).filter((ss) => ss.toplevel).map((ss) => ss.queryid));
  const queryById = new Map((pg.data.statements ?? []).map((s) => [s.queryid, s.query]));
  const byMethod = new Set<string>();
  /** Indices of the endpoints whose method asks for a state change (RFC 9110 §9.2.1), for the refit below. */
  const unsafe = endpoints.map((e, k) => (isSafeMethod(e) ? -1 : k)).filter((k) => k >= 0);
  if (endpoints.length === 1) {
    // One endpoint: every statement of the window is its own (exact, and covers statements without a series).
    const reqs = requestsOf(endpoints[0]!);
    for (const s of pg.data.statements ?? []) {
      if (!s.toplevel || reqs <= 0) continue;
      out.push({ queryid: s.queryid, endpoint: endpoints[0]!, callsPerRequest: s.calls / reqs, execMsPerRequest: s.totalExecMs / reqs, method: 'direct' });
    }
    return out;
  }
  // A statement with exactly one endpoint's count of calls ran once per request of that endpoint: the counts
  // decide, where queueing leaves the per-second series to whoever was busy, and they need no series at all —
  // a run with more endpoints than seconds has no regression, and the probe keeps series only for the
  // heaviest statements (count-identity.ts). Its time per request is then the statement's own total over the
  // owner's requests.
  const method: StatementAttribution['method'] = profile ? 'direct' : 'regression';
  const counted = new Set<string>();
  const countable = (pg.data.statements ?? []).filter((s) => s.toplevel && !(profile && seriesOf.has(s.queryid)));
  // Variants of one statement (a bulk insert's row counts, an IN list's lengths) are counted together: their
  // total ran once per request of the owner, each variant on a share of its requests (count-identity.ts). A
  // statement without variants is a family of one.
  const families = [...statementFamilies(countable).values()];
  const inFamily = new Set(families.flat().map((m) => m.queryid));
  for (const members of [...families, ...countable.filter((s) => !inFamily.has(s.queryid)).map((s) => [s])]) {
    const calls = members.reduce((a, m) => a + m.calls, 0);
    const owner = oncePerRequestOwner(calls, served, members.reduce((a, m) => a + m.totalExecMs, 0) / calls, { writes: isWriteStatement(members[0]!.query) });
    if (!owner) continue;
    for (const m of members) {
      counted.add(m.queryid);
      out.push({ queryid: m.queryid, endpoint: owner.endpoint, callsPerRequest: m.calls / owner.requests, execMsPerRequest: m.totalExecMs / owner.requests, method, byCount: true });
    }
  }
  for (const ss of pg.data.statementSeries ?? []) {
    if (!ss.toplevel || counted.has(ss.queryid)) continue;
    const calls = alignToGrid(grid, pg.series, ss.callsPerS);
    const ms = alignToGrid(grid, pg.series, ss.execMsPerS);
    let callsPer: number[];
    let msPer: number[];
    if (profile) {
      callsPer = endpoints.map(() => 0);
      msPer = endpoints.map(() => 0);
      const reqs = endpoints.map(() => 0);
      for (const i of active) {
        const k = soloOf(i);
        if (k < 0 || calls[i] === null) continue;
        callsPer[k]! += calls[i]! * intervalS;
        msPer[k]! += (ms[i] ?? 0) * intervalS;
        reqs[k]! += reqRate[k]![i]! * intervalS;
      }
      callsPer = callsPer.map((c, k) => (reqs[k]! > 0 ? c / reqs[k]! : 0));
      msPer = msPer.map((c, k) => (reqs[k]! > 0 ? c / reqs[k]! : 0));
    } else {
      const rows = active.filter((i) => calls[i] !== null);
      // The selection picks a few columns, so past SPARSE_MIN_SECONDS it needs no second per endpoint.
      if (rows.length < Math.min(endpoints.length + 1, SPARSE_MIN_SECONDS)) continue;
      const x = rows.map((i) => endpoints.map((_, k) => workRate[k]![i]!));
      // A statement belongs to one endpoint or a few: select them on its calls (a count, far less noisy than
      // its time). Its time per call is the statement's own (one plan, one normalized text), so each endpoint is
      // charged its calls at the statement's mean: a second regression on the time series — noisier, moved by
      // concurrency and I/O — split 84 calls of a 4.5 ms statement 0 / 12 ms per request between two endpoints
      // whose calls were 0.6 / 0.9 per request.
      const observed = rows.map((i) => calls[i]!);
      const fit = sparseNnls(x, observed);
      callsPer = fit.x;
      // Behind a queue (the run's p95 at half a second or more), a fit that explains less of the calls' variation
      // than their mean does (R² ≤ 0) names no owner from the data: a statement runs when its request gets its
      // turn, and the fit picks the busiest endpoint. What the data cannot tell, the method can: a statement that
      // changes rows or takes a lock is work a request asks for by an unsafe method (RFC 9110 §9.2.1: GET and
      // HEAD ask for no state change), so it is fitted on those endpoints alone (bistro past capacity: the
      // reservations' LOCK TABLE, R² −8.6, was given to the menu GET). A fit that explains the calls keeps its
      // endpoint, a GET that writes among them (clinic's eligibility check inserts on GET, R² 0.70); so does any
      // fit of a run that keeps up, where a steady rate leaves little variation for even the right owner to
      // explain, and one whose R² is undefined (calls the same every second).
      const statement = queryById.get(ss.queryid);
      const r2 = rSquared(observed, fit.rss);
      if (queued && statement !== undefined && changesOrLocks(statement) && Number.isFinite(r2) && r2 <= 0 && unsafe.length < endpoints.length) {
        const byUnsafe = unsafe.length > 0 ? sparseNnls(rows.map((i) => unsafe.map((k) => workRate[k]![i]!)), observed) : undefined;
        if (byUnsafe && byUnsafe.selected.length > 0) {
          callsPer = endpoints.map(() => 0);
          for (const q of byUnsafe.selected) callsPer[unsafe[q]!] = byUnsafe.x[q]!;
          byMethod.add(ss.queryid);
        }
      }
      const callsSum = rows.reduce((a, i) => a + calls[i]!, 0);
      const msSum = rows.reduce((a, i) => a + (ms[i] ?? 0), 0);
      const perCall = callsSum > 0 ? msSum / callsSum : 0;
      msPer = callsPer.map((c) => c * perCall);
    }
    endpoints.forEach((endpoint, k) => {
      if (callsPer[k]! > 0.01) out.push({ queryid: ss.queryid, endpoint, callsPerRequest: callsPer[k]!, execMsPerRequest: msPer[k]!, method, ...(byMethod.has(ss.queryid) ? { byMethod: true as const } : {}) });
    });
  }
  return out;
}

/**
 * Calls and execution time per second of the statements that were attributed to an endpoint, summed on the
 * run's grid: the part of the database's totals the statement attribution accounts for. A statement with a
 * series contributes its series; one the count identity gave to an endpoint without a series ran once per
 * request of it, so it contributes its per-request calls and time at the owner's served rate (`servedRate`,
 * per endpoint in `endpoints` order). Undefined when no statement was attributed.
 */
function statementColumns(
  result: RunResult,
  probes: ProbeSet,
  statements: StatementAttribution[],
  endpoints: string[],
  servedRate: number[][],
): { callsPerS: number[]; execMsPerS: number[] } | undefined {
  const pg = probes.postgres;
  const attributed = new Set(statements.filter((s) => s.method === 'regression').map((s) => s.queryid));
  const series = (pg?.data.statementSeries ?? []).filter((ss) => ss.toplevel && attributed.has(ss.queryid));
  const withSeries = new Set(series.map((ss) => ss.queryid));
  const countedOnly = statements.filter((s) => s.method === 'regression' && s.byCount && !withSeries.has(s.queryid));
  if (!pg || (series.length === 0 && countedOnly.length === 0)) return undefined;
  const grid = result.series;
  const callsPerS = grid.t.map(() => 0);
  const execMsPerS = grid.t.map(() => 0);
  for (const ss of series) {
    alignToGrid(grid, pg.series, ss.callsPerS).forEach((v, i) => (callsPerS[i]! += v ?? 0));
    alignToGrid(grid, pg.series, ss.execMsPerS).forEach((v, i) => (execMsPerS[i]! += v ?? 0));
  }
  for (const s of countedOnly) {
    const rate = servedRate[endpoints.indexOf(s.endpoint)];
    rate?.forEach((r, i) => {
      callsPerS[i]! += r * s.callsPerRequest;
      execMsPerS[i]! += r * s.execMsPerRequest;
    });
  }
  return { callsPerS, execMsPerS };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
