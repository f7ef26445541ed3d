/**
 * Executors: how each kind of {@link Change} reads the state it is about
 * to replace, applies itself, and undoes itself. Every undo is idempotent
 * (`IF EXISTS` / `IF NOT EXISTS` / setting a saved value again), so a
 * rollback can be re-run after it was itself interrupted.
 *
 * @module
 */
import type pg from 'pg';
import { TuneupError } from '../errors.js';
import { qualifiedName, quoteIdent, quoteLiteral } from './pg-session.js';
import type { Change, JournalStep } from './types.js';

/** The minimal Redis surface the executors need (node-redis `sendCommand`). */
export interface RedisCommander {
  sendCommand(args: string[]): Promise<unknown>;
}

/** Connections an executor may use. */
export interface ExecutionContext {
  pg?: pg.Client;
  redis?: RedisCommander;
}

/** What an executor found just before applying. */
export interface Inspection {
  /** Set when the change must not run (already done, or nothing to do). */
  skip?: string;
  /** State to journal (previous values). */
  previous?: Record<string, unknown>;
  /** The undo statements, refined with the state just read. */
  undo?: string[];
}

/** One executor. */
export interface Executor {
  inspect(change: Change, ctx: ExecutionContext): Promise<Inspection>;
  apply(step: JournalStep, ctx: ExecutionContext): Promise<void>;
  rollback(step: JournalStep, ctx: ExecutionContext): Promise<void>;
}

function needPg(ctx: ExecutionContext): pg.Client {
  if (!ctx.pg) throw new TuneupError('TUNEUP_OPTION_MISSING', 'this change needs a PostgreSQL connection', { hint: 'pass --pg URL' });
  return ctx.pg;
}

function needRedis(ctx: ExecutionContext): RedisCommander {
  if (!ctx.redis) throw new TuneupError('TUNEUP_OPTION_MISSING', 'this change needs a Redis connection', { hint: 'pass --redis URL' });
  return ctx.redis;
}

async function runAll(client: pg.Client, statements: string[]): Promise<void> {
  for (const sql of statements) await client.query(sql);
}

/** `{ valid }` of an index by schema and name, or null when it does not exist. */
export async function findIndex(client: pg.Client, schema: string, name: string): Promise<{ valid: boolean; definition: string } | null> {
  const res = await client.query<{ valid: boolean; definition: string }>(
    `SELECT i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indexrelid = c.oid
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, name],
  );
  return res.rows[0] ?? null;
}

function str(params: Record<string, unknown>, key: string): string {
  const value = params[key];
  if (typeof value !== 'string') throw new TuneupError('TUNEUP_JOURNAL_INVALID', `change parameter ${key} is missing`);
  return value;
}

const createIndex: Executor = {
  async inspect(change, ctx) {
    const client = needPg(ctx);
    const schema = str(change.params, 'schema');
    const index = str(change.params, 'index');
    const found = await findIndex(client, schema, index);
    // A valid index of that name was made by an earlier apply or by hand: not ours to create (or to drop later).
    if (found?.valid) return { skip: `index ${schema}.${index} already exists` };
    return { previous: { invalidLeftover: found !== null } };
  },
  async apply(step, ctx) {
    const client = needPg(ctx);
    const schema = str(step.change.params, 'schema');
    const index = str(step.change.params, 'index');
    // An INVALID index of the same name is the remains of a failed CREATE INDEX CONCURRENTLY: clear it first.
    if ((await findIndex(client, schema, index))?.valid === false) {
      await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(schema, index)}`);
    }
    await runAll(client, step.change.statements);
  },
  async rollback(step, ctx) {
    // DROP INDEX CONCURRENTLY IF EXISTS also removes an INVALID index left by a failed build.
    await runAll(needPg(ctx), step.change.undo);
  },
};

/** `CREATE [UNIQUE] INDEX name ON ...` → `CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS name ON ...`. */
export function concurrentRecreate(definition: string): string {
  return definition.replace(/^CREATE (UNIQUE )?INDEX /i, (_m, unique: string | undefined) => `CREATE ${unique ?? ''}INDEX CONCURRENTLY IF NOT EXISTS `);
}

