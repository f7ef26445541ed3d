import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { adviseCode } from '../../src/optimize/code-advice.js';
import { concurrentRecreate, restoreTableOptions } from '../../src/optimize/executors.js';
import { listJournals, newJournalId, readJournal, writeJournal } from '../../src/optimize/journal.js';
import { indexNameFor, normalizeKey } from '../../src/optimize/pg-index.js';
import { redactUrl } from '../../src/optimize/redact.js';
import { analyzeStatement, loadParser } from '../../src/optimize/sql-analysis.js';
import type { JournalEntry } from '../../src/optimize/types.js';
import type { Finding, RunResult } from '../../src/result/types.js';

test('redactUrl removes passwords from the userinfo and the query string', () => {
  assert.equal(redactUrl('postgresql://app:s3cret@db:5432/x?sslmode=require'), 'postgresql://app:***@db:5432/x?sslmode=require');
  assert.equal(redactUrl('redis://:pw@127.0.0.1:6379'), 'redis://:***@127.0.0.1:6379');
  assert.ok(!redactUrl('postgresql://db/x?password=s3cret').includes('s3cret'));
  assert.ok(!redactUrl('host=db password=s3cret').includes('s3cret'));
});

test('journal: durable write, read back, newest first, ids cannot escape the directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tuneup-journal-'));
  try {
    const entry = (id: string): JournalEntry => ({
      schemaVersion: 1, id, runId: 'r', environment: 'test', strategy: 'balanced', createdAt: 0, updatedAt: 0, status: 'applying', targets: {}, steps: [], proposalsOnly: [],
    });
    await writeJournal(dir, entry('20260101-000000-aaaa'));
    await writeJournal(dir, entry('20260102-000000-bbbb'));
    await writeFile(join(dir, 'notes.json'), '{}');
    assert.deepEqual((await listJournals(dir)).map((e) => e.id), ['20260102-000000-bbbb', '20260101-000000-aaaa']);
    assert.equal((await readJournal(dir, '20260101-000000-aaaa')).status, 'applying');
    assert.ok(!(await readdir(dir)).some((n) => n.endsWith('.tmp')));
    await assert.rejects(readJournal(dir, '../etc/passwd'), (e: { code?: string }) => e.code === 'TUNEUP_JOURNAL_NOT_FOUND');
    await assert.rejects(readJournal(dir, '20990101-000000-ffff'), (e: { code?: string }) => e.code === 'TUNEUP_JOURNAL_NOT_FOUND');
    assert.match(newJournalId(new Date('2026-11-23T19:05:03Z')), /^20261123-190503-[0-9a-f]{4}$/);
    assert.deepEqual(await listJournals(join(dir, 'missing')), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('statement analysis with the PostgreSQL parser: tables, aliases, filter/join/sort columns, expressions', async () => {
  await loadParser();
  const shape = analyzeStatement(
    'SELECT o.id, u.name FROM orders o JOIN users u ON u.id = o.user_id WHERE lower(u.email) = $1 AND o.status = $2 ORDER BY o.created_at LIMIT $3',
  );
  assert.ok(shape);
  assert.deepEqual(shape.tables.map((t) => `${t.name} ${t.alias}`), ['orders o', 'users u']);
  assert.deepEqual(
    shape.uses.map((u) => `${u.qualifier}.${u.func ? `${u.func}(${u.column})` : u.column}`),
    ['u.id', 'o.user_id', 'u.lower(email)', 'o.status', 'o.created_at'],
  );
  assert.equal(shape.params, 3);
  assert.equal(analyzeStatement('INSERT INTO t VALUES ($1)'), null);
  assert.equal(analyzeStatement('SELECT FROM WHERE'), null);
  assert.deepEqual(analyzeStatement('DELETE FROM sessions WHERE expires_at < $1')?.uses.map((u) => u.column), ['expires_at']);
});

test('index keys and names', () => {
  assert.equal(normalizeKey('lower((email)::text)'), 'lower(email)');
  assert.equal(normalizeKey('"user_id"'), 'user_id');
  assert.equal(indexNameFor('orders', ['user_id']), 'tuneup_orders_user_id_idx');
  assert.equal(indexNameFor('users', ['lower(email)']), 'tuneup_users_lower_email_idx');
  assert.ok(indexNameFor('t'.repeat(80), ['c']).length <= 63);
  assert.equal(
    concurrentRecreate('CREATE UNIQUE INDEX u_idx ON public.t USING btree (a)'),
    'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u_idx ON public.t USING btree (a)',
  );
  assert.deepEqual(restoreTableOptions('public', 't', ['a', 'b'], { a: '0.1' }), [
    `ALTER TABLE "public"."t" SET (a = '0.1')`,
    'ALTER TABLE "public"."t" RESET (b)',
  ]);
});

test('code-level advice: N+1 gets the = ANY($1) batch pattern; pool size from the measured demand; nothing applicable', () => {
  const finding = (category: Finding['category'], id: string): Finding => ({
    id, rule: category, category, severity: 'high', endpoint: 'GET /orders', title: 't', summary: 'Summary.', evidence: [{ label: 'calls per request', value: 25, source: 'pg_stat_statements' }],
    recommendation: { text: 'x' }, confidence: 0.8, impact: 0.5,
  });
  const result = {
    findings: [finding('n-plus-one', 'n1'), finding('pool-saturation', 'pool'), finding('missing-index', 'mi')],
    endpoints: [{ endpoint: 'GET /orders', rps: 200 }],
    demands: [{ endpoint: 'GET /orders', dbMs: 40, method: 'profile' }],
  } as unknown as RunResult;
  const actions = adviseCode(result);
  assert.deepEqual(actions.map((a) => a.id), ['code-advice:n1', 'code-advice:pool']);
  assert.ok(actions.every((a) => !a.applicable && a.changes.length === 0 && a.component === 'code'));
  assert.match(actions[0]!.rationale, /= ANY\(\$1\)/);
  // 200 req/s × 40 ms = 8 connections busy → 12 with headroom.
  assert.ok(actions[1]!.evidence.some((e) => e.label === 'recommended pool size' && e.value === 12));
});

test('apply refuses an action the plan strategy does not admit, before writing any journal', async () => {
  const { applyPlan } = await import('../../src/optimize/index.js');
  const dir = await mkdtemp(join(tmpdir(), 'tuneup-journal-'));
  try {
    const plan = {
      schemaVersion: 1, runId: 'r', createdAt: 0, strategy: 'balanced', targets: {}, skipped: [], notes: [],
      actions: [{
        id: 'pg-drop-index:public.x', kind: 'pg-drop-index', component: 'database', target: 'public.t', risk: 'disruptive', title: 't', rationale: 'r', evidence: [], applicable: true,
        changes: [{ id: 'c', system: 'postgres', op: 'drop-index', description: 'd', statements: ['DROP INDEX CONCURRENTLY IF EXISTS "public"."x"'], undo: [], params: {} }],
      }],
    } as const;
    await assert.rejects(applyPlan(structuredClone(plan) as never, { journalDir: dir, environment: 'test' }), (e: { code?: string }) => e.code === 'TUNEUP_APPLY_REFUSED');
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
