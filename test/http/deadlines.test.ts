import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadlineSweeper, sweepIntervalFor, type DeadlineTarget } from '../../src/engine/http/deadlines.js';

test('sweep interval scales with the timeout within 5–100 ms', () => {
  assert.equal(sweepIntervalFor(60_000), 100);
  assert.equal(sweepIntervalFor(1_000), 50);
  assert.equal(sweepIntervalFor(20), 5);
});

test('the sweeper checks every registered target and survives removal during a sweep', async () => {
  const checks = new Map<string, number>();
  const targets: Array<DeadlineTarget & { name: string }> = [];
  for (const name of ['a', 'b', 'c']) {
    const target = {
      name,
      sweepIndex: -1,
      checkDeadline() {
        checks.set(name, (checks.get(name) ?? 0) + 1);
        // 'b' expires and unregisters itself and 'a' mid-sweep.
        if (name === 'b') {
          deadlineSweeper.remove(target);
          deadlineSweeper.remove(targets[0]);
        }
      },
    };
    targets.push(target);
    deadlineSweeper.add(target, 100);
  }
  await new Promise((r) => setTimeout(r, 40));
  for (const t of targets) deadlineSweeper.remove(t);
  assert.ok((checks.get('c') ?? 0) >= 2, `c swept ${checks.get('c')} times`);
  assert.equal(checks.get('b'), 1);
  assert.ok((checks.get('a') ?? 0) <= 1);
  assert.ok(targets.every((t) => t.sweepIndex === -1));
});
