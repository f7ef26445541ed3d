#!/usr/bin/env node
// Entry point of the `tuneup` command: runs the compiled CLI from dist/.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('error TUNEUP_NOT_BUILT: dist/ is missing\n  hint: run `npm install` (it builds) or `npm run build` in the tuneup folder\n');
  process.exit(1);
}
await import(main.href);
