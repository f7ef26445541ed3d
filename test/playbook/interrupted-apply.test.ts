/**
 * The playbook's result and summary when Ctrl-C stopped its apply (pure):
 * the actions the journal says ran are the applied ones, the rest are named
 * as not applied, and the summary always names the journal to roll back.
 * The end-to-end check (SIGINT to the CLI, real PostgreSQL) is
 * interrupt.int.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedBy, type PlaybookResult } from '../../src/playbook/run.js';
import { renderPlaybookSummary } from '../../src/cli/commands/playbook-action.js';
import type { Action, JournalEntry, JournalStep, OptimizationPlan } from '../../src/optimize/index.js';

function action(id: string): Action {
  return { id, kind: 'pg-index', component: 'database', target: id, risk: 'safe', title: `Index ${id}`, rationale: id, evidence: [], changes: [{ id, statements: [`CREATE INDEX CONCURRENTLY ${id}_idx ON t (${id})`], undo: [`DROP INDEX ${id}_idx`] }], applicable: true } as unknown as Action;
}

function journal(states: [string, JournalStep['state']][], status: JournalEntry['status'] = 'failed'): JournalEntry {
  return { id: '20261205-060000-abcd', status, steps: states.map(([actionId, state]) => ({ actionId, state, change: { statements: [], undo: [] } })) } as unknown as JournalEntry;
}

const a = action('a');
const b = action('b');

function result(extra: Partial<PlaybookResult>): PlaybookResult {
  return {
    experiment: { steps: [{ offeredRate: 20, sustained: true }], knee: { status: 'not-reached', sustainedRate: 20, reasons: [] }, chosenRate: 10, chosenBy: 'flag', requestedRate: 10, isolation: [], durationMs: 0 },
    findings: [],
    plan: { actions: [a, b] } as unknown as OptimizationPlan,
    toApply: [a, b],
    applied: [],
    byHand: [],
    deltas: [],
    notes: [],
    interrupted: true,
    ...extra,
  } as PlaybookResult;
}

const ctx = { planPath: 'plan.yaml', seconds: 30, apply: true, baseline: 'playbook', next: 'tuneup validate plan.yaml' };

test('changedBy: the actions with a step applied, or started when the apply stopped mid-change; pending and skipped ones did not change anything', () => {
  assert.deepEqual(changedBy([a, b], journal([['a', 'applied'], ['b', 'pending']])).map((x) => x.id), ['a']);
  assert.deepEqual(changedBy([a, b], journal([['a', 'skipped'], ['b', 'started']])).map((x) => x.id), ['b']);
  assert.deepEqual(changedBy([a, b], journal([['a', 'pending'], ['b', 'pending']])), []);
  assert.deepEqual(changedBy([a, b], undefined), []);
});

test('interrupted between changes: the summary lists what was applied, what was not, and the rollback command', () => {
  const text = renderPlaybookSummary(result({ applied: [a], journal: journal([['a', 'applied'], ['b', 'pending']]) }), ctx);
  assert.match(text, /applied \(journal 20261205-060000-abcd\):\n {2}Index a\n {4}CREATE INDEX CONCURRENTLY a_idx/);
  assert.match(text, /not applied \(the apply was interrupted before them\):\n {4}Index b\n/);
  assert.match(text, /undo: tuneup rollback 20261205-060000-abcd/);
  assert.match(text, /interrupted: the playbook stopped early/);
});

test('interrupted before the first change: nothing was changed, and the journal is still named', () => {
  const text = renderPlaybookSummary(result({ journal: journal([['a', 'pending'], ['b', 'pending']]) }), ctx);
  assert.match(text, /apply interrupted before its first change \(journal 20261205-060000-abcd\): nothing was changed; not applied:\n {2}Index a\n(?:.*\n)* {2}Index b\n/);
  assert.doesNotMatch(text, /undo:/);
});

test('a rate pinned by --rate to the plan\'s own rate asks for no change to the plan', () => {
  const same = renderPlaybookSummary(result({ interrupted: false }), ctx);
  assert.doesNotMatch(same, /the plan asks for/);
  const other = renderPlaybookSummary(result({ interrupted: false, experiment: { ...result({}).experiment, chosenRate: 7 } }), ctx);
  assert.match(other, /the plan asks for 10\/s but the baseline ran at 7\/s/);
});
