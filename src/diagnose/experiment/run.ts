/**
 * The experiment behind `tuneup diagnose`, the way an expert works:
 *
 * 1. **Capacity**: short constant-arrival-rate steps of the plan's mix,
 *    geometric from a low rate, until a step is past the knee (see
 *    src/capacity/knee.ts), then a bisection or two. A step failing badly
 *    is stopped at once (src/capacity/guarded-run.ts), and the load pauses between
 *    steps so a queue drains: the target is never left overloaded.
 * 2. **Diagnosis** of the mix at a rate the service sustains (70 % of the
 *    knee, or the plan's rate if lower), with every probe, through the
 *    normal engine and `diagnose()`.
 * 3. **Confirmation by isolation**: each suspect endpoint (confirm.ts) runs
 *    alone briefly with the probes — all of them one after the other in one
 *    run with gaps between, as `tuneup profile` does, so each second serves
 *    one endpoint and the cost model measures it exactly; that run's
 *    diagnosis and costs per request confirm or refute the mixed run's
 *    findings.
 *
 * Every run is a normal engine run. This module prints nothing: progress goes
 * through {@link ExperimentHooks}; the CLI draws it. An abort signal ends the
 * experiment after the current run, with what was measured so far.
 *
 * @module
 */
import { KNEE_SEARCH_DEFAULTS, kneeOf, nextStep, rampRates, roundRate, type JudgedStep, type KneeSearchOptions } from '../../capacity/knee.js';
import { runGuarded } from '../../capacity/guarded-run.js';
import { runStepLoop } from '../../capacity/ramp.js';
import type { LiveStats } from '../../metrics/recorder-types.js';
import type { PlanOptions, ResolvedPlan, ResolvedScenario } from '../../plan/types.js';
import type { Probe } from '../../probes/types.js';
import type { ExperimentIsolation, ExperimentSection, ExperimentStep, RunResult } from '../../result/types.js';
import { computeDemands } from '../demand.js';
import { confirmFindings, isMemorySuspect, reattributionCandidates, suspectEndpoints, type IsolatedOutcome } from './confirm.js';
import { findIsolation, isolationRawPlan, scenarioEndpoints } from './isolate.js';
import { overloadFinding, withOverloadFirst } from './overload.js';
import { mixPlan, planMix, scenarioAlonePlan, withScenarios, type PlanMix } from './plans.js';
import { retainedAlone } from './retained.js';
import { saturatedResource } from './saturation.js';
import { sizeVUs, formatDuration } from '../../plan/index.js';

/** Shape and budget of the experiment. */
export interface ExperimentOptions {
  /** Length of each capacity step (ms). */
  stepMs: number;
  /** First step's rate (iterations/s); default: an eighth of the plan's rate, or 10. */
  startRate?: number;
  /** Highest step rate; default: twice the plan's rate (enough to know 70 % of the knee covers it), unbounded for closed plans. */
  maxRate?: number;
  /** Multiplier between ramp steps. */
  factor: number;
  maxSteps: number;
  bisections: number;
  /** Pause between runs (ms) so queued work drains and no second mixes two runs. */
  gapMs: number;
  /** Rate of the diagnosis run; overrides the knee-based choice. */
  rate?: number;
  /** Share of the knee the diagnosis runs at (default 0.7). */
  kneeShare: number;
  /** Length of the diagnosis run (ms); with {@link ExperimentOptions.sizeDiagnosisToMix}, its least length. */
  diagnosisMs: number;
  /**
   * Lengthen the diagnosis run to {@link DIAGNOSIS_MS_PER_UNKNOWN} per unknown of the per-second cost model
   * (each endpoint the ramp saw, plus one), up to {@link DIAGNOSIS_MAX_MS}: `tuneup diagnose` without
   * `--duration`. A length the user gave is kept.
   */
  sizeDiagnosisToMix?: boolean;
  /** Length of each isolation run (ms). */
  isolateMs: number;
  /** Rate of each isolation run; default: the endpoint's rate in the diagnosis run, within [10, 50]/s. */
  isolateRate?: number;
  /** Most endpoints isolated (suspects in rank order); also the most the memory round runs. */
  maxIsolations: number;
  /**
   * Length of each endpoint's step in the memory round (ms), run only to place a memory growth. Long
   * enough for the young generation's scavenges to promote what the step's requests keep (two scavenges,
   * seconds apart at a modest allocation rate) within its first half, which is left out of the judgment.
   */
  memoryStepMs: number;
}

