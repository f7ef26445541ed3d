/**
 * Readers of typed fields that older results lack. Decisions read typed
 * fields (`Finding.metrics`, `GeneratorEvidence.kind`); a RunResult written
 * before 2026-12-05 has only the display labels, and `tuneup analyze --run ID`
 * re-diagnoses such results. Each field has ONE reader here that takes the
 * typed field and, only when it is absent, recognises the old label — so the
 * label fallback lives in this module alone (the guard test
 * `test/diagnose/no-label-decisions.test.ts` keeps it out of diagnose/,
 * optimize/, capacity/ and compare/).
 *
 * @module
 */
import type { GeneratorEvidence, GeneratorEvidenceKind } from './types.js';

/** Labels `engine/health.ts` wrote before `kind` existed, by kind (a merged result prefixes `segment i/n: `). */
const LEGACY_GENERATOR_LABELS: readonly [RegExp, GeneratorEvidenceKind][] = [
  [/^generator event-loop delay p99\b/, 'event-loop-delay'],
  [/^share of seconds with generator CPU\b/, 'cpu'],
  [/^iterations started > .* late\b/, 'late-starts'],
  [/^iterations dropped\b/, 'dropped-iterations'],
  [/^generator delays \/ measured latency\b/, 'distortion'],
];

/**
 * What a piece of generator evidence measures: its `kind`, or for results written before 2026-12-05
 * (no `kind`) the kind its label names. Undefined for a label this version does not know.
 */
export function generatorEvidenceKind(e: GeneratorEvidence): GeneratorEvidenceKind | undefined {
  if (e.kind !== undefined) return e.kind;
  const label = e.label.replace(/^segment [^:]+: /, '');
  return LEGACY_GENERATOR_LABELS.find(([re]) => re.test(label))?.[1];
}
