/**
 * `tuneup monitor validate` against a real Prometheus (Debian's binary,
 * scraping every second) that scrapes a real service instrumented with a
 * prom-client histogram. The test drives the service into a breach of its
 * availability SLO and out again; the SLO period is 4 s (slo.window) so the
 * whole story takes seconds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { stringify } from 'yaml';
import { requestedExitCode } from '../../src/cli/exit.js';
import { buildProgram } from '../../src/cli/program.js';
import { isTuneupError } from '../../src/errors.js';
import { loadPlan } from '../../src/plan/index.js';
import { slosFromPlan, validateSlos, type SloSet, type SloValidation } from '../../src/slo/index.js';
import { runCli } from '../cli/helpers.js';
import { startPrometheus, type TestPrometheus } from '../harness/prometheus.js';

/** The service: GET /api/orders/:id answers 200, or 503 while `failing`; /metrics for Prometheus. */
function startService(): Promise<{ url: string; target: string; setFailing(on: boolean): void; close(): Promise<void> }> {
  const registry = new Registry();
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'request duration',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  });
  let failing = false;
  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      });
      return;
    }
    const end = duration.startTimer({ method: req.method ?? 'GET', route: '/api/orders/:id' });
    const status = failing ? 503 : 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end('{}');
    end({ status_code: String(status) });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        target: `127.0.0.1:${port}`,
        setFailing: (on) => void (failing = on),
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

let prometheus: TestPrometheus | undefined;
let service: Awaited<ReturnType<typeof startService>> | undefined;
let dir: string;
let planPath: string;
let set: SloSet;
/** The same SLOs over a 5 h period. */
let longSet: SloSet;
let traffic: { stop(): Promise<number> } | undefined;

/** About 50 requests/s to the service until stopped (bounded: it stops by itself after 60 s). */
function drive(url: string): { stop(): Promise<number> } {
  let running = true;
  let sent = 0;
  const started = Date.now();
  const loop = (async () => {
    while (running && Date.now() - started < 60_000) {
      const response = await fetch(`${url}/api/orders/${sent % 7}`);
      await response.arrayBuffer();
      sent++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return sent;
    },
  };
}

/** Validate until `done` holds (bounded). */
async function until(done: (v: SloValidation) => boolean, what: string, limitMs = 15_000, slos = set): Promise<SloValidation> {
  const deadline = Date.now() + limitMs;
  let last: SloValidation | undefined;
  while (Date.now() < deadline) {
    last = await validateSlos(slos, { url: prometheus!.url });
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.fail(`${what} not reached in ${limitMs} ms; last: ${JSON.stringify(last?.statuses.map((s) => [s.slo.name, s.verdict, s.errorRatio]))}`);
}

const verdicts = (v: SloValidation): Record<string, string> => Object.fromEntries(v.statuses.map((s) => [s.slo.kind, s.verdict]));

before(async () => {
  service = await startService();
  prometheus = await startPrometheus({ jobs: { fixture: [service.target] } });
  dir = mkdtempSync(join(tmpdir(), 'tuneup-slo-monitor-'));
  planPath = join(dir, 'plan.yaml');
  const plan = {
    name: 'fixture',
    baseUrl: service.url,
    profile: { name: 'smoke' },
    requests: [{ path: '/api/orders/1', name: 'GET /api/orders/:id' }],
    thresholds: { 'http_req_failed{endpoint:GET /api/orders/:id}': ['rate<0.05'], 'http_req_duration{endpoint:GET /api/orders/:id}': ['p(95)<250'] },
    slo: { window: '4s', metrics: { selector: { job: 'fixture' } } },
  };
  writeFileSync(planPath, stringify(plan));
  set = slosFromPlan(await loadPlan(planPath));
  longSet = slosFromPlan(await loadPlan(planPath), { window: '5h' });
  traffic = drive(service.url);
});

after(async () => {
  await traffic?.stop();
  await prometheus?.stop();
  await service?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('tuneup monitor validate on a live Prometheus', () => {
  it('passes while the service is healthy, breaches while it fails, and passes again after', async () => {
    const healthy = await until((v) => v.statuses.every((s) => s.verdict === 'pass'), 'both SLOs pass');
    assert.equal(healthy.breached, false);
    for (const s of healthy.statuses) assert.equal(s.budgetRemaining, 1);
    // Over a 5 h period the alert windows scale to 2 s … 30 min: long enough for 1 s scrapes.
    const quiet = await validateSlos(longSet, { url: prometheus!.url });
    assert.deepEqual(quiet.statuses.map((s) => s.alerts), [{ page: 'ok', ticket: 'ok' }, { page: 'ok', ticket: 'ok' }]);
    // In process (a spawned CLI costs seconds of tsx start-up); the breach below runs the real CLI.
    const out: string[] = [];
    await buildProgram({ out: (t) => out.push(t), err: (t) => out.push(t), interactive: false, color: false }).parseAsync(['monitor', 'validate', planPath, '--prometheus', prometheus!.url], { from: 'user' });
    assert.equal(requestedExitCode(), 0);
    assert.match(out.join('\n'), /PASS\s+get-api-orders-id-availability/);
    assert.match(out.join('\n'), /all met/);

    service!.setFailing(true);
    const broken = await until((v) => v.breached, 'availability breach');
    assert.deepEqual(verdicts(broken), { latency: 'pass', availability: 'breach' });
    const availability = broken.statuses.find((s) => s.slo.kind === 'availability')!;
    assert.ok(availability.budgetRemaining! < 0, `budget left ${availability.budgetRemaining}`);
    // Every request fails: over the 5 h period the ticket alert (×3 the budget over its scaled 2 h and 1 d windows) fires within seconds.
    const burning = await until((v) => v.statuses.find((s) => s.slo.kind === 'availability')!.alerts.ticket === 'firing', 'ticket alert', 15_000, longSet);
    assert.equal(burning.statuses.find((s) => s.slo.kind === 'latency')!.alerts.ticket, 'ok');
    const failed = await runCli(['monitor', 'validate', planPath, '--prometheus', prometheus!.url, '--json'], dir);
    assert.equal(failed.code, 99, failed.stderr);
    const json = JSON.parse(failed.stdout) as { breached: boolean; statuses: Array<{ kind: string; verdict: string }> };
    assert.equal(json.breached, true);
    assert.equal(json.statuses.find((s) => s.kind === 'availability')?.verdict, 'breach');

    service!.setFailing(false);
    // The verdict passes as soon as the window's error ratio is back under the objective; the budget is whole
    // again only once the failed requests have left the window, a scrape or two later.
    const full = (v: SloValidation) => v.statuses.find((s) => s.slo.kind === 'availability')!.budgetRemaining === 1;
    const recovered = await until((v) => !v.breached && v.statuses.every((s) => s.verdict === 'pass') && full(v), 'recovery with the whole budget');
    assert.equal(recovered.breached, false);
  });

  it('names the problem when the URL is not a Prometheus or metric names match nothing', async () => {
    await assert.rejects(validateSlos(set, { url: service!.url }), (e: unknown) => isTuneupError(e) && e.code === 'TUNEUP_PROMETHEUS_UNREACHABLE');
    const otel = slosFromPlan(await loadPlan(planPath), { preset: 'opentelemetry' });
    const none = await validateSlos(otel, { url: prometheus!.url });
    assert.deepEqual(none.statuses.map((s) => s.verdict), ['no-data', 'no-data']);
  });
});
