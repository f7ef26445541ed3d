/**
 * Diagnosis accuracy on the frozen corpus (bench/corpus/<service>/): services
 * with planted faults written by engineers who had not read the rules. Every
 * case runs `--reps` times at two loads (`moderate`: a rate the service
 * sustains with the fault on; `overload`: clearly past its capacity), each
 * time through the real CLI with every probe, and the top finding at medium
 * severity or above is judged against the case's expectation.
 *
 *     node --import tsx bench/diagnosis-corpus.ts [--services shop,clinic] [--loads moderate,overload]
 *         [--reps 5] [--mode run|diagnose] [--duration 10s] [--cases a,b (substrings of case ids)] [--categories gc-pressure,healthy (expected categories)] [--out FILE] [--keep DIR]
 *         [--rate-scale F (both calibrated rates × F, to explore on a slower host; not the benchmark's figures)]
 *         [--reference healthy (each service's healthy build is run --reference-runs times (default 2) at its moderate
 *          rate first, unscored, and every case's diagnosis judges dependency waits against those runs: `--reference`,
 *          the regression-hunting use; its figures are a separate row, never the first-run accuracy. Two runs at least:
 *          one run cannot show how much a healthy wait moves from run to run)]
 *     node --import tsx bench/diagnosis-corpus.ts --rescore FILE.jsonl [--keep DIR [--rediagnose]] [--out FILE]
 *
 * Reported per expected category: recall (runs whose top finding is the
 * expected category on the expected endpoint), top-1 rate with its spread
 * over cases, precision (of the runs whose top finding has that category, the
 * share where it was right), and the healthy false-positive rate (healthy
 * runs with any finding at medium or above). No retries, no exclusions: every
 * run counts, and a run that fails to produce a result counts as a miss.
 *
 * Isolation: each case gets its own database cloned from the seeded template
 * (`CREATE DATABASE … TEMPLATE`), and Redis is flushed, so a fault that
 * changes data or schema cannot leak into the next case.
 *
 * Load goes only to 127.0.0.1 and every run is bounded by `--duration` (the
 * `diagnose` mode by the experiment's own budget).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { createClient } from 'redis';
import type { Finding, RunResult } from '../src/result/types.js';
import { startPostgres } from '../test/harness/postgres.js';
import { startRedis } from '../test/harness/redis.js';
import { onProcessExit } from '../test/harness/cleanup.js';
import type { CorpusCase, CorpusService } from './corpus/types.js';
import { scoreCorpus, type CaseRun, type LoadLevel } from './lib/corpus-score.js';
import { pastCapacity } from './lib/past-capacity.js';
import { othersCpuShare } from './lib/host-load.js';
import { diagnose, loadSqlParser } from '../src/diagnose/index.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'src/cli/main.ts');
const SEVERE = new Set(['medium', 'high', 'critical']);

const { values: args } = parseArgs({
  options: {
    services: { type: 'string', default: 'shop,clinic' },
    loads: { type: 'string', default: 'moderate,overload' },
    reps: { type: 'string', default: '5' },
    mode: { type: 'string', default: 'run' },
    duration: { type: 'string', default: '10s' },
    cases: { type: 'string', default: '' },
    categories: { type: 'string', default: '' },
    out: { type: 'string', default: '' },
    keep: { type: 'string', default: '' },
    rescore: { type: 'string', default: '' },
    rediagnose: { type: 'boolean', default: false },
    'rate-scale': { type: 'string', default: '1' },
    reference: { type: 'string', default: '' },
    'reference-runs': { type: 'string', default: '2' },
  },
});

// Exploration on a slower or busy host: both calibrated rates times this factor (the scores of such runs are
// not the benchmark's figures; the report's header names the factor).
const rateScale = Number(args['rate-scale']);
if (!(rateScale > 0)) throw new Error(`--rate-scale must be a positive number, got "${args['rate-scale']}"`);

const reps = Number(args.reps);
const loads = args.loads.split(',').filter(Boolean) as LoadLevel[];
const mode = args.mode === 'diagnose' ? 'diagnose' : 'run';
if (args.reference !== '' && args.reference !== 'healthy') throw new Error(`--reference: only "healthy" (the service's healthy build, run first) is known, got "${args.reference}"`);
const withReference = args.reference === 'healthy';
const referenceRuns = Number(args['reference-runs']);
if (!Number.isInteger(referenceRuns) || referenceRuns < 1) throw new Error(`--reference-runs must be a whole number of runs ≥ 1, got "${args['reference-runs']}"`);

async function loadService(name: string): Promise<CorpusService> {
  // Each service module exports its CorpusService as `service` or as its default export.
  const mod = (await import(`./corpus/${name}/index.js`)) as { service?: CorpusService; default?: CorpusService };
  const service = mod.service ?? mod.default;
  if (!service) throw new Error(`bench/corpus/${name}/index.ts exports no CorpusService (as \`service\` or default)`);
  return service;
}

function planFor(c: CorpusCase, baseUrl: string, rate: number): string {
  const scenario = {
    executor: 'constant-arrival-rate',
    rate,
    duration: args.duration,
    preAllocatedVUs: Math.min(200, Math.max(10, Math.ceil(rate / 2))),
    maxVUs: Math.min(1000, Math.max(50, rate * 4)),
    requests: c.mix.map((m) => ({
      method: m.method,
      path: m.path,
      name: m.endpoint,
      weight: m.weight,
      ...(m.body === undefined ? {} : { json: m.body }),
    })),
  };
  return YAML.stringify({ baseUrl, timeout: '10s', scenarios: { mix: scenario } });
}

function runCli(cwd: string, cliArgs: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), CLI, ...cliArgs], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolvePromise({ code, stderr }));
  });
}

function latestResult(dir: string): RunResult | undefined {
  const runs = join(dir, '.tuneup', 'runs');
  let ids: string[];
  try {
    ids = readdirSync(runs).sort();
  } catch {
    return undefined;
  }
  const last = ids.at(-1);
  return last === undefined ? undefined : (JSON.parse(readFileSync(join(runs, last, 'result.json'), 'utf8')) as RunResult);
}

/** What the scorer reads of a run's findings: the top medium+ finding, the first besides overload, and counts. */
function judgedFindings(findings: readonly Finding[]): Pick<CaseRun, 'top' | 'severeCount' | 'topBesidesOverload' | 'severeBesidesOverload'> {
  const pick = (f: Finding | undefined) => (f ? { category: f.category, endpoint: f.endpoint, severity: f.severity } : null);
  const severe = findings.filter((f) => SEVERE.has(f.severity));
  const besides = severe.filter((f) => f.category !== 'overload');
  return { top: pick(severe[0]), severeCount: severe.length, topBesidesOverload: pick(besides[0]), severeBesidesOverload: besides.length };
}

