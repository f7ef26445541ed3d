#!/usr/bin/env node
// Connection-scale benchmark: hold 10,000 concurrent keep-alive connections
// for 30 s against a local nginx and report the generator's memory.
// Goal: generator RSS ≤ 300 MB.
//
//   node bench/connections.mjs [--connections 10000] [--duration 30] [--interval 5]
//
// Each connection sends one request every --interval s (so it is provably
// alive and usable); the fd limit is raised with `ulimit -n` for both nginx
// and the generator (needs a hard limit ≥ connections + slack: as root, or
// raise it in /etc/security/limits.conf).
import { startNginx } from './lib/nginx.mjs';
import { parseArgs, repoRoot, run } from './lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), { connections: '10000', duration: '30', interval: '5', 'server-cpu': '0', 'client-cpu': '1' });
const connections = Number(args.connections);
const duration = Number(args.duration);
if (duration > 600) throw new Error('--duration is capped at 600 s');
const fdLimit = connections + 4096;

const nginx = await startNginx({ cpu: String(args['server-cpu']), maxConnections: connections + 512 });
try {
  const command = `ulimit -n ${fdLimit} || { echo "cannot raise the fd limit to ${fdLimit} (hard limit $(ulimit -Hn))" >&2; exit 3; }; exec taskset -c ${args['client-cpu']} ${process.execPath} --import tsx bench/drivers/tuneup-hold.ts --url ${nginx.url} --connections ${connections} --duration ${duration} --interval ${args.interval}`;
  const { stdout } = await run('bash', ['-c', command], { cwd: repoRoot, timeoutMs: (duration + 60) * 1000 });
  const r = JSON.parse(stdout.trim().split('\n').pop());
  console.log(`\n${r.connections.toLocaleString('en-US')} keep-alive connections held ${r.seconds.toFixed(0)} s (one request per connection every ${args.interval} s)`);
  console.log(`  connections that got a response  ${r.answeredConnections.toLocaleString('en-US')}; TCP connects ${r.tcpConnects.toLocaleString('en-US')} (= connections when none was re-opened)`);
  console.log(`  responses ${r.responses.toLocaleString('en-US')}, failed ${r.failed}`);
  console.log(`  generator RSS: baseline ${r.baselineRssMb} MB, peak ${r.peakRssMb} MB (${(((r.peakRssMb - r.baselineRssMb) * 1024) / r.connections).toFixed(1)} KB/connection), peak heap ${r.peakHeapMb} MB`);
  console.log(`  goal ≤ 300 MB: ${r.peakRssMb <= 300 ? 'OK' : 'MISSED'}`);
  if (args.json) console.log(JSON.stringify(r));
} finally {
  await nginx.stop();
}
