/**
 * The start barrier of a Kubernetes run: every segment pod waits until all
 * N pods are up, then they all start their load at once.
 *
 * A rendezvous over TCP, in band: the pod of index 0 (the coordinator)
 * listens on the barrier port; every other pod connects to it through the
 * Job's headless Service (`<job>-0.<service>`, resolvable before readiness
 * because the Service publishes not-ready addresses), says its index, and
 * keeps the connection open. When all N−1 peers are connected the
 * coordinator writes `go` to every connection and starts itself. A peer
 * that cannot connect yet (coordinator not scheduled, DNS not there yet)
 * retries until the barrier timeout.
 *
 * Why not a start time written at generation: the manifests are applied
 * later, pods are scheduled and images pulled at different speeds, and a
 * past start time cannot be made up. Why not k6-operator's paused runners
 * plus a starter Job: the same effect (nobody starts until everyone is
 * up), without an HTTP control API in every runner or an extra Job; the
 * skew between pods is one message on an open connection (well under a
 * millisecond in a cluster) instead of one `curl` per runner in sequence.
 *
 * @module
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { TuneupError } from '../errors.js';

/** Default port of the start barrier. */
export const DEFAULT_BARRIER_PORT = 7070;

/** Where and how long the barrier waits. */
export interface BarrierOptions {
  /** This pod's index, 0-based (`JOB_COMPLETION_INDEX`). */
  index: number;
  /** Number of segment pods (`parallelism`). */
  count: number;
  /** The coordinator's host (index 0), e.g. `tuneup-x-0.tuneup-x`. */
  host: string;
  port: number;
  /** Give up after this long (ms). */
  timeoutMs: number;
  /** Delay between connection attempts of a peer (ms). Default 250. */
  retryMs?: number;
  signal?: AbortSignal;
}

/** What a pod learns when the barrier opens. */
export interface BarrierRelease {
  /** Epoch ms at which the coordinator released the barrier (its clock). */
  releasedAt: number;
  /** How long this pod waited (ms). */
  waitedMs: number;
}

interface Hello {
  index: number;
  count: number;
}

/** Wait at the barrier: index 0 coordinates, every other index joins. N = 1 opens at once. */
export function waitAtBarrier(options: BarrierOptions): Promise<BarrierRelease> {
  if (options.count <= 1) return Promise.resolve({ releasedAt: Date.now(), waitedMs: 0 });
  return options.index === 0 ? coordinate(options) : join(options);
}

function timeoutError(options: BarrierOptions, detail: string): TuneupError {
  return new TuneupError('TUNEUP_BARRIER_TIMEOUT', `segment ${options.index + 1}/${options.count}: the start barrier did not open within ${Math.round(options.timeoutMs / 1000)} s (${detail})`, {
    location: `${options.host}:${options.port}`,
    hint: 'Check that all pods of the Job were scheduled (kubectl get pods -l app.kubernetes.io/instance=NAME) and that the headless Service exists; raise --barrier-timeout when pods take long to pull the image.',
  });
}

