/**
 * The contract of the unseen diagnosis corpus: services with planted faults,
 * each written without reading tuneup's diagnosis rules, so that the rules
 * can be scored against cases they were not tuned on. A runner (owned by the
 * lead) seeds a service, starts it with one fault switched on, drives the
 * case's request mix through `tuneup run` with every probe, and compares the
 * top finding at medium+ severity with `expect`.
 *
 * Mix paths use the template syntax of docs/plan.md (`{{ randomInt(1, 20000) }}`,
 * `{{ randomChoice('a', 'b') }}`), so a mix entry maps one to one onto a YAML
 * plan request `{ name: endpoint, method, path, weight, json: body }`.
 *
 * @module
 */

/** One planted fault (or the healthy baseline) of a corpus service. */
export interface CorpusCase {
  /** e.g. 'shop/missing-index-orders-email' */
  id: string;
  /** The fault switch passed to start(); null = healthy. */
  fault: string | null;
  /** Top finding at medium+; null = no finding at medium+ expected. */
  expect: { category: string; endpoint: string } | null;
  /**
   * Requests of the load. endpoint = route template like 'GET /orders/:id'; path may contain
   * docs/plan.md templates; body is sent as JSON (templates allowed in its string values).
   */
  mix: { endpoint: string; method: string; path: string; weight: number; body?: unknown }[];
  /** req/s the service sustains comfortably WITH the fault on (latency stable). */
  moderateRate: number;
  /** req/s clearly past its capacity with the fault on (throughput < offered). */
  overloadRate: number;
}

/** A started corpus service. */
export interface RunningService {
  url: string;
  pid: number;
  metricsUrl?: string;
  stop(): Promise<void>;
}

/** A service of the corpus: how to seed it, start it with a fault, and its cases. */
export interface CorpusService {
  /** e.g. 'shop' */
  name: string;
  /** e.g. 'express 4 + knex + ioredis + prom-client' */
  stack: string;
  /** Create the schema and load the data into an empty database. */
  seed(pgUrl: string): Promise<void>;
  /** Starts a child process (node) on 127.0.0.1 port 0 or a free port. */
  start(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService>;
  cases: CorpusCase[];
}