/**
 * Default length of a memory-round step. Seen on the depot corpus (a memo of every customer's orders,
 * ~10 req/s alone): scavenges 4–5 s apart, so what a request keeps reaches the old generation 8–10 s
 * later; 16 s steps judged on their last 8 s see the step's own steady state.
 */
export const MEMORY_STEP_MS = 16_000;

/** Defaults: 5 s steps ×2 up to 8, 2 bisections, 1 s gaps, 20 s diagnosis at 70 % of the knee, 4 s isolations (≤ 7). */
export const EXPERIMENT_DEFAULTS: ExperimentOptions = {
  stepMs: 5000,
  factor: KNEE_SEARCH_DEFAULTS.factor,
  maxSteps: KNEE_SEARCH_DEFAULTS.maxSteps,
  bisections: KNEE_SEARCH_DEFAULTS.bisections,
  gapMs: 1000,
  kneeShare: 0.7,
  diagnosisMs: 20_000,
  sizeDiagnosisToMix: true,
  isolateMs: 4000,
  maxIsolations: 7,
  memoryStepMs: MEMORY_STEP_MS,
};

/**
 * Seconds of diagnosis per row the cost model needs. The per-second regression estimates one demand per
 * endpoint (no intercept) from one row per second, and runs only with at least one row more than endpoints
 * (demand.ts); two seconds per such row (endpoints + 1) leave it as many degrees of freedom for its error as
 * it uses, after the start-up transient and the queued regime's edge seconds are left out. Seen on newsroom: 18 endpoints
 * in a 10–20 s run left the regression with no estimate or none to spare, and every database and cache
 * finding named no endpoint.
 */
export const DIAGNOSIS_MS_PER_UNKNOWN = 2000;

/** Longest diagnosis run the sizing asks for: past it, isolation measures the endpoints the mix cannot separate. */
export const DIAGNOSIS_MAX_MS = 120_000;

/** Length of the diagnosis run for a mix of `endpoints` endpoints (see {@link ExperimentOptions.sizeDiagnosisToMix}). */
export function diagnosisLengthMs(options: Pick<ExperimentOptions, 'diagnosisMs' | 'sizeDiagnosisToMix'>, endpoints: number): number {
  if (!options.sizeDiagnosisToMix) return options.diagnosisMs;
  return Math.max(options.diagnosisMs, Math.min(DIAGNOSIS_MAX_MS, DIAGNOSIS_MS_PER_UNKNOWN * (endpoints + 1)));
}

/** Graceful stop of every experiment run: in-flight requests get this long, then the load is gone. */
const GRACEFUL_STOP_MS = 1000;

export { drainMs } from '../../capacity/ramp.js';

/** Progress callbacks (all optional; they must not throw). */
export interface ExperimentHooks {
  /** The planned ramp, before any load. */
  onPlan?(plan: { rates: number[]; requestedRate?: number; search: KneeSearchOptions; mix: PlanMix }): void;
  /** A run starts: a capacity step, the diagnosis, or an isolation. */
  onRunStart?(run: { kind: 'step' | 'diagnosis' | 'isolation'; label: string; rate: number; durationMs: number }): void;
  onLive?(live: LiveStats): void;
  onRunEnd?(): void;
  onStep?(step: ExperimentStep): void;
  onKnee?(knee: ExperimentSection['knee'], chosen: { rate: number; by: ExperimentSection['chosenBy']; durationMs: number }): void;
  onIsolation?(isolation: ExperimentIsolation): void;
}

