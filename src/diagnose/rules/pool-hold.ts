/**
 * Where a database pool's connections spend their checked-out time, from
 * both sides of the pool: the service's own gauges (connections checked out)
 * and pg_stat_activity (what the database sees them do). Shared by the
 * pool-saturation rule (whose connections, how busy) and the overload rule
 * (is a full pool past capacity a fault of its own, or where the queue sits).
 *
 * @module
 */
import type { Evidence } from '../../result/types.js';
import type { ProcessProbeData } from '../../probes/process/types.js';
import type { RuleConfig } from '../config.js';
import { alignToGrid, meanOf } from '../evidence.js';
import type { DiagnosisInput } from './types.js';

/** The service's own connections per grid interval (see {@link serviceConnections}). */
export interface ServiceConnections {
  connections: (number | null)[];
  /** Checked out as the database sees it: active + idle in transaction. */
  busy: (number | null)[];
  idleInTransaction: (number | null)[];
  /** Where the series came from, for evidence. */
  source: string;
}

/**
 * The first grid interval of the run's steady part: after its start-up transient (transient.ts), else 0. A
 * pool's state is a fault when it lasts: a cold start's backlog fills any pool, and keeps its transactions
 * open while their callbacks wait, until it drains (marina's healthy build at 900/s on a fast host: 129
 * clients waiting on average over a run whose first 6 s queued and whose last 5 s held 11 requests in flight).
 * So the pool is judged on the seconds after it, as the cost model judges each endpoint's service time.
 */
export function steadyFrom(input: DiagnosisInput): number {
  return input.demand.transient?.steadyFrom ?? 0;
}

/**
 * Grid intervals of the steady part (see {@link steadyFrom}) in which any of `endpoints` had requests, or any
 * endpoint with `'any'`: the seconds a pool, gauge or lock is judged in (an empty list selects none).
 */
export function steadyRows(input: DiagnosisInput, endpoints: readonly string[] | 'any'): number[] {
  const grid = input.result.series;
  const loaded = endpoints === 'any' ? Object.keys(grid.endpoints) : endpoints;
  const from = steadyFrom(input);
  return grid.t.map((_, i) => i).filter((i) => i >= from && loaded.some((e) => (grid.endpoints[e]?.requests[i] ?? 0) > 0));
}

/**
 * The service's own connections per grid interval: its pg_stat_activity group (application_name, else client
 * address) when the server has other clients too, else every client connection. Busy = active + idle in
 * transaction (a connection checked out). The service's group is the one doing the work: most active
 * backend-samples (other clients — a console, another service's idle pool — are mostly idle). Intervals
 * of a start-up transient are null (see {@link steadyFrom}): every mean of them is the steady part's.
 */
export function serviceConnections(input: DiagnosisInput): ServiceConnections {
  const ev = input.probes.postgres;
  const grid = input.result.series;
  if (!ev) return { connections: [], busy: [], idleInTransaction: [], source: 'none' };
  const from = steadyFrom(input);
  const align = (xs: (number | null)[] | undefined) => (xs ? alignToGrid(grid, ev.series, xs).map((v, i) => (i < from ? null : v)) : []);
  const activity = ev.data.activity;
  for (const [kind, groups] of [['application_name', activity?.byApplication ?? []], ['client', activity?.byClient ?? []]] as const) {
    const usable = groups.filter((g) => g.active && g.maxConnections > 0);
    if (usable.length < 2) continue;
    const sum = (xs: (number | null)[] | undefined) => (xs ?? []).reduce<number>((a, b) => a + (b ?? 0), 0);
    const service = [...usable].sort((a, b) => sum(b.active) - sum(a.active) || b.meanConnections - a.meanConnections)[0]!;
    const idleTx = service.idleInTransaction ?? service.active!.map(() => 0);
    const busy = service.active!.map((a, i) => (a === null ? null : a + (idleTx[i] ?? 0)));
    return { connections: align(service.connections), busy: align(busy), idleInTransaction: align(idleTx), source: `pg_stat_activity (${kind} "${service.key}")` };
  }
  const active = align(ev.series.values['pg.active']);
  const idleTx = align(ev.series.values['pg.idle_in_tx']);
  return {
    connections: align(ev.series.values['pg.connections']),
    busy: active.map((a, i) => (a === null ? null : a + (idleTx[i] ?? 0))),
    idleInTransaction: idleTx,
    source: 'pg_stat_activity',
  };
}

