/**
 * Decisions read typed fields, not display labels (design.md: "findings with typed metrics"): the
 * generator evidence's `kind`, a finding's `metrics`, an index action's `helpedExecMs`, and the one
 * reader per field that still understands results written before 2026-12-05 (`result/legacy.ts`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../src/diagnose/index.js';
import { overloadFinding, withOverloadFirst } from '../../src/diagnose/experiment/overload.js';
import { makeFinding, type FindingDraft } from '../../src/diagnose/rules/types.js';
import { byHelpedExecTime } from '../../src/optimize/pg-index.js';
import type { Action } from '../../src/optimize/types.js';
import { generatorEvidenceKind } from '../../src/result/legacy.js';
import type { ExperimentSection, Finding, GeneratorEvidence, GeneratorHealth } from '../../src/result/types.js';
import { build, healthyParts } from './scenarios.js';

const DROPPED_LABEL = 'iterations dropped (no free VU: raise preAllocatedVUs/maxVUs)';

test('generatorEvidenceKind: the kind when set; for older results the kind the label names, also behind a segment prefix', () => {
  const e = (label: string, kind?: GeneratorEvidence['kind']): GeneratorEvidence => ({ label, value: 5, unit: '%', limit: 1, ...(kind ? { kind } : {}) });
  // The kind decides, whatever the label says.
  assert.equal(generatorEvidenceKind(e(DROPPED_LABEL, 'cpu')), 'cpu');
  assert.equal(generatorEvidenceKind(e('anything', 'dropped-iterations')), 'dropped-iterations');
  // Results written before 2026-12-05: the labels engine/health.ts wrote.
  assert.equal(generatorEvidenceKind(e('generator event-loop delay p99')), 'event-loop-delay');
  assert.equal(generatorEvidenceKind(e('share of seconds with generator CPU > 90%')), 'cpu');
  assert.equal(generatorEvidenceKind(e('iterations started > 10 ms late')), 'late-starts');
  assert.equal(generatorEvidenceKind(e(DROPPED_LABEL)), 'dropped-iterations');
  assert.equal(generatorEvidenceKind(e('generator delays / measured latency (start lag p99 / response time p99)')), 'distortion');
  assert.equal(generatorEvidenceKind(e(`segment 2/8: ${DROPPED_LABEL}`)), 'dropped-iterations');
  assert.equal(generatorEvidenceKind(e('event-loop delay p99')), undefined, 'a label this version never wrote');
});

function generator(over: Partial<GeneratorHealth>): GeneratorHealth {
  return {
    saturated: false, evidence: [], eventLoopDelay: { p50: 0.2, p99: 6, max: 15 }, cpuPercent: { mean: 14, max: 22 },
    lateStarts: 3, lateStartToleranceMs: 10, droppedIterations: 400, workers: 1, maxRssBytes: 2e8, ...over,
  };
}

function generatorFindings(g: GeneratorHealth): Finding[] {
  const p = healthyParts();
  p.patch = { generator: g };
  return diagnose(build(p)).findings.filter((x) => x.category === 'generator-saturated');
}

test('generator-saturated decides by the evidence kind: merged segments (prefixed labels) and a label the kind contradicts', () => {
  // A merged result: `tuneup merge` prefixes each label with its segment; the kind is unchanged.
  const merged = generatorFindings(generator({ saturated: true, evidence: [{ kind: 'dropped-iterations', label: `segment 1/2: ${DROPPED_LABEL}`, value: 12.5, unit: '%', limit: 1 }] }));
  assert.equal(merged.length, 1);
  assert.match(merged[0]!.title, /Not enough VUs/);
  assert.match(merged[0]!.summary, /^12\.5 % of the planned iterations were dropped/);
  // The same label with another kind is not a drop: the generator itself limited the run.
  const cpu = generatorFindings(generator({ saturated: true, evidence: [{ kind: 'cpu', label: DROPPED_LABEL, value: 12.5, unit: '%', limit: 1 }] }));
  assert.equal(cpu.length, 1);
  assert.doesNotMatch(cpu[0]!.title, /Not enough VUs/);
});

test('drops with the generator\'s CPU free (lateness, not saturation evidence) are a VU note that states the dropped share', () => {
  const fs = generatorFindings(generator({ limitedBy: 'none', lateness: [{ kind: 'dropped-iterations', label: DROPPED_LABEL, value: 14, unit: '%', limit: 1 }] }));
  assert.equal(fs.length, 1, 'the healthy scenario is not past capacity, so the note stands');
  assert.equal(fs[0]!.severity, 'low');
  assert.match(fs[0]!.summary, /^14 % of the planned iterations were dropped/);
  // Late starts alone are no drop.
  assert.deepEqual(generatorFindings(generator({ limitedBy: 'none', lateness: [{ kind: 'late-starts', label: DROPPED_LABEL, value: 14, unit: '%', limit: 1 }] })), []);
});

test('makeFinding keeps the typed metrics a rule passes, rounded like the evidence, and adds none when none are set', () => {
  const draft: FindingDraft = { rule: 'r', category: 'gc-pressure', subject: 's', severity: 'medium', title: 't', summary: 's', evidence: [], recommendation: { text: 'x' }, confidence: 1, impact: 0.5 };
  assert.deepEqual(makeFinding({ ...draft, metrics: { gcMsPerSecond: 123.456789, statement: 'SELECT 1' } }).metrics, { gcMsPerSecond: 123.5, statement: 'SELECT 1' });
  assert.equal('metrics' in makeFinding(draft), false);
  assert.equal('metrics' in makeFinding({ ...draft, metrics: { gcMsPerSecond: undefined } }), false);
});

function section(over: Partial<ExperimentSection>): ExperimentSection {
  return { steps: [], knee: { status: 'found', sustainedRate: 113, failedRate: 134, reasons: ['throughput 120/s < 95 % of the offered 134/s'] }, chosenRate: 79, chosenBy: 'knee', isolation: [], durationMs: 1, ...over };
}

test('withOverloadFirst appends the capacity evidence whole, keeps the rule\'s metrics, and replaces (not re-merges) its own finding', () => {
  const ours = overloadFinding(section({ requestedRate: 400 }))!;
  const theirs: Finding = {
    id: 'overload:load', rule: 'overload', category: 'overload', severity: 'critical', title: 't', summary: 's', confidence: 0.9, impact: 0.8, recommendation: { text: 'x' },
    evidence: [{ label: 'offered rate (second half)', value: 200, unit: 'iterations/s', source: 'load' }], metrics: { serviceCpuPercent: 97 },
  };
  const [merged] = withOverloadFirst([theirs], ours);
  assert.equal(merged!.id, 'overload:load');
  assert.deepEqual(merged!.evidence, [...theirs.evidence, ...ours.evidence]);
  assert.deepEqual(merged!.metrics, { serviceCpuPercent: 97 });
  // Called again on a list that already holds the experiment's finding: one finding, not two copies of its rows.
  const again = withOverloadFirst([ours], ours);
  assert.equal(again.length, 1);
  assert.deepEqual(again[0]!.evidence, ours.evidence);
});

test('index proposals are ordered by the typed database time they help, not by an evidence row', () => {
  const action = (id: string, helpedExecMs: number | undefined, shown: number): Action => ({
    id, kind: 'pg-index', component: 'database', target: 'public.t', risk: 'safe', title: id, rationale: '', changes: [], applicable: true,
    evidence: [{ label: 'total exec time of the statements helped', value: shown, unit: 'ms', source: 'pg_stat_statements' }],
    ...(helpedExecMs !== undefined ? { helpedExecMs } : {}),
  });
  const sorted = [action('a', 10, 9000), action('b', 500, 1), action('c', undefined, 99_999)].sort(byHelpedExecTime);
  assert.deepEqual(sorted.map((a) => a.id), ['b', 'a', 'c']);
});
