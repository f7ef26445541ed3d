/**
 * JUnit XML so CI systems (GitHub Actions test reporters, GitLab, Jenkins)
 * show thresholds and findings as test cases:
 * - suite `thresholds`: one case per threshold, failed when it failed;
 * - suite `findings`: one case per finding, failed when severity ≥ medium
 *   (lower severities pass and keep their text in `system-out`);
 * - suite `run`: the run completed and the generator was not saturated.
 *
 * @module
 */
import type { Finding } from '../result/types.js';
import { formatObserved } from './format.js';
import { severityRank, type ReportModel } from './model.js';

/**
 * Escape text for XML content and attribute values. Characters XML 1.0
 * cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are
 * replaced by U+FFFD so the document always parses.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

interface Case {
  name: string;
  classname: string;
  failure?: { message: string; type: string; body: string };
  out?: string;
}

/**
 * Render the JUnit XML report.
 * @param model the report model.
 */
export function renderJUnit(model: ReportModel): string {
  const thresholdCases: Case[] = model.verdict.thresholds.map((t) => {
    const observed = formatObserved(t.observed, t.unit);
    return {
      name: `${t.metric} ${t.expression}`,
      classname: 'tuneup.thresholds',
      failure: t.passed
        ? undefined
        : {
            message: `${t.metric} ${t.expression}: observed ${observed}`,
            type: 'threshold',
            body: `Threshold ${t.expression} on ${t.metric} failed: observed ${observed}.${t.aborted ? ' It aborted the run.' : ''}`,
          },
      out: t.passed ? `observed ${observed}` : undefined,
    };
  });

  const findingCases: Case[] = model.findings.map((f) => {
    const text = findingText(f);
    const failed = severityRank(f.severity) >= severityRank('medium');
    return {
      name: `[${f.severity}] ${f.title}${f.endpoint ? ` (${f.endpoint})` : ''}`,
      classname: `tuneup.findings.${f.category}`,
      failure: failed ? { message: f.title, type: f.category, body: text } : undefined,
      out: failed ? undefined : text,
    };
  });

  const runCases: Case[] = [
    {
      name: 'run completed',
      classname: 'tuneup.run',
      failure:
        model.run.status === 'completed'
          ? undefined
          : { message: `run ${model.run.status}`, type: 'run-status', body: model.verdict.statusReason ?? `The run ended with status ${model.run.status}.` },
    },
    {
      name: 'load generator not saturated',
      classname: 'tuneup.run',
      failure: model.verdict.generatorSaturated
        ? {
            message: 'the load generator, not the target, limited this run',
            type: 'generator-saturated',
            body: model.verdict.generatorEvidence.map((e) => `${e.label}: ${e.value} ${e.unit} (limit ${e.limit} ${e.unit})`).join('\n'),
          }
        : undefined,
    },
  ];

  const suites = [suite('thresholds', thresholdCases), suite('findings', findingCases), suite('run', runCases)];
  const all = [...thresholdCases, ...findingCases, ...runCases];
  const failures = all.filter((c) => c.failure).length;
  const seconds = (model.run.durationMs / 1000).toFixed(3);
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="${escapeXml(`tuneup ${model.run.planName ?? ''} ${model.run.id}`.replace(/\s+/g, ' ').trim())}" tests="${all.length}" failures="${failures}" errors="0" time="${seconds}" timestamp="${new Date(model.run.startedAt).toISOString()}">
${suites.join('\n')}
</testsuites>
`;
}

function suite(name: string, cases: Case[]): string {
  const failures = cases.filter((c) => c.failure).length;
  const body = cases
    .map((c) => {
      const inner = [
        c.failure ? `      <failure message="${escapeXml(c.failure.message)}" type="${escapeXml(c.failure.type)}">${escapeXml(c.failure.body)}</failure>` : '',
        c.out ? `      <system-out>${escapeXml(c.out)}</system-out>` : '',
      ].filter(Boolean);
      const open = `    <testcase name="${escapeXml(c.name)}" classname="${escapeXml(c.classname)}" time="0"`;
      return inner.length ? `${open}>\n${inner.join('\n')}\n    </testcase>` : `${open}/>`;
    })
    .join('\n');
  return `  <testsuite name="${name}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="0">${body ? `\n${body}\n  ` : ''}</testsuite>`;
}

function findingText(f: Finding): string {
  const lines = [f.summary, ''];
  for (const e of f.evidence) lines.push(`- ${e.label}: ${e.value}${e.unit ? ` ${e.unit}` : ''} (${e.source})`);
  lines.push('', `Fix: ${f.recommendation.text}`);
  if (f.recommendation.sql) lines.push(f.recommendation.sql);
  if (f.recommendation.config) for (const [k, v] of Object.entries(f.recommendation.config)) lines.push(`${k} = ${v}`);
  if (f.recommendation.code) lines.push(f.recommendation.code);
  if (f.recommendation.link) lines.push(f.recommendation.link);
  lines.push(`impact ${(f.impact * 100).toFixed(0)}%, confidence ${(f.confidence * 100).toFixed(0)}%`);
  return lines.join('\n');
}
