import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, ExitCode, TuneupError, type ErrorCode } from '../src/errors.js';
import { renderError } from '../src/cli/render-error.js';
import { renderErrorDoc } from '../scripts/docs-errors.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('every error code exits with the status its table row gives, whatever the command', () => {
  const documented = new Set<number>(Object.values(ExitCode));
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    assert.ok(documented.has(info.exit), `${code} exits ${info.exit}, not a documented exit code`);
    const error = new TuneupError(code as ErrorCode, 'x', { hint: 'y' });
    assert.equal(error.exitCode, info.exit, code);
    assert.equal(renderError(error, false).exitCode, info.exit, code);
  }
  // The one rule stated in docs/errors.md: 2 is left to commander's own parse errors.
  assert.deepEqual(Object.entries(ERROR_CODES).filter(([, i]) => (i.exit as number) === ExitCode.USAGE).map(([c]) => c), []);
});

test('docs/errors.md carries the generated table (npm run docs:errors)', () => {
  const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
  assert.equal(renderErrorDoc(doc), doc, 'docs/errors.md is stale: run `npm run docs:errors`');
});

test('every code thrown in src/ is in the table', () => {
  const thrown = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/TuneupError\(\s*'(TUNEUP_[A-Z_]+)'/g)) thrown.add(m[1]!);
    }
  };
  walk(join(ROOT, 'src'));
  assert.ok(thrown.size > 20);
  assert.deepEqual([...thrown].filter((c) => !(c in ERROR_CODES)), []);
});

test('a location already in the message is printed once', () => {
  const text = renderError(new TuneupError('TUNEUP_OPTION_INVALID', '--rate: expected a positive number', { location: '--rate' }), false).text;
  assert.equal(text.split('\n')[0], 'error TUNEUP_OPTION_INVALID: --rate: expected a positive number');
});
