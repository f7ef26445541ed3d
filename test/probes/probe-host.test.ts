/**
 * Thread-agnostic parts of probe hosting: specs on probes, errors across a
 * thread boundary, and the bounded stop of a set of probes (fake in-memory
 * probes stand in for a probe that hangs; no system under test is mocked).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProbeRunner } from '../../src/engine/probe-runner.js';
import { TuneupError, isTuneupError } from '../../src/errors.js';
import { probeFromSpec } from '../../src/probes/host/create.js';
import { deserializeError, serializeError } from '../../src/probes/host/errors.js';
import { ProbeSet } from '../../src/probes/host/probe-set.js';
import { PROBE_SPEC, probeSpecOf, tagProbeSpec, type ProbeSpec } from '../../src/probes/host/spec.js';
import { createPostgresProbe } from '../../src/probes/postgres/index.js';
import type { Probe } from '../../src/probes/types.js';
import type { ProbeEvidence } from '../../src/result/types.js';

const evidence = (name: string): ProbeEvidence => ({
  probe: name,
  target: 'memory',
  ok: true,
  limitations: [],
  errors: [],
  series: { t: [], values: {}, units: {} },
  data: {},
  overhead: { samples: 0, meanSampleMs: 0 },
});
const never = new Promise<never>(() => undefined);

describe('probe specs', () => {
  it('probes from the factories and from specs carry their spec; plain objects do not', () => {
    const spec: ProbeSpec = { kind: 'redis', options: { url: 'redis://127.0.0.1:6379' } };
    assert.deepEqual(probeSpecOf(probeFromSpec(spec)), spec);
    assert.deepEqual(probeSpecOf(createPostgresProbe({ url: 'postgres://127.0.0.1/x' })), { kind: 'postgres', options: { url: 'postgres://127.0.0.1/x' } });
    const plain: Probe = { name: 'own', start: async () => undefined, sample: async () => undefined, stop: async () => evidence('own') };
    assert.equal(probeSpecOf(plain), undefined);
    // Nothing enumerable is added: spreading or serializing the probe is unchanged.
    assert.equal(Object.getOwnPropertyDescriptor(probeFromSpec(spec), PROBE_SPEC)?.enumerable, false);
  });

  it('a spec that cannot cross a thread (a function in its options) leaves the probe in its thread', () => {
    const probe: Probe = { name: 'x', start: async () => undefined, sample: async () => undefined, stop: async () => evidence('x') };
    const spec = { kind: 'prometheus', options: { url: 'http://127.0.0.1/metrics', headers: { get: () => 'no' } } } as unknown as ProbeSpec;
    assert.equal(probeSpecOf(tagProbeSpec(probe, spec)), undefined);
  });
});

describe('errors across threads', () => {
  it('a TuneupError keeps code, hint, location, exit code and message', () => {
    const original = new TuneupError('TUNEUP_PG_CONNECT', 'Cannot connect to PostgreSQL at postgres://u:***@h/x', { hint: 'Check the --pg URL', location: '--pg' });
    const back = deserializeError(structuredClone(serializeError(original)));
    assert.ok(back instanceof TuneupError && isTuneupError(back));
    assert.equal(back.code, 'TUNEUP_PG_CONNECT');
    assert.equal(back.hint, 'Check the --pg URL');
    assert.equal(back.location, '--pg');
    assert.equal(back.exitCode, original.exitCode);
    assert.equal(back.message, original.message);
  });

  it('other errors keep name, message and a string code', () => {
    const original = Object.assign(new RangeError('boom'), { code: 'ECONNREFUSED' });
    const back = deserializeError(structuredClone(serializeError(original)));
    assert.equal(back.name, 'RangeError');
    assert.equal(back.message, 'boom');
    assert.equal((back as Error & { code?: string }).code, 'ECONNREFUSED');
    assert.equal(deserializeError(serializeError('text')).message, 'text');
  });
});

describe('ProbeSet: bounded stop', () => {
  it('a probe whose stop hangs gets not-ok evidence; the others keep theirs, in order', async () => {
    const hung: Probe = { name: 'hung', start: async () => undefined, sample: async () => undefined, stop: () => never };
    const fine: Probe = { name: 'fine', start: async () => undefined, sample: async () => undefined, stop: async () => evidence('fine') };
    const out = await new ProbeSet([hung, fine]).stop(100, () => 42);
    assert.deepEqual(out.map((e) => [e.probe, e.ok]), [['hung', false], ['fine', true]]);
    assert.match(out[0]!.errors[0]!.message, /did not stop within 100 ms/);
    assert.equal(out[0]!.errors[0]!.offsetMs, 42);
  });

  it('a sample that never returns does not hold stop, and is named in the evidence', async () => {
    let samples = 0;
    const stuck: Probe = {
      name: 'stuck',
      start: async () => undefined,
      sample: () => {
        samples++;
        return never;
      },
      stop: async () => evidence('stuck'),
    };
    const set = new ProbeSet([stuck]);
    set.sample(1000);
    await new Promise(setImmediate);
    set.sample(2000); // skipped: the first is still in flight
    await new Promise(setImmediate);
    assert.equal(samples, 1);
    const [e] = await set.stop(100, () => 2500);
    assert.equal(e!.ok, true);
    assert.match(e!.errors.map((x) => x.message).join('\n'), /sample was still running/);
  });

  it('a stop that throws becomes not-ok evidence', async () => {
    const bad: Probe = { name: 'bad', start: async () => undefined, sample: async () => undefined, stop: async () => Promise.reject(new Error('socket closed')) };
    const [e] = await new ProbeSet([bad]).stop(1000, () => 0);
    assert.equal(e!.ok, false);
    assert.match(e!.errors[0]!.message, /stop failed: socket closed/);
  });
});

describe('ProbeRunner with probes that stay on this thread', () => {
  it('starts all, stops the started ones when one fails, and rethrows the first failure in probe order', async () => {
    const stopped: string[] = [];
    const mk = (name: string, fail?: Error): Probe => ({
      name,
      start: async () => {
        if (fail) throw fail;
      },
      sample: async () => undefined,
      stop: async () => {
        stopped.push(name);
        return evidence(name);
      },
    });
    const runner = new ProbeRunner([mk('a'), mk('b', new Error('b failed')), mk('c'), mk('d', new Error('d failed'))]);
    const ctx = { runStartedAt: Date.now(), offsetMs: () => 0, signal: new AbortController().signal };
    await assert.rejects(runner.start(ctx), /b failed/);
    assert.deepEqual(stopped.sort(), ['a', 'c']);
  });
});
