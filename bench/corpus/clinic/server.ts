/**
 * Child-process entry of the clinic service, so probes see its own pid
 * (CPU, memory, GC) apart from the load generator. Configuration comes from
 * the environment; once listening it prints one JSON line
 * `{"port":N,"upstreamUrl":"…"}` on stdout. SIGTERM closes everything.
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import { buildClinicApp } from './app.js';
import { parseFault } from './faults.js';
import { startFakeInsurer, type FakeInsurer } from './insurer.js';

const pgUrl = process.env.CLINIC_PG_URL;
const redisUrl = process.env.CLINIC_REDIS_URL;
if (!pgUrl || !redisUrl) throw new Error('CLINIC_PG_URL and CLINIC_REDIS_URL are required');
const fault = parseFault(process.env.CLINIC_FAULT);

let insurer: FakeInsurer | undefined;
let upstreamUrl = process.env.CLINIC_UPSTREAM_URL;
if (!upstreamUrl) {
  insurer = await startFakeInsurer();
  upstreamUrl = insurer.url;
}
const clinic = await buildClinicApp({ pgUrl, redisUrl, upstreamUrl, fault });
await clinic.app.listen({ port: 0, host: '127.0.0.1' });
const { port } = clinic.app.server.address() as AddressInfo;
process.stdout.write(JSON.stringify({ port, upstreamUrl }) + '\n');

let closing = false;
const shutdown = async () => {
  if (closing) return;
  closing = true;
  await clinic.close().catch(() => {});
  await insurer?.close().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
