/**
 * The one atomic writer of everything tuneup stores (runs, reports,
 * journals, baselines): a temp file in the same directory, fsync, rename over
 * the target, then fsync the directory. A reader sees the old file or the new
 * one, never half of one, and a power loss after the promise resolves cannot
 * lose the write.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of a new file (e.g. 0o600 for journals). Default 0o644 less the umask. */
  mode?: number;
}

/** Write `content` to `path` atomically and durably; creates the directory if missing. */
export async function writeFileAtomic(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'w', options.mode ?? 0o644);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

/** {@link writeFileAtomic} of pretty-printed JSON with a trailing newline. */
export async function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, options);
}

async function syncDirectory(dir: string): Promise<void> {
  // Persist the rename itself. Some file systems refuse fsync on a directory; the rename is still atomic there.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
