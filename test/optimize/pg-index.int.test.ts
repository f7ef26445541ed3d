// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { planOptimizations } from '../../src/optimize/index.js';
import type { TestPostgres } from '../harness/postgres.js';
import { runResultFrom, runWorkload, startPlantedPostgres, tuneupIndexes } from './helpers.js';

describe('pg-index proposals (HypoPG, Dexter method)', () => {
  let db: TestPostgres;
  let journalDir: string;
  before(async () => {
    db = await startPlantedPostgres();
    journalDir = await mkdtemp(join(tmpdir(), 'tuneup-journal-'));
    await runWorkload(db.url, [
      { sql: 'SELECT id, total FROM orders WHERE user_id = $1', params: (i) => [i * 7], times: 30 },
      { sql: 'SELECT id FROM users WHERE lower(email) = $1', params: (i) => [`user${i}@example.com`], times: 20 },
      { sql: 'SELECT count(*) FROM orders WHERE region = $1 AND shop = $2', params: (i) => [i % 10, i % 500], times: 20 },
      { sql: 'SELECT id FROM orders WHERE id = $1', params: (i) => [i], times: 20 },
    ]);
  });
  after(async () => {
    await db?.stop();
    if (journalDir) await rm(journalDir, { recursive: true, force: true });
  });

  test('proposes the dropped index with the right column and a cost drop of at least 50 %', async () => {
    const plan = await planOptimizations(await runResultFrom(db), { pgUrl: db.url });
    const action = plan.actions.find((a) => a.id === 'pg-index:public.orders(user_id)');
    assert.ok(action, `no user_id proposal in ${plan.actions.map((a) => a.id).join(', ')}; notes: ${plan.notes.join('; ')}`);
    const estimate = action.estimates![0]!;
    assert.ok(estimate.before >= 100, `before ${estimate.before}`);
    assert.ok(estimate.after <= estimate.before * 0.5, `after ${estimate.after} vs before ${estimate.before}`);
    assert.ok((estimate.indexSizeBytes ?? 0) > 100_000, `size ${estimate.indexSizeBytes}`);
    assert.match(estimate.planBefore[0]!, /Seq Scan on orders/);
    assert.ok(estimate.planAfter.some((l) => /Index|Bitmap/.test(l)), estimate.planAfter.join('\n'));
    assert.deepEqual(action.changes[0]!.statements, [
      'CREATE INDEX CONCURRENTLY "tuneup_orders_user_id_idx" ON "public"."orders" USING btree ("user_id")',
    ]);
    assert.deepEqual(action.changes[0]!.undo, ['DROP INDEX CONCURRENTLY IF EXISTS "public"."tuneup_orders_user_id_idx"']);
    assert.equal(action.risk, 'safe');
    // The ordering field is typed and matches the evidence row the report shows.
    assert.equal(action.helpedExecMs, action.evidence.find((e) => e.source === 'pg_stat_statements' && e.unit === 'ms')?.value);
    assert.ok((action.helpedExecMs ?? 0) > 0);
  });

  test('proposes an expression index for lower(email) and a two-column index for region AND shop', async () => {
    const plan = await planOptimizations(await runResultFrom(db), { pgUrl: db.url });
    const ids = plan.actions.map((a) => a.id);
    assert.ok(ids.includes('pg-index:public.users(lower(email))'), ids.join(', '));
    const expr = plan.actions.find((a) => a.id === 'pg-index:public.users(lower(email))')!;
    assert.match(expr.changes[0]!.statements[0]!, /USING btree \(\(lower\("email"\)\)\)$/);
    const two = ids.filter((id) => /orders\((region, shop|shop, region)\)/.test(id));
    assert.equal(two.length, 1, ids.join(', '));
    // The single-column prefix of the two-column proposal is not proposed separately.
    assert.ok(!ids.includes('pg-index:public.orders(region)') && !ids.includes('pg-index:public.orders(shop)'), ids.join(', '));
    // The primary-key lookup is already served: nothing proposed on orders(id).
    assert.ok(!ids.includes('pg-index:public.orders(id)'), ids.join(', '));
  });

  test('planning changes nothing: no real index, no hypothetical index left behind', async () => {
    await planOptimizations(await runResultFrom(db), { pgUrl: db.url });
    assert.deepEqual(await tuneupIndexes(db), []);
    const plan = await db.query<{ cost: string }>("SELECT 1 FROM pg_indexes WHERE tablename = 'orders' AND indexdef LIKE '%user_id%'");
    assert.equal(plan.length, 0);
  });

  test('an existing covering index suppresses the proposal', async () => {
    await db.query('CREATE INDEX orders_user_id_status_idx ON orders (user_id, status)');
    try {
      const plan = await planOptimizations(await runResultFrom(db), { pgUrl: db.url });
      assert.ok(!plan.actions.some((a) => a.target === 'public.orders' && /\(user_id/.test(a.id)), plan.actions.map((a) => a.id).join(', '));
    } finally {
      await db.query('DROP INDEX orders_user_id_status_idx');
    }
  });

  test('conservative strategy and component filter', async () => {
    const cache = await planOptimizations(await runResultFrom(db), { pgUrl: db.url, component: 'cache' });
    assert.equal(cache.actions.length, 0);
    const conservative = await planOptimizations(await runResultFrom(db), { pgUrl: db.url, strategy: 'conservative' });
    assert.ok(conservative.actions.every((a) => a.risk === 'safe'));
  });

  test('actions are linked to the diagnosis findings that name their kind and table', async () => {
    const result = await runResultFrom(db);
    result.findings = [
      { id: 'missing-index:public.orders(user_id)', rule: 'missing-index', category: 'missing-index', severity: 'high', title: 't', summary: 's', evidence: [], recommendation: { text: 'x' }, actions: ['pg-index'], confidence: 0.9, impact: 0.5 },
      { id: 'missing-index:public.invoices(x)', rule: 'missing-index', category: 'missing-index', severity: 'high', title: 't', summary: 's', evidence: [], recommendation: { text: 'x' }, actions: ['pg-index'], confidence: 0.9, impact: 0.5 },
    ];
    const plan = await planOptimizations(result, { pgUrl: db.url });
    assert.deepEqual(plan.actions.find((a) => a.id === 'pg-index:public.orders(user_id)')?.findings, ['missing-index:public.orders(user_id)']);
  });

  test('plans store the URL without the password', async () => {
    const url = db.url.replace('postgres@', 'postgres:s3cret@');
    const plan = await planOptimizations(await runResultFrom(db), { pgUrl: url, component: 'cache' });
    assert.ok(!JSON.stringify(plan).includes('s3cret'));
    assert.match(plan.targets.pg!, /postgres:\*\*\*@/);
  });
});
