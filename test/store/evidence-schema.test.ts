import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { assertRunResult } from '../../src/report/load-run.js';
import { probeEvidenceProblems } from '../../src/store/evidence-schema.js';
import { makeResult } from '../report/fixtures/make-result.js';

const EVIDENCE = new URL('../fixtures/service/evidence/', import.meta.url);
const recorded = readdirSync(EVIDENCE).filter((f) => f.endsWith('.json')).map((f) => ({ f, result: JSON.parse(readFileSync(new URL(f, EVIDENCE), 'utf8')) }));
/** A complete result carrying the recorded evidence of the db-faults fixture run. */
const replayed = { ...makeResult({}), probes: recorded.find((r) => r.f === 'db-faults.json')!.result.probes };

test('recorded evidence of every probe matches its schema', () => {
  const kinds = new Set(recorded.flatMap((r) => r.result.probes.map((p: { probe: string }) => p.probe)));
  for (const probe of ['postgres', 'redis']) assert.ok(kinds.has(probe), `${probe} evidence among the recordings`);
  for (const { f, result } of recorded) assert.deepEqual(probeEvidenceProblems(result.probes), [], f);
  // The synthetic report fixture carries the other probes' evidence.
  assert.deepEqual(probeEvidenceProblems(makeResult({}).probes), []);
  assert.doesNotThrow(() => assertRunResult(structuredClone(replayed), 'db-faults'));
});

test('a broken field is named by the loader, not met by a rule mid-diagnosis', () => {
  const broken = structuredClone(replayed);
  const pg = broken.probes.find((p: { probe: string }) => p.probe === 'postgres');
  pg.data.statements = 'oops';
  const column = Object.keys(pg.series.values)[0]!;
  pg.series.values[column] = pg.series.values[column].slice(1);
  assert.throws(
    () => assertRunResult(broken, 'result.json'),
    (error: Error & { code?: string }) =>
      error.code === 'TUNEUP_RESULT_INVALID' && /data\.statements/.test(error.message) && new RegExp(`series\\.values\\.${column}: has`).test(error.message),
  );
});

test("the activity's statement lists are checked where the rules sum them (a role's too)", () => {
  const broken = structuredClone(replayed);
  const pg = broken.probes.find((p: { probe: string }) => p.probe === 'postgres');
  pg.data.activity.connectionStatements = [{ queryid: '7', samples: 'many', query: 'SELECT 1' }];
  pg.data.activity.byUser = [{ key: 'reader', connectionStatements: 'oops' }];
  const problems = probeEvidenceProblems(broken.probes).join('\n');
  assert.match(problems, /activity\.connectionStatements\[0\]\.samples/);
  assert.match(problems, /activity\.byUser\[0\]\.connectionStatements/);
});

test('evidence of a probe this version does not know keeps only the common envelope check', () => {
  const future = { ...structuredClone(replayed.probes[0]), probe: 'kafka', data: { lag: 3 } };
  assert.deepEqual(probeEvidenceProblems([future]), []);
  assert.notDeepEqual(probeEvidenceProblems([{ ...future, ok: 'yes' }]), []);
});
