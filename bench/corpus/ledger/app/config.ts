/**
 * The ledger process's configuration, read once from the environment.
 *
 * @module
 */
import { parseFault, type LedgerFault } from '../faults.js';

/** Settings of one ledger process. */
export interface Config {
  port: number;
  pgUrl: string;
  redisUrl: string;
  upstreamUrl: string;
  /** Size of the main PostgreSQL pool: the DBA's per-replica connection budget. */
  poolMax: number;
  fault: LedgerFault | null;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Read the configuration from `LEDGER_*` variables. */
export function loadConfig(): Config {
  return {
    port: Number(process.env.LEDGER_PORT ?? 0),
    pgUrl: required('LEDGER_PG_URL'),
    redisUrl: required('LEDGER_REDIS_URL'),
    upstreamUrl: required('LEDGER_UPSTREAM_URL'),
    poolMax: Number(process.env.LEDGER_PG_POOL_MAX ?? 4),
    fault: parseFault(process.env.LEDGER_FAULT),
  };
}