async function main(): Promise<void> {
  const runs: CaseRun[] = [];
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'tuneup-corpus-'));
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  for (const name of args.services.split(',').filter(Boolean)) {
    const service = await loadService(name);
    const pg = await startPostgres({ extensions: ['pg_stat_statements'] });
    const redis = await startRedis();
    const flush = createClient({ url: redis.url });
    await flush.connect();
    try {
      log(`[${name}] seeding (${service.stack})`);
      // Seed a database of its own (the harness keeps a connection to its default one), then make it the
      // template every case is cloned from.
      const urlOf = (db: string): string => pg.url.replace(/\/[^/]+$/, `/${db}`);
      const admin = await import('pg').then((m) => new m.default.Client({ connectionString: urlOf('postgres') }));
      await admin.connect();
      await admin.query('CREATE DATABASE corpus_seed');
      const seedDb = await import('pg').then((m) => new m.default.Client({ connectionString: urlOf('corpus_seed') }));
      await seedDb.connect();
      await seedDb.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await seedDb.end();
      await service.seed(urlOf('corpus_seed'));
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'corpus_seed'`);
      await admin.query('ALTER DATABASE corpus_seed WITH is_template = true');
      /** One run of case `c` at `rate` through the CLI, in a fresh database clone; `extra` CLI flags appended. */
      const runOnce = async (c: CorpusCase, rate: number, label: string, extra: string[]): Promise<{ result?: RunResult; resultPath?: string; error?: string; seconds: number }> => {
        const db = `case_${label.replace(/\W/g, '_')}`;
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'corpus_seed'`);
        await admin.query(`CREATE DATABASE ${db} TEMPLATE corpus_seed`);
        await flush.flushAll();
        const caseUrl = urlOf(db);
        const dir = join(work, label);
        mkdirSync(dir);
        const t0 = Date.now();
        let result: RunResult | undefined;
        let error: string | undefined;
        const svc = await service.start({ pgUrl: caseUrl, redisUrl: redis.url, fault: c.fault });
        // Ctrl-C or a crash of the runner must not leave the service behind (the harness stops PostgreSQL and Redis).
        const unregister = onProcessExit(() => {
          try {
            process.kill(svc.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        });
        try {
          writeFileSync(join(dir, 'plan.yaml'), planFor(c, svc.url, rate));
          const cli = [mode, 'plan.yaml', '--quiet', '--pg', caseUrl, '--redis', redis.url, '--pid', String(svc.pid), ...extra];
          if (mode === 'run') cli.push('--no-thresholds');
          if (svc.metricsUrl) cli.push('--metrics', svc.metricsUrl);
          const { code, stderr } = await runCli(dir, cli);
          result = latestResult(dir);
          if (result === undefined) error = `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
        } catch (err) {
          error = (err as Error).message;
        } finally {
          await svc.stop();
          unregister();
          await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        }
        const resultPath = result ? join(dir, '.tuneup', 'runs', readdirSync(join(dir, '.tuneup', 'runs')).sort().at(-1)!, 'result.json') : undefined;
        return { result, resultPath, error, seconds: (Date.now() - t0) / 1000 };
      };
      // The reference: the healthy build --reference-runs times, at its moderate rate (a rate it sustains), before any case.
      let referenceArgs: string[] = [];
      if (withReference) {
        const healthy = service.cases.find((c) => c.expect === null);
        if (!healthy) throw new Error(`[${name}] --reference healthy: the service has no healthy case`);
        const paths: string[] = [];
        for (let k = 1; k <= referenceRuns; k++) {
          const ref = await runOnce(healthy, Math.max(1, Math.round(healthy.moderateRate * rateScale)), `${name}-reference-${k}`, []);
          if (!ref.resultPath) throw new Error(`[${name}] reference run ${k} failed: ${ref.error}`);
          log(`[${name}] reference ${k}/${referenceRuns}: ${healthy.id} moderate, run ${ref.result!.id} (${ref.seconds.toFixed(0)} s)`);
          if (args.keep) {
            mkdirSync(args.keep, { recursive: true });
            copyFileSync(ref.resultPath, join(args.keep, referenceFileName(name, k)));
          }
          paths.push(ref.resultPath);
        }
        referenceArgs = ['--reference', paths.join(',')];
      }
      for (const c of service.cases) {
        if (args.cases && !args.cases.split(',').some((x) => c.id.includes(x))) continue;
        if (args.categories && !args.categories.split(',').includes(c.expect?.category ?? 'healthy')) continue;
        for (const load of loads) {
          const rate = Math.max(1, Math.round((load === 'moderate' ? c.moderateRate : c.overloadRate) * rateScale));
          for (let rep = 1; rep <= reps; rep++) {
            const { result, resultPath, error, seconds } = await runOnce(c, rate, `${runs.length}`, referenceArgs);
            if (args.keep && resultPath) {
              mkdirSync(args.keep, { recursive: true });
              copyFileSync(resultPath, join(args.keep, `${c.id.replace(/\//g, '_')}-${load}-${rep}.json`));
            }
            const run: CaseRun = {
              service: name,
              caseId: c.id,
              load,
              rep,
              expect: c.expect,
              ...judgedFindings(result?.findings ?? []),
              ...(result && pastCapacity(result) !== undefined ? { pastCapacity: pastCapacity(result) } : {}),
              ...(result && othersCpuShare(result) !== undefined ? { othersCpuShare: othersCpuShare(result) } : {}),
              error,
              seconds,
            };
            runs.push(run);
            // One JSON line per run, so a report can be re-scored without re-running.
            if (args.out) appendFileSync(`${args.out}.jsonl`, `${JSON.stringify(run)}\n`);
            log(
              `[${name}] ${c.id} ${load}@${rate}/s #${rep}: ${run.top ? `${run.top.category} ${run.top.endpoint ?? '(no endpoint)'} ${run.top.severity}` : error ? `ERROR ${error}` : 'no medium+ finding'} (${run.seconds.toFixed(0)} s)`,
            );
          }
        }
      }
      await admin.end();
    } finally {
      await flush.quit().catch(() => undefined);
      await redis.stop();
      await pg.stop();
    }
  }
  rmSync(work, { recursive: true, force: true });
  const modeText = `${mode}${withReference ? `, --reference: ${referenceRuns} run${referenceRuns > 1 ? 's' : ''} of the healthy build at its moderate rate` : ''}`;
  const report = scoreCorpus(runs, { mode: rateScale === 1 ? modeText : `${modeText}, rates × ${rateScale} (exploration, not the benchmark)`, reps, loads, duration: args.duration, wallSeconds: (Date.now() - started) / 1000, node: process.version });
  process.stdout.write(report);
  if (args.out) writeFileSync(args.out, report);
}

