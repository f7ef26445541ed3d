/**
 * Benchmark driver for probe-overhead.ts: one open-model run of `tuneup`'s
 * engine (`runPlan`, what `tuneup load --rate` runs) with the given probes
 * hosted in the probe worker or on the generator's main thread, and the
 * generator's own lateness as one JSON line: event-loop delay p50/p99/max
 * of the load thread, late starts and their share, dropped iterations.
 *
 *   node --import tsx bench/drivers/probe-overhead-generator.ts '{"url":"http://127.0.0.1:P/","rate":200,"seconds":8,"mode":"worker","probes":[...]}'
 */
import { runPlan } from '../../src/engine/run.js';
import type { ProbeHostMode } from '../../src/engine/probe-runner.js';
import { planFromQuickOptions } from '../../src/plan/quick.js';
import { probeFromSpec } from '../../src/probes/host/create.js';
import type { ProbeSpec } from '../../src/probes/host/spec.js';

interface Config {
  url: string;
  rate: number;
  seconds: number;
  mode: ProbeHostMode;
  probes: ProbeSpec[];
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
if (!config.url?.startsWith('http://127.0.0.1')) throw new Error('benchmarks only target 127.0.0.1');
const plan = planFromQuickOptions({
  url: config.url,
  rate: config.rate,
  duration: `${config.seconds}s`,
  // Enough VUs that a slow response never starves the schedule: lateness is the generator's.
  connections: Math.max(50, Math.ceil(config.rate / 4)),
});
const outcome = await runPlan(plan, { probes: config.probes.map(probeFromSpec), probeHost: config.mode });
const g = outcome.generator;
const scheduled = outcome.scenarios.reduce((n, s) => n + s.iterations + s.droppedIterations, 0);
process.stdout.write(
  `${JSON.stringify({
    loopP50: g.eventLoopDelay.p50,
    loopP99: g.eventLoopDelay.p99,
    loopMax: g.eventLoopDelay.max,
    lateStarts: g.lateStarts,
    scheduled,
    latePercent: scheduled > 0 ? (100 * g.lateStarts) / scheduled : 0,
    dropped: g.droppedIterations,
    cpuMean: g.cpuPercent.mean,
    probes: outcome.probes.map((p) => ({ probe: p.probe, ok: p.ok, samples: p.overhead.samples, meanSampleMs: p.overhead.meanSampleMs })),
  })}\n`,
);
