/**
 * The playbook on the demo stack: assess (baseline run with every probe) →
 * diagnose (the passive diagnosis of the baseline run: EXPLAIN of hot
 * statements + the rules) → optimize (dry run, then apply the database
 * actions the findings ask for to the demo's own database, journaled) →
 * validate (the same load again, compared with statistics) → a summary.
 *
 * Library code: it reports progress through callbacks and never prints.
 *
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startRun } from '../engine/run.js';
import { assembleRunResult, DEFAULT_RUNS_DIR, writeRunResult } from '../engine/result.js';
import { compareRuns } from '../compare/compare.js';
import type { Comparison, ComparisonRow } from '../compare/types.js';
import { diagnose, loadSqlParser } from '../diagnose/index.js';
import { enrichWithExplain } from '../diagnose/explain.js';
import { applyPlan, DEFAULT_JOURNAL_DIR, planOptimizations, type Action, type JournalEntry, type OptimizationPlan } from '../optimize/index.js';
import { loadPlan } from '../plan/index.js';
import { probeFromSpec } from '../probes/host/create.js';
import type { ProbeSpec } from '../probes/host/spec.js';
import type { LiveStats } from '../metrics/recorder-types.js';
import { writeReports } from '../report/index.js';
import type { Finding, RunResult } from '../result/types.js';
import type { DemoStack } from './stack.js';

/** The endpoint whose planted missing index the optimizer should fix. */
export const MISSING_INDEX_ENDPOINT = 'GET /api/members/:id/loans';

/** Options of {@link runDemoPlaybook}. */
export interface DemoPlaybookOptions {
  /** Offered load, iterations per second (open model). */
  rate: number;
  /** Length of each run (ms). */
  durationMs: number;
  /** Directory of stored runs (default `.tuneup/runs`). */
  runsDir?: string;
  /** Directory of apply journals (default `.tuneup/journal`). */
  journalDir?: string;
  /** Largest table the build-and-rollback what-if may build an index on (bytes; default 256 MiB). */
  whatIfMaxTableBytes?: number;
  /** First abort: the current run stops gracefully and the playbook ends after it. */
  signal?: AbortSignal;
  hooks?: DemoPlaybookHooks;
}

/** Progress callbacks (all optional; must not throw). */
export interface DemoPlaybookHooks {
  onStep?: (step: 'assess' | 'diagnose' | 'optimize' | 'apply' | 'validate' | 'compare', detail: string) => void;
  onRunStart?: (label: string, durationMs: number) => void;
  onLive?: (live: LiveStats) => void;
  onRunEnd?: (label: string) => void;
  onNote?: (line: string) => void;
}

/** One before/after number with its interval. */
export interface DemoDelta {
  label: string;
  endpoint: string | null;
  unit: string;
  before: number;
  after: number;
  deltaPercent: number;
  /** Confidence interval of the change, percent; null when not computable. */
  ci: { lowerPercent: number; upperPercent: number; confidence: number } | null;
  verdict: string;
}

/** What the playbook did and found. */
export interface DemoPlaybookResult {
  before: RunResult;
  after?: RunResult;
  findings: Finding[];
  /** Dry run of the optimizer on the baseline. */
  plan: OptimizationPlan;
  /** Actions applied to the demo's database. */
  applied: Action[];
  journal?: JournalEntry;
  comparison?: Comparison;
  /**
   * The missing-index endpoint alone, before and after (closed model, 2
   * users): its throughput at fixed concurrency is 1/latency by Little's law,
   * and a throughput row keeps its interval in quick mode (per-endpoint
   * percentile rows of a one-run comparison have none).
   */
  isolation?: { endpoint: string; comparison: Comparison; before: RunResult; after: RunResult };
  /** p50/p95 and throughput overall, then the missing-index endpoint alone. */
  deltas: DemoDelta[];
  /** Things the demo could not show, and why. */
  notes: string[];
  /** HTML report of the validation run (with the baseline diff), else of the baseline. */
  reportPath: string;
  beforePath: string;
  afterPath?: string;
  /** Set when the playbook was stopped early. */
  interrupted: boolean;
}

/** The demo's workload: every endpoint, weighted like a lending library's traffic. */
export function demoPlanJson(baseUrl: string, rate: number, durationMs: number): object {
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
  };
}