function coordinate(options: BarrierOptions): Promise<BarrierRelease> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const peers = new Map<number, Socket>();
    let settled = false;
    const server = createServer((socket) => {
      let buffer = '';
      socket.setEncoding('utf8');
      socket.on('error', () => undefined);
      socket.on('close', () => {
        // A peer that went away before the start is no longer waiting: it will reconnect.
        for (const [i, s] of peers) if (s === socket && !settled) peers.delete(i);
      });
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        const nl = buffer.indexOf('\n');
        if (nl < 0) return;
        const hello = parseHello(buffer.slice(0, nl));
        buffer = '';
        if (!hello || hello.count !== options.count || hello.index < 1 || hello.index >= options.count) {
          // A pod of another run or another parallelism: refuse it rather than start a wrong mix.
          socket.end(`${JSON.stringify({ refused: `expected ${options.count} segments` })}\n`);
          return;
        }
        peers.get(hello.index)?.destroy();
        peers.set(hello.index, socket);
        if (peers.size === options.count - 1) release();
      });
    });
    const timer = setTimeout(() => finish(timeoutError(options, `${peers.size + 1} of ${options.count} pods arrived`)), options.timeoutMs);
    const onAbort = (): void => finish(new TuneupError('TUNEUP_INTERRUPTED', 'stopped while waiting at the start barrier', { hint: 'The run did not start; nothing was sent.' }));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    function release(): void {
      const releasedAt = Date.now();
      const go = `${JSON.stringify({ go: true, releasedAt })}\n`;
      // One write per open connection, back to back: the peers receive it within the same moment.
      for (const socket of peers.values()) socket.end(go);
      finish(undefined, { releasedAt, waitedMs: releasedAt - started });
    }
    function finish(error: Error | undefined, value?: BarrierRelease): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) for (const socket of peers.values()) socket.destroy();
      server.close();
      if (error) reject(error);
      else resolve(value!);
    }
    server.on('error', (error) =>
      finish(
        new TuneupError('TUNEUP_BARRIER_TIMEOUT', `segment 1/${options.count}: cannot listen on the barrier port ${options.port} (${error.message})`, {
          location: `0.0.0.0:${options.port}`,
          hint: 'Another process holds the port; choose another with --barrier-port.',
        }),
      ),
    );
    server.listen(options.port, '0.0.0.0');
  });
}

function join(options: BarrierOptions): Promise<BarrierRelease> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const retryMs = options.retryMs ?? 250;
  return new Promise((resolve, reject) => {
    let settled = false;
    let socket: Socket | undefined;
    let retry: NodeJS.Timeout | undefined;
    let lastProblem = 'no connection yet';
    // Also bounds the wait on an open connection: a coordinator still waiting for other pods.
    const timer = setTimeout(() => settle(timeoutError(options, `coordinator ${options.host}:${options.port}: ${lastProblem}`)), options.timeoutMs);
    const onAbort = (): void => settle(new TuneupError('TUNEUP_INTERRUPTED', 'stopped while waiting at the start barrier', { hint: 'The run did not start; nothing was sent.' }));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const attempt = (): void => {
      if (settled) return;
      if (Date.now() >= deadline) return settle(timeoutError(options, `coordinator ${options.host}:${options.port}: ${lastProblem}`));
      let buffer = '';
      const s = createConnection({ host: options.host, port: options.port });
      socket = s;
      s.setEncoding('utf8');
      s.setNoDelay(true);
      s.on('connect', () => {
        lastProblem = 'connected, waiting for the other pods';
        s.write(`${JSON.stringify({ index: options.index, count: options.count } satisfies Hello)}\n`);
      });
      s.on('data', (chunk: string) => {
        buffer += chunk;
        const nl = buffer.indexOf('\n');
        if (nl < 0) return;
        let message: { go?: boolean; releasedAt?: number; refused?: string };
        try {
          message = JSON.parse(buffer.slice(0, nl)) as typeof message;
        } catch {
          message = { refused: 'an answer that is not the barrier protocol' };
        }
        if (message.go) {
          settle(undefined, { releasedAt: message.releasedAt ?? Date.now(), waitedMs: Date.now() - started });
        } else {
          settle(
            new TuneupError('TUNEUP_K8S_INVALID', `segment ${options.index + 1}/${options.count}: the coordinator refused this pod (${message.refused ?? 'unknown reason'})`, {
              hint: 'Every pod of one run must have the same TUNEUP_SEGMENTS; re-generate and re-apply the manifests.',
            }),
          );
        }
      });
      s.on('error', (error) => (lastProblem = error.message));
      s.on('close', () => {
        if (!settled) retry = setTimeout(attempt, retryMs);
      });
    };
    function settle(error: Error | undefined, value?: BarrierRelease): void {
      if (settled) return;
      settled = true;
      if (retry) clearTimeout(retry);
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket?.destroy();
      if (error) reject(error);
      else resolve(value!);
    }
    attempt();
  });
}

function parseHello(line: string): Hello | undefined {
  try {
    const v = JSON.parse(line) as Partial<Hello>;
    return Number.isInteger(v.index) && Number.isInteger(v.count) ? (v as Hello) : undefined;
  } catch {
    return undefined;
  }
}
