/**
 * The first finding of `tuneup diagnose` when the plan asks for more than the
 * service sustains: past capacity everything queues and every other signal is
 * smeared, so this is said first, with the measured capacity, the requested
 * rate and the saturated resource. When the mixed diagnosis already produced
 * an `overload` finding (from the load itself), that one is kept — moved
 * first and given the measured capacity as evidence — instead of adding a
 * second.
 *
 * @module
 */
import type { Evidence, ExperimentSection, Finding, Severity } from '../../result/types.js';

/** Stable id of the experiment's overload finding. */
export const OVERLOAD_FINDING_ID = 'overload:capacity';

/**
 * The overload finding for `experiment`, or undefined when the requested rate is within the measured
 * capacity (or the plan has no rate, or no knee was bracketed).
 */
export function overloadFinding(experiment: ExperimentSection): Finding | undefined {
  const { knee, requestedRate } = experiment;
  if (requestedRate === undefined || knee.status === 'not-reached') return undefined;
  const capacity = knee.sustainedRate;
  if (capacity !== undefined && requestedRate <= capacity) return undefined;
  const failed = knee.failedRate;
  const past = failed !== undefined && requestedRate >= failed;
  const severity: Severity = !past ? 'medium' : failed !== undefined && requestedRate >= 2 * failed ? 'critical' : 'high';
  const resource = knee.saturatedResource;
  const capText = capacity === undefined ? `below ${fmt(failed ?? 0)}/s (the lowest rate tried)` : `about ${fmt(capacity)}/s`;
  const evidence: Evidence[] = [
    ...(capacity !== undefined ? [{ label: 'sustained rate (capacity)', value: capacity, unit: 'iterations/s', source: 'capacity steps' }] : []),
    ...(failed !== undefined ? [{ label: 'first failing rate', value: failed, unit: 'iterations/s', source: 'capacity steps' }] : []),
    { label: 'requested rate (plan)', value: round(requestedRate), unit: 'iterations/s', source: 'plan' },
    ...knee.reasons.map((r) => ({ label: 'at the failing rate', value: r, source: 'capacity steps' })),
    ...(resource ? [{ label: 'saturated resource', value: `${resource.name}: ${resource.detail}`, source: 'probes' }] : []),
  ];
  return {
    id: OVERLOAD_FINDING_ID,
    rule: 'experiment-capacity',
    category: 'overload',
    severity,
    title: past
      ? `The plan asks for ${fmt(requestedRate)}/s; the service sustains ${capText}`
      : `The plan's ${fmt(requestedRate)}/s is at the service's measured capacity (${fmt(capacity ?? 0)}–${fmt(failed ?? 0)}/s)`,
    summary:
      `A step ramp of the plan's mix found the knee ${capText}${resource ? `, with ${resource.name} saturated (${resource.detail})` : ''}. ` +
      'Past capacity every request queues and every per-endpoint signal is smeared; the diagnosis below ran at a rate the service sustains.',
    evidence,
    recommendation: {
      text: resource?.name === 'the host CPU'
        ? `The host's CPU was saturated (${resource.detail}): the capacity measured is this shared host's, not the service's alone. Measure again on a quieter host (or with the generator elsewhere) before sizing; meanwhile keep the load below ${capText}.`
        : resource
        ? `Either lower the load to below ${capText}, or add capacity to ${resource.name}; fix the findings below first — they raise the capacity.`
        : `Either lower the load to below ${capText} or add capacity; fix the findings below first — they raise the capacity.`,
    },
    confidence: 0.9,
    impact: 1,
    confirmation: { status: 'confirmed', evidence: [], reason: 'measured directly by the capacity steps' },
  };
}

/**
 * Put the overload finding first: the mixed diagnosis' own overload finding when it has one (with the
 * capacity evidence appended, so there is one overload finding), else the experiment's. The two share no
 * evidence (the load's arrivals and queue vs the capacity steps and the plan), so the capacity rows are
 * appended whole; a list that already holds the experiment's finding gets it replaced, not merged twice.
 */
export function withOverloadFirst(findings: readonly Finding[], overload: Finding | undefined): Finding[] {
  if (!overload) return [...findings];
  const existing = findings.find((f) => f.category === 'overload');
  if (!existing) return [overload, ...findings];
  if (existing.id === overload.id) return [overload, ...findings.filter((f) => f !== existing)];
  const merged: Finding = {
    ...existing,
    evidence: [...existing.evidence, ...overload.evidence],
    summary: `${existing.summary} ${overload.title}.`,
    confirmation: overload.confirmation,
  };
  return [merged, ...findings.filter((f) => f !== existing)];
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function fmt(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}
