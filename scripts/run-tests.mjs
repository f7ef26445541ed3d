#!/usr/bin/env node
// Runs the *.test.ts files under test/ and src/ with node:test + tsx, by tier.
//
//   node scripts/run-tests.mjs [--tier unit|integration|e2e|all] [--concurrency N] [--also-node PATH]... [--no-batch] [--typecheck] [--list] [filter...]
//
// The file suffix decides the tier:
//   *.e2e.test.ts  e2e          CLI end to end, diagnosis corpus (timing-sensitive: one file at a time)
//   *.int.test.ts  integration  real PostgreSQL / Redis / HTTP servers / child processes / Chromium
//   *.test.ts      unit         pure code and replayed evidence (no servers, no child processes)
// `--tier` takes a comma list; the default is all three, one tier after the other,
// except that when integration and e2e both run, the e2e files that share a pool
// run in the integration tier's pool (see the plan near the end).
// Filters are path substrings (any matches). Node 20's `node --test` neither
// expands globs nor discovers .ts files, so the file list is built here.
//
// `--also-node PATH` (repeatable; CI passes Node 24) runs every selected file
// on that Node binary too. The unit and integration files of all Node
// versions share one pool per tier, so one version's slow tail overlaps the
// other's files; the diagnosis corpus (test/diagnose/*.e2e.test.ts) measures
// latency and always runs alone, one file and one Node version at a time.
// A file whose header says `@test-one-node` runs on the first Node only: it
// measures something that does not depend on the Node version and whose
// pipeline other files already run on every version (the diagnosis holdout
// and the fixture's database/cache rules: rule accuracy; the experiment's
// orchestration, which the demo runs on each Node; e2e-runtime runs the same
// CLI and probes on each Node, and its runtime faults depend on the version;
// the capacity search's bottleneck naming and ROI arithmetic on the fixture
// service, whose search capacity.e2e runs on each Node). Each file learns its
// pass from TUNEUP_TEST_NODE_INDEX (0 = the first Node), so a file can run
// its version-independent tests once (e2e-runtime's error-rate and
// connection-limit cases) and skip them, reported as skipped, on the others.
//
// The integration pool (with the e2e files that share it) runs one file more than the concurrency while
// every running file's header says `@test-cpu-tolerant` (its assertions are about contents, SQL effects,
// exit codes and files, with generous waits): such files spend much of their time waiting on servers they
// start. A file without the tag is timing-sensitive and never has more than concurrency − 1 neighbours.
//
// `--typecheck` runs `tsc --noEmit -p tsconfig.json` alongside the first
// tier (the unit batches: nothing there judges timing) and waits for it
// before the next tier starts (whose files may), failing the run when it
// fails; `npm test` uses it instead of a type check before the tests.
//
// Each file runs in its own process, `node --import tsx <file>` (node:test
// runs a file's tests when the file is the entry), a tier's files
// `concurrency` at a time; the runner times every file, kills a file that
// outlives its tier's limit (a leaked server must not hang CI), and ends with
// the slowest files and each tier's wall time. Not `node --test <file>`: that
// starts a second process (a parent that only relays the report), and with
// tsx loaded in both it cost 0.1-0.3 CPU s more per file. What changes: Node
// 24 honours `--test-timeout` per test either way, but Node 20 only under
// `--test`, where it bounded the whole file (measured: a file of three 0.7 s
// tests fails at `--test-timeout=1000`); so on Node < 24 the runner kills a
// file at the tier's test timeout, as `node --test` did.
//
// Unit files run in batches instead (scripts/test-batch.mjs: each file in its
// own describe, several files per process): a unit file's tests take tens of
// milliseconds, its process start with tsx about 0.45 CPU s. The batches of all
// Node versions share the tier's pool; `--no-batch` runs one file per process
// (to check that a failure does not depend on its neighbours).
//
// Integration and end-to-end files start the CLI from the compiled dist/ when
// it is up to date with src/ (test/harness/cli.ts: about half the CPU of a
// start through tsx); before those tiers the runner rebuilds a stale dist/
// (`tsc -p tsconfig.build.json`; in CI `npm ci`'s prepare has just built it).
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { staleDistFiles } from '../test/harness/dist-fresh.mjs';

