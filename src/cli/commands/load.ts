/**
 * `tuneup load URL -c 50 -d 30s [--rate 2000]`: quick mode, autocannon-style.
 *
 * The declaration only: the action (load-action.ts) loads when the command runs.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliIO } from '../io.js';
import { collect } from '../options.js';
import { addProbeOptions, addReferenceOption, type ProbeFlags } from '../probe-options.js';
import { addRunOutputOptions, type RunOutputFlags } from '../run-options.js';

/** The flags of `tuneup load` as commander gives them. */
export interface LoadFlags extends RunOutputFlags, ProbeFlags {
  connections: string;
  duration: string;
  rate?: string;
  amount?: string;
  method: string;
  header?: string[];
  body?: string;
  timeout: string;
}

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
  addReferenceOption(command);
  command.action(async (url, flags) => (await import('./load-action.js')).loadAction(url, flags as LoadFlags, io));
}
