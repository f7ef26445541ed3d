// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVuHttp } from '../../src/engine/http/index.js';
import { CallRecorder, clientOptions } from './helpers.js';

function selfSignedCert(): { key: Buffer; cert: Buffer } | null {
  const dir = mkdtempSync(join(tmpdir(), 'tuneup-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pair = selfSignedCert();

test('https: keep-alive requests over TLS; an untrusted certificate is a connect error', async (t) => {
  // A missing tool fails the test with the fix, never a silent skip (npm test's pretest installs it).
  assert.ok(pair, 'openssl could not make a test certificate: apt-get install openssl');
  const { key, cert } = pair;
  let accepted = 0;
  const server = https.createServer({ key, cert }, (req, res) => res.end(`tls ${req.url}`));
  server.on('secureConnection', () => accepted++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const recorder = new CallRecorder();
  const insecure = createVuHttp(clientOptions(recorder, { baseUrl, rejectUnauthorized: false }));
  t.after(() => insecure.close());
  const first = await insecure.get('/a');
  const second = await insecure.get('/b');
  assert.equal(first.body, 'tls /a');
  assert.equal(second.body, 'tls /b');
  assert.equal(second.timings.connecting, 0);
  assert.equal(accepted, 1);

  const strict = createVuHttp(clientOptions(new CallRecorder(), { baseUrl }));
  t.after(() => strict.close());
  const refused = await strict.get('/');
  assert.equal(refused.error, 'connect');
  assert.equal(refused.status, 0);
});