const root = new URL('..', import.meta.url).pathname;

/**
 * Per tier: files run at once, node:test's per-test timeout, and the wall
 * limit of one file (past it the file's process group is killed).
 */
const TIERS = {
  // batchesPerWorker: each Node version's unit files are split into concurrency × this many batches
  // (several per worker, so one slow batch does not leave the other worker idle at the end).
  unit: { concurrency: availableParallelism(), testTimeoutMs: 60_000, fileLimitMs: 120_000, batchesPerWorker: 2 },
  integration: { concurrency: availableParallelism(), testTimeoutMs: 240_000, fileLimitMs: 600_000 },
  // CLI end to end: several at once; the diagnosis corpus (see exclusive()) one at a time, alone.
  e2e: { concurrency: availableParallelism(), testTimeoutMs: 240_000, fileLimitMs: 1_200_000 },
};

/**
 * Files that judge latency never run alongside another file (nor alongside the same file on another
 * Node version): the diagnosis corpus, and any e2e file whose header says `@test-alone` (e.g. the demo,
 * which judges a diagnosis and a before/after comparison on a single-threaded embedded database).
 * A diagnosis file whose header says `@test-shared` judges nothing that timing can move (counts of
 * scans and calls, a target that is gone) and shares the pool.
 */
function exclusive(file) {
  if (tierOf(file) !== 'e2e') return false;
  const head = header(file);
  if (head.includes('@test-shared')) return false;
  return file.startsWith('test/diagnose/') || head.includes('@test-alone');
}

function usage(message) {
  console.error(`${message}\nusage: node scripts/run-tests.mjs [--tier unit|integration|e2e|all] [--concurrency N] [--also-node PATH]... [--no-batch] [--typecheck] [--list] [filter...]`);
  process.exit(2);
}

const args = process.argv.slice(2);
let tiers = Object.keys(TIERS);
let concurrencyOverride;
let listOnly = false;
let batching = true;
let typecheckRequested = false;
const nodes = [process.execPath];
const filters = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--tier' || a.startsWith('--tier=')) {
    const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
    if (!value) usage('--tier needs a value');
    tiers = value === 'all' ? Object.keys(TIERS) : value.split(',');
    for (const t of tiers) if (!(t in TIERS)) usage(`unknown tier ${t}`);
  } else if (a === '--concurrency' || a.startsWith('--concurrency=')) {
    const value = Number(a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i]);
    if (!Number.isInteger(value) || value < 1) usage('--concurrency needs a positive integer');
    concurrencyOverride = value;
  } else if (a === '--also-node' || a.startsWith('--also-node=')) {
    const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
    if (!value) usage('--also-node needs the path of a node binary');
    nodes.push(value);
  } else if (a === '--no-batch') {
    batching = false;
  } else if (a === '--typecheck') {
    typecheckRequested = true;
  } else if (a === '--list') {
    listOnly = true;
  } else if (a.startsWith('-')) {
    usage(`unknown option ${a}`);
  } else {
    filters.push(a);
  }
}

const headers = new Map();
/** The first 2000 characters of a test file: where its `@test-…` tags live (read once). */
function header(file) {
  if (!headers.has(file)) headers.set(file, readFileSync(join(root, file), 'utf8').slice(0, 2000));
  return headers.get(file);
}

/**
 * Files whose assertions do not move with CPU contention (contents, SQL effects, exit codes, files written;
 * generous waits only): their header says `@test-cpu-tolerant`, and the integration pool runs one more of
 * them at a time (see pool()). The pool waits on the servers such files start about half its time
 * (2026-12-07: 480 s of wall for 548 CPU s on 2 cores). A file without the tag is treated as timing-sensitive.
 */
function cpuTolerant(file) {
  return file !== '' && header(file).includes('@test-cpu-tolerant');
}

/** Files that run on the first Node only (see the header comment). */
function oneNode(file) {
  return header(file).includes('@test-one-node');
}

