/**
 * How tests start the `tuneup` CLI as a child process: from the compiled
 * `dist/cli/main.js` when dist/ is up to date with src/, else from
 * `src/cli/main.ts` through tsx.
 *
 * Why: a CLI start through tsx costs about twice the CPU of the compiled one
 * (tsx's loader thread, and every module transformed or read from its cache:
 * about 2.6 vs 1.3 CPU s on Node 20, 1.9 vs 0.9 on Node 24), and end-to-end
 * files start the CLI dozens of times. dist/ is what `bin/tuneup.js` ships.
 * A test must never run stale code, so dist/ is used only when every
 * `src/**\/*.ts` has its `.js` in dist/ written no earlier than the source
 * (checked once per test process); `scripts/run-tests.mjs` rebuilds dist/
 * before the integration and end-to-end tiers when it is stale (after
 * `npm ci`, whose `prepare` builds it, it is fresh).
 *
 * `TUNEUP_TEST_CLI=src` forces the tsx path (e.g. to debug with source
 * paths in stack traces).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleDistFiles } from './dist-fresh.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC_MAIN = join(ROOT, 'src/cli/main.ts');
const DIST_MAIN = join(ROOT, 'dist/cli/main.js');

let cached: string[] | undefined;

/**
 * Node arguments that start the CLI with `args` (spawn them with
 * `process.execPath`): `[dist/cli/main.js, ...args]` when dist/ is fresh,
 * else `['--import', tsx, src/cli/main.ts, ...args]`.
 */
export function cliNodeArgs(args: readonly string[]): string[] {
  if (cached === undefined) {
    const useDist = process.env.TUNEUP_TEST_CLI !== 'src' && staleDistFiles(ROOT).length === 0;
    cached = useDist ? [DIST_MAIN] : ['--import', import.meta.resolve('tsx'), SRC_MAIN];
  }
  return [...cached, ...args];
}
