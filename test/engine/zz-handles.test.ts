import { after, it } from 'node:test';
import { runPlan } from '../../src/engine/index.js';
import { plan, scenario, startServer } from './helpers.js';
it('x', async () => {
  const stuck = await startServer({ delayMs: 3000 });
  const p = plan(stuck.url, [scenario('stuck', { executor: 'constant-vus', vus: 2, durationMs: 200, gracefulStopMs: 300 }, { fn: async (vu) => void (await vu.http.get('/')) })]);
  await runPlan(p);
  await stuck.close();
  const fast = await startServer();
  await runPlan(plan(fast.url, [scenario('s', { executor: 'constant-arrival-rate', rate: 20, durationMs: 300, preAllocatedVUs: 2, maxVUs: 2 }, { fixed: `${fast.url}/` })]));
  await fast.close();
  const t0 = Date.now();
  setTimeout(() => { console.log((process as any)._getActiveHandles().map((h: any) => h.constructor.name + ' ' + (h._idleTimeout ?? '')), (process as any)._getActiveRequests().length); }, 100).unref();
});