/** What the experiment needs from its caller. */
export interface ExperimentContext {
  plan: ResolvedPlan;
  /** The plan as written, for YAML/JSON plans (per-request isolation). */
  raw?: PlanOptions;
  /** Resolve a derived raw plan (same environment, overrides and base directory as the user's plan). */
  resolveRaw?: (raw: PlanOptions) => ResolvedPlan;
  /** Fresh probes for one run (probes are started and stopped once). */
  probes: () => Promise<Probe[]>;
  /**
   * Fresh probes for one capacity step: only what names a saturated resource (the process probe, which
   * also reads the local PostgreSQL's CPU). Cheaper to start than every probe; default: {@link probes}.
   */
  stepProbes?: () => Promise<Probe[]>;
  targetPid?: number;
  /** EXPLAIN enrichment + diagnose(): the same as `tuneup run` does before storing. */
  diagnoseRun: (result: RunResult) => Promise<RunResult>;
  /** Graceful stop of the whole experiment (Ctrl-C). */
  signal?: AbortSignal;
  /** Immediate stop (second Ctrl-C). */
  hardSignal?: AbortSignal;
  argv?: string[];
  hooks?: ExperimentHooks;
}

/** What the experiment produced. */
export interface ExperimentOutcome {
  /** The run to store: the diagnosis run with findings and the experiment; the last step's run when interrupted before it. */
  result?: RunResult;
  experiment: ExperimentSection;
}

