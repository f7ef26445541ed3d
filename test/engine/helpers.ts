// Shared helpers of the engine tests: a real node:http target on 127.0.0.1
// port 0 and a builder of ResolvedPlan objects (the plan module's output shape).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolvedPlan, ResolvedScenario } from '../../src/plan/types.js';
import type { ScenarioFunction } from '../../src/engine/types.js';
import type { ThresholdSpec } from '../../src/thresholds/types.js';
import { parseThreshold } from '../../src/thresholds/index.js';

export interface TestServer {
  url: string;
  requests: () => number;
  close(): Promise<void>;
}

/** A real HTTP server; `delayMs` per response (service time). */
export async function startServer(options: { delayMs?: number; handler?: (req: IncomingMessage, res: ServerResponse) => void } = {}): Promise<TestServer> {
  let count = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    count++;
    req.resume();
    const respond = (): void => {
      if (options.handler) options.handler(req, res);
      else res.end('ok');
    };
    if (options.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, options.delayMs);
      timers.add(timer);
    }
    else respond();
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type ScenarioExtra = Record<string, unknown> & { executor: ResolvedScenario['executor'] };

/** A resolved scenario with test defaults (gracefulStop 1 s, no startTime). */
export function scenario(name: string, extra: ScenarioExtra, body: { fixed?: string; fn?: ScenarioFunction } = {}): ResolvedScenario {
  const open = extra.executor.endsWith('arrival-rate');
  const fn: ScenarioFunction =
    body.fn ??
    (() => {
      throw new Error('fn should not be called for a fixed scenario');
    });
  return {
    name,
    model: open ? 'open' : 'closed',
    startTimeMs: 0,
    gracefulStopMs: 1000,
    tags: {},
    env: {},
    fn,
    ...(body.fixed !== undefined ? { fixed: { method: 'GET', url: body.fixed, name: 'GET /' } } : {}),
    options: { executor: extra.executor },
    ...(open ? { timeUnitMs: 1000 } : {}),
    ...extra,
  } as unknown as ResolvedScenario;
}

/** A resolved plan around scenarios. */
export function plan(baseUrl: string, scenarios: ResolvedScenario[], thresholds: Record<string, (string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string })[]> = {}): ResolvedPlan {
  const specs: ThresholdSpec[] = [];
  for (const [key, list] of Object.entries(thresholds)) for (const t of list) specs.push(parseThreshold(key, t));
  return {
    baseUrl,
    timeoutMs: 5000,
    headers: {},
    scenarios,
    thresholds: specs,
    probes: {},
    env: {},
    warnings: [],
    json: { baseUrl, scenarios: Object.fromEntries(scenarios.map((s) => [s.name, s.options])), thresholds },
  };
}
