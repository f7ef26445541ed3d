// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
/**
 * One pass of a small subset of the frozen corpus through the benchmark's own
 * runner: the healthy clinic case and its missing index at the moderate load.
 * This checks that the corpus services, the runner and its scoring work end
 * to end on this machine; it prints each run's verdict but does not gate on
 * accuracy — accuracy is measured over repetitions by `bench/diagnosis-corpus.ts`
 * and reported in bench/README.md, where a miss stays a miss.
 *
 * @test-one-node — it checks the benchmark's runner and scoring, which the team runs on the machine's
 * Node; the CLI and rules it drives run on every Node in test/diagnose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseRun } from '../../bench/lib/corpus-score.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

test('the corpus runner runs a healthy and a faulty unseen case end to end and scores them', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'tuneup-corpus-subset-')), 'report.txt');
  const args = ['--import', 'tsx', 'bench/diagnosis-corpus.ts', '--services', 'clinic', '--cases', 'clinic/healthy,clinic/missing-index-patient-history', '--loads', 'moderate', '--reps', '1', '--duration', '6s', '--out', out];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  const runs = readFileSync(`${out}.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CaseRun);
  assert.deepEqual(runs.map((r) => r.caseId).sort(), ['clinic/healthy', 'clinic/missing-index-patient-history']);
  for (const r of runs) assert.equal(r.error, undefined, `${r.caseId}: ${r.error}`);
  const report = readFileSync(out, 'utf8');
  assert.match(report, /## load: moderate — top-1 \d+ % of 2 runs/);
  for (const line of report.split('\n').filter((l) => /^(ok|MISS)/.test(l))) t.diagnostic(line);
});
