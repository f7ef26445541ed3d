/**
 * Code-level advice: findings whose fix is in the service's code (N+1
 * queries, cache misses, a blocked event loop, a slow dependency, a
 * saturated pool) become proposals with the evidence and the pattern of
 * the fix. Nothing is applied: tuneup does not edit code.
 *
 * @module
 */
import type { Finding, FindingCategory, RunResult } from '../result/types.js';
import type { Action } from './types.js';

const PATTERNS: Partial<Record<FindingCategory, { title: string; fix: string }>> = {
  'n-plus-one': {
    title: 'Batch the repeated query (N+1)',
    fix:
      'Load the rows for all ids in one statement instead of one per item: ' +
      '`SELECT … FROM t WHERE id = ANY($1)` with the array of ids as one parameter, then group the rows in memory ' +
      '(or a JOIN / a DataLoader-style batcher per request).',
  },
  'cache-miss': {
    title: 'Fix the cache-aside path',
    fix:
      'Cache-aside: GET the key; on a miss read the database, then SET it with a TTL. Build the key from the full query ' +
      'identity (`<entity>:<id>:v<schema-version>`, no timestamps or per-request values), give TTLs jitter so keys do not ' +
      'expire together, and make sure the write path actually runs (a missing SET shows as a ~0 % hit ratio).',
  },
  'event-loop-blocked': {
    title: 'Move CPU-bound work off the event loop',
    fix:
      'Run the synchronous work (JSON of large payloads, crypto, compression, regex on big input) in a worker thread ' +
      '(node:worker_threads, e.g. a pool such as piscina), use the async variants of fs/crypto/zlib, or split the work ' +
      'into chunks with setImmediate so other requests are served in between.',
  },
  'slow-dependency': {
    title: 'Take the slow dependency off the critical path',
    fix:
      'Call independent dependencies in parallel (`await Promise.all([a(), b()])` instead of one after the other), put a ' +
      'timeout (AbortSignal.timeout) and a cache in front of the slow one, and reuse connections (keep-alive agent).',
  },
  'pool-saturation': {
    title: 'Size the connection pool from the measured demand',
    fix:
      'Little\'s law: connections busy on average = request rate × database time per request. Size the pool to that with ' +
      'headroom (≈1.5×, at least 2), keep the sum of all instances\' pools under max_connections (or put PgBouncer in front), ' +
      'and never hold a connection across slow non-database work.',
  },
};

/** Connections the measured demand needs: Σ rate × db time per request (Little's law), ×1.5 headroom. */
function poolFromDemand(result: RunResult): { busy: number; recommended: number } | null {
  const rps = new Map(result.endpoints?.map((e) => [e.endpoint, e.rps]) ?? []);
  let busy = 0;
  for (const d of result.demands ?? []) busy += ((rps.get(d.endpoint) ?? 0) * (d.dbMs ?? 0)) / 1000;
  if (busy <= 0) return null;
  return { busy, recommended: Math.max(2, Math.ceil(busy * 1.5)) };
}

/** Advice actions for the run's code-level findings. */
export function adviseCode(result: RunResult): Action[] {
  const actions: Action[] = [];
  for (const finding of result.findings ?? []) {
    const pattern = PATTERNS[finding.category];
    if (!pattern || finding.severity === 'info') continue;
    actions.push(toAdvice(finding, pattern, result));
  }
  return actions;
}

function toAdvice(finding: Finding, pattern: { title: string; fix: string }, result: RunResult): Action {
  let fix = pattern.fix;
  const evidence = [...finding.evidence];
  if (finding.category === 'pool-saturation') {
    const pool = poolFromDemand(result);
    if (pool) {
      fix += ` Measured: ${pool.busy.toFixed(1)} connections busy on average → a pool of ${pool.recommended}.`;
      evidence.push({ label: 'recommended pool size', value: pool.recommended, source: 'demand × rate (Little\'s law)' });
    }
  }
  return {
    id: `code-advice:${finding.id}`,
    kind: 'code-advice',
    component: 'code',
    target: finding.endpoint ?? finding.endpoints?.join(', ') ?? finding.category,
    risk: 'safe',
    title: `${pattern.title}${finding.endpoint ? ` in ${finding.endpoint}` : ''}`,
    rationale: `${finding.summary} ${fix}${finding.recommendation.code ? `\n${finding.recommendation.code}` : ''}`,
    evidence,
    changes: [],
    applicable: false,
    proposalOnlyReason: 'a code change: tuneup shows the pattern, you make the change',
    findings: [finding.id],
  };
}
