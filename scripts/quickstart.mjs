#!/usr/bin/env node
// `npm run quickstart`: start the example service on a free port, run the
// quick-start plan against it with tuneup, then stop the service.
// Everything stays on 127.0.0.1 and the run is bounded (10 s).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const root = new URL('..', import.meta.url).pathname;
const target = spawn(process.execPath, [`${root}examples/target/server.mjs`], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(createInterface({ input: target.stdout }), 'line');
const port = Number(String(line).split(' ')[1]);
const baseUrl = `http://127.0.0.1:${port}`;
process.stderr.write(`example service listening on ${baseUrl}\n`);

const args = [`${root}bin/tuneup.js`, 'run', `${root}examples/quickstart.yaml`, '--base-url', baseUrl, ...process.argv.slice(2)];
const run = spawn(process.execPath, args, { stdio: 'inherit' });
// Ctrl-C reaches both children (same process group); we only wait for tuneup.
process.on('SIGINT', () => {});
const [code] = await once(run, 'exit');
target.kill('SIGTERM');
if (code === 0 || code === 99) {
  process.stderr.write(
    [
      '',
      'next:',
      '  open the report above in a browser (one offline file)',
      '  npx tuneup analyze --run latest            findings of this run, recomputed',
      '  npx tuneup run plan.yaml --pg URL --redis URL --metrics URL --pid PID   your own service, with probes',
      '  npx tuneup diagnose plan.yaml --pg URL ...  capacity first, then a confirmed diagnosis',
      '  npx tuneup compare RUN_A RUN_B             prove a change with statistics',
      '',
    ].join('\n'),
  );
}
process.exit(code ?? 1);
