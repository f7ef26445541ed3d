/**
 * No-load snapshot analysis (`tuneup analyze` without `--run`), pgHero-style:
 * what the database's and Redis's cumulative statistics say right now.
 * Read-only queries with a statement timeout; never resets statistics.
 *
 * PostgreSQL checks (anchors in research/diagnosis-anchors.md §1, §8):
 * invalid, duplicate and unused indexes, missing indexes (PgHero's seq-scan
 * ratio), slow statements (pg_stat_statements), table bloat (dead tuples),
 * stale statistics, buffer cache hit ratio, connections versus
 * max_connections, long-running queries, idle-in-transaction sessions and
 * sequences near their limit. Redis: hit ratio, evictions, slow log,
 * clients versus maxclients, memory versus maxmemory, fragmentation.
 *
 * @module
 */
import pg from 'pg';
import { createClient } from 'redis';
import type { Finding } from '../result/types.js';
import { ExitCode, TuneupError } from '../errors.js';
import { resolveConfig, type ConfigOptions } from './config.js';
import { rankFindings } from './rank.js';
import { ON_COMMANDS } from './rules/cache.js';
import { fmt, makeFinding, pct } from './rules/types.js';
import { quoteIdent } from './sql.js';

/** Options of {@link analyzeDatabase}. */
export interface SnapshotOptions extends ConfigOptions {
  /** Unused indexes smaller than this are not reported (PgHero: 10 MB). */
  minUnusedIndexBytes?: number;
  /** Long-running query threshold in seconds (PgHero: 60). */
  longRunningSeconds?: number;
  /** Per-query timeout (ms). Default 5000. */
  statementTimeoutMs?: number;
}

const PG_SNAPSHOT_HINT = 'Check the PostgreSQL URL (host, port, user, password, database) and that the server accepts connections from this host.';

/**
 * Analyze a PostgreSQL database without load.
 *
 * @param pgUrl - connection URL
 * @returns ranked findings
 * @throws TuneupError `TUNEUP_PG_CONNECT` when the server cannot be reached
 */
