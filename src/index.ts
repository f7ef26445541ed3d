/**
 * Public API of tuneup for plan authors and programmatic use.
 *
 * @module
 */
export { defineTest } from './plan/define.js';
export type { ScenarioDefinition, TestDefinition } from './plan/define.js';
export type {
  DurationInput,
  ExecutorName,
  PlanOptions,
  ProfileInput,
  ProfileName,
  RequestInput,
  ScenarioInput,
  StageInput,
  ThresholdInput,
  ResolvedPlan,
  ResolvedScenario,
} from './plan/types.js';
export type { HttpResponse, RequestSpec, ScenarioFunction, VirtualUser } from './engine/types.js';
export type { RunResult, ThresholdResult } from './result/types.js';
export { TuneupError, ExitCode } from './errors.js';

// Programmatic use of each stage of the playbook.
export { loadPlan, planFromQuickOptions } from './plan/index.js';
export { startRun, runPlan, type RunHandle, type RunOptions, type RunOutcome } from './engine/run.js';
export { assembleRunResult, writeRunResult } from './engine/result.js';
export { diagnose, type Diagnosis, type DiagnoseOptions } from './diagnose/index.js';
export { analyzeDatabase, analyzeRedis } from './diagnose/snapshot.js';
export { compareRuns } from './compare/compare.js';
export { planOptimizations, applyPlan, rollbackJournal, listJournals } from './optimize/index.js';
export { buildReportModel, renderHtml, renderMarkdown, renderJUnit, renderTerminalSummary, writeReports, loadRunResult } from './report/index.js';
export type { Probe, ProbeContext } from './probes/types.js';
export { createPostgresProbe } from './probes/postgres/index.js';
export { createRedisProbe } from './probes/redis/index.js';
export { createPrometheusProbe } from './probes/prometheus/index.js';
export { createProcessProbe } from './probes/process/index.js';
export { probeFromSpec } from './probes/host/create.js';
export type { ProbeSpec } from './probes/host/spec.js';
