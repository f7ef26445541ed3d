/**
 * Connectivity pre-check: before generating load, open one TCP connection
 * to every origin the plan targets. When none accepts, the run would only
 * record connection errors, so it fails fast with `TUNEUP_TARGET_UNREACHABLE`.
 *
 * @module
 */
import { connect } from 'node:net';
import { TuneupError } from '../errors.js';
import type { ResolvedPlan } from '../plan/types.js';

/** Default time one connection attempt may take (ms). */
export const PRECHECK_TIMEOUT_MS = 3_000;

/** An origin the plan sends to. */
export interface Origin {
  host: string;
  port: number;
  /** `scheme://host:port` for messages. */
  label: string;
}

/** Distinct origins of the plan: fixed requests' URLs and the base URL. Plan code may reach others; those are not known before the run. */
export function planOrigins(plan: ResolvedPlan): Origin[] {
  const urls: string[] = [];
  for (const s of plan.scenarios) if (s.fixed !== undefined) urls.push(s.fixed.url);
  if (plan.baseUrl !== undefined) urls.push(plan.baseUrl);
  const seen = new Map<string, Origin>();
  for (const u of urls) {
    let url: URL;
    try {
      url = new URL(u, plan.baseUrl);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const label = `${url.protocol}//${url.host}`;
    if (!seen.has(label)) seen.set(label, { host, port, label });
  }
  return [...seen.values()];
}

/** Try one TCP connection; resolves to an error code or null on success. */
export function tryConnect(origin: Origin, timeoutMs = PRECHECK_TIMEOUT_MS): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: origin.host, port: origin.port });
    const done = (code: string | null): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => done('ETIMEDOUT'), timeoutMs);
    socket.once('connect', () => done(null));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

/**
 * Check every origin. Throws `TUNEUP_TARGET_UNREACHABLE` when none accepts
 * a connection; returns warnings for origins that failed while others worked.
 */
export async function precheckTargets(plan: ResolvedPlan, timeoutMs = PRECHECK_TIMEOUT_MS): Promise<string[]> {
  const origins = planOrigins(plan);
  if (origins.length === 0) return [];
  const codes = await Promise.all(origins.map((o) => tryConnect(o, timeoutMs)));
  const failed = origins.map((o, i) => ({ o, code: codes[i] })).filter((x) => x.code !== null);
  if (failed.length === origins.length) {
    const what = failed.map((f) => `${f.o.label} (${f.code})`).join(', ');
    throw new TuneupError('TUNEUP_TARGET_UNREACHABLE', `Cannot connect to the target: ${what}.`, {
      hint: 'Start the service or fix the URL (plan baseUrl or the URL argument); check host, port and firewall.',
      location: plan.source ?? 'URL',
    });
  }
  return failed.map((f) => `target ${f.o.label} was unreachable before the run (${f.code})`);
}
