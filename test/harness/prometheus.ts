/**
 * Throw-away Prometheus servers for tests: Debian's `prometheus` binary as a
 * child process on a free 127.0.0.1 port, with a temp config (short scrape
 * interval, the given targets) and a temp TSDB dir. `stop()` kills it and
 * removes the dir; the same happens on process exit.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startChildServer, stopChildServer } from './child-server.js';

/** The prometheus binary (override with `TUNEUP_PROMETHEUS`). */
export const PROMETHEUS = process.env.TUNEUP_PROMETHEUS ?? '/usr/bin/prometheus';

/** Options of {@link startPrometheus}. */
export interface StartPrometheusOptions {
  /** Scrape jobs: job name → `host:port` targets (scraped at `/metrics`). */
  jobs: Record<string, string[]>;
  /** Scrape and rule-evaluation interval (default `1s`). */
  interval?: string;
  /** Extra command-line flags, e.g. `--web.enable-remote-write-receiver`. */
  args?: string[];
}

/** A running throw-away Prometheus. */
export interface TestPrometheus {
  /** `http://127.0.0.1:<port>` */
  url: string;
  pid: number;
  /** Kill the server and remove its dir. Idempotent. */
  stop(): Promise<void>;
}

/** Start a fresh Prometheus; resolves when `/-/ready` answers 200 (about a second). */
export async function startPrometheus(options: StartPrometheusOptions): Promise<TestPrometheus> {
  if (!existsSync(PROMETHEUS)) {
    throw new Error(`${PROMETHEUS} not found: install Prometheus (apt-get install prometheus) or set TUNEUP_PROMETHEUS.`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'tuneup-prometheus-'));
  const interval = options.interval ?? '1s';
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: Object.entries(options.jobs).map(([job, targets]) => ({ job_name: job, static_configs: [{ targets }] })),
  };
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  let output = '';
  const started = await startChildServer(
    'prometheus',
    dir,
    (port) => {
      output = '';
      const child = spawn(
        PROMETHEUS,
        [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...(options.args ?? [])],
        { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      return child;
    },
    (child, port) => waitReady(child, `http://127.0.0.1:${port}`, () => output),
  );
  return handle(started.child, started.port, dir, started.unregister);
}

async function waitReady(child: ChildProcess, url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited with ${child.exitCode ?? child.signalCode}; output:\n${output()}`);
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for readiness; output:\n${output()}`);
}

function handle(child: ChildProcess, port: number, dir: string, unregister: () => void): TestPrometheus {
  return { url: `http://127.0.0.1:${port}`, pid: child.pid ?? -1, stop: stopChildServer(child, dir, unregister) };
}
