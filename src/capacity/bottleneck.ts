/**
 * The bottleneck of the plan's mix from the diagnosis cost model
 * (operational analysis). The cost model gives each endpoint's demand per
 * request on every resource (src/diagnose/demand.ts); one iteration of the mix
 * sends a known number of requests to each endpoint, so its demand on a
 * resource is D_r = Σ_e requests_e per iteration × D_{r,e}, divided by the
 * resource's servers (a database's cores). By the utilization law U_r = X·D_r,
 * resource r is 100 % busy at X = 1 / D_r: the resource with the lowest such
 * rate saturates first and bounds the mix's throughput.
 *
 * @module
 */
import { computeDemands } from '../diagnose/demand.js';
import type { RunResult } from '../result/types.js';
import type { CapacityBottleneck, ResourceBound } from './types.js';

/** The demand columns of an endpoint demand, with the cost model's resource names. */
const RESOURCES = [
  ['cpu', 'cpuMs'],
  ['main-thread', 'mainThreadCpuMs'],
  ['db', 'dbMs'],
] as const;

/**
 * Resource bounds of the mix measured on `step` (a sustained step run with probes), or undefined when the
 * probes measured no resource (no process, postgres or prometheus probe).
 * @param capacityRate - the maximum sustainable rate, for each resource's utilization there
 */
export function mixBottleneck(step: RunResult, capacityRate: number | undefined, measuredAt: number): CapacityBottleneck | undefined {
  const model = computeDemands(step);
  if (model.method === 'none' || model.demands.length === 0) return undefined;
  const iterations = Math.max(1, step.totals.iterations);
  const perIteration = new Map<string, number>();
  for (const d of model.demands) {
    const requests = step.endpoints.find((e) => e.endpoint === d.endpoint)?.requests ?? 0;
    const share = requests / iterations;
    for (const [resource, key] of RESOURCES) {
      const v = d[key];
      if (v !== undefined) perIteration.set(resource, (perIteration.get(resource) ?? 0) + share * v);
    }
  }
  const bounds: ResourceBound[] = [];
  for (const [resource, demand] of perIteration) {
    if (!(demand > 0)) continue;
    const servers = resource === 'db' ? model.dbServers : 1;
    const perServer = demand / servers;
    bounds.push({
      resource,
      demandMs: round(perServer),
      servers,
      saturatesAt: round(1000 / perServer),
      ...(capacityRate !== undefined ? { utilizationAtCapacity: round((capacityRate * perServer) / 1000) } : {}),
    });
  }
  if (bounds.length === 0) return undefined;
  bounds.sort((a, b) => a.saturatesAt - b.saturatesAt);
  return { bounds, measuredAt, method: model.method, notes: model.notes };
}

function round(n: number): number {
  return Number(n.toPrecision(4));
}
