// Whether dist/ is up to date with src/: shared by scripts/run-tests.mjs
// (plain JavaScript, it runs before tsx) and test/harness/cli.ts, which
// starts the CLI from dist/ only when it is (tests must never run stale code).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The `src/` files (paths relative to src/) whose compiled `.js` in `dist/`
 * is missing or older than the source; empty when dist/ is up to date.
 * Declaration files are skipped (they compile to nothing).
 *
 * @param {string} root the repository root
 * @returns {string[]}
 */
export function staleDistFiles(root) {
  const stale = [];
  const walk = (rel) => {
    for (const entry of readdirSync(join(root, 'src', rel), { withFileTypes: true })) {
      const path = join(rel, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const source = statSync(join(root, 'src', path)).mtimeMs;
        let built = -1;
        try {
          built = statSync(join(root, 'dist', path.replace(/\.ts$/, '.js'))).mtimeMs;
        } catch {
          // not built
        }
        if (built < source) stale.push(path);
      }
    }
  };
  walk('');
  return stale;
}
