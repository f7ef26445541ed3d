/**
 * Is a process still running? For the "nothing left behind" checks of tests
 * that start servers and child processes.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/**
 * True while `pid` exists and is not a zombie: a killed child not yet reaped by its parent (or init)
 * holds no port and runs nothing, so it is not left behind.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
