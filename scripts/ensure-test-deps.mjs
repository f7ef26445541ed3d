#!/usr/bin/env node
// Checks the system software the integration and end-to-end tests need and,
// when something is missing and we are root, installs it from Debian.
// Run by `npm test`, `npm run test:integration` and `npm run test:e2e` (and so
// by .ci/run), so the README's one test command works on a fresh machine.
//
//   node scripts/ensure-test-deps.mjs           check; install as root; else exit 1 with the command
//   node scripts/ensure-test-deps.mjs --check   check only (exit 1 when something is missing)
//
// Not root: it stops at once and prints the exact command to run, instead of
// letting the tests fail one by one (or hang) later.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const DEFAULT_PG_BIN = '/usr/lib/postgresql/15/bin';
const PG_BIN = process.env.TUNEUP_PG_BIN ?? DEFAULT_PG_BIN;
const CHROMIUM = '/usr/bin/chromium'; // test/report/browser-helper.ts uses Debian's chromium

const checkOnly = process.argv.includes('--check');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && executable(join(dir, command)));
}

function pgSharedir() {
  const out = spawnSync(join(PG_BIN, 'pg_config'), ['--sharedir'], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : '/usr/share/postgresql/15';
}

function userExists(name) {
  return spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0;
}

/**
 * Every requirement: what it is, whether it is there, and the Debian package
 * that provides it (null when an override points somewhere apt cannot fill).
 */
function requirements() {
  const pgServer = ['postgres', 'initdb', 'pg_ctl', 'pg_config'].every((b) => executable(join(PG_BIN, b)));
  const pgPackage = PG_BIN === DEFAULT_PG_BIN ? 'postgresql-15' : null;
  const sharedir = pgServer ? pgSharedir() : '/usr/share/postgresql/15';
  const redis = process.env.TUNEUP_REDIS_SERVER;
  return [
    { what: `PostgreSQL 15 server binaries in ${PG_BIN}`, ok: pgServer, pkg: pgPackage },
    // PostgreSQL refuses to run as root; the harness runs it as this user (created by postgresql-15).
    { what: 'the postgres system user', ok: !isRoot || userExists('postgres'), pkg: 'postgresql-15' },
    { what: 'HypoPG (hypopg.control)', ok: existsSync(join(sharedir, 'extension', 'hypopg.control')), pkg: 'postgresql-15-hypopg' },
    { what: 'pg_qualstats (pg_qualstats.control)', ok: existsSync(join(sharedir, 'extension', 'pg_qualstats.control')), pkg: 'postgresql-15-pg-qualstats' },
    redis
      ? { what: `redis-server at TUNEUP_REDIS_SERVER=${redis}`, ok: executable(redis), pkg: null }
      : { what: 'redis-server', ok: onPath('redis-server'), pkg: 'redis-server' },
    { what: `Debian chromium (${CHROMIUM})`, ok: executable(CHROMIUM), pkg: 'chromium' },
    // The TLS test makes a throw-away certificate with openssl.
    { what: 'openssl', ok: onPath('openssl'), pkg: 'openssl' },
    // The SLO tests check generated rules with promtool and run a real Prometheus server.
    { what: 'promtool and prometheus (Debian prometheus)', ok: onPath('promtool') && onPath('prometheus'), pkg: 'prometheus' },
  ];
}

const missing = requirements().filter((r) => !r.ok);
if (missing.length === 0) process.exit(0);

for (const r of missing) console.error(`test dependency missing: ${r.what}`);
const unfillable = missing.filter((r) => r.pkg === null);
if (unfillable.length > 0) {
  console.error('These come from an override (TUNEUP_PG_BIN / TUNEUP_REDIS_SERVER) that apt cannot fill: fix or unset it.');
  process.exit(1);
}
const packages = [...new Set(missing.map((r) => r.pkg))];
const install = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;

if (checkOnly || !isRoot) {
  const sudo = isRoot ? '' : 'sudo ';
  console.error(`\nInstall them with:\n\n  ${sudo}apt-get update && ${sudo}DEBIAN_FRONTEND=noninteractive ${install}\n`);
  process.exit(1);
}

function apt(args) {
  console.error(`==> apt-get ${args.join(' ')}`);
  // Wait for a dpkg lock held by someone else instead of failing at once.
  const result = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) {
    console.error(`apt-get ${args[0]} failed (exit ${result.status ?? result.signal}).`);
    process.exit(1);
  }
}

const started = Date.now();
apt(['update', '-qq']);
apt(['install', '-y', '-qq', '--no-install-recommends', ...packages]);

const still = requirements().filter((r) => !r.ok);
if (still.length > 0) {
  for (const r of still) console.error(`still missing after apt-get install: ${r.what}`);
  process.exit(1);
}
console.error(`installed ${packages.join(' ')} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