/** The tier a test file belongs to, from its suffix. */
function tierOf(file) {
  if (file.endsWith('.e2e.test.ts')) return 'e2e';
  if (file.endsWith('.int.test.ts')) return 'integration';
  return 'unit';
}

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const allFiles = [...walk(join(root, 'test'), []), ...walk(join(root, 'src'), [])]
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
const plan = tiers.map((tier) => ({ tier, files: allFiles.filter((f) => tierOf(f) === tier) })).filter((p) => p.files.length > 0);
if (plan.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
if (listOnly) {
  for (const { tier, files } of plan) for (const f of files) console.log(`${tier}\t${f}`);
  process.exit(0);
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * CPU seconds (user + system) used so far by the finished test processes and
 * everything they waited for, from /proc (Linux; null elsewhere). Unlike wall
 * time it hardly changes when other work shares the machine, so it tells
 * what a tier costs on a quiet one. Daemons (PostgreSQL after pg_ctl start)
 * are not counted.
 */
function childCpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5) (cutime, cstime), counted from field 3 here; clock ticks of 1/100 s.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}
let killing = false;
const running = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killing = true;
    for (const child of running) killGroup(child);
    process.exit(130);
  });
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const versions = nodes.map((node) => {
  const out = spawnSync(node, ['--version'], { encoding: 'utf8' });
  if (out.status !== 0) usage(`${node} is not a working node binary`);
  return out.stdout.trim();
});
const label = (job) => {
  const name = job.files ? `${job.tier} batch ${job.batch} (${job.files.length} files)` : job.file;
  return nodes.length > 1 ? `${name} [node ${versions[job.node]}]` : name;
};

/**
 * A file's wall limit on a Node version: the tier's, or on Node < 24 (no per-test
 * timeout outside `node --test`, see the header) the tier's test timeout if shorter,
 * which `node --test` applied to the whole file there.
 */
function fileLimit(job, settings) {
  // A batch holds many files: bound it by the tier's file limit (Node 24 still times each test out).
  if (job.files) return settings.fileLimitMs;
  const major = Number(/^v(\d+)/.exec(versions[job.node])?.[1]);
  return major >= 24 ? settings.fileLimitMs : Math.min(settings.fileLimitMs, settings.testTimeoutMs);
}

/** Run one file on one Node; resolves to its outcome. Output streams when alone, else is printed whole at the end. */
function runFile(job, settings, stream) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      nodes[job.node],
      ['--import', 'tsx', '--test-reporter=spec', `--test-timeout=${settings.testTimeoutMs}`, ...(job.files ? [join(root, 'scripts/test-batch.mjs'), ...job.files] : [job.file])],
      // Own process group: a file that hangs is killed with everything it started.
      { cwd: root, detached: true, stdio: ['ignore', stream ? 'inherit' : 'pipe', stream ? 'inherit' : 'pipe'], env: { ...process.env, TUNEUP_TEST: '1', TUNEUP_TEST_NODE_INDEX: String(job.node) } },
    );
    running.add(child);
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    let timedOut = false;
    const limitMs = fileLimit(job, settings);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, limitMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      const ms = Date.now() - started;
      const ok = code === 0 && !timedOut;
      if (!stream) process.stdout.write(output);
      if (timedOut) console.log(`✖ ${label(job)}: killed after ${seconds(limitMs)} (the file's limit; a test hung or something kept it alive)`);
      // A batch names its failing files from the report (each file is a top-level suite of its own).
      const failedFiles = job.files && !ok ? job.files.filter((f) => output.includes(`✖ ${f} (`)) : [];
      console.log(`${ok ? '✔' : '✖'} ${label(job)} (${seconds(ms)})${ok ? '' : ` exit ${code ?? signal}`}${failedFiles.length > 0 ? `: ${failedFiles.join(', ')}` : ''}\n`);
      resolve({ name: failedFiles.length > 0 ? `${label(job)}: ${failedFiles.join(', ')}` : label(job), ms, ok });
    });
  });
}

/** Most files that ran at once in the current tier (printed when it ends). */
let peakRunning = 0;

/**
 * Run jobs `concurrency` at a time, each with its own tier's settings. With `spareSlot`, one file more runs
 * while every running file (and the one to start) is `@test-cpu-tolerant` (see {@link cpuTolerant}): a file
 * whose assertions may move with CPU contention still has at most `concurrency − 1` neighbours, as without it.
 * The first queued job that may start does (a waiting timing-sensitive file lets tolerant ones past it).
 */
