/**
 * One PostgreSQL session for the optimizer. HypoPG's hypothetical indexes
 * live in the backend that created them, so planning needs a single
 * dedicated connection (never a pool).
 *
 * @module
 */
import pg from 'pg';
import { ExitCode, TuneupError } from '../errors.js';
import { redactUrl } from './redact.js';

/** Open a session, or throw `TUNEUP_PG_CONNECT` (the URL is redacted in the message). */
export async function openPgSession(url: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName, connectionTimeoutMillis: 5000 });
  client.on('error', () => {
    // A dropped connection surfaces as a failed query; never crash the process.
  });
  try {
    await client.connect();
  } catch (err) {
    throw new TuneupError('TUNEUP_PG_CONNECT', `cannot connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`, {
      hint: 'check the --pg URL (host, port, credentials)',
      cause: err,
    });
  }
  return client;
}

/**
 * Quote an identifier with `pg`'s `escapeIdentifier` (always quoted: a
 * column named `order` or `User` stays valid SQL).
 */
export function quoteIdent(name: string): string {
  return pg.escapeIdentifier(name);
}

/** Quote a string literal with `pg`'s `escapeLiteral` (backslashes become an `E'…'` string). */
export function quoteLiteral(value: string): string {
  return pg.escapeLiteral(value);
}

/** `"schema"."name"`. */
export function qualifiedName(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** Close a session, ignoring errors (the server may be gone). */
export async function closePgSession(client: pg.Client): Promise<void> {
  await client.end().catch(() => undefined);
}
