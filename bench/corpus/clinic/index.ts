/**
 * The clinic corpus service: a patient/appointment API on fastify 5 +
 * postgres.js 3 + node-redis 6 + prom-client, with a fake insurer/SMS
 * gateway on 127.0.0.1, and its planted-fault cases (see cases.ts).
 *
 * The service runs as a child process (server.ts) so probes see its own
 * pid. `start()` first runs the deploy migration (indexes; a missing-index
 * fault skips one) and flushes Redis, as a fresh deploy with a cold cache.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { CLINIC_CASES } from './cases.js';
import { parseFault, type ClinicFault } from './faults.js';
import { appUrl, migrateClinic, seedClinic, type INDEXES } from './schema.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const START_TIMEOUT_MS = 90_000;

/** Indexes a fault leaves out of the deploy migration. */
function missingIndexes(fault: ClinicFault | null): (keyof typeof INDEXES)[] {
  if (fault === 'missing-index-patient-history') return ['appointmentsPatient'];
  if (fault === 'missing-index-prescriptions-join') return ['prescriptionsAppointment'];
  return [];
}

/** Start the clinic service child process with one fault (or none). */
export async function startClinic(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateClinic(opts.pgUrl, missingIndexes(fault));
  await flushRedis(opts.redisUrl);

  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'server.ts')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      CLINIC_PG_URL: appUrl(opts.pgUrl),
      CLINIC_REDIS_URL: opts.redisUrl,
      CLINIC_FAULT: fault ?? '',
      CLINIC_UPSTREAM_URL: opts.upstreamUrl ?? '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));

  const port = await new Promise<number>((resolvePort, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error(`clinic service did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- clinic stderr ---\n${stderr}`));
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolvePort((JSON.parse(stdout.slice(0, newline)) as { port: number }).port);
      } catch (error) {
        fail(error as Error);
      }
    });
    child.once('exit', (code, signal) => fail(new Error(`clinic service exited early (code ${code}, signal ${signal})`)));
  });

  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    pid: child.pid!,
    metricsUrl: `${url}/metrics`,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** The clinic service of the unseen diagnosis corpus. */
export const service: CorpusService = {
  name: 'clinic',
  stack: 'fastify 5 + postgres.js 3 + node-redis 6 + prom-client (fake insurer/SMS upstream on 127.0.0.1)',
  seed: seedClinic,
  start: startClinic,
  cases: CLINIC_CASES,
};
