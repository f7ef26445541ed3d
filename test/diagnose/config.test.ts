import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RULES, THRESHOLDS, resolveConfig } from '../../src/diagnose/index.js';
import type { FindingCategory } from '../../src/result/types.js';

const TAXONOMY: FindingCategory[] = [
  'missing-index', 'inefficient-query', 'n-plus-one', 'cache-miss', 'cache-slow-command', 'pool-saturation', 'lock-contention',
  'event-loop-blocked', 'cpu-saturation', 'memory-growth', 'gc-pressure', 'slow-dependency', 'large-payload', 'error-rate',
  'stale-statistics', 'table-bloat', 'db-config', 'connection-limit', 'generator-saturated',
];

test('every category of the taxonomy has a rule', () => {
  const covered = new Set(RULES.map((r) => r.category));
  assert.deepEqual(TAXONOMY.filter((c) => !covered.has(c)), []);
  assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length, 'rule ids are unique');
});

test('every threshold has an anchor, is documented in docs/rules.md, and low/high bracket normal sensibly', () => {
  const doc = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');
  for (const [key, def] of Object.entries(THRESHOLDS)) {
    assert.ok(def.anchor.length > 3, key);
    assert.ok(doc.includes(`\`${key}\``), `${key} missing from docs/rules.md`);
    assert.ok(doc.includes(`**${def.normal}**`), `${key}: normal value ${def.normal} not in docs/rules.md`);
  }
  const normal = resolveConfig();
  const high = resolveConfig({ sensitivity: 'high' });
  assert.equal(normal.get('nPlusOne.callsPerRequest'), 5);
  assert.ok(high.get('nPlusOne.callsPerRequest') < normal.get('nPlusOne.callsPerRequest'));
  assert.ok(high.get('cacheMiss.hitRatio') > normal.get('cacheMiss.hitRatio'), 'high sensitivity flags ratios closer to 1');
  assert.equal(resolveConfig({ overrides: { 'slowQuery.meanMs': 5 } }).get('slowQuery.meanMs'), 5);
});
