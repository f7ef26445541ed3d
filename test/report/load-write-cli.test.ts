import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { isTuneupError, type TuneupError } from '../../src/errors.js';
import { loadRun, loadRunResult, resolveRunPath } from '../../src/report/load-run.js';
import { writeReports } from '../../src/report/write.js';
import { registerReportCommand } from '../../src/cli/commands/report.js';
import type { CliIO } from '../../src/cli/io.js';
import type { RunResult } from '../../src/result/types.js';
import { makeResult } from './fixtures/make-result.js';

let dir: string;
let runsDir: string;
const first = makeResult({ seed: 1, durationS: 20, id: '20261123-100000-aaaa' });
const second = makeResult({ seed: 2, durationS: 20, id: '20261123-110000-bbbb' });

function storeRun(result: RunResult): string {
  const runDir = join(runsDir, result.id);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'result.json'), JSON.stringify(result));
  return runDir;
}

async function rejectsWith(promise: Promise<unknown>, code: string, hint?: RegExp): Promise<TuneupError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isTuneupError(error), `not a TuneupError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (hint) assert.match(error.hint ?? '', hint);
    return error;
  }
  assert.fail(`expected ${code}`);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tuneup-report-cli-'));
  runsDir = join(dir, '.tuneup', 'runs');
  storeRun(first);
  storeRun(second);
  mkdirSync(join(runsDir, 'not-a-run'), { recursive: true });
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('loadRunResult', () => {
  test('resolves latest, ids, unique prefixes, run directories and result.json paths', async () => {
    const opts = { runsDir, cwd: dir };
    assert.equal((await loadRunResult('latest', opts)).id, second.id);
    assert.equal((await loadRunResult(first.id, opts)).id, first.id);
    assert.equal((await loadRunResult('20261123-10', opts)).id, first.id);
    assert.equal((await loadRunResult(join(runsDir, first.id), opts)).id, first.id);
    assert.equal((await loadRunResult(join(runsDir, second.id, 'result.json'), opts)).id, second.id);
    assert.equal((await loadRunResult(`.tuneup/runs/${first.id}/result.json`, opts)).id, first.id);
    const loaded = await loadRun('latest', opts);
    assert.equal(loaded.dir, join(runsDir, second.id));
  });

  test('an unknown run is TUNEUP_RUN_NOT_FOUND with recent ids in the hint', async () => {
    const error = await rejectsWith(loadRunResult('nope', { runsDir, cwd: dir }), 'TUNEUP_RUN_NOT_FOUND', /20261123-110000-bbbb, 20261123-100000-aaaa/);
    assert.equal(error.exitCode, 104); // a value that names nothing (docs/errors.md)
    await rejectsWith(loadRunResult('2026', { runsDir, cwd: dir }), 'TUNEUP_RUN_NOT_FOUND', /longer id/);
    await rejectsWith(loadRunResult('latest', { runsDir: join(dir, 'empty'), cwd: dir }), 'TUNEUP_RUN_NOT_FOUND', /no runs found/);
    await rejectsWith(resolveRunPath('missing/result.json', { runsDir, cwd: dir }), 'TUNEUP_RUN_NOT_FOUND');
  });

  test('broken JSON, a missing or newer schemaVersion and truncated results are TUNEUP_RESULT_INVALID', async () => {
    const file = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    await rejectsWith(loadRunResult(file('broken.json', '{"schemaVersion": 1, "id": '), { runsDir }), 'TUNEUP_RESULT_INVALID', /truncated/);
    await rejectsWith(loadRunResult(file('other.json', '{"hello": 1}'), { runsDir }), 'TUNEUP_RESULT_INVALID', /result\.json written by/);
    await rejectsWith(loadRunResult(file('newer.json', JSON.stringify({ ...first, schemaVersion: 2 })), { runsDir }), 'TUNEUP_RESULT_INVALID', /upgrade tuneup/);
    const { totals: _totals, ...partial } = first;
    await rejectsWith(loadRunResult(file('partial.json', JSON.stringify(partial)), { runsDir }), 'TUNEUP_RESULT_INVALID');
    await rejectsWith(loadRunResult(file('array.json', '[]'), { runsDir }), 'TUNEUP_RESULT_INVALID');
  });
});

describe('writeReports', () => {
  test('writes report.html, summary.md and junit.xml next to result.json, and nothing else', async () => {
    const runDir = join(dir, 'write-test');
    const paths = await writeReports(first, runDir, { baseline: second });
    assert.deepEqual(readdirSync(runDir).sort(), ['junit.xml', 'report.html', 'summary.md']);
    assert.equal(paths.html, join(runDir, 'report.html'));
    assert.match(readFileSync(paths.html, 'utf8'), /^<!doctype html>/);
    assert.match(readFileSync(paths.html, 'utf8'), /p95 vs base/);
    assert.match(readFileSync(paths.markdown, 'utf8'), /\[full report\]\(report\.html\)/);
    assert.match(readFileSync(paths.junit, 'utf8'), /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
  });
});

describe('tuneup report', () => {
  function program(): { run(args: string[]): Promise<void>; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = { out: (t) => void out.push(t), err: (t) => void err.push(t), interactive: false, color: false };
    const cmd = new Command().exitOverride();
    registerReportCommand(cmd, io);
    return {
      out,
      err,
      async run(args) {
        await cmd.parseAsync(['node', 'tuneup', 'report', ...args, '--runs-dir', runsDir]);
      },
    };
  }

  test('default: writes the three reports into the run directory and prints the summary', async () => {
    const p = program();
    await p.run(['latest', '--baseline', first.id]);
    const runDir = join(runsDir, second.id);
    assert.deepEqual(readdirSync(runDir).sort(), ['junit.xml', 'report.html', 'result.json', 'summary.md']);
    assert.match(p.out.join('\n'), /^tuneup run 20261123-110000-bbbb/);
    assert.match(p.out.join('\n'), /baseline response/);
    assert.match(p.err.join('\n'), /report: .*report\.html/);
  });

  test('--format prints one format; --out writes it, inferring the format from the extension', async () => {
    const p = program();
    await p.run([first.id, '--format', 'junit']);
    assert.match(p.out.join(''), /<testsuites /);
    await p.run([first.id, '--format', 'md']);
    assert.match(p.out.join(''), /### ❌ tuneup/);
    const target = join(dir, 'out', 'r.html');
    await p.run([first.id, '--out', target]);
    assert.match(readFileSync(target, 'utf8'), /^<!doctype html>/);
    const txt = join(dir, 'out', 'summary.txt');
    await p.run([first.id, '--out', txt]);
    assert.doesNotMatch(readFileSync(txt, 'utf8'), /\x1b\[/);
  });

  test('bad format and unknown extensions are usage errors', async () => {
    await rejectsWith(program().run([first.id, '--format', 'pdf']), 'TUNEUP_OPTION_INVALID', /html, md, junit, terminal/);
    await rejectsWith(program().run([first.id, '--out', join(dir, 'x.pdf')]), 'TUNEUP_OPTION_INVALID', /--format/);
    await rejectsWith(program().run(['does-not-exist']), 'TUNEUP_RUN_NOT_FOUND', /recent runs/);
  });
});
