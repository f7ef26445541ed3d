/** Instances and monthly cost from a capacity, and the before/after saving. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCapacities, HOURS_PER_MONTH, instancesFor, monthlyCost, sizeFleet, sizingTargets } from '../../src/capacity/cost.js';

test('instancesFor: each instance runs at most (1 − headroom) of its capacity; at least one', () => {
  assert.equal(instancesFor(700, 100, 0.3), 10); // 70/s usable each
  assert.equal(instancesFor(701, 100, 0.3), 11);
  assert.equal(instancesFor(1, 100, 0.3), 1);
  assert.equal(instancesFor(200, 100, 0), 2);
  assert.equal(instancesFor(0.9, 1, 0.7), 3, 'float noise (0.9/0.3 = 3.0000000000000004) does not add an instance');
  assert.equal(instancesFor(10, 0, 0.3), Number.POSITIVE_INFINITY);
});

test('monthly cost uses 730 h a month', () => {
  assert.equal(HOURS_PER_MONTH, 730);
  assert.equal(monthlyCost(3, 0.5), 1095);
});

test('sizeFleet: target rates and growth factors of the base rate', () => {
  const targets = sizingTargets({ targetRates: [500], growth: [2, 3, 5], baseRate: 100 });
  assert.deepEqual(targets.map((t) => [t.label, t.rate]), [['target', 500], ['2×', 200], ['3×', 300], ['5×', 500]]);
  const cost = sizeFleet(120, { targets, headroom: 0.3, pricePerHour: 0.1 });
  assert.deepEqual(cost.rows.map((r) => r.instances), [6, 3, 4, 6]); // usable 84/s each
  assert.ok(Math.abs(cost.rows[0]!.monthlyCost! - 6 * 0.1 * 730) < 1e-9);
  assert.equal(sizeFleet(120, { targets, headroom: 0.3 }).rows[0]!.monthlyCost, undefined, 'no price, no money');
});

test('compareCapacities: capacity gained and the monthly saving at the target', () => {
  const c = compareCapacities({ id: 'a', rate: 100 }, { id: 'b', rate: 150 }, { targets: [{ label: 'target', rate: 1000 }], headroom: 0.3, pricePerHour: 0.2 });
  assert.ok(Math.abs(c.gained - 0.5) < 1e-12);
  assert.deepEqual([c.rows[0]!.instancesBefore, c.rows[0]!.instancesAfter], [15, 10]);
  assert.ok(Math.abs(c.rows[0]!.monthlySaved! - 5 * 0.2 * 730) < 1e-9);
});
