/**
 * Diagnosis: from a RunResult (load + probe evidence) to per-endpoint demands
 * and ranked findings. Pure and re-runnable on an old result JSON
 * (`tuneup analyze --run ID`); I/O lives in `explain.ts` (EXPLAIN enrichment,
 * run before) and `snapshot.ts` (no-load analysis).
 *
 * @module
 */
import type { DiagnosisReference, EndpointDemand, Finding, RunResult } from '../result/types.js';
import { resolveConfig, type Sensitivity, type ThresholdKey } from './config.js';
import { computeDemands, type DemandModel } from './demand.js';
import { probeSet } from './evidence.js';
import { rankFindings } from './rank.js';
import { buildReference } from './reference.js';
import { RULES } from './rules/index.js';

/** Options of {@link diagnose}. */
export interface DiagnoseOptions {
  /** low: fewer, surer findings; high: more, earlier ones. Default normal. */
  sensitivity?: Sensitivity;
  /** Threshold overrides by key (see config.ts / docs/rules.md). */
  overrides?: Partial<Record<ThresholdKey, number>>;
  /** Run only these rule ids (default: all). */
  rules?: string[];
  /** Cores of the database server, for its utilization-law bound (see demand.ts). */
  dbCores?: number;
  /**
   * Earlier runs of the same service (`--reference`): an endpoint's wait on a dependency that is what it was
   * in them is what the dependency costs, not a fault (see reference.ts).
   */
  reference?: readonly RunResult[];
}

/** Output of {@link diagnose}. */
export interface Diagnosis {
  /** Ranked by impact × severity, deduplicated. */
  findings: Finding[];
  demands: EndpointDemand[];
  /** Estimator used, fit quality and caveats of the cost model. */
  model: Pick<DemandModel, 'method' | 'fits' | 'notes' | 'statements' | 'dbServers' | 'dbCores' | 'regressors'>;
  /** Rules that threw (a bug): the rest still ran. */
  ruleErrors: { rule: string; message: string }[];
  /** The reference runs the waits were judged against, and those left out; absent without `reference`. */
  reference?: DiagnosisReference;
}

/**
 * Diagnose a run: estimate demands, run every rule, rank the findings.
 *
 * @param result - a RunResult, with `probes` evidence for server-side findings
 * @param options - sensitivity and threshold overrides
 * @throws TuneupError `TUNEUP_OPTION_INVALID` for an unknown sensitivity or threshold
 */
export function diagnose(result: RunResult, options: DiagnoseOptions = {}): Diagnosis {
  const config = resolveConfig({ sensitivity: options.sensitivity, overrides: options.overrides });
  const probes = probeSet(result);
  const demand = computeDemands(result, probes, { dbCores: options.dbCores });
  const reference = options.reference?.length ? buildReference(options.reference, config, result.id) : undefined;
  const input = { result, probes, demand, ...(reference ? { reference } : {}) };
  const findings: Finding[] = [];
  const ruleErrors: Diagnosis['ruleErrors'] = [];
  for (const rule of RULES) {
    if (options.rules && !options.rules.includes(rule.id)) continue;
    try {
      findings.push(...rule.run(input, config));
    } catch (err) {
      // One broken rule (or an unexpected evidence shape from an old result) must not hide the others.
      ruleErrors.push({ rule: rule.id, message: (err as Error).message });
    }
  }
  const { method, fits, notes, statements, dbServers, dbCores, regressors } = demand;
  return {
    findings: rankFindings(findings),
    demands: demand.demands,
    model: { method, fits, notes, statements, dbServers, dbCores, regressors },
    ruleErrors,
    ...(reference ? { reference: { runs: reference.runIds, excluded: reference.excluded } } : {}),
  };
}

export { computeDemands, DB_CORES_LABEL, type DemandModel, type DemandOptions, type StatementAttribution } from './demand.js';
export { resolveConfig, THRESHOLDS, type RuleConfig, type Sensitivity, type ThresholdKey, type ThresholdDef } from './config.js';
export { rankFindings, score } from './rank.js';
export { buildReference, type Reference, type ReferenceWait } from './reference.js';
export { RULES } from './rules/index.js';
export { loadSqlParser } from './sql.js';
export type { DiagnosisInput, Rule, RuleEntry } from './rules/index.js';