/** How a pool's checked-out connections were spent over the run (means, in connections). */
export interface PoolHold {
  /** Connections the service had checked out: its pool gauges (total − idle), else its open connections. */
  checkedOut: number;
  /** Of those, open in a transaction while running no statement (pg_stat_activity "idle in transaction"). */
  idleInTransaction: number;
  /** idleInTransaction / checkedOut, capped at 1. */
  idleInTransactionShare: number;
  /** Where checkedOut came from. */
  source: string;
}

/**
 * Mean connections checked out from the service's pool and the share of them held open in a transaction with
 * no statement running (the service doing other work — a remote call, a sleep — inside the transaction).
 * The checked-out count comes from the service's pool gauges when it exports a total and an idle count
 * (pg-pool's totalCount/idleCount, `db_pool_connections{state="total"|"idle"}`), else from the service's
 * open connections (every open connection counted as checked out: an upper bound, so the share is a lower
 * bound). Undefined without PostgreSQL evidence.
 */
export function poolHold(input: DiagnosisInput): PoolHold | undefined {
  if (!input.probes.postgres) return undefined;
  const own = serviceConnections(input);
  const idleTx = meanOf(own.idleInTransaction) ?? 0;
  const gauges = input.probes.prometheus?.data.pools ?? [];
  const gauge = (re: RegExp) => gauges.find((p) => [p.metric, ...Object.values(p.labels)].some((x) => re.test(x)) && ![p.metric, ...Object.values(p.labels)].some((x) => /wait|pending|queue|max/i.test(x)));
  const total = gauge(/total/i);
  const idle = gauge(/idle/i);
  const fromGauges = total && idle && total !== idle ? Math.max(0, total.mean - idle.mean) : undefined;
  const checkedOut = fromGauges ?? meanOf(own.connections);
  if (checkedOut === undefined || checkedOut <= 0) return undefined;
  return {
    checkedOut,
    idleInTransaction: idleTx,
    idleInTransactionShare: Math.min(1, idleTx / checkedOut),
    source: fromGauges !== undefined ? `service /metrics (${total!.metric} − ${idle!.metric}) and ${own.source}` : own.source,
  };
}

/**
 * What a pool's executing connections wait on, when it is at its limit: the database server's CPU (its
 * processes' CPU against its cores) or the host's CPU (all cores, when the database shares the host, and
 * held mostly by the system under test rather than other processes), each at `cpu.saturatedPercent` of
 * capacity. More connections in front of a saturated CPU add no throughput. Undefined without the process
 * probe's figures or when neither is at its limit.
 */
export function saturatedBehindPool(input: DiagnosisInput, config: RuleConfig): { name: string; evidence: Evidence[] } | undefined {
  const host = (input.probes.process?.data as ProcessProbeData | undefined)?.host;
  if (!host || host.cores <= 0) return undefined;
  const limit = config.get('cpu.saturatedPercent') / 100;
  const pgCpu = host.groups?.postgres?.cpuPercent.mean;
  const dbCores = input.demand.dbCores?.cores ?? host.cores;
  if (pgCpu !== undefined && pgCpu >= limit * dbCores * 100) {
    return { name: `the database server's CPU (${Math.round(pgCpu)} % of one core on ${dbCores} cores)`, evidence: [{ label: 'PostgreSQL CPU (mean)', value: pgCpu, unit: `% of one core (${dbCores} cores)`, source: 'process probe' }] };
  }
  // The host counts when the system under test holds it (the service, its database and cache, the load): a
  // host saturated by other processes is contention, which the host-contention finding names.
  const others = host.groups?.other?.cpuPercent.mean ?? 0;
  if (host.cpuPercent.mean >= limit * host.cores * 100 && others < host.cpuPercent.mean / 2) {
    return { name: `the host's CPU (${Math.round(host.cpuPercent.mean)} % of one core on ${host.cores} cores)`, evidence: [{ label: 'host CPU (mean)', value: host.cpuPercent.mean, unit: `% of one core (${host.cores} cores)`, source: 'process probe /proc/stat' }] };
  }
  return undefined;
}
