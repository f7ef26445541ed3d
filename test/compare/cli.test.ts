import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { exitCodeFor } from '../../src/cli/commands/compare-action.js';
import { registerCompareCommands } from '../../src/cli/commands/compare.js';
import { requestedExitCode } from '../../src/cli/exit.js';
import type { CliIO } from '../../src/cli/io.js';
import { compareRuns } from '../../src/compare/compare.js';
import type { RunResult } from '../../src/result/types.js';
import { runsWithP95 } from './fixtures/runs.js';

// In-process (spawning the CLI costs seconds per call on a busy machine):
// a program with only these commands, writing into strings.
let dir = '';
const start = process.cwd();

function store(runs: RunResult[]): void {
  for (const run of runs) {
    mkdirSync(join(dir, '.tuneup/runs', run.id), { recursive: true });
    writeFileSync(join(dir, '.tuneup/runs', run.id, 'result.json'), JSON.stringify(run));
  }
}

async function tuneup(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { out: (t) => void (stdout += `${t}\n`), err: (t) => void (stderr += `${t}\n`), interactive: false, color: false };
  const program = new Command().exitOverride().configureOutput({ writeOut: (s) => void (stdout += s), writeErr: (s) => void (stderr += s) });
  registerCompareCommands(program, io);
  for (const c of program.commands) c.exitOverride();
  await program.parseAsync(args, { from: 'user' });
  return { stdout, stderr };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tuneup-compare-'));
  process.chdir(dir);
  store(runsWithP95('base', [100, 102, 98, 101, 99], 0)); // base1..base5
  store(runsWithP95('fast', [60, 61, 59, 62, 58], 1));
  store(runsWithP95('slow', [150, 152, 149, 151, 148], 1));
  store(runsWithP95('same', [100, 101, 99, 100.5, 99.5], 1));
});
after(() => {
  process.chdir(start);
  rmSync(dir, { recursive: true, force: true });
});

const BASE = 'base1,base2,base3,base4,base5';

test('compare: improvement exits 0 and prints a benchstat-like table with goals', async () => {
  const r = await tuneup('compare', BASE, 'fast1,fast2,fast3,fast4,fast5', '--goal', 'p95=-20%', '--goal', 'p95=-50%');
  assert.match(r.stdout, /p95 response time\s+before\s+after\s+vs base/);
  assert.match(r.stdout, /overall \*\s+100ms ±2%\s+60\.0ms ±3%\s+−40\.0% \[.*\] \(p=0\.008 n=5\+5\) improved/);
  assert.match(r.stdout, /verdict: improved/);
  assert.match(r.stdout, /met\s+p95 overall -20%/);
  assert.match(r.stdout, /not-met\s+p95 overall -50%/);
  assert.equal(requestedExitCode(), 0);
});

test('compare: regression exits 111; JSON, Markdown and HTML outputs', async () => {
  const r = await tuneup('compare', BASE, 'slow1,slow2,slow3,slow4,slow5', '--json', '--markdown', 'out.md', '--html', 'out.html');
  assert.equal(requestedExitCode(), 111);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.kind, 'tuneup.comparison');
  assert.equal(doc.comparison.verdict, 'regressed');
  assert.deepEqual(doc.comparison.before.runs, ['base1', 'base2', 'base3', 'base4', 'base5']);
  assert.match(readFileSync(join(dir, 'out.md'), 'utf8'), /\| overall \*\*\(primary\)\*\* \| 100ms ±2% \| 150ms ±1% \|/);
  const html = readFileSync(join(dir, 'out.html'), 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<svg class="dots"/);
  assert.doesNotMatch(html, /<script|https?:\/\//);
});

test('exit codes: regression beats inconclusive; inconclusive fails only when asked', () => {
  const base = runsWithP95('a', [100, 102, 98, 101, 99], 0);
  const slow = compareRuns(base, runsWithP95('b', [150, 152, 149, 151, 148], 1));
  const same = compareRuns(base, runsWithP95('b', [100, 101, 99, 100.5, 99.5], 1));
  const missing = compareRuns(base, runsWithP95('b', [100, 101, 99, 100.5, 99.5], 1), { primary: { metric: 'p95', endpoint: 'GET /nope' } });
  assert.equal(exitCodeFor([same], true), 0);
  assert.equal(exitCodeFor([missing], false), 0);
  assert.equal(exitCodeFor([missing], true), 112);
  assert.equal(exitCodeFor([missing, slow], true), 111);
});

test('compare: several candidates, primary on a missing endpoint says why', async () => {
  const r = await tuneup('compare', BASE, 'same1,same2,same3,same4,same5', 'fast1,fast2,fast3,fast4,fast5', '--primary', 'p95:GET /nope');
  assert.equal(r.stdout.match(/verdict: inconclusive/g)?.length, 2);
  assert.match(r.stdout, /inconclusive: primary-missing/);
});

test('baseline save/show and baseline:NAME in compare', async () => {
  const saved = await tuneup('baseline', 'save', 'main', 'base1', 'base2,base3', 'base4', 'base5');
  assert.match(saved.stdout, /baseline main: 5 run\(s\)/);
  const stored = JSON.parse(readFileSync(join(dir, '.tuneup/baselines/main.json'), 'utf8'));
  assert.deepEqual(stored.runs.map((r: { id: string }) => r.id), ['base1', 'base2', 'base3', 'base4', 'base5']);
  assert.match((await tuneup('baseline', 'show', 'main')).stdout, /base3/);
  assert.equal((await tuneup('baseline', 'show')).stdout.trim(), 'main');
  const r = await tuneup('compare', 'baseline:main', 'slow1,slow2,slow3,slow4,slow5', '--json');
  assert.equal(JSON.parse(r.stdout).comparison.verdict, 'regressed');
  await assert.rejects(tuneup('compare', 'baseline:nope', 'slow1'), (e: { code?: string; hint?: string }) => e.code === 'TUNEUP_BASELINE_NOT_FOUND' && /stored baselines: main/.test(e.hint ?? ''));
  await assert.rejects(tuneup('baseline', 'save', '../evil', 'base1'), { code: 'TUNEUP_BASELINE_NAME' });
});

test('usage errors: bad threshold, duplicate run, unknown run', async () => {
  await assert.rejects(tuneup('compare', BASE, 'fast1', '--threshold', 'p95=abc'), { code: 'TUNEUP_OPTION_INVALID' });
  await assert.rejects(tuneup('compare', 'base1,base1', 'fast1'), { code: 'TUNEUP_COMPARE_DUPLICATE_RUN' });
  await assert.rejects(tuneup('compare', 'base1', 'nothere'), { code: 'TUNEUP_RUN_NOT_FOUND' });
});