/** Run the whole experiment. Rejects only when a run cannot start (e.g. the target is unreachable). */
export async function runExperiment(ctx: ExperimentContext, options: ExperimentOptions = EXPERIMENT_DEFAULTS): Promise<ExperimentOutcome> {
  const started = Date.now();
  const hooks = ctx.hooks ?? {};
  const mix = planMix(ctx.plan);
  const requested = mix.requestedRate;
  const search: KneeSearchOptions = {
    ...KNEE_SEARCH_DEFAULTS,
    factor: options.factor,
    maxSteps: options.maxSteps,
    bisections: options.bisections,
    startRate: options.startRate ?? (requested !== undefined ? Math.max(1, requested / 8) : 10),
    maxRate: options.maxRate ?? (requested !== undefined ? 2 * requested : undefined),
  };
  hooks.onPlan?.({ rates: rampRates(search), requestedRate: requested, search, mix });
  const aborted = () => ctx.signal?.aborted === true;
  const section: ExperimentSection = { steps: [], knee: { status: 'not-reached', reasons: [] }, chosenRate: 0, chosenBy: 'knee', isolation: [], durationMs: 0 };
  if (requested !== undefined) section.requestedRate = round(requested);
  let lastResult: RunResult | undefined;

  // 1. Capacity steps (the step loop is shared with `tuneup capacity`).
  const stepResults = new Map<number, RunResult>();
  {
    const judged = await runStepLoop<JudgedStep['phase']>(
      {
        next: (steps) => nextStep(steps, search),
        run: (rate, phase, index) => {
          const plan = mixPlan(ctx.plan, mix, rate, { durationMs: options.stepMs, gracefulStopMs: GRACEFUL_STOP_MS, label: `capacity step ${rate}/s` });
          hooks.onRunStart?.({ kind: 'step', label: `${phase} step ${index + 1}`, rate, durationMs: options.stepMs });
          return runOnce(ctx, plan, true, ctx.stepProbes ?? ctx.probes);
        },
        onStep: (step, run) => {
          lastResult = run;
          stepResults.set(step.offeredRate, run);
          const shown = toSectionStep(step, run.durationMs);
          section.steps.push(shown);
          hooks.onStep?.(shown);
        },
      },
      { stepMs: options.stepMs, gapMs: options.gapMs, signal: ctx.signal },
    );
    const knee = kneeOf(judged);
    section.knee = { status: knee.status, reasons: knee.reasons };
    if (knee.sustainedRate !== undefined) section.knee.sustainedRate = knee.sustainedRate;
    if (knee.failedRate !== undefined) {
      section.knee.failedRate = knee.failedRate;
      const failing = stepResults.get(knee.failedRate);
      const resource = failing ? saturatedResource(failing) : undefined;
      if (resource) section.knee.saturatedResource = resource;
    }
  }
  const chosen = chooseRate(section, options, requested);
  section.chosenRate = chosen.rate;
  section.chosenBy = chosen.by;
  // Every endpoint the ramp served is an unknown of the diagnosis run's cost model.
  const rampEndpoints = new Set([...stepResults.values()].flatMap((r) => r.endpoints.filter((e) => e.requests > 0).map((e) => e.endpoint)));
  const diagnosisMs = diagnosisLengthMs(options, rampEndpoints.size);
  section.diagnosisMs = diagnosisMs;
  if (!aborted()) hooks.onKnee?.(section.knee, { ...chosen, durationMs: diagnosisMs });

  // 2. The mixed diagnosis at a sustainable rate.
  let result: RunResult | undefined;
  if (!aborted() && chosen.rate > 0) {
    const plan = mixPlan(ctx.plan, mix, chosen.rate, { durationMs: diagnosisMs, gracefulStopMs: GRACEFUL_STOP_MS, label: `diagnosis at ${chosen.rate}/s` });
    hooks.onRunStart?.({ kind: 'diagnosis', label: 'diagnosis', rate: chosen.rate, durationMs: diagnosisMs });
    const run = await runOnce(ctx, plan, false, ctx.probes);
    // The ramp just loaded the service with this mix: the diagnosis run starts past the service's warm-up.
    const rampMs = section.steps.reduce((a, s) => a + s.durationMs, 0);
    result = await ctx.diagnoseRun(rampMs > 0 ? { ...run.result, precededByLoadMs: rampMs } : run.result);
    await pause(options.gapMs, ctx.signal);
  }

  // 3. Confirm by isolation: every suspect endpoint alone, one after the other in one run (as `tuneup
  // profile` does), so each second serves one endpoint and the cost model measures it exactly. A
  // suspect its endpoint does not show, and that no isolated endpoint shows, gets a second round: the
  // endpoints not yet run alone (busiest first, within the budget), so the owner can be named.
  const outcomes: IsolatedOutcome[] = [];
  const memoryOutcomes: IsolatedOutcome[] = [];
  if (result) {
    const busiest = [...result.endpoints].sort((a, b) => b.requests - a.requests).map((e) => e.endpoint);
    const sent = scenarioEndpoints(result);
    const isolate = (suspects: { endpoint: string; findingIds: string[] }[]) => isolationRound(ctx, result!, suspects, sent, section, outcomes, options);
    await isolate(withExploration(suspectEndpoints(result.findings ?? [], busiest), result, options.maxIsolations));
    const budget = options.maxIsolations - section.isolation.filter((i) => i.status === 'ran').length;
    const tried = new Set(section.isolation.map((i) => i.endpoint));
    const second = reattributionCandidates(result.findings ?? [], outcomes, busiest)
      .filter((c) => !tried.has(c.endpoint))
      .slice(0, Math.max(0, budget));
    if (second.length > 0 && !aborted()) {
      await pause(options.gapMs, ctx.signal);
      await isolate(second);
    }
    for (const iso of section.isolation) {
      if (iso.status !== 'ran') {
        iso.reason ??= 'interrupted before the isolation run';
        outcomes.push({ endpoint: iso.endpoint, status: 'not-tested', reason: iso.reason, findings: [], statements: [] });
      }
      hooks.onIsolation?.(iso);
    }
    const growth = (result.findings ?? []).filter(isMemorySuspect);
    if (growth.length > 0 && !aborted()) {
      await pause(options.gapMs, ctx.signal);
      memoryOutcomes.push(...(await memoryRound(ctx, result, growth.map((f) => f.id), sent, section, options)));
    }
  }

  section.durationMs = Date.now() - started;
  if (aborted()) section.interrupted = true;
  if (!result) return { result: lastResult ? { ...lastResult, experiment: section } : undefined, experiment: section };
  const confirmed = confirmFindings(result.findings ?? [], outcomes, memoryOutcomes);
  const findings = withOverloadFirst(confirmed, overloadFinding(section));
  return { result: { ...result, findings, experiment: section, labels: { ...result.labels, kind: 'diagnose' } }, experiment: section };
}

/**
 * The suspects, then — within the isolation budget — the other endpoints by the time the mixed run spent in
 * them (requests × mean service time, most first), with nothing to confirm. A mixed run's per-endpoint costs
 * are a regression over a few seconds and often cannot separate the endpoints; alone, each second serves one
 * endpoint and its costs are measured (the profile estimator), so a problem the mixed run missed shows
 * there (confirm.ts reports it as found alone). The reattribution round then finds those endpoints run.
 */
