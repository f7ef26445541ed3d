/**
 * Helpers for end-to-end CLI tests: run `tuneup` as a child process (from
 * dist/ when it is up to date with src/, else through tsx: see
 * test/harness/cli.ts) in a temp working directory, and start real HTTP
 * servers on port 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { cliNodeArgs } from '../harness/cli.js';

/** Result of a CLI run. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh working directory for one test. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tuneup-cli-'));
}

/** Start the CLI; the caller may signal it before awaiting `finished`. */
export function startCli(args: string[], cwd: string): { child: ChildProcess; finished: Promise<CliRun> } {
  const child = spawn(process.execPath, cliNodeArgs(args), {
    cwd,
    env: { ...process.env, CI: '1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const finished = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, finished };
}

/** Run the CLI to the end. */
export function runCli(args: string[], cwd: string): Promise<CliRun> {
  return startCli(args, cwd).finished;
}

/** Start a real HTTP server on 127.0.0.1 port 0. */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(handler);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JSON handler answering `{ok:true}` after `delayMs`. */
export function jsonHandler(delayMs = 0, status = 200) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    const send = () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  };
}
