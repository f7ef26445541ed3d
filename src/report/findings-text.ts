/**
 * Plain-text rendering of a list of findings with their evidence and fix,
 * for `tuneup analyze` (the run summary shows only the top ones).
 *
 * @module
 */
import pc from 'picocolors';
import type { Finding } from '../result/types.js';

/** Options of {@link renderFindings}. */
export interface FindingsTextOptions {
  color: boolean;
  /** Show evidence rows and the fix (default true). */
  details?: boolean;
}

/** Render findings in rank order, numbered, with evidence and fix. */
export function renderFindings(findings: readonly Finding[], options: FindingsTextOptions): string {
  const c = pc.createColors(options.color);
  if (findings.length === 0) return c.green('no findings');
  const lines: string[] = [];
  findings.forEach((finding, index) => {
    const severity = finding.severity.toUpperCase();
    const paint = finding.severity === 'critical' || finding.severity === 'high' ? c.red : finding.severity === 'medium' ? c.yellow : c.dim;
    const where = finding.endpoint ?? finding.endpoints?.join(', ');
    lines.push(`${index + 1}. ${paint(`[${severity}]`)} ${c.bold(finding.title)}${where ? c.dim(`  (${where})`) : ''}  ${c.dim(finding.category)}`);
    lines.push(`   ${finding.summary}`);
    const confirmation = finding.confirmation;
    if (confirmation) {
      const paintStatus = confirmation.status === 'confirmed' ? c.green : confirmation.status === 'refuted' ? c.red : c.dim;
      lines.push(`   ${paintStatus(confirmationLabel(confirmation.status))}${confirmation.reason ? `: ${confirmation.reason}` : ''}`);
    }
    if (options.details !== false) {
      for (const item of finding.evidence) {
        lines.push(c.dim(`     - ${item.label}: ${item.value}${item.unit ? ` ${item.unit}` : ''}  [${item.source}]`));
      }
      for (const item of confirmation?.evidence ?? []) {
        lines.push(c.dim(`     - ${item.label}: ${item.value}${item.unit ? ` ${item.unit}` : ''}  [${item.source}]`));
      }
      lines.push(`   fix: ${finding.recommendation.text}`);
      if (finding.recommendation.sql) lines.push(`     ${c.cyan(finding.recommendation.sql)}`);
      if (finding.recommendation.config) {
        for (const [key, value] of Object.entries(finding.recommendation.config)) lines.push(`     ${c.cyan(`${key} = ${value}`)}`);
      }
    }
    lines.push('');
  });
  return lines.join('\n').trimEnd();
}

/** How a confirmation status reads in text reports (`tuneup diagnose`). */
export function confirmationLabel(status: NonNullable<Finding['confirmation']>['status']): string {
  return status === 'confirmed' ? 'confirmed by isolation' : status === 'refuted' ? 'refuted by isolation' : 'not tested';
}
