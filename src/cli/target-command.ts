/**
 * `--target-cmd "node server.js"`: start the service under test, so tuneup
 * knows its pid (process probe) and stops it afterwards. Its output goes to
 * `.tuneup/target.log`, never to our terminal.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { TuneupError } from '../errors.js';

/** A started service. */
export interface TargetProcess {
  pid: number;
  stop(): Promise<void>;
}

/** How long the service may take to accept connections. */
const READY_TIMEOUT_MS = 30_000;

/** Whether `host:port` accepts a TCP connection within `timeoutMs`. */
export function canConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * The shell script that runs `command` so that its pid is the service's own:
 * a simple command is `exec`'d, with its leading `NAME=value` assignments
 * kept in front of `exec` (where the shell applies them to the program;
 * `exec PORT=3102 node …` would look for a program named `PORT=3102`). A
 * command with shell operators runs as written, and the pid is the shell's.
 */
export function targetShellScript(command: string): string {
  const trimmed = command.trim();
  // Operators inside quotes are data, not shell syntax; `$VAR` expansions are fine after exec too.
  const unquoted = trimmed.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, '').replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, '');
  if (/[;&|<>()`$\n]/.test(unquoted)) return trimmed;
  const assignment = /^(?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|\S*)\s+)*/.exec(trimmed)![0];
  const program = trimmed.slice(assignment.length);
  return program === '' ? trimmed : `${assignment}exec ${program}`;
}

/** Start `command` in a shell and wait until `readyUrl` accepts TCP connections. */
export async function startTargetCommand(command: string, readyUrl: string | undefined): Promise<TargetProcess> {
  mkdirSync('.tuneup', { recursive: true });
  const log = openSync('.tuneup/target.log', 'a');
  // Its own process group: stopping it stops everything the command started (a shell running
  // `npm start && …`, a wrapper and its service), not only the process whose pid we hold.
  const child: ChildProcess = spawn('/bin/sh', ['-c', targetShellScript(command)], { stdio: ['ignore', log, log], detached: true });
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const stop = async (): Promise<void> => {
    if (child.pid === undefined) return;
    const signalGroup = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // the group is gone
      }
    };
    if (exited === undefined) {
      signalGroup('SIGTERM');
      for (let i = 0; i < 50 && exited === undefined; i++) await delay(100);
    }
    // Whatever is left of the group (children of a shell that already exited) goes too.
    signalGroup('SIGKILL');
  };
  if (child.pid === undefined) {
    throw new TuneupError('TUNEUP_TARGET_CMD_FAILED', `could not start --target-cmd ${JSON.stringify(command)}`, {
      hint: 'Check the command runs in a shell from this directory.',
    });
  }
  if (readyUrl) {
    const url = new URL(readyUrl);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await canConnect(url.hostname, port))) {
      if (exited !== undefined) {
        throw new TuneupError('TUNEUP_TARGET_CMD_FAILED', `--target-cmd exited with code ${exited} before accepting connections`, {
          hint: 'See .tuneup/target.log for its output.',
        });
      }
      if (Date.now() > deadline) {
        await stop();
        throw new TuneupError('TUNEUP_TARGET_CMD_FAILED', `--target-cmd did not accept connections on ${url.host} within 30 s`, {
          hint: 'Check the port the service listens on matches the plan\'s baseUrl; its output is in .tuneup/target.log.',
        });
      }
      await delay(100);
    }
  }
  return { pid: child.pid, stop };
}
