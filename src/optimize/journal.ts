/**
 * The apply journal: one JSON file per apply under `.tuneup/journal/`,
 * rewritten (write temp file, fsync, rename, fsync the directory) at every
 * state change, so that after a crash or Ctrl-C the file on disk always
 * says which steps may have run and how to undo them.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExitCode, TuneupError } from '../errors.js';
import type { JournalEntry } from './types.js';

/** Default journal directory, relative to the working directory. */
export const DEFAULT_JOURNAL_DIR = '.tuneup/journal';

const ID_PATTERN = /^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$/;

/** A new journal id, sortable by time: `YYYYMMDD-HHMMSS-xxxx` (UTC). */
export function newJournalId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Path of a journal file. Rejects ids that could escape the directory. */
export function journalPath(journalDir: string, id: string): string {
  if (!ID_PATTERN.test(id)) {
    throw new TuneupError('TUNEUP_JOURNAL_NOT_FOUND', `${JSON.stringify(id)} is not a journal id`, {
      hint: 'journal ids look like 20260101-120000-ab12; list them with `tuneup journal`',
    });
  }
  return join(resolve(journalDir), `${id}.json`);
}

/**
 * Write the entry durably: temp file + fsync + rename + directory fsync.
 * A reader never sees a half-written journal, and a power loss after this
 * resolves cannot lose it.
 */
export async function writeJournal(journalDir: string, entry: JournalEntry): Promise<void> {
  const dir = resolve(journalDir);
  await mkdir(dir, { recursive: true });
  const target = journalPath(dir, entry.id);
  const temp = `${target}.${process.pid}.tmp`;
  entry.updatedAt = Date.now();
  const file = await open(temp, 'w', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(entry, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, target);
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await dirHandle.close();
  }
}

/** Read one journal. */
export async function readJournal(journalDir: string, id: string): Promise<JournalEntry> {
  const path = journalPath(journalDir, id);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TuneupError('TUNEUP_JOURNAL_NOT_FOUND', `no journal ${id} in ${resolve(journalDir)}`, {
      hint: 'list journals with `tuneup journal` (or pass --journal-dir)',
      cause: err,
    });
  }
  const entry = JSON.parse(text) as JournalEntry;
  if (entry.schemaVersion !== 1 || !Array.isArray(entry.steps)) {
    throw new TuneupError('TUNEUP_JOURNAL_INVALID', `journal ${id} is not a tuneup journal (schemaVersion 1)`, {
      location: path,
      hint: 'the file may have been edited by hand; restore it or undo its statements manually',
    });
  }
  return entry;
}

/** Every journal in the directory, newest first. A missing directory means none. */
export async function listJournals(journalDir: string = DEFAULT_JOURNAL_DIR): Promise<JournalEntry[]> {
  let names: string[];
  try {
    names = await readdir(resolve(journalDir));
  } catch {
    return [];
  }
  const ids = names
    .filter((n) => n.endsWith('.json'))
    .map((n) => n.slice(0, -5))
    .filter((id) => ID_PATTERN.test(id))
    .sort()
    .reverse();
  const entries: JournalEntry[] = [];
  for (const id of ids) {
    try {
      entries.push(await readJournal(journalDir, id));
    } catch {
      // A foreign or corrupt file is not a reason to hide the others.
    }
  }
  return entries;
}
