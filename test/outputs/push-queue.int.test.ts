// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
// The push outputs' queue against real HTTP servers on 127.0.0.1 port 0:
// retries on 5xx, gives up on 4xx, survives a dead or hanging receiver, and
// reports what was not delivered as a warning of close(), never a throw.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createPushQueue } from '../../src/outputs/index.js';
import { otlpTarget } from '../../src/outputs/otlp.js';
import { remoteWriteTarget } from '../../src/outputs/prometheus-rw.js';

interface Receiver {
  url: string;
  received: { headers: IncomingHttpHeaders; body: Buffer }[];
  server: Server;
}

/** A receiver answering with `statuses` in turn (the last one repeats); `hang` never answers. */
async function receiver(statuses: (number | 'hang' | { status: number; body: Uint8Array })[]): Promise<Receiver> {
  const received: Receiver['received'] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      const status = statuses[Math.min(n++, statuses.length - 1)]!;
      if (typeof status === 'object') res.writeHead(status.status).end(status.body);
      else if (status !== 'hang') res.writeHead(status).end(status >= 400 ? 'nope' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`, received, server };
}

function stop(r: Receiver): Promise<void> {
  r.server.closeAllConnections();
  return new Promise((resolve) => r.server.close(() => resolve()));
}

const fast = { retryDelayMs: 10, requestTimeoutMs: 2000 };

describe('push queue', () => {
  const receivers: Receiver[] = [];
  after(async () => {
    await Promise.all(receivers.map(stop));
  });

  it('sends batches in order with the remote-write headers and credentials as Basic auth; a 503 is retried', async () => {
    const r = await receiver([503, 204]);
    receivers.push(r);
    const url = r.url.replace('http://', 'http://user:p%40ss@');
    const queue = createPushQueue(remoteWriteTarget(url, 'prometheus-rw=…'), fast);
    queue.push(Uint8Array.of(1));
    queue.push(Uint8Array.of(2));
    assert.deepEqual(await queue.close(5000), []);
    assert.deepEqual(queue.stats(), { sent: 2, failed: 0, dropped: 0, partial: 0 });
    assert.deepEqual(r.received.map((x) => [...x.body]), [[1], [1], [2]], 'the first batch again after its 503, then the second');
    const h = r.received[0]!.headers;
    assert.equal(h['content-encoding'], 'snappy');
    assert.equal(h['content-type'], 'application/x-protobuf');
    assert.equal(h['x-prometheus-remote-write-version'], '0.1.0');
    assert.equal(h.authorization, `Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  });

  it('a 400 is final; a full queue drops its oldest batch; both become one warning', async () => {
    const r = await receiver([400]);
    receivers.push(r);
    const queue = createPushQueue(remoteWriteTarget(r.url, 'prometheus-rw=X'), { ...fast, maxQueued: 2 });
    for (let i = 0; i < 4; i++) queue.push(Uint8Array.of(i));
    const warnings = await queue.close(5000);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^--out prometheus-rw=X: 0 of 4 batches delivered; 3 failed \(last error: HTTP 400: nope\), 1 dropped/);
    assert.equal(r.received.length, 3, 'no retry of a 4xx');
  });

  it('an OTLP partial success (200 with rejected data points) is delivered, not retried, and warned about', async () => {
    // ExportMetricsServiceResponse { partial_success { rejected_data_points: 3, error_message: "bad" } }
    const partial = Uint8Array.of(0x0a, 7, 0x08, 3, 0x12, 3, 0x62, 0x61, 0x64);
    const r = await receiver([{ status: 200, body: partial }, 200]);
    receivers.push(r);
    const queue = createPushQueue(otlpTarget(r.url, 'opentelemetry=X'), fast);
    queue.push(Uint8Array.of(1));
    queue.push(Uint8Array.of(2));
    assert.deepEqual(await queue.close(5000), ['--out opentelemetry=X: 2 of 2 batches delivered; 1 partly refused by the receiver (last: 3 data points rejected: bad)']);
    assert.equal(r.received.length, 2);
  });

  it('a dead receiver or one that never answers: close() ends at its timeout with a warning', async () => {
    const dead = await receiver([204]);
    await stop(dead);
    const refused = createPushQueue(remoteWriteTarget(dead.url, 'dead'), fast);
    refused.push(Uint8Array.of(1));
    assert.match((await refused.close(5000))[0]!, /^--out dead: 0 of 1 batches delivered; 1 failed \(last error: .*ECONNREFUSED/);

    const hanging = await receiver(['hang']);
    receivers.push(hanging);
    const queue = createPushQueue(remoteWriteTarget(hanging.url, 'hang'), { ...fast, requestTimeoutMs: 60_000 });
    queue.push(Uint8Array.of(1));
    queue.push(Uint8Array.of(2));
    assert.match((await queue.close(300))[0]!, /^--out hang: 0 of 2 batches delivered; 2 failed/);
    queue.push(Uint8Array.of(3));
    assert.equal(queue.stats().sent + queue.stats().failed, 2, 'nothing is queued after close');
  });
});
