/**
 * PostgreSQL access: one postgres.js pool per process wrapped by drizzle.
 * The pool is small on purpose: several API replicas, the workers and the
 * reporting role share the server's max_connections.
 *
 * @module
 */
import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import * as tables from './tables.js';

/** The drizzle database of the API (relational queries enabled over ./tables.ts). */
export type Db = PostgresJsDatabase<typeof tables>;

/** A pool and its drizzle wrapper. */
export interface Database {
  db: Db;
  client: postgres.Sql;
}

/** Open a pool of `max` connections on `url` (connections are opened lazily). */
export function openDatabase(url: string, max: number, applicationName: string): Database {
  const client = postgres(url, {
    max,
    idle_timeout: 60,
    connect_timeout: 10,
    // Keep statements from piling up forever behind a stuck lock.
    connection: { application_name: applicationName, statement_timeout: 15_000 },
    onnotice: () => {},
  });
  return { client, db: drizzle(client, { schema: tables }) };
}
