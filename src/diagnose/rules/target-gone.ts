/**
 * target-gone: the service stopped answering part-way through the run (it
 * crashed, was killed, or was redeployed). Everything measured after that
 * moment describes a dead target — a wall of connection errors and
 * instant failures — so this leads the diagnosis and the other findings must
 * be read as "before the target went away".
 *
 * Principle: a service that answered at first and then failed **every**
 * request for the rest of the run, with connection errors (refused / reset)
 * as the dominant failure, is gone — not slow and not erroring (a 5xx wall
 * still means the process answers). When the process probe watched its pid,
 * the pid's disappearance is direct evidence and names the moment.
 *
 * @module
 */
import type { Evidence, Finding } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import type { DiagnosisInput } from './types.js';
import { fmt, makeFinding } from './types.js';

/**
 * The first interval from which every request failed until the end of the
 * run, provided earlier intervals had successes; undefined otherwise.
 */
export function deadFromInterval(requests: readonly number[], failed: readonly number[], minDeadIntervals: number): number | undefined {
  let start = requests.length;
  for (let i = requests.length - 1; i >= 0; i--) {
    if (requests[i]! === 0) continue; // no completion that second: neither alive nor dead
    if (failed[i]! < requests[i]!) break;
    start = i;
  }
  if (start >= requests.length) return undefined;
  const deadWithTraffic = requests.slice(start).filter((r) => r > 0).length;
  if (deadWithTraffic < minDeadIntervals) return undefined;
  const answeredBefore = requests.slice(0, start).some((r, i) => r > failed[i]!);
  return answeredBefore ? start : undefined;
}

/** The rule. */
export function targetGoneRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const series = input.result.series;
  if (!series || series.t.length === 0) return [];
  const processEnded = processEndMs(input);
  let from = deadFromInterval(series.requests, series.failed, config.get('targetGone.deadIntervals'));
  // The pid vanishing is direct evidence even when a few seconds of traffic were not yet all failures.
  if (from === undefined && processEnded !== undefined) from = Math.max(0, series.t.findIndex((t) => t >= processEnded));
  if (from === undefined || from < 0) return [];
  const kinds = { connect: 0, reset: 0, other: 0 };
  for (const e of input.result.endpoints) {
    kinds.connect += e.errors.connect ?? 0;
    kinds.reset += e.errors.reset ?? 0;
    kinds.other += (e.failed ?? 0) - (e.errors.connect ?? 0) - (e.errors.reset ?? 0);
  }
  const connectionFailures = kinds.connect + kinds.reset;
  // A 5xx or timeout wall means something still answers: that is an error rate or an overload, not a dead target.
  if (processEnded === undefined && connectionFailures < kinds.other) return [];
  const atMs = processEnded ?? series.t[from]!;
  const afterRequests = series.failed.slice(from).reduce((a, b) => a + b, 0);
  const evidence: Evidence[] = [
    { label: 'every request failed from', value: atMs / 1000, unit: 's', source: 'load' },
    { label: 'requests failed after that', value: afterRequests, unit: 'requests', source: 'load' },
    { label: 'connection refused or reset (whole run)', value: connectionFailures, unit: 'requests', source: 'load' },
  ];
  if (processEnded !== undefined) evidence.push({ label: 'target process exited at', value: processEnded / 1000, unit: 's', source: 'process' });
  return [
    makeFinding({
      rule: 'target-gone',
      category: 'error-rate',
      subject: 'target',
      severity: 'critical',
      title: `The target stopped answering ${fmt(atMs / 1000)} s into the run`,
      summary:
        `The service answered at first, then every request failed from ${fmt(atMs / 1000)} s to the end (${afterRequests} requests), ` +
        `mostly refused or reset connections${processEnded !== undefined ? `; its process exited at ${fmt(processEnded / 1000)} s` : ''}. ` +
        'Latencies and findings after that moment describe a dead target, not a slow one.',
      evidence,
      recommendation: {
        text: "Find out why the service stopped (its log, an OOM kill in `dmesg`, a crash or a redeploy), then run again; judge this run's numbers only up to the moment it stopped.",
      },
      confidence: processEnded !== undefined ? 0.95 : 0.8,
      impact: 1,
    }),
  ];
}

/** When the process probe saw the target's pid disappear (its `exitedAtMs`), if it did. */
function processEndMs(input: DiagnosisInput): number | undefined {
  const evidence = input.result.probes?.find((p) => p.probe === 'process');
  const data = evidence?.data as { exited?: boolean; exitedAtMs?: number } | undefined;
  return data?.exited && typeof data.exitedAtMs === 'number' ? data.exitedAtMs : undefined;
}