export function withExploration(suspects: { endpoint: string; findingIds: string[] }[], result: RunResult, maxIsolations: number): { endpoint: string; findingIds: string[] }[] {
  const chosen = new Set(suspects.map((s) => s.endpoint));
  const room = Math.max(0, maxIsolations - suspects.length);
  const others = [...result.endpoints]
    .filter((e) => !chosen.has(e.endpoint) && e.requests > 0)
    .sort((a, b) => b.requests * b.serviceTime.mean - a.requests * a.serviceTime.mean)
    .slice(0, room)
    .map((e) => ({ endpoint: e.endpoint, findingIds: [] as string[] }));
  return [...suspects, ...others];
}

/**
 * One isolation run: each of `suspects` alone, one after the other (steps numbered after the ones
 * already in `section.isolation`), diagnosed; the ones that ran are recorded in `outcomes`.
 */
async function isolationRound(
  ctx: ExperimentContext,
  result: RunResult,
  suspects: { endpoint: string; findingIds: string[] }[],
  sent: ReturnType<typeof scenarioEndpoints>,
  section: ExperimentSection,
  outcomes: IsolatedOutcome[],
  options: ExperimentOptions,
): Promise<void> {
  const hooks = ctx.hooks ?? {};
  const steps: { iso: ExperimentIsolation; scenario: ResolvedScenario }[] = [];
  for (const suspect of suspects) {
    const iso: ExperimentIsolation = { endpoint: suspect.endpoint, findingIds: suspect.findingIds, status: 'not-tested' };
    const index = section.isolation.length;
    section.isolation.push(iso);
    if (index >= options.maxIsolations) {
      iso.reason = `over the isolation budget (--max-isolations ${options.maxIsolations})`;
      continue;
    }
    const endpointRps = result.endpoints.find((e) => e.endpoint === suspect.endpoint)?.rps ?? 0;
    const rate = roundRate(options.isolateRate ?? Math.min(50, Math.max(10, endpointRps)));
    const startTimeMs = steps.length * (options.isolateMs + options.gapMs);
    const step = isolationScenario(ctx, suspect.endpoint, sent, rate, startTimeMs, index, options);
    if (typeof step === 'string') iso.reason = step;
    else {
      Object.assign(iso, { via: step.via, rate, durationMs: options.isolateMs });
      steps.push({ iso, scenario: step.scenario });
    }
  }
  if (steps.length === 0 || ctx.signal?.aborted === true) return;
  const plan = withScenarios(ctx.plan, steps.map((s) => s.scenario), 'isolation');
  const totalMs = steps.length * (options.isolateMs + options.gapMs) - options.gapMs;
  hooks.onRunStart?.({ kind: 'isolation', label: `isolation: ${steps.map((s) => s.iso.endpoint).join(', ')} alone, one after the other`, rate: 0, durationMs: totalMs });
  let diagnosed: RunResult | undefined;
  try {
    diagnosed = await ctx.diagnoseRun((await runOnce(ctx, plan, false, ctx.probes)).result);
  } catch (error) {
    // The diagnosis is already measured: a failed isolation leaves its findings not tested, it does not discard them.
    for (const { iso } of steps) iso.reason = `the isolation run failed: ${(error as Error).message}`;
  }
  if (diagnosed) recordIsolations(diagnosed, steps.map((s) => s.iso), outcomes);
}

/**
 * The memory round: the mixed run's endpoints (busiest first, within the isolation budget) each alone for
 * `memoryStepMs`, one after the other in one run, and what each kept (retained.ts). Its outcomes place the
 * memory growth the mixed run showed (`findingIds`); the steps are recorded in `section.memory`.
 */
