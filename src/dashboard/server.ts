/**
 * The dashboard's HTTP server (node:http, 127.0.0.1 only): the page at `/`,
 * the event stream at `/events`, and the final report at `/report.html`
 * once the run is over.
 *
 * Feeding it costs the run one small JSON point per interval and one totals
 * line per second, each serialized once and handed to the sockets without
 * waiting; nothing is done per request of the load.
 *
 * @example
 * const dashboard = await startDashboard({ runId, title, chartData: planChartData(plan, plannedMs) });
 * const run = startRun(plan, { onInterval: (row, info) => dashboard.interval(row, info), onProgress: (live) => dashboard.progress(live) });
 * const result = …;
 * dashboard.finish({ model: buildReportModel(result), reportPath });
 * await dashboard.close();
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TuneupError } from '../errors.js';
import type { LiveStats } from '../metrics/recorder-types.js';
import type { IntervalRow } from '../metrics/snapshot.js';
import { renderHtml } from '../report/html.js';
import type { ReportModel } from '../report/model.js';
import { endState, LiveRunState } from './live-state.js';
import { renderDashboardPage, type DashboardPageInfo } from './page.js';
import { SseHub } from './sse.js';

/** The only address the dashboard listens on: it shows target URLs and run data, so it never leaves the machine. */
export const DASHBOARD_HOST = '127.0.0.1';

/** How long {@link Dashboard.close} waits, at most, for open pages to fetch the final report. */
export const DASHBOARD_REPORT_GRACE_MS = 3000;

/** Options of {@link startDashboard}. */
export interface DashboardOptions extends DashboardPageInfo {
  /** Port on 127.0.0.1 (default 0: a free port, see {@link Dashboard.port}). */
  port?: number;
  /** Keep-alive comment interval of the event stream (ms, default 15000). */
  heartbeatMs?: number;
}

/** The final state handed to {@link Dashboard.finish}. */
export interface DashboardFinal {
  /** The report model of the stored result. */
  model: ReportModel;
  /** The report file written for the run; without one (`--no-report`) the report is rendered from `model` when asked for. */
  reportPath?: string;
}

/** A running dashboard. */
export interface Dashboard {
  /** e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** The port it listens on (the real one when 0 was asked for). */
  readonly port: number;
  /** One closed interval (the engine's `onInterval`). Never throws. */
  interval(row: IntervalRow, info: { intervalMs: number }): void;
  /** The totals so far (the engine's `onProgress`). Never throws. */
  progress(live: LiveStats): void;
  /** Show the final state and serve the final report at `/report.html`. */
  finish(final: DashboardFinal): void;
  /**
   * End the streams and close the server. After {@link finish}, waits (at
   * most `graceMs`, default {@link DASHBOARD_REPORT_GRACE_MS}) until each open
   * page has fetched the report, so its export link works after the command exits.
   * Idempotent.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * Start the dashboard server on 127.0.0.1.
 * @throws TuneupError `TUNEUP_DASHBOARD_LISTEN` when the port cannot be bound (in use, or privileged).
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const state = new LiveRunState(options.chartData);
  const hub = new SseHub({ heartbeatMs: options.heartbeatMs });
  const page = renderDashboardPage(options);
  let final: DashboardFinal | undefined;
  let reportHtml: Promise<string> | undefined;
  // Pages open when the run ended, and report fetches served since: close() waits for the second to catch up.
  let pagesAtEnd = 0;
  let reportsServed = 0;
  let onReportServed: (() => void) | undefined;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `dashboard error: ${error instanceof Error ? error.message : String(error)}\n`);
      else res.destroy();
    });
  });
  let port = options.port ?? 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: a web page whose name resolves to 127.0.0.1 would send its own Host. Only ours is answered.
    const host = req.headers.host ?? '';
    if (host !== `${DASHBOARD_HOST}:${port}` && host !== `localhost:${port}`) {
      send(res, 403, 'text/plain; charset=utf-8', 'forbidden host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      return;
    }
    const path = new URL(req.url ?? '/', `http://${host}`).pathname;
    if (path === '/') {
      res.setHeader('content-security-policy', page.csp);
      send(res, 200, 'text/html; charset=utf-8', page.html, req.method === 'HEAD');
    } else if (path === '/events') {
      hub.add(res, state.catchUp());
    } else if (path === '/report.html') {
      if (!final) {
        send(res, 404, 'text/plain; charset=utf-8', 'The report is written when the run ends.\n');
        return;
      }
      const done = final;
      reportHtml ??= done.reportPath ? readFile(done.reportPath, 'utf8') : Promise.resolve(renderHtml(done.model));
      const html = await reportHtml;
      res.on('finish', () => {
        reportsServed += 1;
        onReportServed?.();
      });
      send(res, 200, 'text/html; charset=utf-8', html, req.method === 'HEAD');
    } else {
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    }
  }

  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => {
      const inUse = error.code === 'EADDRINUSE';
      reject(
        new TuneupError('TUNEUP_DASHBOARD_LISTEN', `the dashboard cannot listen on ${DASHBOARD_HOST}:${port}: ${inUse ? 'the port is in use' : error.message}`, {
          location: '--dashboard-port',
          hint: inUse ? 'Choose another --dashboard-port, or leave it out for a free port.' : 'Choose a port above 1023, or leave --dashboard-port out for a free port.',
          cause: error,
        }),
      );
    };
    server.once('error', fail);
    server.listen({ port, host: DASHBOARD_HOST }, () => {
      server.off('error', fail);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${DASHBOARD_HOST}:${port}/`,
    port,
    interval(row, info) {
      try {
        hub.publish(state.interval(row, info.intervalMs));
      } catch {
        // The dashboard is a view: a failure here must never end the run.
      }
    },
    progress(live) {
      try {
        hub.publish(state.progress(live));
      } catch {
        // As above.
      }
    },
    finish(done) {
      final = done;
      pagesAtEnd = hub.size;
      hub.publish(state.end(endState(done.model, '/report.html')));
    },
    close(closeOptions = {}) {
      closing ??= (async () => {
        if (final && reportsServed < pagesAtEnd) {
          const graceMs = closeOptions.graceMs ?? DASHBOARD_REPORT_GRACE_MS;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, graceMs);
            onReportServed = () => {
              if (reportsServed < pagesAtEnd) return;
              clearTimeout(timer);
              resolve();
            };
          });
        }
        hub.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive sockets of the page would hold close() open until they time out.
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, headOnly = false): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(headOnly ? undefined : body);
}
