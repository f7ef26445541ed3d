/**
 * pool-saturation from transactions held open across other work: the
 * service's connections sit "idle in transaction" (open, running no
 * statement) for a large share of its pool while the service does something
 * else inside the transaction — a remote call, a computation, a sleep.
 *
 * Why a finding before anything queues: a pool's capacity is its size over
 * the time each request holds a connection (the utilization law), so a hold
 * that is mostly idle in transaction caps throughput long before the database
 * is busy, and the connections it holds also keep their row locks and block
 * vacuum. It is judged from the database side (pg_stat_activity states of the
 * service's own connections), so it needs no pool gauge; the endpoint is the
 * one whose statement the idle transactions ran last (pg_stat_activity
 * query_id, PostgreSQL 14+, through the cost model's attribution).
 *
 * @module
 */
import type { ProcessProbeData } from '../../probes/process/types.js';
import type { Evidence, Finding } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import { meanOf, numbers, quantile } from '../evidence.js';
import { measuredSaturation } from './node.js';
import { endpointsByBackendSamples, shortSql } from './pg-common.js';
import { serviceConnections } from './pool-hold.js';
import { fmt, makeFinding, pct, serviceMean, summaryOf, type DiagnosisInput } from './types.js';
import { Z_95 } from '../nnls.js';
import { PHYSICAL_SLACK } from '../demand.js';
import { hostSaturatedPercent } from './host.js';

/**
 * The held-transaction finding (category pool-saturation), when the service's idle transactions take
 * `pool.heldTxShare` of its connections, or when the top holder's requests each hold theirs idle for most of their
 * own time (see {@link heldPerRequest}), whatever share of the pool this load filled.
 */
export function heldTransactionRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const pg = input.probes.postgres;
  if (!pg) return [];
  const own = serviceConnections(input);
  const idleTx = meanOf(own.idleInTransaction);
  const open = meanOf(own.connections);
  if (idleTx === undefined || open === undefined || open <= 0) return [];
  const heldShare = Math.min(1, idleTx / open);
  // Two readings of one defect: the share of the pool the holds took at this load, and — whatever the load —
  // whether the holder's requests keep their transaction open across most of their own time.
  const perRequest = heldPerRequest(input);
  // The hold is a wait inside the transaction, judged as a wait on a dependency is (slowDependency.minMs): shorter
  // idle spells are the transaction's own round trips and its callbacks' turn on a busy event loop. A request cannot
  // hold longer than it lasts: a longer hold is another holder's (a background job's statement the cost model gave
  // to an endpoint), so it proves nothing about the endpoint.
  const spansRequests =
    perRequest !== undefined &&
    perRequest.holdMs >= config.get('slowDependency.minMs') &&
    perRequest.holdMs >= config.get('pool.heldRequestShare') * perRequest.serviceMs &&
    perRequest.holdMs <= PHYSICAL_SLACK * perRequest.serviceMs;
  const overShare = heldShare >= config.get('pool.heldTxShare');
  if (!overShare && !spansRequests) return [];
  // Callbacks waiting for a saturated CPU — the service's own, or the host's whoever holds it — keep their
  // transactions open too: then the hold is the CPU's queue, not work done inside the transaction.
  const cpu = measuredSaturation(input, config);
  const host = saturatedHost(input, config);
  const endpoints = idleTransactionHolders(input);
  const lastStatement = pg.data.activity?.idleInTransactionStatements?.[0];
  const evidence: Evidence[] = [
    { label: 'service connections idle in transaction (mean)', value: idleTx, unit: 'connections', source: own.source },
    { label: 'service connections open (mean)', value: open, unit: 'connections', source: own.source },
    { label: 'share of the connections held idle in transaction', value: heldShare, unit: 'ratio', source: own.source },
    ...(pg.data.activity?.longestTransactionMs ? [{ label: 'longest transaction seen', value: pg.data.activity.longestTransactionMs, unit: 'ms', source: 'pg_stat_activity' }] : []),
    ...(lastStatement ? [{ label: 'statement the idle transactions ran last (most often)', value: shortSql(lastStatement.query, 120), source: 'pg_stat_activity (query_id)' }] : []),
    ...(perRequest
      ? [
          { label: `idle in transaction per request of ${perRequest.endpoint}, at least`, value: perRequest.holdMs, unit: 'ms', source: 'pg_stat_activity wait samples (query_id) ÷ its requests' },
          { label: `mean service time of ${perRequest.endpoint}`, value: perRequest.serviceMs, unit: 'ms', source: 'load' },
        ]
      : []),
    ...(cpu ? [{ label: `service CPU p90 (${cpu.what})`, value: cpu.p90, unit: '% of one core', source: cpu.source }] : []),
    ...(host ? [{ label: 'host CPU (median)', value: host.median, unit: `% of one core (${host.cores} cores)`, source: 'process probe /proc/stat' }] : []),
  ];
  const cpuNote = cpu
    ? ` The service's CPU was saturated (${cpu.what} p90 ${fmt(cpu.p90)} %), which keeps transactions open while their callbacks wait: the CPU may be the cause.`
    : host
      ? ` The host's CPU was saturated (median ${fmt(host.median)} % of one core on ${host.cores} cores), which keeps transactions open while the service waits for a core: the hold may be that wait.`
      : '';
  return [
    makeFinding({
      rule: 'pool-held-transaction',
      category: 'pool-saturation',
      subject: 'idle-in-transaction',
      severity: cpu || host ? 'low' : 'medium',
      endpoint: endpoints[0],
      endpoints,
      title:
        !overShare
          ? `Transactions held open across other work: ${perRequest!.endpoint} holds its transaction idle ${fmt(perRequest!.holdMs)} ms a request`
          : `Transactions held open across other work: ${pct(heldShare)} of the service's connections idle in transaction`,
      summary: `On average ${fmt(idleTx)} of the service's ${fmt(open)} connections were open in a transaction running no statement${endpoints[0] ? `, most often after a statement of ${endpoints[0]}` : ''}: the service does other work (a remote call, a computation) while it holds the transaction.${spansRequests ? ` Each request of ${perRequest!.endpoint} held its transaction idle for at least ${fmt(perRequest!.holdMs)} of its ${fmt(perRequest!.serviceMs)} ms: its wait is inside the transaction, so ${fmt(open)} connections (the mean this run kept open) are all held at about ${fmt((open * 1000) / perRequest!.holdMs)} of its requests a second (the utilization law), whatever share of them this load filled.` : ''} A pool serves its size divided by the time each request holds a connection, so this hold caps throughput long before the database is busy, and the open transactions keep their locks.${cpuNote}`,
      evidence,
      recommendation: {
        text: 'Move the remote call or the computation out of the transaction: do it before BEGIN or after COMMIT (or record the intent in the transaction and do the call from an outbox). Set idle_in_transaction_session_timeout as a guard.',
        sql: "ALTER ROLE current_user SET idle_in_transaction_session_timeout = '10s';",
      },
      confidence: endpoints.length > 0 ? 0.75 : 0.55,
      impact: heldShare,
    }),
  ];
}

