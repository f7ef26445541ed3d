import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadFromInterval } from '../../src/diagnose/rules/target-gone.js';

test('a target that answered and then failed every request to the end is gone from that second', () => {
  assert.equal(deadFromInterval([10, 10, 10, 10, 10, 10], [0, 0, 0, 10, 10, 10], 2), 3);
  // Seconds without completions (connect timeouts pending) neither revive nor extend it.
  assert.equal(deadFromInterval([10, 10, 10, 0, 10, 10], [0, 0, 2, 0, 10, 10], 2), 4);
});

test('no verdict without a wall of failures at the end, or without an earlier answer', () => {
  assert.equal(deadFromInterval([10, 10, 10, 10], [0, 10, 10, 5], 2), undefined, 'it answered again at the end');
  assert.equal(deadFromInterval([10, 10, 10, 10], [0, 0, 0, 10], 2), undefined, 'one second is a blip');
  assert.equal(deadFromInterval([10, 10, 10], [10, 10, 10], 2), undefined, 'never answered: unreachable, not gone');
});
