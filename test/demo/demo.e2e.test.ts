/**
 * `tuneup demo --quick` end to end on the embedded path (PGlite behind the
 * socket server): the diagnosis goes through `tuneup diagnose`'s experiment
 * (capacity steps, diagnosis at a sustainable rate, suspects alone), the
 * planted missing index is found and confirmed by isolation, the optimizer's
 * index is applied and makes the endpoint the finding names measurably
 * faster in the compare step, and nothing the demo started is left:
 * processes, ports, temp dir.
 *
 * Bounded: one 2.5 s capacity step at 20 req/s, a 14 s diagnosis and an 11 s
 * validation at 10 req/s, a few 2 s isolations at 15 req/s and two 5 s runs
 * of one endpoint alone (2 users), all on 127.0.0.1; the first PGlite start
 * on a machine also initialises its cache.
 *
 * @test-alone: it judges a diagnosis and a before/after comparison on a
 * single-threaded embedded database, so it must not share the CPU with
 * another test file (in CI, with its own run on the other Node version).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { canConnect } from '../../src/cli/target-command.js';
import { runCli, tempDir } from '../cli/helpers.js';
import { alive } from '../harness/alive.js';

interface DemoJson {
  database: { kind: string; version: string };
  stack: { pids: number[]; ports: number[]; tmpDir: string };
  findings: { id: string; category: string; endpoint: string | null }[];
  applied: { id: string; statements: string[]; estimatedBy: string | null }[];
  deltas: { label: string; endpoint: string | null; before: number; after: number; verdict: string }[];
  verdicts: { mixed: string | null; isolation: string | null };
  experiment: { steps: { rate: number; sustained: boolean }[]; chosenRate: number; isolated: string[] };
  confirmations: Record<string, string | null>;
  alone: string | null;
  reportPath: string;
}

function accepts(port: number): Promise<boolean> {
  return canConnect('127.0.0.1', port, 1000);
}

test('tuneup demo --quick: finds the missing index, applies it, proves it, leaves nothing running', { timeout: 300_000 }, async () => {
  const cwd = tempDir();
  const run = await runCli(['demo', '--quick', '--json'], cwd);
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout) as DemoJson;
  assert.equal(out.database.kind, 'pglite');
  assert.match(out.database.version, /PGlite/);

  // Diagnosed by the experiment: capacity steps, then the mix at a sustained rate, then suspects alone.
  assert.ok(out.experiment.steps.length >= 1 && out.experiment.chosenRate > 0, JSON.stringify(out.experiment));
  const missing = out.findings.find((f) => f.category === 'missing-index');
  assert.ok(missing, `no missing-index finding among ${out.findings.map((f) => f.id).join(', ')}`);
  assert.match(missing.id, /loans\(member_id/);
  assert.equal(out.confirmations[missing.id], 'confirmed', JSON.stringify(out.confirmations));
  // The validation runs alone the endpoint the confirmed finding names (no constant in the demo).
  assert.equal(out.alone, 'GET /api/members/:id/loans');
  assert.ok(out.experiment.isolated.includes(out.alone), JSON.stringify(out.experiment));

  // Optimized: an index on loans leading with member_id, estimated without HypoPG and applied.
  const index = out.applied.find((a) => a.id.startsWith('pg-index:public.loans(member_id'));
  assert.ok(index, `applied: ${out.applied.map((a) => a.id).join(', ')}`);
  assert.match(index.estimatedBy ?? '', /rolled-back transaction/);
  assert.match(index.statements.join(' '), /CREATE INDEX CONCURRENTLY .* ON "public"."loans" USING btree \("member_id"/);

  // Validated: the endpoint alone is faster after the index, with a significant interval.
  assert.equal(out.verdicts.isolation, 'improved', JSON.stringify(out.deltas));
  const alone = out.deltas.find((d) => d.label.startsWith('alone: throughput'));
  assert.ok(alone && alone.after > alone.before, JSON.stringify(alone));

  // Nothing left: every pid gone, every port closed, the temp dir removed.
  assert.ok(out.stack.pids.length >= 3);
  for (const pid of out.stack.pids) assert.equal(alive(pid), false, `pid ${pid} still running`);
  for (const port of out.stack.ports) assert.equal(await accepts(port), false, `port ${port} still open`);
  assert.equal(existsSync(out.stack.tmpDir), false, `${out.stack.tmpDir} still exists`);
  assert.ok(existsSync(out.reportPath.startsWith('/') ? out.reportPath : `${cwd}/${out.reportPath}`), out.reportPath);
});
