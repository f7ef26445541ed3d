/**
 * The playbook's choices from a diagnosis and its dry run (pure): which
 * database actions it applies, which endpoint the validation runs alone,
 * what is left to change by hand, and the `tuneup validate` command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byHandOf, changedEndpoint, databaseActionsFor } from '../../src/playbook/run.js';
import { validateCommand } from '../../src/cli/commands/playbook-action.js';
import type { Action, OptimizationPlan } from '../../src/optimize/index.js';
import type { Finding } from '../../src/result/types.js';

function finding(id: string, category: Finding['category'], extra: Partial<Finding> = {}): Finding {
  return { id, category, severity: 'medium', title: id, summary: id, evidence: [], recommendation: { text: `fix ${id}` }, confidence: 0.9, impact: 0.5, ...extra } as Finding;
}

function action(id: string, extra: Partial<Action>): Action {
  return { id, kind: 'pg-index', component: 'database', target: 't', risk: 'safe', title: id, rationale: id, evidence: [], changes: [{ statements: ['CREATE INDEX …'], undo: ['DROP INDEX …'] }], applicable: true, ...extra } as Action;
}

function plan(actions: Action[]): OptimizationPlan {
  return { schemaVersion: 1, runId: 'r', createdAt: 0, strategy: 'balanced', targets: {}, actions, skipped: [], notes: [] } as OptimizationPlan;
}

const index = finding('missing-index:public.loans(member_id)', 'missing-index', { endpoint: 'GET /loans', confirmation: { status: 'confirmed', evidence: [] } });
const refutedIndex = finding('missing-index:public.books(author_id)', 'missing-index', { endpoint: 'GET /books', confirmation: { status: 'refuted', evidence: [] } });
const nPlusOne = finding('n-plus-one:GET /authors', 'n-plus-one', { endpoint: 'GET /authors', confirmation: { status: 'confirmed', evidence: [] } });
const slow = finding('slow-dependency:GET /reviews', 'slow-dependency', { endpoint: 'GET /reviews', severity: 'high' });
const low = finding('host-contention:host', 'host-contention', { severity: 'low' });

test('applies only database actions that fix a finding the isolation did not refute', () => {
  const dry = plan([
    action('pg-index:loans', { findings: [index.id] }),
    action('pg-index:books', { findings: [refutedIndex.id] }),
    action('pg-vacuum:orders', { kind: 'pg-maintenance', optIn: 'not proposed by this run' }),
    action('code-advice:' + nPlusOne.id, { kind: 'code-advice', component: 'code', applicable: false, changes: [], findings: [nPlusOne.id] }),
  ]);
  assert.deepEqual(databaseActionsFor(dry, [index, refutedIndex, nPlusOne]).map((a) => a.id), ['pg-index:loans']);
});

test('the endpoint run alone is the confirmed finding\'s, or where the isolation showed an unplaced one', () => {
  const fix = [action('pg-index:loans', { findings: [index.id] })];
  assert.equal(changedEndpoint(fix, [index]), 'GET /loans');
  const unplaced = finding(index.id, 'missing-index', { confirmation: { status: 'confirmed', evidence: [], shownBy: 'GET /members/:id/loans' } });
  assert.equal(changedEndpoint(fix, [unplaced]), 'GET /members/:id/loans');
  assert.equal(changedEndpoint(fix, [finding(index.id, 'missing-index')]), undefined);
});

test('by hand: medium-or-worse findings no applied action fixes, with the code advice when there is one', () => {
  const advice = action('code-advice:' + nPlusOne.id, { kind: 'code-advice', component: 'code', applicable: false, changes: [], findings: [nPlusOne.id], title: 'Batch the repeated query (N+1) in GET /authors' });
  const fix = action('pg-index:loans', { findings: [index.id] });
  const left = byHandOf(plan([fix, advice]), [index, refutedIndex, nPlusOne, slow, low], [fix]);
  assert.deepEqual(left.map((b) => [b.finding.id, b.advice?.title]), [
    [nPlusOne.id, 'Batch the repeated query (N+1) in GET /authors'],
    [slow.id, undefined],
  ]);
});

test('the validate command re-runs the plan against the saved baseline, quoting what the shell would split', () => {
  assert.equal(validateCommand('plan.yaml', 'playbook'), 'tuneup validate plan.yaml --baseline baseline:playbook --runs 1 --max-runs 1');
  assert.equal(
    validateCommand('my plan.yaml', 'x', 'http://127.0.0.1:3000', ['TOKEN=a b']),
    "tuneup validate 'my plan.yaml' --baseline baseline:x --runs 1 --max-runs 1 --base-url http://127.0.0.1:3000 -e 'TOKEN=a b'",
  );
});
