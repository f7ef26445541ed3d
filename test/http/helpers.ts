/**
 * Test helpers for the HTTP transport: a MetricsRecorder that stores every
 * call (our own interface, not a system under test), and real servers on
 * 127.0.0.1:0.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { EndpointHandle, LiveStats, MetricsRecorder, RecorderSnapshot } from '../../src/metrics/recorder-types.js';
import type { ErrorKind, Tags } from '../../src/result/types.js';
import { systemClock } from '../../src/engine/clock.js';
import type { HttpClientOptions } from '../../src/engine/http/index.js';

/** One `EndpointHandle.record` call. */
export interface RecordedCall {
  scenario: string;
  method: string;
  endpoint: string;
  tags: Tags | undefined;
  status: number;
  error: ErrorKind | undefined;
  serviceUs: number;
  responseUs: number;
  waitingUs: number;
  connectingUs: number;
  bytesReceived: number;
  bytesSent: number;
}

/** Stores every record call; counts endpoint() resolutions to check handle caching. */
export class CallRecorder implements MetricsRecorder {
  readonly calls: RecordedCall[] = [];
  endpointResolutions = 0;

  endpoint(scenario: string, method: string, endpoint: string, extraTags?: Tags): EndpointHandle {
    this.endpointResolutions++;
    const calls = this.calls;
    return {
      endpoint,
      record(status, error, serviceUs, responseUs, waitingUs, connectingUs, bytesReceived, bytesSent) {
        calls.push({ scenario, method, endpoint, tags: extraTags, status, error, serviceUs, responseUs, waitingUs, connectingUs, bytesReceived, bytesSent });
      },
    };
  }
  recordIteration(): void {}
  recordDroppedIteration(): void {}
  recordCheck(): void {}
  addCounter(): void {}
  addTrend(): void {}
  addRate(): void {}
  setGauge(): void {}
  setLoad(): void {}
  setGeneratorHealth(): void {}
  tick(): void {}
  live(): LiveStats {
    return { elapsedMs: 0, requests: this.calls.length, failed: 0, rps: 0, p95ServiceMs: null, p95ResponseMs: null, iterations: 0, droppedIterations: 0, vus: 0 };
  }
  snapshot(): RecorderSnapshot {
    return { kind: 'tuneup-metrics-snapshot', version: 1 };
  }
}

/** A running server and how to stop it. */
export interface TestServer {
  port: number;
  baseUrl: string;
  /** Connections accepted so far. */
  connections: () => number;
  close(): Promise<void>;
}

function listen(server: net.Server, count: () => number): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        baseUrl: `http://127.0.0.1:${port}`,
        connections: count,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A node:http server on 127.0.0.1:0. */
export function startHttpServer(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  let accepted = 0;
  server.on('connection', () => accepted++);
  return listen(server, () => accepted);
}

/** A raw TCP server on 127.0.0.1:0 (for malformed or cut responses). */
export function startRawServer(onSocket: (socket: net.Socket) => void): Promise<TestServer> {
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    onSocket(s);
  });
  return listen(server, () => accepted);
}

/** A port with nothing listening on it (bound, then released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Client options for tests. */
export function clientOptions(recorder: MetricsRecorder, overrides: Partial<HttpClientOptions> = {}): HttpClientOptions {
  return { timeoutMs: 5_000, recorder, scenario: 'test', clock: systemClock, lag: { lagMs: 0 }, ...overrides };
}
