/**
 * What `tuneup load` does (declared in load.ts): a plan from the flags, run
 * with the probes, stored and printed.
 * @module
 */
import { planFromQuickOptions } from '../../plan/index.js';
import { parseOutputSpecs } from '../../outputs/index.js';
import { executeRun } from '../execute-run.js';
import type { CliIO } from '../io.js';
import { parseHeaders, parsePairs, parsePositiveInt, parsePositiveNumber } from '../options.js';
import { probesFromOptions } from '../probe-setup.js';
import { dashboardFromFlags } from '../run-options.js';
import type { LoadFlags } from './load.js';

/** Run `tuneup load URL`. */
export async function loadAction(url: string, flags: LoadFlags, io: CliIO): Promise<void> {
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
}
