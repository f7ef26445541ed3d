/**
 * The Prometheus registry: Node.js runtime metrics, HTTP server histogram,
 * cache and upstream-client instruments.
 *
 * @module
 */
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The service's registry, served on /metrics. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP server request duration',
  labelNames: ['method', 'route', 'status_code'],
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Cache lookups by cache name and result (hit/miss). */
export const cacheRequests = new Counter({
  name: 'cache_requests_total',
  help: 'Cache-aside lookups',
  labelNames: ['cache', 'result'],
  registers: [registry],
});

/** Outgoing HTTP calls to partner services. */
export const upstreamDuration = new Histogram({
  name: 'http_client_request_duration_seconds',
  help: 'HTTP client request duration',
  labelNames: ['peer', 'operation', 'status_code'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

/** Express middleware observing every request under its route template. */
export function httpMetrics(req: Request, res: Response, next: NextFunction): void {
  const end = httpDuration.startTimer();
  res.on('finish', () => {
    const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
    end({ method: req.method, route, status_code: String(res.statusCode) });
  });
  next();
}
