/**
 * Data sources for templates (`data: { users: { csv: users.csv } }`): CSV or
 * JSON files relative to the plan file, or inline lists.
 *
 * Row policy: each data source hands out its rows round-robin, one row per
 * iteration that reads it, in the order iterations ask — shared by every
 * scenario and VU of the process (each worker thread keeps its own
 * counter). All references to one source within an iteration see the same
 * row.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { CsvError, parseCsv } from './csv.js';
import type { IssueList } from './issues.js';
import type { DataSourceInput } from './types.js';

/** Loaded rows of one data source. */
export interface DataTable {
  /** Column names (CSV header or the keys of the first JSON object). */
  columns: string[];
  rows: Record<string, unknown>[];
}

/**
 * Load every data source; problems are added to `issues` at `data.<name>`.
 * @param baseDir directory of the plan file (paths are relative to it).
 */
export function loadDataSources(
  data: Record<string, DataSourceInput> | undefined,
  baseDir: string,
  issues: IssueList,
): Map<string, DataTable> {
  const tables = new Map<string, DataTable>();
  for (const [name, source] of Object.entries(data ?? {})) {
    const path = ['data', name];
    try {
      let table: DataTable;
      if (Array.isArray(source)) {
        table = fromList(source);
      } else if ('csv' in source) {
        const file = resolvePath(baseDir, source.csv);
        const text = readText(file);
        try {
          const csv = parseCsv(text);
          table = { columns: csv.columns, rows: csv.rows };
        } catch (error) {
          if (error instanceof CsvError) throw new Error(`${source.csv}:${error.line}: ${error.message}`);
          throw error;
        }
      } else {
        const file = resolvePath(baseDir, source.json);
        let parsed: unknown;
        try {
          parsed = JSON.parse(readText(file));
        } catch (error) {
          if (error instanceof SyntaxError) throw new Error(`${source.json}: invalid JSON (${error.message})`);
          throw error;
        }
        if (!Array.isArray(parsed)) throw new Error(`${source.json}: expected a JSON list of rows`);
        table = fromList(parsed);
      }
      if (table.rows.length === 0) throw new Error('has no rows; templates need at least one');
      tables.set(name, table);
    } catch (error) {
      issues.add(path, (error as Error).message);
    }
  }
  return tables;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `file not found: ${file} (paths are relative to the plan file)` : `cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Objects are rows as they are; scalars become `{ value }` rows (read with `{{ name.value }}`). */
function fromList(list: unknown[]): DataTable {
  const rows = list.map((item) =>
    typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : { value: item },
  );
  const columns = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) columns.add(key);
  return { columns: [...columns], rows };
}

/** Hands out rows round-robin per iteration (see the module note). */
export class RowCursor {
  private readonly next = new Map<string, number>();

  constructor(private readonly tables: ReadonlyMap<string, DataTable>) {}

  /** The next row of `name`. */
  take(name: string): Record<string, unknown> {
    const table = this.tables.get(name);
    if (table === undefined) return {};
    const index = this.next.get(name) ?? 0;
    this.next.set(name, (index + 1) % table.rows.length);
    return table.rows[index];
  }
}