/** One endpoint alone, closed model: `vus` users back to back. */
export function isolationPlanJson(baseUrl: string, durationMs: number, vus = 2): object {
  return {
    name: 'tuneup-demo-isolation',
    baseUrl,
    scenarios: {
      alone: {
        executor: 'constant-vus',
        vus,
        duration: `${Math.round(durationMs / 1000)}s`,
        requests: [{ path: '/api/members/{{ randomInt(1, 2000) }}/loans', name: MISSING_INDEX_ENDPOINT }],
      },
    },
  };
}

/** Run the playbook against a started stack. */
export async function runDemoPlaybook(stack: DemoStack, options: DemoPlaybookOptions): Promise<DemoPlaybookResult> {
  const hooks = options.hooks ?? {};
  const runsDir = options.runsDir ?? DEFAULT_RUNS_DIR;
  const notes: string[] = [];
  const planFile = join(stack.tmpDir, 'demo-plan.json');
  await writeFile(planFile, JSON.stringify(demoPlanJson(stack.baseUrl, options.rate, options.durationMs), null, 2));
  const plan = await loadPlan(planFile, { env: {} });
  const isolationFile = join(stack.tmpDir, 'demo-isolation.json');
  const isolationMs = Math.max(5000, Math.round(options.durationMs / 2));
  await writeFile(isolationFile, JSON.stringify(isolationPlanJson(stack.baseUrl, isolationMs), null, 2));
  const isolationPlan = await loadPlan(isolationFile, { env: {} });

  const specs = (): ProbeSpec[] => [
    { kind: 'postgres', options: { url: stack.pgUrl } },
    ...(stack.redisUrl ? [{ kind: 'redis' as const, options: { url: stack.redisUrl } }] : []),
    // 2 s, not the default 800 ms: on a contended 2-core machine the probe worker's first scrape can take longer.
    { kind: 'prometheus', options: { url: stack.metricsUrl, timeoutMs: 2000 } },
    { kind: 'process', options: { pid: stack.servicePid } },
  ];
  const runOnce = async (label: string, tag: string, which = plan, durationMs = options.durationMs): Promise<RunResult> => {
    hooks.onRunStart?.(label, durationMs);
    const handle = startRun(which, {
      probes: specs().map(probeFromSpec),
      targetPid: stack.servicePid,
      signal: options.signal,
      onProgress: (live) => hooks.onLive?.(live),
    });
    const outcome = await handle.done;
    hooks.onRunEnd?.(label);
    return assembleRunResult(outcome, { argv: ['demo'], labels: { demo: tag, database: stack.database } });
  };

  // Warm-up: a few requests per endpoint so the baseline measures the service, not its first JIT and connections.
  await warmUp(stack.baseUrl);

  // 1. Assess.
  hooks.onStep?.('assess', `baseline: ${options.rate}/s for ${options.durationMs / 1000} s across 7 endpoints, with the PostgreSQL, Prometheus and process probes`);
  let before = await runOnce('baseline', 'baseline');

  // 2. Diagnose (passive: the same enrichment `tuneup run` applies).
  hooks.onStep?.('diagnose', 'EXPLAIN of the hot statements, then the diagnosis rules on the baseline evidence');
  before = await enrichWithExplain(before, stack.pgUrl);
  await loadSqlParser();
  const diagnosis = diagnose(before, {});
  before = { ...before, findings: diagnosis.findings, demands: diagnosis.demands };
  const beforePath = await writeRunResult(before, runsDir);
  const stopped = (): boolean => Boolean(options.signal?.aborted);
  const early = async (plan: OptimizationPlan): Promise<DemoPlaybookResult> => ({
    before,
    findings: diagnosis.findings,
    plan,
    applied: [],
    notes,
    beforePath,
    deltas: [],
    reportPath: (await writeReports(before, resolve(beforePath, '..'))).html,
    interrupted: true,
  });
  const noPlan: OptimizationPlan = { schemaVersion: 1, runId: before.id, createdAt: Date.now(), strategy: 'balanced', targets: {}, actions: [], skipped: [], notes: [] };
  if (stopped()) return early(noPlan);
  hooks.onStep?.('diagnose', `${MISSING_INDEX_ENDPOINT} alone (2 users back to back, ${isolationMs / 1000} s): its own latency, for the validation`);
  const isoBefore = await runOnce('isolation before', 'isolation-before', isolationPlan, isolationMs);
  await writeRunResult(isoBefore, runsDir);
  if (stopped()) return early(noPlan);
  const beforeHtml = (await writeReports(before, resolve(beforePath, '..'))).html;
  if (!stack.redisUrl) notes.push('cache checks skipped: the demo cache is in-process without Redis (the Redis probe and its cache rules need a Redis; use --real or --redis URL)');

  // 3. Optimize: the dry run (no HypoPG on PGlite: a build-and-rollback what-if on this throw-away database).
  hooks.onStep?.('optimize', 'dry run: index what-ifs, maintenance, code advice');
  const dry = await planOptimizations(before, {
    pgUrl: stack.pgUrl,
    index: { buildInTransaction: { nonProduction: true, maxTableBytes: options.whatIfMaxTableBytes ?? 256 * 1024 ** 2 } },
  });
  const toApply = dry.actions.filter((a) => a.component === 'database' && a.applicable && a.changes.length > 0 && a.optIn === undefined);
  let journal: JournalEntry | undefined;
  if (toApply.length > 0 && !options.signal?.aborted) {
    hooks.onStep?.('apply', `${toApply.length} database action${toApply.length === 1 ? '' : 's'} on the demo's own database, journaled`);
    journal = await applyPlan(dry, {
      journalDir: options.journalDir ?? DEFAULT_JOURNAL_DIR,
      environment: 'demo',
      pgUrl: stack.pgUrl,
      only: toApply.map((a) => a.id),
      signal: options.signal,
    });
  } else if (toApply.length === 0) notes.push('the optimizer proposed no database action the findings ask for: nothing applied');

  const base = { before, findings: diagnosis.findings, plan: dry, applied: toApply, ...(journal ? { journal } : {}), notes, beforePath };
  if (options.signal?.aborted) return { ...base, deltas: [], reportPath: beforeHtml, interrupted: true };

  // 4. Validate.
  hooks.onStep?.('validate', 'the same load again, after the change');
  let after = await runOnce('after', 'after');
  after = { ...after, findings: diagnose(after, {}).findings };
  const afterPath = await writeRunResult(after, runsDir);
  const afterHtml = (await writeReports(after, resolve(afterPath, '..'), { baseline: before })).html;
  hooks.onStep?.('compare', 'one run per side: block bootstrap over the 1 s histograms (quick mode)');
  // p50 decides: a one-run p95 needs 1000 requests per run to be judged, more than a short demo sends.
  const comparison = compareRuns([before], [after], { labels: { before: 'baseline', after: 'after the fixes' }, primary: { metric: 'p50' } });
  hooks.onStep?.('validate', `${MISSING_INDEX_ENDPOINT} alone again`);
  const isoAfter = await runOnce('isolation after', 'isolation-after', isolationPlan, isolationMs);
  await writeRunResult(isoAfter, runsDir);
  const isoComparison = compareRuns([isoBefore], [isoAfter], {
    labels: { before: 'before the index', after: 'after the index' },
    primary: { metric: 'throughput' },
    metrics: ['throughput', 'p50', 'p95'],
    endpoints: false,
  });
  const pick = (metric: ComparisonRow['metric'], endpoint: string | null, from = comparison, label?: string): DemoDelta | undefined => {
    const row = from.rows.find((r) => r.metric === metric && r.endpoint === endpoint);
    if (!row) return undefined;
    const pct = (x: number) => (Math.exp(x) - 1) * 100;
    return {
      label: label ?? row.label,
      endpoint: label ? MISSING_INDEX_ENDPOINT : endpoint,
      unit: row.unit,
      before: row.before.median,
      after: row.after.median,
      deltaPercent: row.deltaPercent,
      ci: row.ci ? { lowerPercent: pct(row.ci.lower), upperPercent: pct(row.ci.upper), confidence: row.ci.confidence } : null,
      verdict: row.inconclusive.length > 0 ? 'inconclusive' : row.verdict,
    };
  };
  const deltas = [
    pick('p50', null),
    pick('p95', null),
    pick('throughput', null),
    pick('throughput', null, isoComparison, 'alone: throughput at 2 users'),
    pick('p50', null, isoComparison, 'alone: p50 service time'),
  ].filter((d): d is DemoDelta => d !== undefined);
  return {
    ...base,
    after,
    afterPath,
    comparison,
    isolation: { endpoint: MISSING_INDEX_ENDPOINT, comparison: isoComparison, before: isoBefore, after: isoAfter },
    deltas,
    reportPath: afterHtml,
    interrupted: Boolean(options.signal?.aborted),
  };
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