const dropIndex: Executor = {
  async inspect(change, ctx) {
    const client = needPg(ctx);
    const schema = str(change.params, 'schema');
    const index = str(change.params, 'index');
    const found = await findIndex(client, schema, index);
    if (!found) return { skip: `index ${schema}.${index} no longer exists` };
    // Save the definition as it is now (it may differ from the run's), and recreate from it.
    return { previous: { definition: found.definition }, undo: [concurrentRecreate(found.definition)] };
  },
  async apply(step, ctx) {
    await runAll(needPg(ctx), step.change.statements);
  },
  async rollback(step, ctx) {
    const client = needPg(ctx);
    const schema = str(step.change.params, 'schema');
    const index = str(step.change.params, 'index');
    const found = await findIndex(client, schema, index);
    if (found?.valid) return;
    if (found && !found.valid) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(schema, index)}`);
    await runAll(client, step.change.undo);
  },
};

const alterSystem: Executor = {
  async inspect(change, ctx) {
    const client = needPg(ctx);
    const name = str(change.params, 'setting');
    const current = await client.query<{ setting: string; unit: string | null }>('SELECT setting, unit FROM pg_settings WHERE name = $1', [name]);
    if (!current.rows[0]) return { skip: `setting ${name} does not exist on this server` };
    // The value in postgresql.auto.conf, if any: that is what ALTER SYSTEM overwrites and what we must restore.
    const auto = await client.query<{ setting: string }>(
      `SELECT setting FROM pg_file_settings WHERE name = $1 AND sourcefile LIKE '%postgresql.auto.conf' AND error IS NULL ORDER BY seqno DESC LIMIT 1`,
      [name],
    );
    const autoValue = auto.rows[0]?.setting ?? null;
    const undo =
      autoValue === null
        ? [`ALTER SYSTEM RESET ${quoteIdent(name)}`, 'SELECT pg_reload_conf()']
        : [`ALTER SYSTEM SET ${quoteIdent(name)} = ${quoteLiteral(autoValue)}`, 'SELECT pg_reload_conf()'];
    return { previous: { value: current.rows[0].setting, unit: current.rows[0].unit, autoConf: autoValue }, undo };
  },
  async apply(step, ctx) {
    await runAll(needPg(ctx), step.change.statements);
  },
  async rollback(step, ctx) {
    await runAll(needPg(ctx), step.change.undo);
  },
};

const maintenance: Executor = {
  async inspect() {
    return {};
  },
  async apply(step, ctx) {
    await runAll(needPg(ctx), step.change.statements);
  },
  async rollback() {
    // ANALYZE and VACUUM change statistics and free space only: there is nothing to undo.
  },
};

/** `key=value` storage options of a table (pg_class.reloptions), by key. */
async function tableOptions(client: pg.Client, schema: string, table: string): Promise<Record<string, string> | null> {
  const res = await client.query<{ reloptions: string[] | null }>(
    `SELECT c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, table],
  );
  if (!res.rows[0]) return null;
  return Object.fromEntries((res.rows[0].reloptions ?? []).map((o) => [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)]));
}

/** The statement that puts the given options back to `previous` (RESET where they were unset). */
export function restoreTableOptions(schema: string, table: string, keys: string[], previous: Record<string, string>): string[] {
  const set = keys.filter((k) => previous[k] !== undefined).map((k) => `${k} = ${quoteLiteral(previous[k]!)}`);
  const reset = keys.filter((k) => previous[k] === undefined);
  const target = qualifiedName(schema, table);
  return [...(set.length > 0 ? [`ALTER TABLE ${target} SET (${set.join(', ')})`] : []), ...(reset.length > 0 ? [`ALTER TABLE ${target} RESET (${reset.join(', ')})`] : [])];
}

const tableOptionsExecutor: Executor = {
  async inspect(change, ctx) {
    const schema = str(change.params, 'schema');
    const table = str(change.params, 'table');
    const keys = (change.params.keys as string[] | undefined) ?? [];
    const current = await tableOptions(needPg(ctx), schema, table);
    if (!current) return { skip: `table ${schema}.${table} no longer exists` };
    const previous = Object.fromEntries(keys.filter((k) => current[k] !== undefined).map((k) => [k, current[k]!]));
    return { previous: { options: previous }, undo: restoreTableOptions(schema, table, keys, previous) };
  },
  async apply(step, ctx) {
    await runAll(needPg(ctx), step.change.statements);
  },
  async rollback(step, ctx) {
    await runAll(needPg(ctx), step.change.undo);
  },
};

/** Split a Redis command line into arguments (values used here never contain spaces). */
export function redisArgs(line: string): string[] {
  return line.trim().split(/\s+/);
}

const redisConfigSet: Executor = {
  async inspect(change, ctx) {
    const redis = needRedis(ctx);
    const name = str(change.params, 'setting');
    const reply = (await redis.sendCommand(['CONFIG', 'GET', name])) as unknown;
    const pairs = Array.isArray(reply) ? (reply as string[]) : Object.entries(reply as Record<string, string>).flat();
    const value = pairs[1];
    if (value === undefined) return { skip: `Redis does not know the setting ${name}` };
    return { previous: { value }, undo: [`CONFIG SET ${name} ${value === '' ? '""' : value}`] };
  },
  async apply(step, ctx) {
    const redis = needRedis(ctx);
    for (const line of step.change.statements) await redis.sendCommand(redisArgs(line));
  },
  async rollback(step, ctx) {
    const redis = needRedis(ctx);
    for (const line of step.change.undo) await redis.sendCommand(redisArgs(line).map((a) => (a === '""' ? '' : a)));
  },
};

/** The executor of each change `op`. */
export const EXECUTORS: Record<Change['op'], Executor> = {
  'create-index': createIndex,
  'drop-index': dropIndex,
  'alter-system': alterSystem,
  maintenance,
  'table-options': tableOptionsExecutor,
  'redis-config-set': redisConfigSet,
};
