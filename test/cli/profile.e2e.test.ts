// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runCli, tempDir } from './helpers.js';
import type { RunResult } from '../../src/result/types.js';

// The example service as a real child process, so the process probe measures its CPU.
const service = spawn(process.execPath, [new URL('../../examples/target/server.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(createInterface({ input: service.stdout! }), 'line');
const baseUrl = `http://127.0.0.1:${String(line).split(' ')[1]}`;
after(() => service.kill('SIGTERM'));

test('tuneup profile runs each scenario alone and measures per-endpoint demands exactly', async () => {
  const cwd = tempDir();
  writeFileSync(
    join(cwd, 'plan.yaml'),
    [
      `baseUrl: ${baseUrl}`,
      'scenarios:',
      '  orders:',
      '    executor: constant-vus',
      '    vus: 1',
      '    duration: 1m',
      '    requests:',
      '      - { path: "/api/orders/{{ randomInt(1, 100) }}", name: "GET /api/orders/:id" }',
      '  products:',
      '    executor: constant-vus',
      '    vus: 1',
      '    duration: 1m',
      '    requests:',
      '      - { path: /api/products?page=2, name: GET /api/products }',
      '',
    ].join('\n'),
  );
  const run = await runCli(['profile', 'plan.yaml', '--step', '3s', '--rate', '20', '--pid', String(service.pid), '--json'], cwd);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as RunResult;
  // Steps run one after the other: the second starts after the first ends.
  assert.deepEqual(result.scenarios.map((s) => s.name), ['orders', 'products']);
  assert.ok(result.scenarios[1].startOffsetMs >= 3000, `second step starts at ${result.scenarios[1].startOffsetMs}`);
  const demands = result.demands ?? [];
  const endpoints = demands.map((d) => d.endpoint).sort();
  assert.equal(endpoints.join(' | '), 'GET /api/orders/:id | GET /api/products', JSON.stringify(result.demands));
  for (const demand of demands) {
    assert.equal(demand.method, 'profile', `${demand.endpoint} measured alone`);
    assert.ok(demand.cpuMs !== undefined && demand.cpuMs > 0, `${demand.endpoint} CPU ms ${demand.cpuMs}`);
    assert.ok(demand.responseBytes !== undefined && demand.responseBytes > 0);
  }
  // Products returns 20 items per page, orders one: the byte demand must say so.
  const bytesOf = (e: string) => demands.find((d) => d.endpoint === e)!.responseBytes!;
  assert.ok(bytesOf('GET /api/products') > 3 * bytesOf('GET /api/orders/:id'), JSON.stringify(demands));
});