if (args.rescore) {
  // Re-score stored runs (the .jsonl a previous run wrote), e.g. after a scoring change.
  if (args.out && resolve(`${args.out}.jsonl`) === resolve(args.rescore)) {
    process.stderr.write(`--out ${args.out} would overwrite the runs being rescored (${args.rescore}); give another name.\n`);
    process.exit(2);
  }
  const runs = readFileSync(args.rescore, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CaseRun);
  // With --keep DIR (the results a run kept), runs recorded before `pastCapacity` existed get it from their result;
  // with --rediagnose too, every kept result is diagnosed again with the rules of this checkout (the stored
  // evidence, EXPLAIN enrichment included, is what the CLI diagnosed), so a whole corpus is judged by one rule version.
  if (args.rediagnose) await loadSqlParser();
  if (args.keep) {
    for (const r of runs) {
      const file = join(args.keep, `${r.caseId.replace(/\//g, '_')}-${r.load}-${r.rep}.json`);
      if (!existsSync(file)) continue;
      const result = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
      const measured = pastCapacity(result);
      if (r.pastCapacity === undefined && measured !== undefined) r.pastCapacity = measured;
      if (r.othersCpuShare === undefined) r.othersCpuShare = othersCpuShare(result);
      const reference = withReference ? keptReferences(args.keep, r.service) : undefined;
      if (withReference && reference!.length === 0) throw new Error(`--reference healthy: no ${r.service}-reference*.json in ${args.keep} (kept by a run with --reference healthy --keep)`);
      if (args.rediagnose) Object.assign(r, judgedFindings(diagnose(result, { ...(reference ? { reference } : {}) }).findings));
    }
  }
  // The stored runs say how many repetitions and loads they hold; the flags' defaults would misreport them.
  const storedReps = Math.max(...runs.map((r) => r.rep));
  const storedLoads = [...new Set(runs.map((r) => r.load))];
  const report = scoreCorpus(runs, { mode: `${mode} (rescored ${args.rescore}${args.rediagnose ? `, re-diagnosed with this checkout's rules${withReference ? ' against the kept reference run' : ''}` : ''})`, reps: storedReps, loads: storedLoads, duration: args.duration, wallSeconds: runs.reduce((a, r) => a + r.seconds, 0), node: process.version });
  process.stdout.write(report);
  // With --out the re-judged runs are stored too, so they can be re-scored after the kept results are gone.
  if (args.out) {
    writeFileSync(args.out, report);
    writeFileSync(`${args.out}.jsonl`, runs.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }
} else {
  await main();
}

/** Name of the k-th kept reference run of a service. */
function referenceFileName(service: string, k: number): string {
  return `${service}-reference-${k}.json`;
}

/** The kept reference runs of a service: `<service>-reference-<k>.json`, or the single `<service>-reference.json` kept before 2026-12-06 evening. */
function keptReferences(dir: string, service: string): RunResult[] {
  const files = readdirSync(dir).filter((f) => f === `${service}-reference.json` || new RegExp(`^${service}-reference-\\d+\\.json$`).test(f));
  return files.sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunResult);
}
