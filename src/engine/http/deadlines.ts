/**
 * Request timeouts without a timer per request.
 *
 * A `setTimeout` per request allocates a Timeout object and touches the
 * timer list twice (arm + clear); at 50k requests/s that is measurable. Instead
 * every connection stores its in-flight deadline as a number, and one shared
 * interval sweeps the registered connections. The sweep runs every
 * `timeout / 20` (clamped to 5–100 ms), so a 60 s timeout is detected within
 * 100 ms — and the *recorded* value is exact anyway: a timed-out request is
 * recorded at the timeout value, not at the moment the sweep noticed it.
 *
 * @module
 */

/** Something with a deadline the sweeper checks. */
export interface DeadlineTarget {
  /** Index in the sweeper's list (owned by the sweeper). */
  sweepIndex: number;
  /** Check the deadline against the target's own clock; expire the request when it has passed. */
  checkDeadline(): void;
}

const MIN_SWEEP_MS = 5;
const MAX_SWEEP_MS = 100;

/** Sweep interval for a timeout: fine enough to free connections promptly, coarse enough to be cheap. */
export function sweepIntervalFor(timeoutMs: number): number {
  const interval = Math.floor(timeoutMs / 20);
  return interval < MIN_SWEEP_MS ? MIN_SWEEP_MS : interval > MAX_SWEEP_MS ? MAX_SWEEP_MS : interval;
}

/**
 * The shared sweeper. One per thread is enough: it only holds references to
 * live connections and stops its timer when none is registered.
 */
class DeadlineSweeper {
  private readonly targets: DeadlineTarget[] = [];
  private timer: NodeJS.Timeout | null = null;
  private intervalMs = MAX_SWEEP_MS;
  private readonly sweepBound = () => this.sweep();

  /** Register a target; `timeoutMs` may tighten the sweep interval. */
  add(target: DeadlineTarget, timeoutMs: number): void {
    target.sweepIndex = this.targets.length;
    this.targets.push(target);
    this.ensureInterval(sweepIntervalFor(timeoutMs));
  }

  /** A target is about to use a (possibly shorter) timeout. Cheap when nothing changes. */
  ensureInterval(intervalMs: number): void {
    if (this.timer !== null && intervalMs >= this.intervalMs) return;
    if (this.timer !== null) clearInterval(this.timer);
    this.intervalMs = this.timer === null ? intervalMs : Math.min(intervalMs, this.intervalMs);
    this.timer = setInterval(this.sweepBound, this.intervalMs);
    // Sockets keep the process alive while requests are in flight; the sweeper must not.
    this.timer.unref();
  }

  /** Unregister a target (swap-remove, O(1)). */
  remove(target: DeadlineTarget): void {
    const i = target.sweepIndex;
    if (i < 0 || this.targets[i] !== target) return;
    const last = this.targets.pop() as DeadlineTarget;
    if (last !== target) {
      this.targets[i] = last;
      last.sweepIndex = i;
    }
    target.sweepIndex = -1;
    if (this.targets.length === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
      this.intervalMs = MAX_SWEEP_MS;
    }
  }

  private sweep(): void {
    const targets = this.targets;
    // Iterate backwards: an expiring target may remove itself (swap-remove keeps earlier indices valid).
    for (let i = targets.length - 1; i >= 0; i--) {
      const t = targets[i];
      if (t !== undefined) t.checkDeadline();
    }
  }
}

/** The thread's deadline sweeper. */
export const deadlineSweeper = new DeadlineSweeper();
