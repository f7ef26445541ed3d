// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'redis';
import { applyPlan, planOptimizations, rollbackJournal } from '../../src/optimize/index.js';
import type { Finding, RunResult } from '../../src/result/types.js';
import { startRedis, type TestRedis } from '../harness/redis.js';
import { runOptimizeCli, storeRun } from './helpers.js';
import { startAll, stopAll } from '../harness/resources.js';

/** The diagnosis finding for evictions (rule cache-eviction), which asks for redis-config. */
const EVICTIONS: Finding = {
  id: 'cache-eviction:evictions',
  rule: 'cache-eviction',
  category: 'cache-miss',
  severity: 'medium',
  title: 'Redis evicted keys during the run',
  summary: 'evicted entries come back as misses',
  evidence: [],
  recommendation: { text: 'Raise maxmemory' },
  actions: ['redis-config'],
  confidence: 0.9,
  impact: 0.3,
} as Finding;

function runWithRedis(url: string, evictedKeys: number, findings: Finding[] = evictedKeys > 0 ? [EVICTIONS] : []): RunResult {
  return {
    schemaVersion: 1,
    id: '20261123-120000-beef',
    probes: [
      {
        probe: 'redis',
        target: url,
        ok: true,
        limitations: [],
        errors: [],
        series: { t: [], values: {}, units: {} },
        data: { info: { evictedKeys, usedMemory: { before: 0, after: 0, max: 0 } } },
        overhead: { samples: 0, meanSampleMs: 0 },
      },
    ],
    findings,
  } as unknown as RunResult;
}

async function configGet(url: string, name: string): Promise<string> {
  const client = createClient({ url });
  await client.connect();
  try {
    const reply = (await client.sendCommand(['CONFIG', 'GET', name])) as unknown;
    // node-redis 6 returns a map (RESP3-style object); older protocols a flat array.
    return Array.isArray(reply) ? String(reply[1]) : String((reply as Record<string, string>)[name]);
  } finally {
    await client.close();
  }
}

describe('redis-config (CONFIG SET with the previous value journaled)', () => {
  let evicting: TestRedis;
  let unlimited: TestRedis;
  let journalDir: string;
  before(async () => {
    ({ evicting, unlimited } = await startAll({ evicting: () => startRedis({ config: { maxmemory: '2mb', 'maxmemory-policy': 'allkeys-lru' } }), unlimited: () => startRedis() }));
    journalDir = await mkdtemp(join(tmpdir(), 'tuneup-journal-'));
    const client = createClient({ url: evicting.url });
    await client.connect();
    const value = 'x'.repeat(1024);
    for (let i = 0; i < 4000; i++) await client.set(`k:${i}`, value);
    await client.close();
  });
  after(async () => {
    await stopAll([evicting, unlimited]);
    if (journalDir) await rm(journalDir, { recursive: true, force: true });
  });

  test('evictions: raise maxmemory only when named; rollback restores 2 MiB exactly', async () => {
    const info = await configGet(evicting.url, 'maxmemory');
    assert.equal(info, String(2 * 1024 * 1024));
    const plan = await planOptimizations(runWithRedis(evicting.url, 1200), { redisUrl: evicting.url, component: 'cache' });
    assert.equal(plan.actions.length, 1, JSON.stringify(plan.notes));
    const action = plan.actions[0]!;
    assert.equal(action.id, 'redis-config:maxmemory');
    assert.deepEqual(action.findings, ['cache-eviction:evictions']);
    assert.match(action.optIn ?? '', /server-wide/);
    const target = Number(action.changes[0]!.params.value);
    assert.ok(target >= 3 * 1024 * 1024, String(target));
    assert.equal(await configGet(evicting.url, 'maxmemory'), String(2 * 1024 * 1024), 'dry run changed nothing');

    // The default apply leaves a shared Redis alone even when a finding asks.
    const none = await applyPlan(plan, { journalDir, environment: 'test', redisUrl: evicting.url });
    assert.equal(none.steps.length, 0);
    assert.equal(await configGet(evicting.url, 'maxmemory'), String(2 * 1024 * 1024));

    const entry = await applyPlan(plan, { journalDir, environment: 'test', redisUrl: evicting.url, only: [action.id] });
    assert.equal(await configGet(evicting.url, 'maxmemory'), String(target));
    assert.deepEqual(entry.steps[0]!.previous, { value: String(2 * 1024 * 1024) });
    await rollbackJournal(entry.id, { journalDir, redisUrl: evicting.url });
    assert.equal(await configGet(evicting.url, 'maxmemory'), String(2 * 1024 * 1024));
  });

  test('no limit and no finding: maxmemory + allkeys-lru is a proposal only, never applied', async () => {
    const plan = await planOptimizations(runWithRedis(unlimited.url, 0), { redisUrl: unlimited.url, component: 'cache' });
    const action = plan.actions.find((a) => a.id === 'redis-config:maxmemory');
    assert.ok(action);
    assert.deepEqual(action.changes.map((c) => c.statements[0]!.split(' ').slice(0, 3).join(' ')), ['CONFIG SET maxmemory', 'CONFIG SET maxmemory-policy']);
    assert.equal(action.applicable, false);
    assert.match(action.proposalOnlyReason ?? '', /no finding/);
    for (const only of [undefined, [action.id]]) {
      const entry = await applyPlan(plan, { journalDir, environment: 'test', redisUrl: unlimited.url, ...(only ? { only } : {}) });
      assert.equal(entry.steps.length, 0);
    }
    assert.equal(await configGet(unlimited.url, 'maxmemory'), '0');
    assert.equal(await configGet(unlimited.url, 'maxmemory-policy'), 'noeviction');
  });

  test('the CLI default --apply leaves Redis maxmemory untouched', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'tuneup-optimize-redis-'));
    try {
      const result = { ...runWithRedis(evicting.url, 1200), totals: {}, series: {}, endpoints: [], thresholds: [], generator: {}, scenarios: [], warnings: [], labels: {} };
      await storeRun(join(cwd, '.tuneup/runs'), result as unknown as RunResult);
      const out = await runOptimizeCli(['optimize', '--run', 'latest', '--redis', evicting.url, '--apply', '--environment', 'test'], cwd);
      assert.match(out.stderr, /not applied .*redis-config:maxmemory/);
      assert.equal(await configGet(evicting.url, 'maxmemory'), String(2 * 1024 * 1024));
      assert.equal(await configGet(evicting.url, 'maxmemory-policy'), 'allkeys-lru');
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  test('the database component filter leaves Redis alone', async () => {
    const plan = await planOptimizations(runWithRedis(evicting.url, 1200), { redisUrl: evicting.url, component: 'database' });
    assert.ok(!plan.actions.some((a) => a.component === 'cache'));
  });
});
