/**
 * The command declarations show defaults that live in modules too heavy to
 * load on every `--help` (src/cli/commands/README.md): their copies must
 * match the originals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIAGNOSIS_MAX_MS, DIAGNOSIS_MS_PER_UNKNOWN, EXPERIMENT_DEFAULTS } from '../../src/diagnose/experiment/index.js';
import { FULL_BUDGET, QUICK_BUDGET } from '../../src/demo-stack/playbook.js';
import { DIAGNOSIS_SIZING_SHOWN, EXPERIMENT_FLAG_DEFAULTS } from '../../src/cli/experiment-options.js';
import { DEMO_DIAGNOSIS_MS } from '../../src/cli/commands/demo.js';

test("the experiment flags show the experiment's own defaults", () => {
  for (const [key, value] of Object.entries(EXPERIMENT_FLAG_DEFAULTS)) {
    assert.equal(value, EXPERIMENT_DEFAULTS[key as keyof typeof EXPERIMENT_DEFAULTS], key);
  }
  assert.deepEqual(DIAGNOSIS_SIZING_SHOWN, { perUnknownMs: DIAGNOSIS_MS_PER_UNKNOWN, maxMs: DIAGNOSIS_MAX_MS });
});

test("tuneup demo --quick's help names the budgets' diagnosis lengths", () => {
  assert.equal(DEMO_DIAGNOSIS_MS.quick, QUICK_BUDGET.experiment.diagnosisMs);
  assert.equal(DEMO_DIAGNOSIS_MS.full, FULL_BUDGET.experiment.diagnosisMs);
});