async function pool(jobs, concurrency, spareSlot = false) {
  const queue = [...jobs];
  const results = [];
  const running = new Set();
  const stream = Math.min(concurrency, queue.length) <= 1 && !spareSlot;
  const tolerant = (job) => spareSlot && cpuTolerant(job.file ?? '');
  const mayStart = (job) => {
    const limit = tolerant(job) && [...running].every(tolerant) ? concurrency + 1 : concurrency;
    return running.size < limit;
  };
  await new Promise((resolve) => {
    const fill = () => {
      if (killing) return resolve();
      for (let i = 0; i < queue.length; ) {
        const job = queue[i];
        if (!mayStart(job)) {
          i++;
          continue;
        }
        queue.splice(i, 1);
        running.add(job);
        peakRunning = Math.max(peakRunning, running.size);
        runFile(job, TIERS[job.tier ?? tierOf(job.file)], stream).then((result) => {
          results.push(result);
          running.delete(job);
          fill();
        });
      }
      if (queue.length === 0 && running.size === 0) resolve();
    };
    fill();
  });
  return results;
}

/**
 * A tier's files as batches, per Node version: the files (each version's own list, `@test-one-node` files on
 * the first only) dealt round-robin into concurrency × batchesPerWorker batches, interleaved across versions.
 */
function batchesOf(tier, files, settings, concurrency) {
  const perNode = nodes.map((_, node) => files.filter((f) => node === 0 || !oneNode(f)));
  const count = Math.max(1, Math.min(concurrency * settings.batchesPerWorker, Math.max(...perNode.map((l) => l.length))));
  const jobs = [];
  for (let b = 0; b < count; b++) {
    for (let node = 0; node < nodes.length; node++) {
      const list = perNode[node].filter((_, i) => i % count === b);
      if (list.length === 1) jobs.push({ file: list[0], node });
      else if (list.length > 1) jobs.push({ tier, files: list, node, batch: `${b + 1}/${count}` });
    }
  }
  return jobs;
}

/** Every Node version's runs of these files, interleaved so all versions progress together. */
function jobsOf(list) {
  return list.flatMap((file) => (oneNode(file) ? [0] : nodes.map((_, node) => node)).map((node) => ({ file, node })));
}

/**
 * Run one tier. `early` are another tier's shared files that join this tier's pool, ahead of its own
 * files (see the plan below); they run with their own tier's settings.
 */
async function runTier(tier, files, early = []) {
  const settings = TIERS[tier];
  const concurrency = concurrencyOverride ?? settings.concurrency;
  const own = settings.batchesPerWorker && batching ? batchesOf(tier, files, settings, concurrency) : jobsOf(files.filter((f) => !exclusive(f)));
  const shared = [...early, ...own];
  const alone = jobsOf(files.filter(exclusive));
  const joined = early.length > 0 ? ` + ${new Set(early.map((j) => j.file)).size} shared e2e files` : '';
  const spare = tier === 'integration' && shared.some((j) => cpuTolerant(j.file ?? '')) ? ` (${concurrency + 1} while all are @test-cpu-tolerant)` : '';
  console.log(`\n=== ${tier}: ${files.length} files${joined} × ${nodes.length} Node (${versions.join(', ')}), ${shared.length > 0 ? `${Math.min(concurrency, shared.length)} at a time${spare}` : ''}${alone.length > 0 ? `${shared.length > 0 ? '; ' : ''}${alone.length} alone` : ''} ===\n`);
  const started = Date.now();
  peakRunning = 0;
  const cpuBefore = childCpuSeconds();
  const results = [...(await pool(shared, concurrency, tier === 'integration')), ...(await pool(alone, 1))];
  const ms = Date.now() - started;
  const cpuAfter = childCpuSeconds();
  const cpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  console.log(`=== ${tier} done: ${results.length} runs in ${seconds(ms)}${cpu === null ? '' : `, ${cpu.toFixed(0)} CPU s`}, at most ${peakRunning} at once, ${results.filter((r) => !r.ok).length} failed ===`);
  return { tier, ms, cpu, results };
}

