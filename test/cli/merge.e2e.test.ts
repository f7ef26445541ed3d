import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonHandler, runCli, startServer, tempDir } from './helpers.js';
import type { RunResult } from '../../src/result/types.js';

const target = await startServer(jsonHandler(1));
after(() => target.close());

test('segments 1/2 and 2/2 merge into one result whose counts are the sum and whose thresholds are global', async () => {
  const cwd = tempDir();
  writeFileSync(
    join(cwd, 'plan.yaml'),
    [
      `baseUrl: ${target.url}`,
      'scenarios:',
      '  s:',
      '    executor: constant-arrival-rate',
      '    rate: 40',
      '    duration: 2s',
      '    preAllocatedVUs: 4',
      '    requests:',
      '      - { path: /a }',
      'thresholds:',
      "  http_reqs: ['count>=70']",
      '',
    ].join('\n'),
  );
  const parts: RunResult[] = [];
  for (const segment of ['0:1/2', '1/2:1']) {
    const run = await runCli(['run', 'plan.yaml', '--segment', segment, '--json', '--no-report'], cwd);
    // Each half sends ~40 requests: the global threshold fails per segment…
    assert.equal(run.code, 99, run.stderr);
    parts.push(JSON.parse(run.stdout) as RunResult);
  }
  const merged = await runCli(['merge', parts[0].id, parts[1].id, '--json'], cwd);
  // …and passes on the merged run, because thresholds are judged over the whole load.
  assert.equal(merged.code, 0, merged.stderr);
  const result = JSON.parse(merged.stdout) as RunResult;
  assert.equal(result.totals.requests, parts[0].totals.requests + parts[1].totals.requests);
  // The two segments together scheduled the whole plan's 80 arrivals: each was sent, dropped (no free VU on a
  // busy host) or cut by the end of its segment — none lost and none counted twice.
  const sc = result.scenarios[0]!;
  const scheduled = sc.iterations + sc.droppedIterations + sc.interruptedIterations;
  assert.ok(Math.abs(scheduled - 80) <= 2, `iterations ${sc.iterations} + dropped ${sc.droppedIterations} + interrupted ${sc.interruptedIterations}`);
  assert.ok(result.totals.requests >= 70, `requests ${result.totals.requests}`);
  assert.equal(result.thresholds[0].passed, true);
  assert.equal(result.scenarios.length, 1);
  assert.equal(result.scenarios[0].iterations, parts[0].scenarios[0].iterations + parts[1].scenarios[0].iterations);
});

test('merging a run that was not a segment is a clear error', async () => {
  const cwd = tempDir();
  const a = JSON.parse((await runCli(['load', `${target.url}/x`, '-c', '1', '-d', '1s', '--json', '--no-report'], cwd)).stdout) as RunResult;
  const b = JSON.parse((await runCli(['load', `${target.url}/x`, '-c', '1', '-d', '1s', '--json', '--no-report'], cwd)).stdout) as RunResult;
  const merged = await runCli(['merge', a.id, b.id], cwd);
  assert.notEqual(merged.code, 0);
  assert.match(merged.stderr, /TUNEUP_MERGE_INVALID/);
  assert.match(merged.stderr, /--segment/);
});
