// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
/**
 * No output leaks a secret. A password is planted in every place a user puts
 * one — the PostgreSQL URL, the Redis URL (a real `requirepass`), the metrics
 * URL's userinfo, an Authorization header and a `?token=` in the plan — and
 * every command that writes something runs against real servers: run,
 * analyze (stored run and live snapshot), optimize (dry run, --out, --apply
 * with its journal), report (HTML, Markdown, JUnit), compare (terminal,
 * Markdown, HTML) and a connection failure with --verbose. Then every byte
 * the commands printed and every file they left is searched for the password.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { startRedis, type TestRedis } from '../harness/redis.js';
import { runCli, startServer, tempDir, type CliRun } from './helpers.js';

const SECRET = 'Pl4nted-S3cret';

let postgres: TestPostgres;
let redis: TestRedis;
let service: Awaited<ReturnType<typeof startServer>>;
let pool: pg.Pool;

before(async () => {
  postgres = await startPostgres({ extensions: ['pg_stat_statements'] });
  try {
    redis = await startRedis({ config: { requirepass: SECRET } });
    await postgres.query('CREATE TABLE items (id int PRIMARY KEY, owner int, note text)');
    await postgres.query("INSERT INTO items SELECT g, g % 500, md5(g::text) FROM generate_series(1, 50000) g");
    await postgres.query('ANALYZE items');
    pool = new pg.Pool({ connectionString: postgres.url, max: 4 });
    service = await startServer((req, res) => {
      if (req.url?.startsWith('/metrics')) {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end('# TYPE up gauge\nup 1\n');
        return;
      }
      // An unindexed filter, so the run has a database finding for optimize to act on.
      const owner = Number(/owner=(\d+)/.exec(req.url ?? '')?.[1] ?? 1);
      pool.query('SELECT count(*) FROM items WHERE owner = $1', [owner]).then(
        (r) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(r.rows[0]));
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
  } catch (error) {
    // A failed setup must not leave the started servers behind.
    await Promise.allSettled([redis?.stop(), postgres.stop()]);
    throw error;
  }
});

after(async () => {
  await Promise.allSettled([service?.close(), pool?.end(), redis?.stop(), postgres?.stop()]);
});

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('no command prints or stores a planted password', async () => {
  const cwd = tempDir();
  const pgUrl = postgres.url.replace('postgres@', `postgres:${SECRET}@`);
  const redisUrl = redis.url.replace('redis://', `redis://:${SECRET}@`);
  const metricsUrl = service.url.replace('http://', `http://scraper:${SECRET}@`) + '/metrics';
  writeFileSync(
    join(cwd, 'plan.yaml'),
    [
      `baseUrl: ${service.url}`,
      'headers:',
      `  authorization: Bearer ${SECRET}`,
      'scenarios:',
      '  items:',
      '    executor: constant-arrival-rate',
      '    rate: 40',
      '    duration: 3s',
      '    preAllocatedVUs: 10',
      '    requests:',
      `      - { path: "/items?owner={{ randomInt(1, 500) }}&token=${SECRET}", name: "GET /items" }`,
      '',
    ].join('\n'),
  );
  const runs: [string, CliRun][] = [];
  const cli = async (args: string[]): Promise<CliRun> => {
    const run = await runCli(args, cwd);
    runs.push([args.join(' '), run]);
    return run;
  };

  const first = await cli(['run', 'plan.yaml', '--pg', pgUrl, '--redis', redisUrl, '--metrics', metricsUrl, '--no-thresholds']);
  assert.equal(first.code, 0, first.stderr);
  const second = await cli(['run', 'plan.yaml', '--pg', pgUrl, '--redis', redisUrl, '--metrics', metricsUrl, '--no-thresholds', '--json']);
  assert.equal(second.code, 0, second.stderr);
  const ids = readdirSync(join(cwd, '.tuneup', 'runs')).sort();
  assert.equal(ids.length, 2);

  await cli(['analyze', '--run', 'latest']);
  await cli(['analyze', '--pg', pgUrl, '--redis', redisUrl]);
  await cli(['optimize', '--run', 'latest', '--pg', pgUrl, '--redis', redisUrl, '--out', 'plan-out.json']);
  await cli(['optimize', '--run', 'latest', '--pg', pgUrl, '--redis', redisUrl, '--apply', '--environment', 'test']);
  await cli(['report', 'latest', '--baseline', ids[0]!]);
  await cli(['compare', ids[0]!, ids[1]!, '--markdown', 'compare.md', '--html', 'compare.html']);
  // A connection failure: the error (and its verbose stack) names the target without its password.
  const failed = await cli(['analyze', '--pg', `postgresql://app:${SECRET}@127.0.0.1:1/none`, '--verbose']);
  assert.notEqual(failed.code, 0);
  const unparseable = await cli(['analyze', '--pg', `postgresql://app:${SECRET}@127.0.0.1:99999/none`]);
  assert.notEqual(unparseable.code, 0);

  const leaks: string[] = [];
  for (const [command, run] of runs) {
    if (run.stdout.includes(SECRET)) leaks.push(`stdout of tuneup ${command.replaceAll(SECRET, '<secret>')}`);
    if (run.stderr.includes(SECRET)) leaks.push(`stderr of tuneup ${command.replaceAll(SECRET, '<secret>')}: ${run.stderr.replaceAll(SECRET, '<SECRET>').slice(0, 300)}`);
  }
  const files = filesUnder(cwd).filter((f) => !f.endsWith('plan.yaml'));
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf(SECRET);
    if (at >= 0) leaks.push(`${file.slice(cwd.length + 1)}: …${text.slice(Math.max(0, at - 120), at).replaceAll(SECRET, '<SECRET>')}<SECRET>`);
  }
  assert.deepEqual(leaks, []);
  // The search covered the outputs it claims to: result, every report, the optimizer's plan and both comparisons.
  const names = files.map((f) => f.slice(cwd.length + 1));
  for (const expected of ['result.json', 'report.html', 'summary.md', 'junit.xml', 'plan-out.json', 'compare.md', 'compare.html']) {
    assert.ok(names.some((n) => n.endsWith(expected)), `${expected} was written (${names.join(', ')})`);
  }
});
