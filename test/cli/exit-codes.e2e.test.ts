// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
/**
 * Exit statuses seen from a shell: the same error code exits the same way in
 * every command, commander's parse errors exit 2, and every command accepts
 * the --verbose the hints tell users to add.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.js';
import { runCli, tempDir } from './helpers.js';

test('bad input exits 104 in every command; an unknown flag exits 2', async () => {
  const cwd = tempDir();
  const cases: [string[], string, number][] = [
    [['load', 'http://127.0.0.1:9/x', '--rate', 'abc'], 'TUNEUP_OPTION_INVALID', ExitCode.INVALID_CONFIG],
    [['run', 'missing.yaml', '--verbose'], 'TUNEUP_PLAN_NOT_FOUND', ExitCode.INVALID_CONFIG],
    [['profile', 'missing.yaml', '--rate', 'abc'], 'TUNEUP_', ExitCode.INVALID_CONFIG],
    [['compare', 'nope', 'nada', '--verbose'], 'TUNEUP_RUN_NOT_FOUND', ExitCode.INVALID_CONFIG],
    [['merge', 'only-one', '--verbose'], 'TUNEUP_', ExitCode.INVALID_CONFIG],
    [['rollback', 'not-a-journal', '--verbose'], 'TUNEUP_JOURNAL_NOT_FOUND', ExitCode.INVALID_CONFIG],
    [['load', 'http://127.0.0.1:9/x', '--no-such-flag'], 'unknown option', ExitCode.USAGE],
  ];
  for (const [args, expected, code] of cases) {
    const run = await runCli(args, cwd);
    assert.match(run.stderr, new RegExp(expected), `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.code, code, `tuneup ${args.join(' ')} → ${run.code}: ${run.stderr}`);
  }
});