/** The endpoint whose requests hold their transactions idle the longest, and for how long a request. */
export interface HeldPerRequest {
  /** The endpoint whose statements the idle transactions ran last, most backend-samples first. */
  endpoint: string;
  /** Idle-in-transaction time per request of the endpoint, at the lower 95 % bound of the samples' count (ms). */
  holdMs: number;
  /** The endpoint's mean service time (ms). */
  serviceMs: number;
}

/**
 * The top holder's idle-in-transaction time per request: its backend-samples idle in transaction (the wait
 * sampler, by query_id) times the sampling interval is connection-time held idle, and divided by its requests
 * in the sampled window it is the hold per request (Little's law) — a property of the handler, the same at any
 * rate. The count is Poisson, so it is taken at its lower 95 % bound: a few samples prove no hold.
 */
export function heldPerRequest(input: DiagnosisInput): HeldPerRequest | undefined {
  const activity = input.probes.postgres?.data.activity;
  const sampling = activity?.waitSampling;
  const top = endpointsByBackendSamples(input, activity?.idleInTransactionStatements)[0];
  const durationMs = input.result.durationMs;
  if (!sampling || sampling.samples <= 0 || sampling.intervalMs <= 0 || !top || !(durationMs > 0)) return undefined;
  const perInterval = input.result.series.endpoints[top.endpoint]?.requests;
  const requests = perInterval ? perInterval.reduce<number>((a, b) => a + (b ?? 0), 0) : (summaryOf(input, top.endpoint)?.serviceTime.count ?? 0);
  const windowMs = Math.min(durationMs, sampling.samples * sampling.intervalMs);
  const sampledRequests = (requests * windowMs) / durationMs;
  if (sampledRequests <= 0) return undefined;
  const samplesAtLeast = Math.max(0, top.samples - Z_95 * Math.sqrt(top.samples));
  const holdMs = (samplesAtLeast * sampling.intervalMs) / sampledRequests;
  const serviceMs = serviceMean(input, top.endpoint);
  if (!(serviceMs > 0)) return undefined;
  return { endpoint: top.endpoint, holdMs, serviceMs };
}

/**
 * The endpoints whose statements the service's idle transactions ran last (pg_stat_activity query_id over the
 * wait samples, each statement's owner from the cost model), most backend-samples first: who holds them.
 * Empty without query_id (PostgreSQL 13 and older, older results).
 */
export function idleTransactionHolders(input: DiagnosisInput): string[] {
  return endpointsByBackendSamples(input, input.probes.postgres?.data.activity?.idleInTransactionStatements).map((v) => v.endpoint);
}

/** The host's CPU at `cpu.saturatedPercent` of its cores for at least half the run (median sample), whoever held it. */
function saturatedHost(input: DiagnosisInput, config: RuleConfig): { median: number; cores: number } | undefined {
  const host = (input.probes.process?.data as ProcessProbeData | undefined)?.host;
  const samples = numbers(input.probes.process?.series.values.hostCpuPercent);
  if (!host || host.cores <= 0 || samples.length < 3) return undefined;
  const median = quantile(samples, 0.5);
  return median >= hostSaturatedPercent(config, host.cores) ? { median, cores: host.cores } : undefined;
}

