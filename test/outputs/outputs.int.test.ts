import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPlan } from '../../src/engine/index.js';
import { openOutputs, parseOutputSpecs } from '../../src/outputs/index.js';
import type { IntervalSeries } from '../../src/result/types.js';
import { startCli, tempDir } from '../cli/helpers.js';
import { plan, scenario, startServer, type TestServer } from '../engine/helpers.js';

/** A 2 s open-model run at 40/s to `server`, streamed to JSON lines and CSV in `dir`. */
async function streamedRun(server: TestServer, dir: string, workers: number) {
  const specs = parseOutputSpecs(['json=m.jsonl', 'csv=m.csv'], dir);
  const outputs = openOutputs(specs);
  const written: number[] = [];
  const p = plan(server.url, [scenario('s', { executor: 'constant-arrival-rate', rate: 40, durationMs: 2000, preAllocatedVUs: 4, maxVUs: 8 }, { fixed: `${server.url}/a` })]);
  const outcome = await runPlan(p, {
    workers,
    onInterval: (row, info) => {
      written.push(Date.now());
      outputs.write(row, info);
    },
  });
  assert.deepEqual(await outputs.close({ status: outcome.status, endedAt: outcome.endedAt, durationMs: outcome.durationMs }), []);
  const lines = readFileSync(join(dir, 'm.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  const csv = readFileSync(join(dir, 'm.csv'), 'utf8').trimEnd().split('\n');
  return { outcome, written, lines, csv };
}

/** Every interval line equals the stored series column at the same index. */
function assertAgrees(lines: Record<string, any>[], series: IntervalSeries): void {
  const intervals = lines.filter((l) => l.type === 'Interval');
  assert.deepEqual(intervals.map((l) => l.t), series.t);
  intervals.forEach((l, i) => {
    assert.equal(l.requests, series.requests[i]);
    assert.equal(l.failed, series.failed[i]);
    assert.equal(l.iterations, series.iterations[i]);
    for (const key of ['p50', 'p90', 'p95', 'p99', 'max', 'mean'] as const) {
      assert.equal(l.service[key], series.service[key][i], `service ${key} at t=${l.t}`);
      assert.equal(l.response[key], series.response[key][i], `response ${key} at t=${l.t}`);
    }
    assert.equal(l.endpoints['GET /']?.requests ?? 0, series.endpoints['GET /']?.requests[i] ?? 0);
    assert.equal(l.endpoints['GET /']?.p95 ?? null, series.endpoints['GET /']?.p95[i] ?? null);
  });
}

describe('streaming outputs on a real run', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  for (const workers of [1, 2]) {
    it(`workers=${workers}: lines are written during the run and agree with the stored series`, async () => {
      const dir = tempDir();
      const { outcome, written, lines, csv } = await streamedRun(server, dir, workers);
      // Streamed while the load ran, not only at the end.
      assert.ok(written.filter((at) => at < outcome.endedAt).length >= 1, `writes at ${written.map((w) => w - outcome.startedAt).join(', ')} ms`);
      assertAgrees(lines, outcome.metrics.series);
      const end = lines.at(-1)!;
      assert.equal(end.type, 'End');
      assert.equal(end.status, 'completed');
      const total = lines.filter((l) => l.type === 'Interval').reduce((sum, l) => sum + l.requests, 0);
      assert.equal(total, outcome.metrics.totals.requests);
      // CSV: the overall http_reqs rows sum to the same total.
      const csvTotal = csv.filter((l) => /^http_reqs,.*,$/.test(l)).reduce((sum, l) => sum + Number(l.split(',')[4]), 0);
      assert.equal(csvTotal, total);
    });
  }

  it('a killed `tuneup run --out` leaves complete lines', async () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'plan.yaml'),
      [`baseUrl: ${server.url}`, 'scenarios:', '  s:', '    executor: constant-arrival-rate', '    rate: 20', '    duration: 20s', '    preAllocatedVUs: 2', '    requests:', '      - { path: /k }', ''].join('\n'),
    );
    const before = server.requests();
    const run = startCli(['run', 'plan.yaml', '--quiet', '--no-report', '--out', 'json=out/m.jsonl', '-o', 'csv=out/m.csv'], cwd);
    const file = join(cwd, 'out', 'm.jsonl');
    const deadline = Date.now() + 15_000;
    let seen = 0;
    while (Date.now() < deadline) {
      try {
        seen = readFileSync(file, 'utf8').split('\n').length - 1;
      } catch {
        seen = 0;
      }
      if (seen >= 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    run.child.kill('SIGKILL');
    const killed = await run.finished;
    assert.equal(killed.code, null, 'killed by the signal');
    assert.ok(seen >= 1, `${seen} lines streamed before the kill`);
    assert.ok(server.requests() > before);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.endsWith('\n'));
    for (const l of text.trimEnd().split('\n')) assert.equal((JSON.parse(l) as { type: string }).type, 'Interval');
    const csv = readFileSync(join(cwd, 'out', 'm.csv'), 'utf8');
    assert.ok(csv.endsWith('\n'));
    for (const l of csv.trimEnd().split('\n')) assert.equal(l.split(',').length, 6, l);
  });
});
