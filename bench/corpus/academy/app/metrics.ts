/**
 * Prometheus metrics of the academy: the prom-client defaults (event loop
 * lag, GC, heap, CPU), request durations by route template, course-page cache
 * lookups, calls to the media service, and the pg pool's connection counts.
 *
 * @module
 */
import client from 'prom-client';

/** The academy's registry, served on /metrics. */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

/** Request durations; `route` is fastify's route template ('/courses/:id'), never the raw path. */
export const httpDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'Duration of HTTP requests by route template',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Cache lookups by cache and result. */
export const cacheLookups = new client.Counter({
  name: 'academy_cache_lookups_total',
  help: 'Cache lookups by cache and result (hit, miss)',
  labelNames: ['cache', 'result'] as const,
  registers: [registry],
});

/** Calls to the media service. */
export const mediaDuration = new client.Histogram({
  name: 'academy_media_request_duration_seconds',
  help: 'Duration of calls to the media service by operation and outcome',
  labelNames: ['operation', 'outcome'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Quiz submissions by outcome. */
export const quizSubmissions = new client.Counter({
  name: 'academy_quiz_submissions_total',
  help: 'Graded quiz submissions by outcome (passed, failed, no_attempts_left)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

/** Runs of the streak job. */
export const streakJobDuration = new client.Histogram({
  name: 'academy_streak_job_duration_seconds',
  help: 'Duration of the streak job runs',
  buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Register gauges reading the pool's counts at scrape time. */
export function watchPool(pool: { totalCount: number; idleCount: number; waitingCount: number }, max: number): void {
  new client.Gauge({
    name: 'pg_pool_connections',
    help: 'Connections of the node-postgres pool by state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'busy' }, pool.totalCount - pool.idleCount);
      this.set({ state: 'max' }, max);
    },
  });
  new client.Gauge({
    name: 'pg_pool_waiting_clients',
    help: 'Queries waiting for a connection of the node-postgres pool',
    registers: [registry],
    collect() {
      this.set(pool.waitingCount);
    },
  });
}
