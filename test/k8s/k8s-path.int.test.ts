/**
 * The Kubernetes path, end to end on this machine: the manifests `tuneup k8s`
 * writes are read back, and their pods are started as local processes with
 * the same entrypoint, arguments and environment (JOB_COMPLETION_INDEX set
 * as Kubernetes sets it); only the addresses a cluster provides are mapped:
 * the ConfigMap volume → a folder holding its data, the results volume → a
 * temp folder, the barrier host `<job>-0.<service>` → 127.0.0.1 on a free port.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { waitAtBarrier } from '../../src/k8s/barrier.js';
import { queryMetric } from '../../src/metrics/query.js';
import { createCompactHistogram } from '../../src/metrics/hdr.js';
import type { RunResult } from '../../src/result/types.js';
import { startCli, tempDir, type CliRun } from '../cli/helpers.js';
import { buildProgram } from '../../src/cli/program.js';
import { assembleRunResult, runPlan } from '../../src/engine/index.js';
import { loadPlan } from '../../src/plan/index.js';
import { startServer, type TestServer } from '../engine/helpers.js';
import { freePort } from '../harness/free-port.js';

interface Container {
  args: string[];
  env: { name: string; value: string }[];
}

/** Run a pod's container as a local process: its args, its env, plus `extra` (what Kubernetes injects or the test maps). */
function startPod(container: Container, cwd: string, map: (name: string, value: string) => string, extra: Record<string, string>) {
  const env = Object.fromEntries(container.env.map((e) => [e.name, map(e.name, e.value)]));
  const saved = { ...process.env };
  Object.assign(process.env, env, extra);
  try {
    return startCli(container.args.map((a) => map('', a)), cwd);
  } finally {
    for (const key of Object.keys({ ...env, ...extra })) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

function trend(result: RunResult, filter: Record<string, string> = {}) {
  return queryMetric(result.metrics, 'http_req_duration', filter)!;
}

describe('tuneup k8s: segments through the barrier, merged', () => {
  let server: TestServer;
  before(async () => {
    // Two endpoints of distinct, known service times: percentiles land on them, whoever sends.
    server = await startServer({
      handler: (req, res) => {
        setTimeout(() => res.end('ok'), req.url === '/slow' ? 30 : 2);
      },
    });
  });
  after(async () => {
    await server.close();
  });

  it('N=2 pods started 1 s apart begin together; the merged totals equal a single run and its percentiles are the union of the segments', async (t) => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'plan.yaml'),
      [
        `baseUrl: ${server.url}`,
        'scenarios:',
        '  s:',
        '    executor: per-vu-iterations',
        '    vus: 4',
        '    iterations: 8',
        '    maxDuration: 20s',
        '    flow:',
        '      - { path: /fast }',
        '      - { path: /slow }',
        'thresholds:',
        // Each segment sends half: only the merged run can pass this.
        "  http_reqs: ['count>=64']",
        '',
      ].join('\n'),
    );
    const err: string[] = [];
    await buildProgram({ out: () => undefined, err: (t) => err.push(t), interactive: false, color: false }).parseAsync(
      ['k8s', join(cwd, 'plan.yaml'), '--parallelism', '2', '--image', 'tuneup:test', '--out', join(cwd, 'manifests'), '--run-key', 'local'],
      { from: 'user' },
    );
    assert.match(err.join('\n'), /baseUrl http:\/\/127\.0\.0\.1:\d+ is the pod itself/);
    const objects = readdirSync(join(cwd, 'manifests')).sort().map((f) => parse(readFileSync(join(cwd, 'manifests', f), 'utf8')) as any);
    const configMap = objects.find((o) => o.kind === 'ConfigMap');
    const [job, mergeJob] = objects.filter((o) => o.kind === 'Job');
    assert.equal(job.spec.completionMode, 'Indexed');
    const n = job.spec.parallelism as number;

    // The volumes: the ConfigMap's data as files, the results claim as a folder.
    const planMount = join(cwd, 'mount-plan');
    mkdirSync(planMount);
    for (const [file, text] of Object.entries(configMap.data as Record<string, string>)) writeFileSync(join(planMount, file), text);
    const results = join(cwd, 'mount-results');
    const port = await freePort();
    const map = (name: string, value: string): string => {
      if (name === 'TUNEUP_BARRIER_HOST') return '127.0.0.1';
      if (name === 'TUNEUP_BARRIER_PORT') return String(port);
      return value.replace(/^\/app\/plan\//, `${planMount}/`).replace(/^\/results(?=\/|$)/, results);
    };

    // kubectl apply creates both Jobs at once: the merge pod waits for the segments.
    const merge = startPod(mergeJob.spec.template.spec.containers[0], cwd, map, {});
    const pods: Promise<CliRun>[] = [];
    const launched: number[] = [];
    for (let index = n - 1; index >= 0; index--) {
      // The last pod first, the coordinator (index 0) a second later: a slow-scheduled pod.
      launched[index] = Date.now();
      pods[index] = startPod(job.spec.template.spec.containers[0], cwd, map, { JOB_COMPLETION_INDEX: String(index) }).finished;
      if (index > 0) await new Promise((r) => setTimeout(r, 1000));
    }
    const finished = await Promise.all(pods);
    for (const pod of finished) assert.equal(pod.code, 0, pod.stderr);
    const merged = await merge.finished;
    assert.equal(merged.code, 0, `global thresholds pass: ${merged.stderr}`);

    const resultsDir = map('TUNEUP_RESULTS_DIR', mergeJob.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'TUNEUP_RESULTS_DIR').value);
    const segments = Array.from({ length: n }, (_, i) => JSON.parse(readFileSync(JSON.parse(readFileSync(join(resultsDir, 'segments', `${i}.json`), 'utf8')).resultPath, 'utf8')) as RunResult);
    const mergedResult = JSON.parse(readFileSync(JSON.parse(readFileSync(join(resultsDir, 'merged.json'), 'utf8')).resultPath, 'utf8')) as RunResult;

    // The barrier: launched 1 s apart, the segments' loads began together.
    assert.ok(launched[n - 1]! < launched[0]! - 900);
    const starts = segments.map((s) => s.startedAt);
    assert.ok(Math.max(...starts) - Math.min(...starts) < 500, `segment starts ${starts.join(', ')}`);
    t.diagnostic(`launch gap ${launched[0]! - launched[n - 1]!} ms, load start skew ${Math.max(...starts) - Math.min(...starts)} ms`);
    assert.match(finished[n - 1]!.stderr, /start barrier opened after \d+ ms/);

    // Thresholds judged over the whole load, where each segment alone would fail.
    for (const s of segments) assert.equal(s.totals.requests, 32);
    assert.equal(mergedResult.thresholds[0]!.passed, true);

    // Totals equal a single run of the same plan.
    const whole = assembleRunResult(await runPlan(await loadPlan(join(planMount, 'plan.yaml'))));
    assert.equal(mergedResult.totals.requests, whole.totals.requests);
    assert.equal(mergedResult.totals.requests, 64);
    assert.equal(mergedResult.totals.iterations, whole.totals.iterations);
    assert.equal(mergedResult.scenarios[0]!.iterations, whole.scenarios[0]!.iterations);

    // Percentiles: the merged histogram is the union of the segments' (exact up to HDR's 3 significant digits)…
    const union = createCompactHistogram();
    for (const s of segments) union.add(trend(s).histogram!);
    for (const p of [50, 95, 99]) {
      const expected = union.getValueAtPercentile(p) / 1000;
      const got = trend(mergedResult).histogram!.getValueAtPercentile(p) / 1000;
      assert.ok(Math.abs(got - expected) <= expected * 1e-3, `p${p}: merged ${got} ms vs union ${expected} ms`);
    }
    assert.equal(trend(mergedResult).histogram!.totalCount, 64);
    // …and lands on the same service times as the single run: /fast ≈ 2 ms, /slow ≈ 30 ms (a sanity bound, not a timing claim).
    for (const [endpoint, ms] of [['GET /fast', 2], ['GET /slow', 30]] as const) {
      for (const result of [mergedResult, whole]) {
        const p50 = trend(result, { endpoint }).stats!.p50;
        assert.ok(p50 >= ms && p50 < ms + 25, `${endpoint} p50 ${p50} ms`);
      }
    }
  });

  it('a pod whose peers never come fails at the barrier with a clear error', async () => {
    const port = await freePort();
    await assert.rejects(waitAtBarrier({ index: 0, count: 3, host: '127.0.0.1', port, timeoutMs: 300 }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'TUNEUP_BARRIER_TIMEOUT');
      assert.match(error.message, /1 of 3 pods arrived/);
      return true;
    });
    await assert.rejects(waitAtBarrier({ index: 2, count: 3, host: '127.0.0.1', port, timeoutMs: 300, retryMs: 50 }), /coordinator 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  });
});
