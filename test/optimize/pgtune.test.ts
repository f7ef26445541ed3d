import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatKb, pgtune, type PgTuneInput } from '../../src/optimize/pgtune.js';

const GB = 1024 ** 3;
const value = (input: PgTuneInput, name: string) => pgtune(input).find((s) => s.name === name)?.value;

test('PgTune work_mem test vectors (research/diagnosis-anchors.md §4)', () => {
  const base = { storage: 'ssd', majorVersion: 15 } as const;
  assert.equal(value({ ...base, memoryBytes: 4 * GB, cpus: 4, workload: 'web' }, 'work_mem'), '5140kB');
  assert.equal(value({ ...base, memoryBytes: 16 * GB, cpus: 8, workload: 'web' }, 'work_mem'), '20164kB');
  assert.equal(value({ ...base, memoryBytes: 16 * GB, cpus: 8, workload: 'oltp' }, 'work_mem'), '13617kB');
  assert.equal(value({ ...base, memoryBytes: 8 * GB, cpus: 4, workload: 'mixed' }, 'work_mem'), '10082kB');
  assert.equal(value({ ...base, memoryBytes: 4 * GB, cpus: 4, workload: 'web', connections: 9999 }, 'work_mem'), '4MB');
});

test('PgTune memory settings and parallelism for 16 GB / 8 CPU / web', () => {
  const input = { memoryBytes: 16 * GB, cpus: 8, workload: 'web', storage: 'ssd', majorVersion: 15 } as const;
  assert.equal(value(input, 'shared_buffers'), '4GB');
  assert.equal(value(input, 'effective_cache_size'), '12GB');
  assert.equal(value(input, 'maintenance_work_mem'), '1GB');
  assert.equal(value(input, 'huge_pages'), 'try');
  assert.equal(value(input, 'wal_buffers'), '16MB');
  assert.equal(value(input, 'max_parallel_workers_per_gather'), '4');
  assert.equal(value(input, 'effective_io_concurrency'), '200');
  assert.equal(value(input, 'jit'), 'off');
  assert.equal(value(input, 'wal_compression'), 'lz4');
  assert.equal(formatKb(5140), '5140kB');
});
