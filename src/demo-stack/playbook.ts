/**
 * The playbook on the demo stack: the demo's workload (every endpoint,
 * weighted like a lending library's traffic) through the shared playbook
 * (src/playbook/): `tuneup diagnose`'s experiment — capacity steps,
 * diagnosis at a sustainable rate, confirmation by isolation — then the
 * optimizer's dry run, the database actions applied to the demo's own
 * database (journaled; the index what-if builds and rolls back, as PGlite
 * has no HypoPG), and the validation.
 *
 * Library code: it reports progress through callbacks and never prints.
 *
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diagnose, loadSqlParser } from '../diagnose/index.js';
import { enrichWithExplain } from '../diagnose/explain.js';
import type { ExperimentOptions } from '../diagnose/experiment/index.js';
import { EXPERIMENT_DEFAULTS } from '../diagnose/experiment/index.js';
import { loadPlan } from '../plan/index.js';
import type { PlanOptions } from '../plan/types.js';
import { probeFromSpec } from '../probes/host/create.js';
import type { ProbeSpec } from '../probes/host/spec.js';
import { runPlaybook, type PlaybookHooks, type PlaybookResult } from '../playbook/run.js';
import { resolvePlan } from '../plan/index.js';
import type { DemoStack } from './stack.js';

/** Budget of one demo: the experiment's shape and the validation's runs of the changed endpoint alone. */
export interface DemoBudget {
  /** The demo plan's rate (iterations/s): the diagnosis runs at it when the service sustains 1/0.7 of it. */
  rate: number;
  experiment: ExperimentOptions;
  /** The validation run (ms). */
  validateMs: number;
  /** Each before/after run of the changed endpoint alone (ms). */
  aloneMs: number;
}

/**
 * `--quick`: one 2.5 s capacity step at twice the plan's rate (sustained, it shows the plan's rate
 * is within 70 % of capacity; failing, the search steps down), a 14 s diagnosis at 10/s (shorter
 * ones, or a host loaded by other work, sometimes leave a statement's endpoint unattributed),
 * suspects alone 2 s each at 15/s (at most 4), the changed endpoint alone 5 s before and after,
 * and an 11 s validation run (110 requests: a one-run p50 comparison needs 100 per run): about
 * 45 s of load against the old demo's 42 s.
 */
export const QUICK_BUDGET: DemoBudget = {
  rate: 10,
  experiment: { ...EXPERIMENT_DEFAULTS, stepMs: 2500, startRate: 20, maxRate: 20, maxSteps: 1, bisections: 0, gapMs: 400, diagnosisMs: 14_000, sizeDiagnosisToMix: false, isolateMs: 2000, isolateRate: 15, maxIsolations: 4 },
  validateMs: 11_000,
  aloneMs: 5000,
};

/** The default: a ramp of four 4 s steps from 5/s with one bisection, a 25 s diagnosis and validation, suspects alone 4 s each, the endpoint alone 6 s. */
export const FULL_BUDGET: DemoBudget = {
  rate: 10,
  experiment: { ...EXPERIMENT_DEFAULTS, stepMs: 4000, startRate: 5, maxRate: 40, maxSteps: 4, bisections: 1, gapMs: 1000, diagnosisMs: 25_000, sizeDiagnosisToMix: false, isolateMs: 4000, maxIsolations: 6 },
  validateMs: 25_000,
  aloneMs: 6000,
};

/** Options of {@link runDemoPlaybook}. */
export interface DemoPlaybookOptions {
  budget: DemoBudget;
  /** Directory of stored runs (default `.tuneup/runs`). */
  runsDir?: string;
  /** Directory of apply journals (default `.tuneup/journal`). */
  journalDir?: string;
  /** Largest table the build-and-rollback what-if may build an index on (bytes; default 256 MiB). */
  whatIfMaxTableBytes?: number;
  /** First abort: the current run stops gracefully and the playbook ends after it. */
  signal?: AbortSignal;
  hooks?: PlaybookHooks;
}

/** What the demo did and found. */
export interface DemoPlaybookResult extends PlaybookResult {}

