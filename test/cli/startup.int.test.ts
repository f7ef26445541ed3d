// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
/**
 * Building the program (what `--version` and `--help` cost) loads only the
 * command declarations: no command's implementation and no dependency but
 * commander. Each action loads its implementation with `import()` when it
 * runs (src/cli/commands/README.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

// A resolve hook (it runs after tsx's, so it sees the .ts files) that prints every module loaded. It writes
// to fd 2 synchronously: on Node 24 hooks run on their own thread, whose process.stderr is relayed through
// the main thread asynchronously, and lines still in flight when the script ends were lost (CI, 2026-12-05:
// the hook reported program.ts alone).
const hook = `import { writeSync } from 'node:fs'; export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.startsWith('file:')) writeSync(2, 'LOADED ' + r.url + '\\n'); return r; }`;
const script = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
const { buildProgram } = await import(${JSON.stringify(pathToFileURL(`${root}src/cli/program.ts`).href)});
buildProgram({ out() {}, err() {}, interactive: false, color: false });
`;

test('building the program loads no command implementation and no dependency but commander', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const loaded = child.stderr
    .split('\n')
    .filter((line) => line.startsWith('LOADED '))
    .map((line) => fileURLToPath(line.slice('LOADED '.length)).slice(root.length));
  assert.ok(loaded.some((path) => path.startsWith('src/cli/commands/run.ts')), `the hook saw the declarations: ${loaded.join(', ')}`);
  const packages = [...new Set(loaded.filter((path) => path.includes('node_modules/')).map((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)![1]))];
  assert.deepEqual(packages.filter((name) => name !== 'commander' && name !== '@commander-js/extra-typings'), []);
  assert.deepEqual(loaded.filter((path) => path.endsWith('-action.ts')), []);
});
