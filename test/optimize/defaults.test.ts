/**
 * Unit tests (no servers) for optimize's defaults: the error when a stored
 * run's URL lost its password, human units, the database host readers and
 * PgTune's shared_buffers cap.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { countCpuList, isLocalDatabase, parseCpuQuota, parseMemoryLimit, parseMemTotal } from '../../src/optimize/db-host.js';
import { pgtune } from '../../src/optimize/pgtune.js';
import { formatSize } from '../../src/optimize/units.js';
import type { RunResult } from '../../src/result/types.js';
import { plantedFinding, runOptimizeCli, storeRun } from './helpers.js';

const GB = 1024 ** 3;

/** A stored run as `tuneup run` writes it when `--pg` carried a password (redacted in result.json). */
function redactedRun(): RunResult {
  return {
    schemaVersion: 1,
    id: '20261204-110000-pass',
    probes: [
      {
        probe: 'postgres',
        target: 'postgresql://app:***@127.0.0.1:5432/shop',
        ok: true,
        limitations: [],
        errors: [],
        series: { t: [], values: {}, units: {} },
        data: { statements: [], statementsStatus: { available: true } },
        overhead: { samples: 0, meanSampleMs: 0 },
      },
    ],
    findings: [plantedFinding()],
    totals: {},
    series: {},
    endpoints: [],
    thresholds: [],
    generator: {},
    scenarios: [],
    warnings: [],
    labels: {},
  } as unknown as RunResult;
}

test('a run whose --pg URL had a password: optimize says to pass --pg again (exit 104), not "No action proposed"', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'tuneup-optimize-redacted-'));
  try {
    await storeRun(join(cwd, '.tuneup/runs'), redactedRun());
    let caught: unknown;
    await runOptimizeCli(['optimize', '--run', 'latest'], cwd).catch((err: unknown) => (caught = err));
    const err = caught as { code?: string; message?: string; hint?: string; exitCode?: number; location?: string };
    assert.equal(err?.code, 'TUNEUP_OPTION_MISSING', String(caught));
    assert.equal(err.exitCode, 104, 'docs/exit-codes.md: an option is missing → 104');
    assert.equal(err.location, '--pg');
    assert.match(err.message ?? '', /without the password \(postgresql:\/\/app:\*\*\*@127\.0\.0\.1:5432\/shop\)/);
    assert.match(err.message ?? '', /missing-index:public\.orders\(user_id\) \(high\)/);
    assert.match(err.hint ?? '', /--pg postgresql:\/\/USER:PASSWORD@HOST\/DB/);

    // Asking only for what needs no database still works, and says nothing misleading.
    const cache = await runOptimizeCli(['optimize', '--run', 'latest', '--component', 'cache'], cwd);
    assert.match(cache.stdout, /No action proposed/);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('sizes in human units', () => {
  assert.equal(formatSize(128 * 1024 ** 2), '128 MiB');
  assert.equal(formatSize(6335076761), '5.9 GiB');
  assert.equal(formatSize(1.5 * GB), '1.5 GiB');
  assert.equal(formatSize(64 * 1024), '64 KiB');
  assert.equal(formatSize(512), '512 B');
});

test('database host readers: meminfo, CPU lists, cgroup v1/v2 limits, local URLs', () => {
  assert.equal(parseMemTotal('MemTotal:       24582764 kB\nMemFree: 1 kB\n'), 24582764 * 1024);
  assert.equal(parseMemTotal('nothing'), undefined);
  assert.equal(countCpuList('0-1\n'), 2);
  assert.equal(countCpuList('0-3,8,10-11'), 7);
  assert.equal(parseMemoryLimit('max\n'), undefined);
  assert.equal(parseMemoryLimit('9223372036854771712\n'), undefined, 'cgroup v1 "no limit"');
  assert.equal(parseMemoryLimit('4294967296\n'), 4 * GB);
  assert.equal(parseCpuQuota('max 100000'), undefined);
  assert.equal(parseCpuQuota('150000 100000\n'), 2);
  assert.equal(parseCpuQuota('-1', '100000'), undefined, 'cgroup v1 "no quota"');
  assert.equal(parseCpuQuota('400000', '100000'), 4);
  assert.ok(isLocalDatabase('postgresql://app@localhost/shop'));
  assert.ok(isLocalDatabase('postgresql://app@127.0.0.1:5433/shop'));
  assert.ok(isLocalDatabase('postgresql://app@/shop?host=/var/run/postgresql'));
  assert.ok(!isLocalDatabase('postgresql://app@db.internal/shop'));
});

test('PgTune shared_buffers cap: shared_buffers and wal_buffers follow it, work_mem keeps its budget', () => {
  const input = { memoryBytes: 16 * GB, cpus: 8, workload: 'web', storage: 'ssd', majorVersion: 15 } as const;
  const get = (name: string, cap?: number) => pgtune({ ...input, ...(cap ? { sharedBuffersCapBytes: cap } : {}) }).find((s) => s.name === name)?.value;
  assert.equal(get('shared_buffers'), '4GB');
  assert.equal(get('shared_buffers', 256 * 1024 ** 2), '256MB');
  assert.equal(get('huge_pages', 256 * 1024 ** 2), 'off');
  assert.equal(get('wal_buffers', 256 * 1024 ** 2), '7864kB');
  assert.equal(get('work_mem', 256 * 1024 ** 2), get('work_mem'));
});
