/**
 * The per-endpoint cost profile as a terminal table (`tuneup profile`, and
 * `tuneup analyze` when a run has demands).
 *
 * @module
 */
import Table from 'cli-table3';
import type { EndpointDemand, RunResult } from '../result/types.js';

const dash = '-';
const ms = (v: number | undefined): string => (v === undefined ? dash : v < 10 ? v.toFixed(2) : v.toFixed(1));
const count = (v: number | undefined): string => (v === undefined ? dash : v < 10 ? v.toFixed(2) : v.toFixed(0));
const bytes = (v: number | undefined): string =>
  v === undefined ? dash : v >= 1_048_576 ? `${(v / 1_048_576).toFixed(1)} MB` : v >= 1024 ? `${(v / 1024).toFixed(1)} kB` : `${Math.round(v)} B`;

/** Render demands per request, with the service time measured for each endpoint. */
export function renderDemands(result: Pick<RunResult, 'demands' | 'endpoints'>): string {
  const demands: EndpointDemand[] = result.demands ?? [];
  if (demands.length === 0) return 'no demand profile (no endpoint had enough requests, or no resource was probed)';
  const table = new Table({
    head: ['endpoint', 'svc p50 ms', 'CPU ms', 'loop ms', 'DB ms', 'DB calls', 'stmts', 'redis cmds', 'resp', 'unexpl. ms', 'bottleneck', 'max req/s', 'method'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const d of demands) {
    const row = result.endpoints.find((e) => e.endpoint === d.endpoint);
    table.push([
      d.endpoint,
      ms(row?.serviceTime.p50),
      ms(d.cpuMs),
      ms(d.mainThreadCpuMs),
      ms(d.dbMs),
      count(d.dbCalls),
      count(d.distinctStatements),
      count(d.redisCommands),
      bytes(d.responseBytes),
      ms(d.unexplainedMs),
      d.bottleneck ?? dash,
      d.maxThroughput === undefined ? dash : Math.round(d.maxThroughput).toString(),
      d.method,
    ]);
  }
  return `cost per request (utilization law: max req/s = 1 / bottleneck demand; loop ms = CPU on the main thread, which blocks the event loop)\n${table.toString()}`;
}
