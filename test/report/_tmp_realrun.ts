import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Command } from '@commander-js/extra-typings';
import { registerRunCommand } from '../../src/cli/commands/run.js';
import type { CliIO } from '../../src/cli/io.js';
const child = spawn(process.execPath, ['/tmp/realrun/server.mjs', '0', process.argv[3] ?? ''], { stdio: ['ignore', 'pipe', 'inherit'] });
const port: string = await new Promise((r) => child.stdout!.once('data', (d) => r(String(d).trim())));
const srcIndex = new URL('../../src/index.js', import.meta.url).pathname;
writeFileSync('/tmp/realrun/plan.ts', `import { defineTest } from '${srcIndex}';
export default defineTest({
  name: 'shop-api',
  baseUrl: 'http://127.0.0.1:${port}',
  scenarios: {
    shoppers: { executor: 'ramping-arrival-rate', startRate: 20, timeUnit: '1s', preAllocatedVUs: 10, maxVUs: 40, stages: [{ target: 120, duration: '6s' }, { target: 120, duration: '12s' }] },
  },
  thresholds: { http_req_response_time: ['p(95)<150'], http_req_duration: ['p(99)<400'], http_req_failed: ['rate<0.01'] },
  default: async (vu) => {
    const r = vu.iteration % 10;
    if (r < 5) await vu.http.get('/api/orders/' + vu.iteration, { name: 'GET /api/orders/:id' });
    else if (r < 8) await vu.http.get('/api/products?page=' + (r), { name: 'GET /api/products' });
    else if (r < 9) await vu.http.get('/api/search?q=x', { name: 'GET /api/search' });
    else await vu.http.post('/api/orders', JSON.stringify({ item: 1 }), { name: 'POST /api/orders', headers: { 'content-type': 'application/json' } });
  },
});
`);
process.chdir('/tmp/realrun');
const io: CliIO = { out: (t) => void process.stdout.write(t + '\n'), err: (t) => void process.stderr.write(t + '\n'), interactive: false, color: false };
const cmd = new Command().exitOverride();
registerRunCommand(cmd, io);
try {
  await cmd.parseAsync(['node', 'tuneup', 'run', '/tmp/realrun/plan.ts', '--pid', String(child.pid), '--tag', process.argv[2] ?? 'variant=a']);
} finally {
  child.kill();
}
