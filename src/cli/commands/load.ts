/**
 * `tuneup load URL -c 50 -d 30s [--rate 2000]`: quick mode, autocannon-style.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { planFromQuickOptions } from '../../plan/index.js';
import { parseOutputSpecs } from '../../outputs/index.js';
import { executeRun } from '../execute-run.js';
import type { CliIO } from '../io.js';
import { collect, parseHeaders, parsePairs, parsePositiveInt, parsePositiveNumber } from '../options.js';
import { addProbeOptions, probesFromOptions, type ProbeFlags } from '../probe-options.js';
import { addRunOutputOptions, dashboardFromFlags, type RunOutputFlags } from '../run-options.js';

/** Register `tuneup load`. */
export function registerLoadCommand(program: Command, io: CliIO): void {
  const command = program
    .command('load')
    .description('quick load test of one URL (closed model; open model with --rate)')
    .argument('<url>', 'target URL, e.g. http://127.0.0.1:3000/api/orders/1')
    .option('-c, --connections <n>', 'concurrent connections (VUs); with --rate the VU cap', '10')
    .option('-d, --duration <duration>', 'how long to run, e.g. 30s, 2m', '10s')
    .option('-R, --rate <rps>', 'open model: requests per second, evenly scheduled')
    .option('-a, --amount <n>', 'stop after this many requests instead of a duration')
    .option('-m, --method <method>', 'HTTP method', 'GET')
    .option('-H, --header <header>', "request header 'name: value' (repeatable)", collect)
    .option('-b, --body <body>', 'request body')
    .option('--timeout <duration>', 'per-request timeout', '60s');
  addRunOutputOptions(command);
  addProbeOptions(command);
  command.action(async (url, parsed) => {
    const flags = parsed as typeof parsed & RunOutputFlags & ProbeFlags;
    const outputs = parseOutputSpecs(flags.out);
    const plan = planFromQuickOptions({
      url,
      connections: parsePositiveInt(flags.connections, '--connections'),
      duration: flags.duration,
      rate: parsePositiveNumber(flags.rate, '--rate'),
      amount: parsePositiveInt(flags.amount, '--amount'),
      method: flags.method.toUpperCase(),
      headers: parseHeaders(flags.header),
      body: flags.body,
      timeout: flags.timeout,
    });
    const probes = await probesFromOptions(flags, plan);
    try {
      await executeRun(plan, io, {
        workers: parsePositiveInt(flags.workers, '--workers'),
        json: flags.json,
        quiet: flags.quiet,
        noReport: !flags.report,
        dashboard: dashboardFromFlags(flags),
        labels: parsePairs(flags.tag, '--tag'),
        probes: probes.probes,
        targetPid: probes.targetPid,
        enrich: probes.enrich,
        outputs,
      });
    } finally {
      await probes.cleanup();
    }
  });
}
