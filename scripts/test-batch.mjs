// Runs several unit test files in one process: `node --import tsx scripts/test-batch.mjs FILE...`
// (scripts/run-tests.mjs starts it for the unit tier).
//
// Why: a unit file's own tests take tens of milliseconds, while a fresh Node
// process with tsx costs about 0.45 CPU s before the first test (measured on
// the CI machine) and loads the same src/ modules again. One process per
// batch of files pays that once.
//
// Each file is imported inside its own `describe`, so its root-level hooks
// (a `before` that chdirs, an `after` that removes a temp dir) stay scoped to
// that file's tests and run in file order, and the report groups every test
// under the file it came from.
import { describe } from 'node:test';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

for (const file of process.argv.slice(2)) {
  describe(file, async () => {
    await import(pathToFileURL(resolve(file)).href);
  });
}