async function memoryRound(
  ctx: ExperimentContext,
  result: RunResult,
  findingIds: string[],
  sent: ReturnType<typeof scenarioEndpoints>,
  section: ExperimentSection,
  options: ExperimentOptions,
): Promise<IsolatedOutcome[]> {
  const hooks = ctx.hooks ?? {};
  const memory: ExperimentIsolation[] = [];
  section.memory = memory;
  const stepOptions = { ...options, isolateMs: options.memoryStepMs };
  const steps: { iso: ExperimentIsolation; scenario: ResolvedScenario }[] = [];
  const mixedRps = new Map(result.endpoints.map((e) => [e.endpoint, e.rps]));
  for (const e of [...result.endpoints].filter((x) => x.requests > 0).sort((a, b) => b.requests - a.requests)) {
    const iso: ExperimentIsolation = { endpoint: e.endpoint, findingIds, status: 'not-tested' };
    memory.push(iso);
    if (memory.length > options.maxIsolations) {
      iso.reason = `over the isolation budget (--max-isolations ${options.maxIsolations})`;
      continue;
    }
    const rate = roundRate(options.isolateRate ?? Math.min(50, Math.max(10, e.rps)));
    const step = isolationScenario(ctx, e.endpoint, sent, rate, steps.length * (options.memoryStepMs + options.gapMs), memory.length - 1, stepOptions, 'memory');
    if (typeof step === 'string') iso.reason = step;
    else {
      Object.assign(iso, { via: step.via, rate, durationMs: options.memoryStepMs });
      steps.push({ iso, scenario: step.scenario });
    }
  }
  const outcomes = (): IsolatedOutcome[] => memory.map((iso) => ({
    endpoint: iso.endpoint,
    status: iso.status,
    ...(iso.reason ? { reason: iso.reason } : {}),
    findings: [],
    statements: [],
    ...(iso.retained ? { retained: iso.retained } : {}),
    ...(mixedRps.get(iso.endpoint) ? { mixedRps: mixedRps.get(iso.endpoint)! } : {}),
  }));
  if (steps.length === 0 || ctx.signal?.aborted === true) return outcomes();
  const plan = withScenarios(ctx.plan, steps.map((s) => s.scenario), 'memory round');
  const totalMs = steps.length * (options.memoryStepMs + options.gapMs) - options.gapMs;
  hooks.onRunStart?.({ kind: 'isolation', label: `memory round: ${steps.map((s) => s.iso.endpoint).join(', ')} alone, ${options.memoryStepMs / 1000} s each`, rate: 0, durationMs: totalMs });
  try {
    const run = (await runOnce(ctx, plan, false, ctx.probes)).result;
    const kept = retainedAlone(run, steps.map((s) => s.iso.endpoint));
    for (const { iso } of steps) {
      const r = kept.get(iso.endpoint);
      if (!r) {
        iso.reason = 'the memory step sent no request (interrupted, or the endpoint name differs)';
        continue;
      }
      Object.assign(iso, { status: 'ran', requests: run.endpoints.find((e) => e.endpoint === iso.endpoint)?.requests ?? r.requests, retained: r });
    }
  } catch (error) {
    for (const { iso } of steps) iso.reason = `the memory round failed: ${(error as Error).message}`;
  }
  for (const iso of memory) hooks.onIsolation?.(iso);
  return outcomes();
}

/** Read each isolated endpoint's requests, demand and findings from the diagnosed isolation run. */
function recordIsolations(diagnosed: RunResult, isolations: ExperimentIsolation[], outcomes: IsolatedOutcome[]): void {
  const model = computeDemands(diagnosed);
  const findings = diagnosed.findings ?? [];
  for (const iso of isolations) {
    const requests = diagnosed.endpoints.find((e) => e.endpoint === iso.endpoint)?.requests ?? 0;
    if (requests === 0) {
      iso.reason = 'the isolation step sent no request (interrupted, or the endpoint name differs)';
      continue;
    }
    const demand = diagnosed.demands?.find((d) => d.endpoint === iso.endpoint);
    iso.status = 'ran';
    iso.requests = requests;
    if (demand) iso.demand = demand;
    iso.findings = findings
      .filter((f) => f.severity !== 'info' && (f.endpoint === iso.endpoint || (f.endpoints?.includes(iso.endpoint) ?? false)))
      .map((f) => ({ id: f.id, category: f.category, severity: f.severity, ...(f.endpoint ? { endpoint: f.endpoint } : {}), ...(f.endpoints ? { endpoints: f.endpoints } : {}) }));
    if (model.method !== 'profile') iso.reason = `the cost model could not separate the steps (${model.method}); demands are estimates`;
    outcomes.push({ endpoint: iso.endpoint, status: 'ran', demand, findings, statements: model.statements });
  }
}

