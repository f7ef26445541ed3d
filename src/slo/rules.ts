/**
 * Prometheus recording and alerting rules for a set of SLOs, shaped as Sloth
 * generates them: per SLO, SLI error ratios recorded over every alert window
 * and the period, the meta recordings (objective, budget, burn rates, budget
 * remaining) and two multi-window multi-burn-rate alerts (page, ticket).
 * Record names and `sloth_*` labels are Sloth's, so dashboards made for
 * Sloth's rules read these too.
 *
 * @module
 */
import { stringify } from 'yaml';
import { dependencyGroups } from './dependency-rules.js';
import { errorBudget, errorRatio, quote } from './promql.js';
import type { SloSet, SloSpec } from './spec.js';
import { burnWindows, formatPromDuration, recordedWindows, type BurnWindow } from './windows.js';

/** A recording rule. */
export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

/** An alerting rule. */
export interface AlertingRule {
  alert: string;
  expr: string;
  /** How long the condition must hold before the alert fires (the burn-rate alerts fire at once: their short window is the delay). */
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A rule group of a Prometheus rule file. */
export interface RuleGroup {
  name: string;
  rules: Array<RecordingRule | AlertingRule>;
}

/** A Prometheus rule file (`rule_files:` entry). */
export interface RuleFile {
  groups: RuleGroup[];
}

/** The record name of the SLI error ratio over one window, e.g. `slo:sli_error:ratio_rate5m`. */
export function ratioRecord(windowMs: number): string {
  return `slo:sli_error:ratio_rate${formatPromDuration(windowMs)}`;
}

/** The labels every rule of an SLO carries. */
export function sloLabels(slo: SloSpec): Record<string, string> {
  return { sloth_id: slo.id, sloth_service: slo.service, sloth_slo: slo.name };
}

/** The PromQL label selector of an SLO's recorded series, e.g. `{sloth_id="…", …}`. */
export function idSelector(slo: SloSpec): string {
  return `{${Object.entries(sloLabels(slo))
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(', ')}}`;
}

/** Every rule group for a set of SLOs: three groups per SLO, then the dependency groups (cache, PostgreSQL) when they were probed. */
export function buildRules(set: SloSet): RuleFile {
  return {
    groups: [
      ...set.slos.flatMap((slo) => [sliGroup(set, slo), metaGroup(set, slo), alertGroup(set, slo)]),
      ...dependencyGroups(set.service, set.dependencies ?? {}),
    ],
  };
}

function sliGroup(set: SloSet, slo: SloSpec): RuleGroup {
  const labels = sloLabels(slo);
  const windows = recordedWindows(set.periodMs);
  const rules: RecordingRule[] = windows.map((w) => ({
    record: ratioRecord(w),
    expr: errorRatio(slo, set.conventions, w),
    labels: { ...labels, sloth_window: formatPromDuration(w) },
  }));
  // The period's ratio is the mean of the shortest window's ratios (as Sloth does): a raw
  // rate over 30 days would read a month of samples at every evaluation.
  const period = formatPromDuration(set.periodMs);
  const shortest = `${ratioRecord(windows[0]!)}${idSelector(slo)}`;
  rules.push({
    record: ratioRecord(set.periodMs),
    expr: `sum_over_time(${shortest}[${period}])\n/ ignoring (sloth_window)\ncount_over_time(${shortest}[${period}])`,
    labels: { ...labels, sloth_window: period },
  });
  return { name: `tuneup-slo-sli-recordings-${slo.id}`, rules };
}

function metaGroup(set: SloSet, slo: SloSpec): RuleGroup {
  const labels = sloLabels(slo);
  const ids = idSelector(slo);
  const on = 'on (sloth_id, sloth_slo, sloth_service) group_left';
  const shortest = recordedWindows(set.periodMs)[0]!;
  return {
    name: `tuneup-slo-meta-recordings-${slo.id}`,
    rules: [
      { record: 'slo:objective:ratio', expr: `vector(${slo.objective})`, labels },
      { record: 'slo:error_budget:ratio', expr: `vector(${errorBudget(slo)})`, labels },
      { record: 'slo:time_period:days', expr: `vector(${+(set.periodMs / 86_400_000).toPrecision(12)})`, labels },
      { record: 'slo:current_burn_rate:ratio', expr: `${ratioRecord(shortest)}${ids}\n/ ${on}\nslo:error_budget:ratio${ids}`, labels },
      { record: 'slo:period_burn_rate:ratio', expr: `${ratioRecord(set.periodMs)}${ids}\n/ ${on}\nslo:error_budget:ratio${ids}`, labels },
      { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio${ids}`, labels },
      {
        record: 'sloth_slo_info',
        expr: 'vector(1)',
        labels: { ...labels, sloth_mode: 'tuneup', sloth_objective: String(+(slo.objective * 100).toPrecision(12)) },
      },
    ],
  };
}

/** The alert name of an SLO's page or ticket alert, e.g. `GetApiOrdersIdLatencyP95BurnPage`. */
export function alertName(slo: SloSpec, severity: BurnWindow['severity']): string {
  const pascal = slo.name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
  const name = `${pascal}Burn${severity === 'page' ? 'Page' : 'Ticket'}`;
  return /^[a-zA-Z_]/.test(name) ? name : `Slo${name}`;
}

function alertGroup(set: SloSet, slo: SloSpec): RuleGroup {
  const ids = idSelector(slo);
  const budget = errorBudget(slo);
  const windows = burnWindows(set.periodMs);
  const over = (w: number, factor: number): string => `max(${ratioRecord(w)}${ids} > (${factor} * ${budget})) without (sloth_window)`;
  const rules: AlertingRule[] = (['page', 'ticket'] as const).map((severity) => {
    const pairs = windows.filter((w) => w.severity === severity);
    const expr = pairs.map((w) => `(\n    ${over(w.shortMs, w.factor)}\n    and\n    ${over(w.longMs, w.factor)}\n)`).join('\nor\n');
    const spent = pairs.map((w) => `×${w.factor} over ${formatPromDuration(w.longMs)} (and ${formatPromDuration(w.shortMs)})`).join(' or ');
    return {
      alert: alertName(slo, severity),
      expr,
      labels: { ...sloLabels(slo), severity, sloth_severity: severity },
      annotations: {
        summary: `${slo.service} ${slo.name}: the error budget burns too fast (${severity})`,
        description: `SLO: ${slo.description}, over ${formatPromDuration(set.periodMs)}. Fires when the error ratio exceeds the budget (${budget}) ${spent}. From ${slo.source}.`,
      },
    };
  });
  return { name: `tuneup-slo-alerts-${slo.id}`, rules };
}

/** The rule file as YAML, with a header saying where it comes from. */
export function renderRuleFile(file: RuleFile, header: string[] = []): string {
  const comments = header.map((line) => `# ${line}`.trimEnd()).join('\n');
  return `${comments ? `${comments}\n` : ''}${stringify(file, { lineWidth: 0 })}`;
}