/** The demo's workload: every endpoint, weighted like a lending library's traffic. */
export function demoPlanJson(baseUrl: string, rate: number, durationMs: number): PlanOptions {
  return {
    name: 'tuneup-demo',
    baseUrl,
    scenarios: {
      library: {
        executor: 'constant-arrival-rate',
        rate,
        timeUnit: '1s',
        duration: `${Math.round(durationMs / 1000)}s`,
        preAllocatedVUs: Math.max(10, Math.ceil(rate * 2)),
        maxVUs: Math.max(50, Math.ceil(rate * 10)),
        requests: [
          { weight: 3, path: '/api/books/{{ randomInt(1, 4000) }}', name: 'GET /api/books/:id' },
          { weight: 3, path: '/api/members/{{ randomInt(1, 2000) }}/loans', name: 'GET /api/members/:id/loans' },
          { weight: 2, path: '/api/authors/{{ randomInt(1, 400) }}/books', name: 'GET /api/authors/:id/books' },
          { weight: 2, path: '/api/books/{{ randomInt(1, 4000) }}/recommendations', name: 'GET /api/books/:id/recommendations' },
          { weight: 2, path: '/api/books/{{ randomInt(1, 4000) }}/reviews', name: 'GET /api/books/:id/reviews' },
          { weight: 1, method: 'POST', path: '/api/loans', json: { book: '{{ randomInt(1, 4000) }}', member: '{{ randomInt(1, 2000) }}' }, name: 'POST /api/loans', expect: { status: [201] } },
          { weight: 1, path: '/api/branches', name: 'GET /api/branches' },
        ],
      },
    },
  } as PlanOptions;
}

/** Run the playbook against a started stack. */
export async function runDemoPlaybook(stack: DemoStack, options: DemoPlaybookOptions): Promise<DemoPlaybookResult> {
  const { budget } = options;
  const planFile = join(stack.tmpDir, 'demo-plan.json');
  const raw = demoPlanJson(stack.baseUrl, budget.rate, budget.experiment.diagnosisMs);
  await writeFile(planFile, JSON.stringify(raw, null, 2));
  const plan = await loadPlan(planFile, { env: {} });
  const specs = (): ProbeSpec[] => [
    { kind: 'postgres', options: { url: stack.pgUrl } },
    ...(stack.redisUrl ? [{ kind: 'redis' as const, options: { url: stack.redisUrl } }] : []),
    // 2 s, not the default 800 ms: on a contended 2-core machine the probe worker's first scrape can take longer.
    { kind: 'prometheus', options: { url: stack.metricsUrl, timeoutMs: 2000 } },
    { kind: 'process', options: { pid: stack.servicePid } },
  ];

  // Warm-up: a few requests per endpoint so the first step measures the service, not its first JIT and connections.
  await warmUp(stack.baseUrl);
  await loadSqlParser();
  const result = await runPlaybook(
    {
      plan,
      raw,
      resolveRaw: (derived) => resolvePlan({ raw: derived, source: plan.source, env: {}, overrides: {}, baseDir: stack.tmpDir }),
      probes: async () => specs().map(probeFromSpec),
      stepProbes: async () => [probeFromSpec({ kind: 'process', options: { pid: stack.servicePid } })],
      targetPid: stack.servicePid,
      diagnoseRun: async (run) => {
        const explained = await enrichWithExplain(run, stack.pgUrl);
        const { findings, demands } = diagnose(explained, {});
        return { ...explained, findings, demands };
      },
      pgUrl: stack.pgUrl,
      ...(stack.redisUrl ? { redisUrl: stack.redisUrl } : {}),
      signal: options.signal,
      argv: ['demo'],
      labels: { demo: 'true', database: stack.database },
      hooks: options.hooks,
    },
    {
      experiment: budget.experiment,
      apply: { environment: 'demo', journalDir: options.journalDir },
      // No HypoPG on PGlite: a build-and-rollback what-if on this throw-away database.
      index: { buildInTransaction: { nonProduction: true, maxTableBytes: options.whatIfMaxTableBytes ?? 256 * 1024 ** 2 } },
      validateMs: budget.validateMs,
      aloneMs: budget.aloneMs,
      aloneVus: 2,
      ...(options.runsDir ? { runsDir: options.runsDir } : {}),
    },
  );
  if (!stack.redisUrl) result.notes.push('cache checks skipped: the demo cache is in-process without Redis (the Redis probe and its cache rules need a Redis; use --real or --redis URL)');
  return result;
}

/** A few sequential requests to every endpoint (and /metrics), errors ignored. */
async function warmUp(baseUrl: string): Promise<void> {
  const paths = ['/metrics', '/api/books/1', '/api/members/1/loans', '/api/authors/1/books', '/api/books/1/recommendations', '/api/books/1/reviews', '/api/branches'];
  for (let round = 0; round < 2; round++) {
    for (const path of paths) {
      await fetch(baseUrl + path, { signal: AbortSignal.timeout(10_000) })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
    }
  }
}
