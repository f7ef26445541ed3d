/**
 * A test service whose capacity is known by construction: one FIFO server
 * that takes exactly 1/K s per request (a paced queue, D/D/1 under a
 * constant arrival rate). Below K req/s every request is served in 1/K s;
 * above K the queue and the response time grow without bound and throughput
 * stays at K. It spends no CPU per request (the service time is a timer), so
 * its capacity does not move when other processes load the machine. Requests
 * that would wait longer than `maxQueueMs` get a 503 at once (a bounded
 * queue, so an overloaded step drains quickly).
 */
import { startServer } from '../cli/helpers.js';

/** A running paced service. */
export interface PacedService {
  url: string;
  /** Requests served (200) and rejected (503) so far. */
  served(): number;
  rejected(): number;
  close(): Promise<void>;
}

/** Start a paced service of `capacity` requests per second on 127.0.0.1, port 0. */
export async function startPacedService(capacity: number, maxQueueMs = 1000): Promise<PacedService> {
  const serviceMs = 1000 / capacity;
  let nextFree = 0;
  let served = 0;
  let rejected = 0;
  const { url, close } = await startServer((req, res) => {
    req.resume();
    const now = performance.now();
    const start = Math.max(now, nextFree);
    if (start - now > maxQueueMs) {
      rejected += 1;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('queue full');
      return;
    }
    nextFree = start + serviceMs;
    setTimeout(() => {
      served += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }, Math.max(0, nextFree - now));
  });
  return {
    url,
    served: () => served,
    rejected: () => rejected,
    close,
  };
}
