/**
 * A virtual {@link Clock} for engine tests: time stands still while anything
 * runs and jumps to the earliest pending sleep once everything is waiting.
 * A 10 s schedule then takes milliseconds, and its outcome (iterations,
 * drops, start lag) is exact instead of depending on a busy machine's
 * timers.
 *
 * "Everything is waiting" is judged per turn of the event loop: the clock
 * advances only after a full `setImmediate` round in which no code asked it
 * for the time or for a sleep (the engine restarts function VUs through
 * `setImmediate`, and a restart reads the clock). Code that never sleeps
 * would keep it still forever; after {@link MAX_BUSY_ROUNDS} busy rounds it
 * advances anyway, so such a test ends (inexactly) instead of hanging.
 *
 * Only for code whose waiting goes through the clock: real I/O (HTTP to a
 * server) takes real time the virtual clock does not see.
 */
import type { Clock } from '../../src/engine/types.js';

const MAX_BUSY_ROUNDS = 1000;

interface Sleeper {
  at: number;
  seq: number;
  wake(): void;
}

/** Virtual clock: `now()` starts at `startMs`; see the module comment. */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private sleepers: Sleeper[] = [];
  private activity = 0;
  private scheduled = false;
  private busyRounds = 0;

  constructor(startMs = 1_000) {
    this.t = startMs;
  }

  now(): number {
    this.activity++;
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.activity++;
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sleeper: Sleeper = {
        at: this.t + ms,
        seq: this.seq++,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      // Aborted sleeps resolve, as the system clock's do.
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      this.schedule();
    });
  }

  /** Sleeps not yet woken (for assertions that nothing is left waiting). */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const seen = this.activity;
    setImmediate(() => this.advance(seen));
  }

  private advance(seen: number): void {
    this.scheduled = false;
    if (this.sleepers.length === 0) return;
    if (this.activity !== seen && this.busyRounds < MAX_BUSY_ROUNDS) {
      // Something ran in this round: let it settle before time moves.
      this.busyRounds++;
      this.schedule();
      return;
    }
    this.busyRounds = 0;
    this.sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const at = this.sleepers[0]!.at;
    if (at > this.t) this.t = at;
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.wake();
    if (this.sleepers.length > 0) this.schedule();
  }
}
