/**
 * Guard: code that decides (diagnosis, optimization, capacity, comparison) never compares an evidence
 * label. Labels are display text; decisions read typed fields (`Finding.metrics`,
 * `GeneratorEvidence.kind`, `Action.helpedExecMs`, …). The one place that still recognises old labels,
 * for results written before those fields existed, is `src/result/legacy.ts`, outside these trees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const GUARDED = ['src/diagnose', 'src/optimize', 'src/capacity', 'src/compare'];

/** Ways code decides by a label: compare it, search it, match it, or look it up. */
const LABEL_DECISIONS: RegExp[] = [
  /\blabel\s*[!=]==?(?!>)/, // e.label === 'x', label !== y
  /[!=]==?\s*[\w$.?!\]\)]*\.label\b/, // 'x' === e.label
  /\blabel\??\.(startsWith|endsWith|includes|indexOf|match|matchAll|search|localeCompare)\s*\(/,
  /\.(test|exec)\(\s*[\w$.?!\]\)]*\.label\s*\)/, // /re/.test(e.label)
  /\.(has|get|includes|indexOf)\(\s*[\w$.?!\]\)]*\.label\s*\)/, // set.has(e.label)
  /\bswitch\s*\(\s*[\w$.?!\]\)]*\.label\s*\)/,
];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? tsFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

/** Offending lines of `source` as `line: text`. */
export function labelDecisions(source: string): string[] {
  return source.split('\n').flatMap((line, i) => (LABEL_DECISIONS.some((re) => re.test(line)) ? [`${i + 1}: ${line.trim()}`] : []));
}

test('the guard recognises the ways a label is compared, and not labels being built or printed', () => {
  for (const bad of [
    "f.evidence.find((e) => e.label === 'statement')",
    "x.label !== 'a'",
    "'a' === e.label",
    "e.label.startsWith('iterations dropped')",
    "e.label?.includes('p99')",
    '/cost|size/.test(x.label)',
    'seen.has(e.label)',
  ]) assert.equal(labelDecisions(bad).length, 1, bad);
  for (const fine of [
    "{ label: 'statement', value: sql, source: 'pg_stat_statements' }",
    'lines.push(`${e.label}: ${e.value}`)',
    'label: t.label,',
    'withScenarios(plan, scenarios, options.label)',
  ]) assert.deepEqual(labelDecisions(fine), [], fine);
});

test('no file under src/diagnose, src/optimize, src/capacity or src/compare decides by an evidence label', () => {
  const offenders = GUARDED.flatMap((dir) =>
    tsFiles(join(root, dir)).flatMap((file) => labelDecisions(readFileSync(file, 'utf8')).map((hit) => `${relative(root, file)}:${hit}`)),
  );
  assert.deepEqual(offenders, [], `read a typed field (Finding.metrics, GeneratorEvidence.kind, …) instead:\n${offenders.join('\n')}`);
});
