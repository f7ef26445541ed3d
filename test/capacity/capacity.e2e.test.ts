/**
 * `tuneup capacity` end to end against a real HTTP service on 127.0.0.1
 * whose capacity is known by construction (a paced queue of 170 req/s, see
 * paced-service.ts): the maximum sustainable rate found must lie within 10 %
 * of 170 and the bracket must contain it; the stored result, the Markdown
 * summary and the HTML report must show the capacity; and the sizing flags
 * must produce the instance count the cost math gives. Bounded: 2 s steps,
 * 2 bisections, 2 runs at 2 rates near the knee.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startCli, tempDir } from '../cli/helpers.js';
import { startPacedService } from './paced-service.js';
import type { RunResult } from '../../src/result/types.js';

const CAPACITY = 170;
const service = await startPacedService(CAPACITY, 500);
after(() => service.close());

/** The plan: one open-model scenario against the paced service, its p95 threshold as the SLO. */
function writePlan(cwd: string): void {
  writeFileSync(
    join(cwd, 'plan.yaml'),
    [
      `baseUrl: ${service.url}`,
      'scenarios:',
      '  api:',
      '    executor: constant-arrival-rate',
      '    rate: 100',
      '    duration: 1m',
      '    preAllocatedVUs: 20',
      '    requests:',
      '      - { path: /work, name: GET /work }',
      'thresholds:',
      "  http_req_duration: ['p(95)<400']",
      '',
    ].join('\n'),
  );
}

test('tuneup capacity finds the capacity of a paced service within 10 %, with its bracket, reports and sizing', async () => {
  const cwd = tempDir();
  writePlan(cwd);
  const run = await runCli(
    ['capacity', 'plan.yaml', '--step', '2s', '--gap', '0.2s', '--start-rate', '100', '--max-steps', '3', '--bisections', '2', '--repeats', '2', '--repeat-points', '2',
      '--growth', '2', '--headroom', '0.25', '--price-per-hour', '0.1', '--json'],
    cwd,
  );
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as RunResult;
  const c = result.capacity!;
  assert.ok(c, 'the stored result has a capacity section');
  assert.equal(result.labels.kind, 'capacity');
  const summary = c.steps.map((s) => `${s.phase} ${s.offeredRate}→${s.achievedRate} ${s.sustained ? 'ok' : s.reasons.join(';')}`).join('\n');
  assert.equal(c.estimate.status, 'found', summary);
  const found = c.estimate.rate!;
  assert.ok(Math.abs(found - CAPACITY) / CAPACITY <= 0.1, `found ${found}/s for a capacity of ${CAPACITY}/s\n${summary}`);
  assert.ok(found <= CAPACITY * 1.02 && c.estimate.upper! > CAPACITY, `bracket [${found}, ${c.estimate.upper}) around ${CAPACITY}\n${summary}`);
  assert.ok(c.steps.some((s) => s.phase === 'repeat'), 'rates near the knee were repeated');
  assert.ok(c.estimate.tallies.filter((t) => t.rate >= found && t.rate <= c.estimate.upper!).every((t) => t.runs >= 2), JSON.stringify(c.estimate.tallies));
  // Throughput stops tracking the offered rate at the capacity.
  assert.ok(c.estimate.saturatedThroughput!.mean < CAPACITY * 1.05, JSON.stringify(c.estimate.saturatedThroughput));
  // The cost table: 2 × the plan's 100/s at 75 % of the found capacity per instance.
  const row = c.cost!.rows.find((r) => r.label === '2×')!;
  assert.equal(row.instances, Math.ceil(200 / (found * 0.75) - 1e-9));
  assert.equal(row.monthlyCost, row.instances * 0.1 * 730);
  assert.ok(c.usl.ok || /at least 6 points/.test(c.usl.reason), JSON.stringify(c.usl));

  const dir = join(cwd, '.tuneup', 'runs', result.id);
  const md = readFileSync(join(dir, 'summary.md'), 'utf8');
  assert.match(md, /capacity: \d+/);
  assert.match(md, /Instances and cost/);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(html, /id="chart-capacity"/);
  assert.match(html, /id="tuneup-capacity"/);
});

test('Ctrl-C: the current step ends, the partial result is stored (interrupted, exit 105) and the service gets no more load', async () => {
  const cwd = tempDir();
  writePlan(cwd);
  const cli = startCli(['capacity', 'plan.yaml', '--step', '2s', '--start-rate', '50', '--no-report'], cwd);
  let stderr = '';
  await new Promise<void>((resolve) => {
    cli.child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      // Interrupt a second into the first step.
      if (/ramp step 1/.test(stderr)) setTimeout(resolve, 1000);
    });
  });
  cli.child.kill('SIGINT');
  const run = await cli.finished;
  assert.equal(run.code, 105, run.stderr);
  const servedAtEnd = service.served();
  const dir = join(cwd, '.tuneup', 'runs');
  const [id] = readdirSync(dir);
  const result = JSON.parse(readFileSync(join(dir, id!, 'result.json'), 'utf8')) as RunResult;
  assert.equal(result.status, 'interrupted');
  assert.equal(result.capacity!.interrupted, true);
  assert.equal(result.capacity!.steps.length, 1, JSON.stringify(result.capacity!.steps.map((x) => x.offeredRate)));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(service.served(), servedAtEnd, 'no request reached the service after the command ended');
});
