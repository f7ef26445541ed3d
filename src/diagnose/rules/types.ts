/**
 * What every rule receives and returns. A rule is a pure function: the same
 * input gives the same findings, with no I/O, so `tuneup analyze --run ID`
 * can re-diagnose an old result.
 *
 * @module
 */
import type { EndpointSummary, Evidence, Finding, FindingCategory, FindingMetrics, RunResult, Severity } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import type { DemandModel } from '../demand.js';
import type { ProbeSet } from '../evidence.js';
import type { Reference } from '../reference.js';

/** Evidence handed to the rules. */
export interface DiagnosisInput {
  result: RunResult;
  probes: ProbeSet;
  demand: DemandModel;
  /** Earlier runs of the service to judge waits against (`--reference`); absent when none was given. */
  reference?: Reference;
}

/** One rule: evidence in, findings out. */
export type Rule = (input: DiagnosisInput, config: RuleConfig) => Finding[];

/** A named rule, as registered in `rules/index.ts`. */
export interface RuleEntry {
  id: string;
  category: FindingCategory;
  run: Rule;
}

/** Arguments of {@link makeFinding}; `impact` is clamped to [0, 1]. */
export interface FindingDraft {
  rule: string;
  category: FindingCategory;
  subject: string;
  severity: Severity;
  endpoint?: string;
  endpoints?: string[];
  title: string;
  summary: string;
  evidence: Evidence[];
  /** The typed numbers passes decide by (see FindingMetrics), set next to the evidence rows that show them. */
  metrics?: FindingMetrics;
  recommendation: Finding['recommendation'];
  actions?: string[];
  confidence: number;
  impact: number;
  /** How the endpoint was tied to the evidence (see Finding.attribution). */
  attribution?: Finding['attribution'];
  /** Ids of findings that cause this one (see Finding.causedBy). */
  causedBy?: string[];
  /** What the finding would be with its endpoint confirmed, when only a doubtful attribution lowered it (see Finding.attributionDoubt). */
  attributionDoubt?: Finding['attributionDoubt'];
}

/** Build a Finding with a stable id (`<rule>:<subject>`) and rounded numbers. */
export function makeFinding(d: FindingDraft): Finding {
  const f: Finding = {
    id: `${d.rule}:${d.subject}`,
    rule: d.rule,
    category: d.category,
    severity: d.severity,
    title: d.title,
    summary: d.summary,
    evidence: d.evidence.map((e) => (typeof e.value === 'number' ? { ...e, value: roundSig(e.value) } : e)),
    recommendation: d.recommendation,
    confidence: clamp01(d.confidence),
    impact: clamp01(d.impact),
  };
  if (d.endpoint !== undefined) f.endpoint = d.endpoint;
  if (d.endpoints && d.endpoints.length > 0) f.endpoints = d.endpoints;
  // Rounded like the evidence rows that show them, so a decision reads the number the report prints.
  const metrics = Object.entries(d.metrics ?? {}).filter(([, v]) => v !== undefined);
  if (metrics.length > 0) f.metrics = Object.fromEntries(metrics.map(([k, v]) => [k, typeof v === 'number' ? roundSig(v) : v])) as FindingMetrics;
  if (d.actions) f.actions = d.actions;
  if (d.attribution && (d.endpoint !== undefined || (d.endpoints?.length ?? 0) > 0)) f.attribution = d.attribution;
  if (d.causedBy && d.causedBy.length > 0) f.causedBy = d.causedBy;
  if (d.attributionDoubt) f.attributionDoubt = { ...d.attributionDoubt, impact: clamp01(d.attributionDoubt.impact), confidence: clamp01(d.attributionDoubt.confidence) };
  return f;
}

/** The endpoint's summary row. */
export function summaryOf(input: DiagnosisInput, endpoint: string): EndpointSummary | undefined {
  return input.result.endpoints.find((e) => e.endpoint === endpoint);
}

/** Mean service time of an endpoint (ms) as the cost model judged it (see EndpointDemand.serviceMs), 0 when unknown. */
export function serviceMean(input: DiagnosisInput, endpoint: string): number {
  // The cost model's figure: the steady part's mean when the run began with a start-up transient.
  const judged = input.demand.demands.find((d) => d.endpoint === endpoint)?.serviceMs;
  return judged ?? summaryOf(input, endpoint)?.serviceTime.mean ?? 0;
}

/** Clamp to [0, 1] (NaN → 0). */
export function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** Round to 4 significant digits for display (integers stay integers). */
export function roundSig(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  const p = Math.pow(10, 3 - Math.floor(Math.log10(Math.abs(x) || 1)));
  return Math.round(x * p) / p;
}

/** Format a number for a sentence: at most 3 significant digits, thousands kept. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return String(Math.round(x));
  return String(Number(x.toPrecision(3)));
}

/** Format a ratio as a percentage. */
export function pct(x: number): string {
  return `${fmt(x * 100)} %`;
}
