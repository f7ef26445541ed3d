/**
 * The pre-run check of every probe's prerequisites: before any load is sent,
 * say what the diagnosis will not be able to see and the exact fix — a
 * PostgreSQL without pg_stat_statements preloaded (Debian's default) makes
 * missing indexes and N+1 queries invisible, and a run is minutes lost if the
 * user learns it only from the report. Read-only: it changes nothing on the
 * servers, and a target it cannot reach is left to the probe's own start.
 *
 * @module
 */
import { readServerInfo, readSettings } from './postgres/queries.js';
import { checkStatements, settingLimitations } from './postgres/status.js';
import { redisConfigLimitations } from './redis/probe.js';
import { parsePrometheusText } from './prometheus/parse.js';
import { HTTP_HISTOGRAMS, scrapeEndpoint } from './prometheus/probe.js';
import { redactConnection, redactText } from '../store/index.js';

/** Where the probes will point. */
export interface PreflightTargets {
  pgUrl?: string;
  redisUrl?: string;
  /** The service's Prometheus metrics URL (`--metrics`). */
  metricsUrl?: string;
}

/** One thing a probe will not see, with its fix inside the text. */
export interface PreflightGap {
  probe: 'postgres' | 'redis' | 'prometheus';
  message: string;
}

const TIMEOUT_MS = 3000;

/** Check every configured probe's prerequisites; never throws. */
export async function checkProbePrerequisites(targets: PreflightTargets): Promise<PreflightGap[]> {
  const checks = await Promise.all([
    targets.pgUrl ? postgresGaps(targets.pgUrl) : [],
    targets.redisUrl ? redisGaps(targets.redisUrl) : [],
    targets.metricsUrl ? metricsGaps(targets.metricsUrl) : [],
  ]);
  return checks.flat();
}

async function postgresGaps(url: string): Promise<PreflightGap[]> {
  // The drivers load only for the targets given: a run without `--pg`/`--redis` never pays for them.
  const { Client } = (await import('pg')).default;
  const client = new Client({ connectionString: url, application_name: 'tuneup-preflight', connectionTimeoutMillis: TIMEOUT_MS, query_timeout: TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
    const server = await readServerInfo(client);
    const statements = await checkStatements(client, server);
    const gaps = settingLimitations(server, await readSettings(client));
    if (!statements.available) gaps.unshift(`${statements.limitation} Fix: ${statements.enable}`);
    return gaps.map((message) => ({ probe: 'postgres', message }));
  } catch {
    // Unreachable or refused: the probe's start reports it with its own error code.
    return [];
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisGaps(url: string): Promise<PreflightGap[]> {
  const { createClient } = await import('redis');
  const client = createClient({ url, name: 'tuneup-preflight', socket: { connectTimeout: TIMEOUT_MS, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    const config: Record<string, string> = {};
    for (const key of ['slowlog-log-slower-than', 'latency-monitor-threshold']) {
      const reply = (await client.sendCommand(['CONFIG', 'GET', key])) as unknown;
      // RESP2 answers [key, value]; RESP3 a map.
      if (Array.isArray(reply) && reply.length >= 2) config[String(reply[0])] = String(reply[1]);
      else if (reply instanceof Map) for (const [k, v] of reply) config[String(k)] = String(v);
      else if (reply && typeof reply === 'object') for (const [k, v] of Object.entries(reply)) config[k] = String(v);
    }
    return redisConfigLimitations(config).map((message) => ({ probe: 'redis', message }));
  } catch {
    return [];
  } finally {
    await client.quit().catch(() => client.disconnect().catch(() => {}));
  }
}

/**
 * The service's metrics endpoint: reachable, a Prometheus text exposition, and carrying what the rules read
 * from it — a per-route HTTP duration histogram (per-route service time, error ratios) and prom-client's
 * default Node.js metrics (event-loop lag, GC time). Unlike the database checks, an unreachable URL is a gap
 * here: it is usually a wrong `--metrics` value, and the probe would then see nothing.
 */
async function metricsGaps(url: string): Promise<PreflightGap[]> {
  const shown = redactConnection(url);
  let text: string;
  try {
    // As the probe scrapes: credentials in the URL become a Basic authorization header (fetch refuses them).
    const endpoint = scrapeEndpoint(url, undefined);
    const res = await fetch(endpoint.url, { headers: { accept: 'text/plain;version=0.0.4', ...endpoint.headers }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) {
      await res.body?.cancel();
      return [{ probe: 'prometheus', message: `GET ${shown} answered HTTP ${res.status}: the service-metrics probe will see nothing. Check --metrics (the service's /metrics URL).` }];
    }
    text = await res.text();
  } catch (error) {
    // An error's text may quote the URL it was given, password included.
    return [{ probe: 'prometheus', message: `GET ${shown} failed (${redactText((error as Error).message)}): the service-metrics probe will see nothing. Check --metrics (the service's /metrics URL) and that the service is up.` }];
  }
  const families = parsePrometheusText(text).families;
  if (families.size === 0) {
    return [{ probe: 'prometheus', message: `${shown} returned no Prometheus metrics (${text.length} bytes, no metric family parsed). Point --metrics at the service's Prometheus text endpoint.` }];
  }
  const gaps: PreflightGap[] = [];
  if (!HTTP_HISTOGRAMS.some((h) => families.has(h.name))) {
    gaps.push({ probe: 'prometheus', message: `no per-route HTTP duration histogram (${HTTP_HISTOGRAMS.map((h) => h.name).slice(0, 2).join(', ')}, …): the service's own per-route latency and errors are not seen. Add a prom-client Histogram labelled by method, route and status.` });
  }
  if (![...families.keys()].some((n) => n.startsWith('nodejs_eventloop_lag'))) {
    gaps.push({ probe: 'prometheus', message: 'no event-loop lag metric (nodejs_eventloop_lag_*): a blocked event loop is judged only from the main thread\'s CPU (--pid), without its delay. Call prom-client collectDefaultMetrics().' });
  }
  if (!families.has('nodejs_gc_duration_seconds')) {
    gaps.push({ probe: 'prometheus', message: 'no nodejs_gc_duration_seconds histogram: GC pressure cannot be measured. Call prom-client collectDefaultMetrics().' });
  }
  return gaps;
}