/**
 * Rebuild dist/ when a src/ file is newer than its output, so the CLI-spawning
 * tiers run the compiled CLI (test/harness/cli.ts falls back to tsx for a
 * stale dist/, which is correct but slower). A failed build is reported and
 * the tests go on (they then start the CLI through tsx).
 */
function freshenDist() {
  const stale = staleDistFiles(root);
  if (stale.length === 0) return;
  const started = Date.now();
  console.log(`\n=== dist/ is older than src/ (${stale.length} files, e.g. src/${stale[0]}): tsc -p tsconfig.build.json ===`);
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const out = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  const left = staleDistFiles(root).length;
  if (out.status !== 0) process.stdout.write(`${out.stdout ?? ''}${out.stderr ?? ''}`);
  console.log(`=== build ${out.status === 0 ? 'done' : `exit ${out.status ?? out.signal}`} in ${seconds(Date.now() - started)}${left === 0 ? '' : `; ${left} files still stale: the CLI runs through tsx`} ===`);
}

// The end-to-end files that share the pool (all but the latency-judging ones, see exclusive()) run in the
// integration tier's pool when both tiers run, first (they are the longest: a 55 s capacity search, the
// CLI's secrets sweep): neither kind judges timing, and the integration files spend much of their wall
// time waiting on servers they started (CI, 2026-12-05: 305 s of wall for 360 CPU s on 2 cores), so the
// two pools one after the other left a core idle for minutes. The e2e tier then runs its exclusive files
// alone, as before; each file keeps its own tier's timeouts.
const e2ePlan = plan.find((p) => p.tier === 'e2e');
const folded = plan.some((p) => p.tier === 'integration') && e2ePlan ? jobsOf(e2ePlan.files.filter((f) => !exclusive(f))) : [];
/** `tsc --noEmit -p tsconfig.json` in the background; resolves to its outcome (output printed when it ends). */
function startTypecheck() {
  const started = Date.now();
  console.log('\n=== type check (tsc --noEmit -p tsconfig.json), alongside the first tier ===');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code, signal) => {
      const ok = code === 0;
      process.stdout.write(output);
      console.log(`=== type check ${ok ? 'passed' : `failed (exit ${code ?? signal})`} in ${seconds(Date.now() - started)} ===`);
      resolve({ name: 'type check (tsc --noEmit -p tsconfig.json)', ms: Date.now() - started, ok });
    });
  });
}

const typecheck = typecheckRequested ? startTypecheck() : undefined;
let typecheckResult;
const tierResults = [];
let distChecked = false;
for (const { tier, files } of plan) {
  if (tier !== 'unit' && !distChecked) {
    distChecked = true;
    freshenDist();
  }
  if (tier === 'integration') tierResults.push(await runTier(tier, files, folded));
  else if (tier === 'e2e' && folded.length > 0) {
    if (files.some(exclusive)) tierResults.push(await runTier(tier, files.filter(exclusive)));
  } else tierResults.push(await runTier(tier, files));
  // The next tier may judge timing: the type check's CPU must be gone before it starts.
  if (typecheck && !typecheckResult) typecheckResult = await typecheck;
}

const all = tierResults.flatMap((t) => t.results);
console.log('\n=== slowest files ===');
for (const r of [...all].sort((a, b) => b.ms - a.ms).slice(0, 15)) console.log(`${seconds(r.ms).padStart(8)}  ${r.name}`);
console.log('\n=== tiers (wall time) ===');
for (const t of tierResults) {
  const failed = t.results.filter((r) => !r.ok);
  const cpu = t.cpu === null ? '' : `${t.cpu.toFixed(0).padStart(6)} CPU s`;
  console.log(`${t.tier.padEnd(12)} ${String(t.results.length).padStart(3)} runs  ${seconds(t.ms).padStart(8)}  ${cpu}  ${failed.length === 0 ? 'ok' : `${failed.length} failed`}`);
}
const failed = [...all, ...(typecheckResult ? [typecheckResult] : [])].filter((r) => !r.ok);
if (failed.length > 0) {
  console.log('\nfailed files:');
  for (const r of failed) console.log(`  ${r.name}`);
}
process.exit(failed.length === 0 ? 0 : 1);
