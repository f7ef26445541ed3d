import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isTuneupError, type TuneupError } from '../../src/errors.js';
import { loadPlan } from '../../src/plan/index.js';
import { recordingVU } from './fake-vu.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => join(fixtures, name);

async function loadError(path: string): Promise<TuneupError> {
  try {
    await loadPlan(path, { env: {} });
  } catch (error) {
    assert.ok(isTuneupError(error), `expected a TuneupError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loadPlan to fail');
}

describe('loadPlan', () => {
  it('loads a .ts plan through tsx with exec and default functions', async () => {
    const plan = await loadPlan(fixture('plan.ts'), { env: {} });
    assert.equal(plan.name, 'ts-fixture');
    assert.deepEqual(plan.scenarios.map((s) => [s.name, s.executor, s.model]), [
      ['browse', 'constant-arrival-rate', 'open'],
      ['home', 'constant-vus', 'closed'],
    ]);
    const browse = plan.scenarios[0];
    assert.equal(browse.executor, 'constant-arrival-rate');
    if (browse.executor !== 'constant-arrival-rate') return;
    assert.equal(browse.durationMs, 2000);
    assert.equal(browse.maxVUs, 2, 'maxVUs defaults to preAllocatedVUs');
    assert.equal(browse.timeUnitMs, 1000);
    assert.equal(browse.gracefulStopMs, 30_000);
    assert.equal(browse.fixed, undefined);
    const { vu, sent } = recordingVU();
    vu.iteration = 5;
    await browse.fn(vu);
    await plan.scenarios[1].fn(vu);
    assert.deepEqual(sent.map((s) => s.url), ['/api/orders/5', '/']);
    assert.equal(plan.thresholds[0].metric.filter.endpoint, 'GET /api/orders/:id');
    assert.equal(plan.json.scenarios.browse.exec, 'browse');
    assert.equal(JSON.parse(JSON.stringify(plan.json)).scenarios.home.vus, 2);
  });

  it('loads a k6-style .mjs plan (options + default function)', async () => {
    const plan = await loadPlan(fixture('plan.mjs'), { env: {} });
    const only = plan.scenarios[0];
    assert.equal(only.executor, 'shared-iterations');
    if (only.executor !== 'shared-iterations') return;
    assert.equal(only.iterations, 4);
    assert.equal(only.maxDurationMs, 600_000);
  });

  it('loads a YAML plan with weighted requests, a flow and CSV data', async () => {
    const plan = await loadPlan(fixture('plan.yaml'), { env: {} });
    assert.equal(plan.source, fixture('plan.yaml'));
    const [browse, login] = plan.scenarios;
    assert.equal(browse.executor, 'ramping-arrival-rate');
    if (browse.executor !== 'ramping-arrival-rate') return;
    assert.deepEqual(browse.stages, [{ durationMs: 1000, target: 10 }]);
    assert.equal(browse.startRate, 1);
    assert.equal(browse.fixed, undefined, 'two requests: not fixed');

    const { vu, sent } = recordingVU((spec) =>
      spec.url.endsWith('/login') ? { body: JSON.stringify({ data: { token: `t-${JSON.parse(String(spec.body)).email}` } }) } : {},
    );
    for (let i = 0; i < 40; i++) await browse.fn(vu);
    const names = new Set(sent.map((s) => s.name ?? s.url));
    assert.deepEqual([...names].sort(), ['GET /api/orders/:randomInt', 'http://127.0.0.1:9/api/health']);
    assert.ok(sent.every((s) => s.headers?.['x-client'] === 'tuneup'), 'plan headers merged');

    sent.length = 0;
    await login.fn(vu);
    vu.iteration = 1;
    await login.fn(vu);
    assert.deepEqual(
      sent.map((s) => [s.method, s.url, s.body ?? s.headers?.authorization]),
      [
        ['POST', 'http://127.0.0.1:9/login', '{"email":"a@example.com","attempt":0}'],
        ['GET', 'http://127.0.0.1:9/me', 'Bearer t-a@example.com'],
        ['POST', 'http://127.0.0.1:9/login', '{"email":"b@example.com","attempt":1}'],
        ['GET', 'http://127.0.0.1:9/me', 'Bearer t-b@example.com'],
      ],
    );
    assert.equal(sent[0].headers?.['content-type'], 'application/json');
    assert.equal((plan.json.scenarios.login.flow as { headers?: Record<string, string> }[])[1].headers?.authorization, '***');
  });

  it('loads a JSON plan and marks its single static request fixed', async () => {
    const plan = await loadPlan(fixture('plan.json'), { env: {} });
    const ping = plan.scenarios[0];
    assert.equal(ping.executor, 'constant-vus');
    if (ping.executor !== 'constant-vus') return;
    assert.equal(ping.durationMs, 90_000);
    assert.deepEqual(ping.fixed, { method: 'GET', url: 'http://127.0.0.1:9/ping', discardBody: true });
  });

  it('reports every YAML problem with file:line and path', async () => {
    const error = await loadError(fixture('bad.yaml'));
    assert.equal(error.code, 'TUNEUP_PLAN_INVALID');
    assert.equal(error.exitCode, 104);
    const shown = fixture('bad.yaml');
    assert.match(error.message, new RegExp(`${shown}:6 scenarios.browse.executor: unknown executor "constant-vu"; expected one of constant-vus, ramping-vus, .* \\(did you mean "constant-vus"\\?\\)`));
    assert.match(error.message, new RegExp(`${shown}:10 scenarios.buy.rate: expected a number, got "fast"`));
    assert.match(error.message, new RegExp(`${shown}:13 scenarios.buy.maxVU: unknown option "maxVU" \\(did you mean "maxVUs"\\?\\)`));
    assert.match(error.message, new RegExp(`${shown}:15 thresholds.http_req_duration: "p\\(95\\)<>200": expected a number after '<'`));
    assert.equal(error.location, `${shown}:6`);
  });

  it('reports JSON problems with line numbers too', async () => {
    const error = await loadError(fixture('bad.json'));
    assert.match(error.message, /bad\.json:10 scenarios\.steady\.maxVUs: maxVUs \(2\) can't be less than preAllocatedVUs \(5\)/);
  });

  it('points template and syntax errors at their YAML line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tuneup-plan-'));
    try {
      const templated = join(dir, 'templated.yml');
      await writeFile(
        templated,
        ['baseUrl: http://127.0.0.1:9', 'scenarios:', '  s:', '    executor: constant-vus', '    duration: 1s', '    requests:', '      - path: /a/{{ randInt(1, 2) }}', ''].join('\n'),
      );
      const error = await loadError(templated);
      assert.match(error.message, /templated\.yml:7 scenarios\.s\.requests\[0\]\.path: unknown function "randInt" \(did you mean "randomInt"\?\).*\(column 7\)/);
      const broken = join(dir, 'broken.yaml');
      await writeFile(broken, 'scenarios:\n  s: { executor: constant-vus\n');
      const syntax = await loadError(broken);
      assert.equal(syntax.code, 'TUNEUP_PLAN_INVALID');
      assert.match(syntax.message, /broken\.yaml:\d+ /);
      const empty = join(dir, 'empty.json');
      await writeFile(empty, '[]');
      assert.match((await loadError(empty)).message, /a plan is an object with "scenarios"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('turns an import-time throw into TUNEUP_SCRIPT_ERROR with the file and message', async () => {
    const error = await loadError(fixture('throws.ts'));
    assert.equal(error.code, 'TUNEUP_SCRIPT_ERROR');
    assert.equal(error.exitCode, 107);
    assert.match(error.message, /throws\.ts: plan code threw while loading: PORT is not configured$/);
  });

  it('rejects a module without a default export', async () => {
    const error = await loadError(fixture('no-default.mjs'));
    assert.equal(error.code, 'TUNEUP_PLAN_INVALID');
    assert.match(error.message, /no default export/);
  });

  it('reports a missing file', async () => {
    const error = await loadError(fixture('nope.yaml'));
    assert.equal(error.code, 'TUNEUP_PLAN_NOT_FOUND');
  });

  it('applies --profile/--rate overrides to a plan', async () => {
    const plan = await loadPlan(fixture('plan.ts'), { env: { TUNEUP_RATE: '40' }, overrides: { profile: 'load', duration: '10s' } });
    assert.deepEqual(plan.profile, { name: 'load', rate: 40 });
    assert.equal(plan.scenarios.length, 1);
    const load = plan.scenarios[0];
    assert.equal(load.executor, 'ramping-arrival-rate');
    if (load.executor !== 'ramping-arrival-rate') return;
    assert.deepEqual(load.stages, [
      { durationMs: 60_000, target: 40 },
      { durationMs: 10_000, target: 40 },
    ]);
  });
});