export async function analyzeDatabase(pgUrl: string, options: SnapshotOptions = {}): Promise<Finding[]> {
  const config = resolveConfig(options);
  const client = new pg.Client({ connectionString: pgUrl, application_name: 'tuneup-analyze', connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new TuneupError('TUNEUP_PG_CONNECT', `Cannot connect to PostgreSQL: ${(err as Error).message}`, { hint: PG_SNAPSHOT_HINT, cause: err });
  }
  client.on('error', () => undefined);
  const findings: Finding[] = [];
  const q = async <R extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> => (await client.query<R>(sql, params)).rows;
  /** Each check is independent: a permission error in one must not hide the others. */
  const check = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      findings.push(
        makeFinding({
          rule: 'snapshot-check-failed', category: 'db-config', subject: name, severity: 'info', title: `Check "${name}" could not run`,
          summary: (err as Error).message, evidence: [], recommendation: { text: 'Run analyze as a role that can read pg_stat_* views (pg_monitor).' }, confidence: 1, impact: 0,
        }),
      );
    }
  };
  try {
    await q(`SET statement_timeout = ${Math.round(options.statementTimeoutMs ?? 5000)}`);
    await check('invalid-indexes', async () => {
      const rows = await q<{ schema: string; table: string; index: string; def: string }>(`
        SELECT n.nspname AS schema, t.relname AS table, c.relname AS index, pg_get_indexdef(i.indexrelid) AS def
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = i.indexrelid)`);
      for (const r of rows) {
        findings.push(
          makeFinding({
            rule: 'invalid-index', category: 'db-config', subject: `${r.schema}.${r.index}`, severity: 'medium',
            title: `Invalid index ${r.index} on ${r.table}`,
            summary: 'The index exists (and is maintained on every write) but the planner cannot use it: a CREATE INDEX CONCURRENTLY failed. PgHero: "You should recreate them."',
            evidence: [{ label: 'definition', value: r.def, source: 'pg_index.indisvalid' }],
            recommendation: { text: 'Drop and recreate it.', sql: `DROP INDEX CONCURRENTLY ${quoteIdent(r.schema)}.${quoteIdent(r.index)};\n${r.def.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX CONCURRENTLY ')};` },
            actions: ['pg-index'], confidence: 1, impact: 0.2,
          }),
        );
      }
    });
    await check('duplicate-indexes', async () => {
      const rows = await q<{ schema: string; table: string; index: string; def: string; cols: string; method: string; expr: string | null; pred: string | null; unique: boolean; primary: boolean; size: string }>(`
        SELECT n.nspname AS schema, t.relname AS table, c.relname AS index, pg_get_indexdef(i.indexrelid) AS def,
               array_to_string(i.indkey, ' ') AS cols, am.amname AS method, pg_get_expr(i.indexprs, i.indrelid) AS expr,
               pg_get_expr(i.indpred, i.indrelid) AS pred, i.indisunique AS unique, i.indisprimary AS primary, pg_relation_size(i.indexrelid)::text AS size
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam
        WHERE i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`);
      // PgHero: a non-unique, non-primary index is unneeded when another index of the same table, method,
      // expressions and predicate starts with the same columns.
      for (const a of rows) {
        if (a.unique || a.primary) continue;
        const aCols = a.cols.split(' ');
        const cover = rows.find((b) => b !== a && b.schema === a.schema && b.table === a.table && b.method === a.method && b.expr === a.expr && b.pred === a.pred &&
          b.cols.split(' ').slice(0, aCols.length).join(' ') === a.cols && (b.cols !== a.cols || b.index < a.index || b.unique));
        if (!cover) continue;
        findings.push(
          makeFinding({
            rule: 'duplicate-index', category: 'db-config', subject: `${a.schema}.${a.index}`, severity: 'low',
            title: `Index ${a.index} is covered by ${cover.index}`,
            summary: `${a.index} indexes a leading prefix of ${cover.index}; it costs ${fmt(Number(a.size) / 1048576)} MB and slows every write without helping reads.`,
            evidence: [
              { label: 'redundant index', value: a.def, source: 'pg_index' },
              { label: 'covering index', value: cover.def, source: 'pg_index' },
              { label: 'size', value: Number(a.size), unit: 'bytes', source: 'pg_relation_size' },
            ],
            recommendation: { text: 'Drop the redundant index (keep its definition to recreate it if needed).', sql: `DROP INDEX CONCURRENTLY ${quoteIdent(a.schema)}.${quoteIdent(a.index)};` },
            actions: ['pg-index'], confidence: 0.9, impact: 0.05,
          }),
        );
      }
    });
    await check('unused-indexes', async () => {
      const rows = await q<{ schema: string; table: string; index: string; size: string; scans: string }>(`
        SELECT ui.schemaname AS schema, ui.relname AS table, ui.indexrelname AS index, pg_relation_size(i.indexrelid)::text AS size, ui.idx_scan::text AS scans
        FROM pg_stat_user_indexes ui JOIN pg_index i ON ui.indexrelid = i.indexrelid
        WHERE NOT i.indisunique AND ui.idx_scan = 0 AND pg_relation_size(i.indexrelid) >= $1`, [options.minUnusedIndexBytes ?? 10 * 1024 * 1024]);
      for (const r of rows) {
        findings.push(
          makeFinding({
            rule: 'unused-index', category: 'db-config', subject: `${r.schema}.${r.index}`, severity: 'low',
            title: `Unused index ${r.index} (${fmt(Number(r.size) / 1048576)} MB)`,
            summary: `No scan since statistics were last reset; it slows every write on ${r.table}. Check replicas before dropping (PgHero).`,
            evidence: [{ label: 'index scans', value: 0, unit: 'scans', source: 'pg_stat_user_indexes' }, { label: 'size', value: Number(r.size), unit: 'bytes', source: 'pg_relation_size' }],
            recommendation: { text: 'Drop it if no replica or rare job uses it.', sql: `DROP INDEX CONCURRENTLY ${quoteIdent(r.schema)}.${quoteIdent(r.index)};` },
            actions: ['pg-index'], confidence: 0.6, impact: 0.03,
          }),
        );
      }
    });
    await check('tables', async () => {
      const rows = await q<{ schema: string; table: string; seq: string; idx: string | null; live: string; dead: string; mod: string; autovac: boolean; last_analyze: Date | null }>(`
        SELECT s.schemaname AS schema, s.relname AS table, s.seq_scan::text AS seq, s.idx_scan::text AS idx, s.n_live_tup::text AS live, s.n_dead_tup::text AS dead,
               s.n_mod_since_analyze::text AS mod, COALESCE(NOT ('autovacuum_enabled=false' = ANY(c.reloptions)), true) AS autovac,
               GREATEST(s.last_analyze, s.last_autoanalyze) AS last_analyze
        FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid`);
      for (const r of rows) {
        const live = Number(r.live);
        const dead = Number(r.dead);
        const seq = Number(r.seq);
        const idx = r.idx === null ? 0 : Number(r.idx);
        const qualified = `${quoteIdent(r.schema)}.${quoteIdent(r.table)}`;
        // PgHero missing_indexes, without its blind spot for tables never index-scanned.
        if (live >= config.get('missingIndex.minRows') && seq >= config.get('missingIndex.minSeqScans') && idx / Math.max(1, seq + idx) < config.get('missingIndex.maxIndexShare')) {
          findings.push(
            makeFinding({
              rule: 'missing-index', category: 'missing-index', subject: `${r.schema}.${r.table}`, severity: 'medium',
              title: `${r.table} is mostly read by sequential scans (${pct(idx / Math.max(1, seq + idx))} index use)`,
              summary: `${fmt(live)} rows, ${seq} sequential scans versus ${idx} index scans since statistics were reset. Run a load test (tuneup run) to see which statement and endpoint drive them.`,
              evidence: [
                { label: 'sequential scans', value: seq, unit: 'scans', source: 'pg_stat_user_tables' },
                { label: 'index scans', value: idx, unit: 'scans', source: 'pg_stat_user_tables' },
                { label: 'live rows', value: live, unit: 'rows', source: 'pg_stat_user_tables' },
              ],
              recommendation: { text: 'Find the statements that filter this table (pg_stat_statements, EXPLAIN) and index their filter columns.', link: 'https://github.com/ankane/pghero/blob/master/guides/Suggested-Indexes.md' },
              actions: ['pg-index'], confidence: 0.6, impact: 0.3,
            }),
          );
        }
        if (dead >= config.get('bloat.minDead') && dead / Math.max(1, dead + live) >= config.get('bloat.deadShare')) {
          findings.push(
            makeFinding({
              rule: 'table-bloat', category: 'table-bloat', subject: `${r.schema}.${r.table}`, severity: r.autovac ? 'low' : 'medium',
              title: `${r.table} has ${pct(dead / (dead + live))} dead rows`,
              summary: `${fmt(dead)} dead versus ${fmt(live)} live rows.${r.autovac ? '' : ' Autovacuum is disabled on this table.'}`,
              evidence: [{ label: 'dead tuples', value: dead, unit: 'rows', source: 'pg_stat_user_tables' }, { label: 'live tuples', value: live, unit: 'rows', source: 'pg_stat_user_tables' }],
              recommendation: { text: 'VACUUM it and let autovacuum keep up.', sql: r.autovac ? `VACUUM (ANALYZE) ${qualified};` : `VACUUM (ANALYZE) ${qualified};\nALTER TABLE ${qualified} RESET (autovacuum_enabled);` },
              actions: ['pg-maintenance'], confidence: 0.8, impact: 0.1,
            }),
          );
        }
        const mod = Number(r.mod);
        if (mod >= config.get('staleStats.minModified') && mod / Math.max(1, live) >= config.get('staleStats.modifiedShare')) {
          findings.push(
            makeFinding({
              rule: 'stale-statistics', category: 'stale-statistics', subject: `${r.schema}.${r.table}`, severity: 'low',
              title: `Stale planner statistics on ${r.table}`,
              summary: `${fmt(mod)} rows changed since the last ANALYZE (${r.last_analyze ? new Date(r.last_analyze).toISOString() : 'never'}).`,
              evidence: [{ label: 'rows modified since analyze', value: mod, unit: 'rows', source: 'pg_stat_user_tables' }, { label: 'live rows', value: live, unit: 'rows', source: 'pg_stat_user_tables' }],
              recommendation: { text: 'Run ANALYZE.', sql: `ANALYZE ${qualified};` },
              actions: ['pg-maintenance'], confidence: 0.8, impact: 0.05,
            }),
          );
        }
      }
    });
    await check('cache-hit', async () => {
      const [r] = await q<{ hit: string | null; read: string | null }>(`SELECT sum(heap_blks_hit)::text AS hit, sum(heap_blks_read)::text AS read FROM pg_statio_user_tables`);
      const hit = Number(r?.hit ?? 0);
      const read = Number(r?.read ?? 0);
      if (read >= config.get('dbCacheHit.minBlocksRead') && hit / (hit + read) < config.get('dbCacheHit.ratio')) {
        findings.push(
          makeFinding({
            rule: 'db-cache-hit', category: 'db-config', subject: 'shared_buffers', severity: 'medium',
            title: `Table cache hit ratio ${pct(hit / (hit + read))}`,
            summary: 'Should be above 99 % in most cases (PgHero); you can often increase it by adding memory.',
            evidence: [{ label: 'heap blocks hit', value: hit, unit: 'blocks', source: 'pg_statio_user_tables' }, { label: 'heap blocks read', value: read, unit: 'blocks', source: 'pg_statio_user_tables' }],
            recommendation: { text: 'Raise shared_buffers towards 25 % of RAM (PgTune; restart) or add memory.', config: { shared_buffers: '25% of RAM' } },
            actions: ['pg-config'], confidence: 0.7, impact: 0.2,
          }),
        );
      }
    });
    await check('connections', async () => {
      const [r] = await q<{ total: string; idle_tx: string; max: string; reserved: string }>(`
        SELECT count(*)::text AS total, count(*) FILTER (WHERE state LIKE 'idle in transaction%')::text AS idle_tx,
               current_setting('max_connections') AS max, current_setting('superuser_reserved_connections') AS reserved
        FROM pg_stat_activity WHERE backend_type = 'client backend'`);
      const total = Number(r?.total ?? 0);
      const usable = Number(r?.max ?? 100) - Number(r?.reserved ?? 3);
      if (total / usable >= config.get('connections.ratio')) {
        findings.push(
          makeFinding({
            rule: 'pg-connection-limit', category: 'connection-limit', subject: 'postgres', severity: total >= usable ? 'high' : 'medium',
            title: `PostgreSQL connections at ${pct(total / usable)} of the limit`,
            summary: `${total} client connections, max_connections ${r?.max} (${r?.reserved} reserved).`,
            evidence: [{ label: 'connections', value: total, unit: 'connections', source: 'pg_stat_activity' }, { label: 'max_connections', value: Number(r?.max), unit: 'connections', source: 'pg_settings' }],
            recommendation: { text: 'Use connection pooling (PgBouncer) or smaller application pools.' },
            confidence: 0.9, impact: 0.3,
          }),
        );
      }
      const idleTx = Number(r?.idle_tx ?? 0);
      if (idleTx >= 100) {
        findings.push(
          makeFinding({
            rule: 'idle-in-transaction', category: 'lock-contention', subject: 'postgres', severity: 'medium',
            title: `${idleTx} sessions idle in transaction`,
            summary: 'Open transactions hold locks and block vacuum (PgHero warns at 100). Avoid opening transactions and doing work outside the database.',
            evidence: [{ label: 'idle in transaction', value: idleTx, unit: 'sessions', source: 'pg_stat_activity' }],
            recommendation: { text: 'Set idle_in_transaction_session_timeout and commit before slow application work.', sql: "ALTER ROLE current_user SET idle_in_transaction_session_timeout = '60s';" },
            confidence: 0.9, impact: 0.2,
          }),
        );
      }
    });
    await check('long-running-queries', async () => {
      const rows = await q<{ pid: number; seconds: number; query: string; state: string }>(`
        SELECT pid, EXTRACT(EPOCH FROM now() - COALESCE(query_start, xact_start))::float8 AS seconds, left(query, 200) AS query, state
        FROM pg_stat_activity
        WHERE state <> 'idle' AND pid <> pg_backend_pid() AND datname = current_database() AND backend_type = 'client backend'
          AND now() - COALESCE(query_start, xact_start) > make_interval(secs => $1)
        ORDER BY seconds DESC LIMIT 10`, [options.longRunningSeconds ?? 60]);
      for (const r of rows) {
        findings.push(
          makeFinding({
            rule: 'long-running-query', category: 'inefficient-query', subject: String(r.pid), severity: 'medium',
            title: `Query running for ${fmt(r.seconds)} s (pid ${r.pid})`,
            summary: `\`${r.query}\` (${r.state}) has run longer than ${options.longRunningSeconds ?? 60} s (PgHero).`,
            evidence: [{ label: 'duration', value: r.seconds, unit: 's', source: 'pg_stat_activity' }, { label: 'query', value: r.query, source: 'pg_stat_activity' }],
            recommendation: { text: 'Cap statement time for the role; terminate it if it is stuck.', sql: `ALTER ROLE current_user SET statement_timeout TO '60s';\n-- SELECT pg_terminate_backend(${r.pid});` },
            confidence: 0.9, impact: 0.2,
          }),
        );
      }
    });
    await check('slow-statements', async () => {
      const ext = await q(`SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`);
      if (ext.length === 0) return;
      const rows = await q<{ queryid: string; query: string; calls: string; mean: number; total: number }>(`
        SELECT s.queryid::text AS queryid, left(s.query, 4000) AS query, s.calls::text AS calls, (s.total_exec_time / NULLIF(s.calls, 0))::float8 AS mean, s.total_exec_time::float8 AS total
        FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = current_database() AND s.calls >= $1 AND s.total_exec_time / NULLIF(s.calls, 0) >= $2
        ORDER BY s.total_exec_time DESC LIMIT 20`, [config.get('slowQuery.calls'), config.get('slowQuery.meanMs')]);
      for (const r of rows) {
        findings.push(
          makeFinding({
            rule: 'inefficient-query', category: 'inefficient-query', subject: r.queryid, severity: 'medium',
            title: `Slow statement: ${fmt(r.mean)} ms × ${r.calls} calls`,
            summary: `\`${r.query.replace(/\s+/g, ' ').slice(0, 120)}\` (PgHero: calls ≥ ${config.get('slowQuery.calls')} and mean ≥ ${config.get('slowQuery.meanMs')} ms). Explain it to see where to add indexes.`,
            evidence: [{ label: 'calls', value: Number(r.calls), unit: 'calls', source: 'pg_stat_statements' }, { label: 'mean time', value: r.mean, unit: 'ms', source: 'pg_stat_statements' }, { label: 'total time', value: r.total, unit: 'ms', source: 'pg_stat_statements' }],
            recommendation: { text: 'EXPLAIN (ANALYZE, BUFFERS) it and index its filters.', sql: `EXPLAIN (ANALYZE, BUFFERS) ${r.query};` },
            actions: ['pg-index'], confidence: 0.8, impact: 0.3,
          }),
        );
      }
    });
    await check('sequences', async () => {
      const rows = await q<{ schema: string; name: string; type: string; last: string | null; max: string }>(`
        SELECT schemaname AS schema, sequencename AS name, data_type::text AS type, last_value::text AS last, max_value::text AS max FROM pg_sequences`);
      for (const r of rows) {
        if (r.last === null) continue;
        const ratio = Number(r.last) / Number(r.max);
        if (ratio <= 0.9) continue;
        findings.push(
          makeFinding({
            rule: 'sequence-near-limit', category: 'db-config', subject: `${r.schema}.${r.name}`, severity: ratio > 0.98 ? 'critical' : 'high',
            title: `Sequence ${r.name} has used ${pct(ratio)} of its ${r.type} range`,
            summary: 'Inserts fail when it reaches its maximum (PgHero: > 90 %).',
            evidence: [{ label: 'last value', value: Number(r.last), source: 'pg_sequences' }, { label: 'max value', value: Number(r.max), source: 'pg_sequences' }],
            recommendation: { text: 'Change the column and the sequence to bigint (plan a migration: it rewrites the table).', sql: `ALTER SEQUENCE ${quoteIdent(r.schema)}.${quoteIdent(r.name)} AS bigint;  -- and ALTER TABLE … ALTER COLUMN … TYPE bigint` },
            confidence: 1, impact: 0.5,
          }),
        );
      }
    });
  } finally {
    await client.end().catch(() => undefined);
  }
  return rankFindings(findings);
}

