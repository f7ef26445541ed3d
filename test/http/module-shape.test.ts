// The engine loads engine/http through the TransportModule interface of
// src/engine/deps.ts; this fails to typecheck (and to run) if the shapes drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TransportModule } from '../../src/engine/deps.js';
import * as transport from '../../src/engine/http/index.js';

test('engine/http satisfies the engine\'s TransportModule', () => {
  const module: TransportModule = transport;
  assert.equal(typeof module.createVuHttp, 'function');
  assert.equal(typeof module.createFixedSender, 'function');
});
