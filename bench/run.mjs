#!/usr/bin/env node
// Entry point of `npm run bench`: runs the generator benchmarks in turn.
//
//   node bench/run.mjs [throughput|accuracy|connections|all] [--smoke] [extra flags passed through]
//
// --smoke runs each benchmark briefly (a sanity check, not a measurement).
import { spawnSync } from 'node:child_process';
import { repoRoot } from './lib/procs.mjs';

const argv = process.argv.slice(2);
const which = argv[0] && !argv[0].startsWith('--') ? argv.shift() : 'all';
const smoke = argv.includes('--smoke');
const passThrough = argv.filter((a) => a !== '--smoke');
const SMOKE = {
  throughput: ['--rounds', '1', '--duration', '2'],
  accuracy: ['--duration', '6'],
  connections: ['--connections', '2000', '--duration', '5'],
};
const names = which === 'all' ? ['throughput', 'accuracy', 'connections'] : [which];
let failed = false;
for (const name of names) {
  if (!SMOKE[name]) {
    console.error(`unknown benchmark "${name}": use throughput, accuracy, connections or all`);
    process.exit(2);
  }
  console.log(`\n=== bench/${name}.mjs ===`);
  const result = spawnSync(process.execPath, [`bench/${name}.mjs`, ...(smoke ? SMOKE[name] : []), ...passThrough], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