/** Parse INFO text into a flat key → value map. */
export function parseRedisInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/**
 * Analyze a Redis server without load: hit ratio, evictions, slow log,
 * clients, memory, fragmentation. Read-only commands only.
 *
 * @throws TuneupError `TUNEUP_REDIS_CONNECT` when the server cannot be reached
 */
export async function analyzeRedis(url: string, options: ConfigOptions = {}): Promise<Finding[]> {
  const config = resolveConfig(options);
  const client = createClient({ url, socket: { connectTimeout: 5000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new TuneupError('TUNEUP_REDIS_CONNECT', `Cannot connect to Redis: ${(err as Error).message}`, {
      hint: 'Check the Redis URL (host, port, password) and that the server accepts connections from this host.',
      cause: err,
    });
  }
  const findings: Finding[] = [];
  try {
    const info = parseRedisInfo(String(await client.sendCommand(['INFO', 'all'])));
    const n = (k: string) => Number(info[k] ?? NaN);
    const maxclients = Number(((await client.sendCommand(['CONFIG', 'GET', 'maxclients'])) as string[])[1] ?? NaN);
    const hits = n('keyspace_hits');
    const misses = n('keyspace_misses');
    if (hits + misses >= config.get('cacheMiss.minLookups') && hits / (hits + misses) < config.get('cacheMiss.hitRatio')) {
      const ratio = hits / (hits + misses);
      findings.push(
        makeFinding({
          rule: 'cache-miss', category: 'cache-miss', subject: 'hit-ratio', severity: ratio < 0.5 ? 'high' : 'medium',
          title: `Redis hit ratio ${pct(ratio)} since start`,
          summary: `${fmt(misses)} misses for ${fmt(hits)} hits (Sysdig LowHitRatio < 0.9).`,
          evidence: [{ label: 'keyspace_hits', value: hits, source: 'redis INFO' }, { label: 'keyspace_misses', value: misses, source: 'redis INFO' }],
          recommendation: { text: 'Check key design and TTLs; read before writing (cache-aside).' },
          confidence: 0.7, impact: 0.3,
        }),
      );
    }
    if (n('evicted_keys') > 0) {
      findings.push(
        makeFinding({
          rule: 'cache-eviction', category: 'cache-miss', subject: 'evictions', severity: 'low',
          title: `Redis evicted ${fmt(n('evicted_keys'))} keys since start`,
          summary: `maxmemory ${fmt(n('maxmemory') / 1048576)} MB, policy ${info.maxmemory_policy ?? '?'}.`,
          evidence: [{ label: 'evicted_keys', value: n('evicted_keys'), source: 'redis INFO' }],
          recommendation: { text: 'Raise maxmemory or set TTLs.' }, actions: ['redis-config'], confidence: 0.9, impact: 0.1,
        }),
      );
    }
    const used = n('used_memory');
    const maxmemory = n('maxmemory');
    if (maxmemory > 0 && used / maxmemory >= config.get('redisMemory.ratio')) {
      findings.push(
        makeFinding({
          rule: 'redis-memory', category: 'cache-miss', subject: 'maxmemory', severity: 'medium',
          title: `Redis memory at ${pct(used / maxmemory)} of maxmemory`,
          summary: 'Near the limit Redis evicts keys or, with noeviction, rejects writes (APA RedisOutOfConfiguredMaxmemory > 90 %).',
          evidence: [{ label: 'used_memory', value: used, unit: 'bytes', source: 'redis INFO' }, { label: 'maxmemory', value: maxmemory, unit: 'bytes', source: 'redis INFO' }],
          recommendation: { text: 'Raise maxmemory (CONFIG SET, reversible) or reduce value sizes/TTLs.', config: { maxmemory: String(maxmemory * 2) } },
          actions: ['redis-config'], confidence: 0.9, impact: 0.2,
        }),
      );
    }
    const clients = n('connected_clients');
    if ((Number.isFinite(maxclients) && maxclients > 0 && clients / maxclients >= config.get('redisClients.ratio')) || n('rejected_connections') > 0) {
      findings.push(
        makeFinding({
          rule: 'redis-connection-limit', category: 'connection-limit', subject: 'redis', severity: n('rejected_connections') > 0 ? 'high' : 'medium',
          title: `Redis clients ${clients} of maxclients ${maxclients}`,
          summary: `${n('rejected_connections')} connections rejected since start.`,
          evidence: [{ label: 'connected_clients', value: clients, source: 'redis INFO' }, { label: 'maxclients', value: maxclients, source: 'redis CONFIG' }, { label: 'rejected_connections', value: n('rejected_connections'), source: 'redis INFO' }],
          recommendation: { text: 'Share clients per process; raise maxclients if needed.' }, actions: ['redis-config'], confidence: 0.9, impact: 0.3,
        }),
      );
    }
    const fragBytes = n('mem_fragmentation_bytes');
    if (n('mem_fragmentation_ratio') > 1.5 && fragBytes > 10 * 1024 * 1024) {
      findings.push(
        makeFinding({
          rule: 'redis-fragmentation', category: 'db-config', subject: 'fragmentation', severity: 'low',
          title: `Redis memory fragmentation ${fmt(n('mem_fragmentation_ratio'))}`,
          summary: `${fmt(fragBytes / 1048576)} MB lost to fragmentation (Sysdig > 1.5; MEMORY DOCTOR > 1.4 and > 10 MB).`,
          evidence: [{ label: 'mem_fragmentation_ratio', value: n('mem_fragmentation_ratio'), source: 'redis INFO' }, { label: 'mem_fragmentation_bytes', value: fragBytes, unit: 'bytes', source: 'redis INFO' }],
          recommendation: { text: 'Enable active defragmentation or MEMORY PURGE.', config: { activedefrag: 'yes' } }, confidence: 0.7, impact: 0.05,
        }),
      );
    }
    const slowlog = (await client.sendCommand(['SLOWLOG', 'GET', '128'])) as unknown[];
    const limitUs = config.get('cacheSlow.slowlogMs') * 1000;
    const byCommand = new Map<string, { n: number; maxUs: number; example: string }>();
    for (const entry of slowlog) {
      const e = entry as unknown[];
      const us = Number(e[2]);
      const argv = Array.isArray(e[3]) ? (e[3] as unknown[]).map(String) : [];
      if (!(us >= limitUs) || argv.length === 0) continue;
      const cmd = argv[0]!.toLowerCase();
      const acc = byCommand.get(cmd) ?? { n: 0, maxUs: 0, example: argv.join(' ').slice(0, 120) };
      acc.n++;
      acc.maxUs = Math.max(acc.maxUs, us);
      byCommand.set(cmd, acc);
    }
    for (const [cmd, s] of byCommand) {
      findings.push(
        makeFinding({
          rule: 'cache-slow-command', category: 'cache-slow-command', subject: cmd, severity: cmd === 'keys' || s.maxUs >= 100_000 ? 'high' : 'medium',
          title: `Slow Redis command in the slow log: ${cmd.toUpperCase()} (up to ${fmt(s.maxUs / 1000)} ms)`,
          summary: `${s.n} entries ≥ ${fmt(limitUs / 1000)} ms.${ON_COMMANDS.has(cmd) ? ` ${cmd.toUpperCase()} is O(N).` : ''}`,
          evidence: [{ label: 'entries', value: s.n, source: 'redis SLOWLOG' }, { label: 'slowest', value: s.maxUs / 1000, unit: 'ms', source: 'redis SLOWLOG' }, { label: 'example', value: s.example, source: 'redis SLOWLOG' }],
          recommendation: { text: cmd === 'keys' ? 'Replace KEYS with SCAN or an explicit index set.' : 'Avoid O(N) commands on big keys; split big keys.' },
          confidence: 0.85, impact: 0.3,
        }),
      );
    }
  } finally {
    client.destroy();
  }
  return rankFindings(findings);
}
