/**
 * Embedded PostgreSQL for the demo: PGlite (PostgreSQL in WASM, with
 * pg_stat_statements preloaded) behind @electric-sql/pglite-socket, so every
 * client — the demo service, tuneup's probes and optimizer — speaks the
 * normal wire protocol through `pg`.
 *
 *   node demo/pglite-server.mjs [--port 0] [--cache-dir DIR] [--max-connections 24]
 *
 * PGlite's initdb takes 5–40 s on a busy machine; the freshly initialised
 * data directory is cached as a tarball in --cache-dir (per PGlite version)
 * and later starts load it instead. Prints `{"ready":true,"port":N,...}`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { PGlite } from '@electric-sql/pglite';
import { pg_stat_statements } from '@electric-sql/pglite/contrib/pg_stat_statements';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'cache-dir': { type: 'string' },
    'max-connections': { type: 'string', default: '24' },
  },
});

const started = Date.now();
const require = createRequire(import.meta.url);
const version = pgliteVersion();
const cacheFile = values['cache-dir'] ? join(values['cache-dir'], `pglite-${version}-initdb.tar`) : undefined;

let db;
let fromCache = false;
if (cacheFile && existsSync(cacheFile)) {
  try {
    db = await PGlite.create({ extensions: { pg_stat_statements }, loadDataDir: new Blob([readFileSync(cacheFile)]) });
    fromCache = true;
  } catch {
    db = undefined; // a damaged cache: initialise afresh below
  }
}
if (!db) {
  db = await PGlite.create({ extensions: { pg_stat_statements } });
  if (cacheFile) {
    const dump = await db.dumpDataDir('none');
    mkdirSync(values['cache-dir'], { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, cacheFile);
  }
}
await db.exec('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');

// PGlite has one backend; the socket server multiplexes up to N clients over it, query by query.
const server = new PGLiteSocketServer({ db, port: Number(values.port), host: '127.0.0.1', maxConnections: Number(values['max-connections']) });
await server.start();
const address = server.server?.address();
process.stdout.write(JSON.stringify({ ready: true, port: address.port, version, fromCache, startMs: Date.now() - started }) + '\n');

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => undefined);
  await db.close().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

/** The installed PGlite version (its package.json is not in the package's exports: walk up from its entry). */
function pgliteVersion() {
  let dir = dirname(require.resolve('@electric-sql/pglite'));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    if (pkg.name === '@electric-sql/pglite') return pkg.version;
  }
  return 'unknown';
}