/** The diagnosis rate: `--rate`, else the share of the knee, capped by the plan's own rate. */
export function chooseRate(section: ExperimentSection, options: Pick<ExperimentOptions, 'rate' | 'kneeShare'>, requested: number | undefined): { rate: number; by: ExperimentSection['chosenBy'] } {
  if (options.rate !== undefined) return { rate: roundRate(options.rate), by: 'flag' };
  const { knee } = section;
  const base = knee.sustainedRate ?? (knee.failedRate !== undefined ? knee.failedRate / 2 : undefined);
  if (base === undefined) return { rate: roundRate(requested ?? 0), by: 'plan' };
  const share = roundRate(options.kneeShare * base);
  if (requested !== undefined && requested <= share) return { rate: roundRate(requested), by: 'plan' };
  return { rate: share, by: knee.status === 'not-reached' ? 'ramp-cap' : 'knee' };
}

/**
 * The scenario that runs `endpoint` alone as step `index` of the isolation run (starting at
 * `startTimeMs`), or the reason it cannot be isolated.
 */
function isolationScenario(
  ctx: ExperimentContext,
  endpoint: string,
  sent: ReturnType<typeof scenarioEndpoints>,
  rate: number,
  startTimeMs: number,
  index: number,
  options: ExperimentOptions,
  prefix = 'isolate',
): { scenario: ResolvedScenario; via: ExperimentIsolation['via'] } | string {
  const target = findIsolation(endpoint, sent, ctx.raw, ctx.plan.baseUrl);
  const derived = { durationMs: options.isolateMs, gracefulStopMs: Math.min(GRACEFUL_STOP_MS, options.gapMs), label: `isolation ${endpoint}` };
  let scenario: ResolvedScenario;
  let via: ExperimentIsolation['via'];
  if (target.kind === 'none') return target.reason;
  if (target.kind === 'scenario') {
    scenario = scenarioAlonePlan(ctx.plan, target.scenario, rate, derived).scenarios[0]!;
    via = { scenario: target.scenario };
  } else {
    if (!ctx.raw || !ctx.resolveRaw) return `${endpoint} is one request of scenario "${target.scenario}", and the plan file could not be re-read to run it alone`;
    const vus = sizeVUs(rate, {});
    const raw = isolationRawPlan(ctx.raw, target, { rate, duration: formatDuration(options.isolateMs), gracefulStop: formatDuration(derived.gracefulStopMs), ...vus });
    scenario = ctx.resolveRaw(raw).scenarios[0]!;
    via = { scenario: target.scenario, request: target.indexes[0]! };
  }
  // Unique names (one endpoint per step), each starting after the previous step and its gap.
  const name = `${prefix}-${index + 1}`;
  return { scenario: { ...scenario, name, startTimeMs, options: { ...scenario.options, startTime: formatDuration(startTimeMs), isolates: endpoint } }, via };
}

/**
 * One engine run through the guarded runner shared with `tuneup capacity` ({@link runGuarded}): with
 * `guard`, a step failing badly is stopped at once; a probe that fails to start gets one more try.
 */
function runOnce(ctx: ExperimentContext, plan: ResolvedPlan, guard: boolean, makeProbes: () => Promise<Probe[]>): Promise<{ result: RunResult; stoppedEarly?: string }> {
  return runGuarded(plan, {
    probes: makeProbes,
    guard,
    kind: 'diagnose',
    targetPid: ctx.targetPid,
    signal: ctx.signal,
    hardSignal: ctx.hardSignal,
    argv: ctx.argv,
    onLive: (live) => ctx.hooks?.onLive?.(live),
    onRunEnd: () => ctx.hooks?.onRunEnd?.(),
  });
}

function toSectionStep(step: JudgedStep, durationMs: number): ExperimentStep {
  return {
    phase: step.phase,
    offeredRate: step.offeredRate,
    achievedRate: round(step.achievedRate),
    p50Ms: step.p50Ms === null ? null : round(step.p50Ms),
    p95Ms: step.p95Ms === null ? null : round(step.p95Ms),
    errorRate: Math.round(step.errorRate * 10_000) / 10_000,
    droppedIterations: step.droppedIterations,
    latencyGrowthMs: step.latencyGrowthMs === null ? null : round(step.latencyGrowthMs),
    durationMs,
    sustained: step.sustained,
    reasons: step.reasons,
    ...(step.stoppedEarly ? { stoppedEarly: step.stoppedEarly } : {}),
  };
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
