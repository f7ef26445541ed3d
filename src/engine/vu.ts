/**
 * The virtual user handed to plan code: one per concurrent iteration slot,
 * kept across iterations (its `state` survives), with its own HTTP client.
 *
 * @module
 */
import type { MetricsRecorder } from '../metrics/recorder-types.js';
import type { Tags } from '../result/types.js';
import type { Clock, HttpApi, VirtualUser } from './types.js';

/** What a {@link Vu} is built from. */
export interface VuOptions {
  id: number;
  scenario: string;
  tags: Tags;
  env: Record<string, string | undefined>;
  http: HttpApi;
  recorder: MetricsRecorder;
  clock: Clock;
}

/** {@link VirtualUser} implementation. The executor mutates `iteration` and the stop flags. */
export class Vu implements VirtualUser {
  readonly id: number;
  readonly scenario: string;
  /** Iteration number in the scenario (0-based); set by the executor before each call. */
  iteration = -1;
  readonly state: Record<string, unknown> = {};
  readonly tags: Tags;
  readonly http: HttpApi;
  readonly env: Record<string, string | undefined>;
  private readonly recorder: MetricsRecorder;
  private readonly clock: Clock;
  // Aborted when this VU must stop: sleeps resolve at once so the iteration can end.
  private stopController = new AbortController();

  constructor(options: VuOptions) {
    this.id = options.id;
    this.scenario = options.scenario;
    this.tags = { ...options.tags };
    this.env = options.env;
    this.http = options.http;
    this.recorder = options.recorder;
    this.clock = options.clock;
  }

  /** True once the scenario is stopping (gracefulStop running) or this VU is ramped down. */
  get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  /** Signal this VU to stop: `stopping` becomes true and pending sleeps resolve. */
  markStopping(): void {
    if (!this.stopController.signal.aborted) this.stopController.abort();
  }

  /** Clear the stop flag when a ramped-down VU is brought back. */
  resume(): void {
    if (this.stopController.signal.aborted) this.stopController = new AbortController();
  }

  /** k6 `check`: every predicate is recorded in the `checks` rate; a throwing predicate fails. */
  check<T>(value: T, checks: Record<string, (value: T) => boolean>, tags?: Tags): boolean {
    let all = true;
    const merged = tags === undefined ? this.tags : { ...this.tags, ...tags };
    for (const name of Object.keys(checks)) {
      let passed: boolean;
      try {
        passed = Boolean(checks[name]!(value));
      } catch {
        passed = false;
      }
      if (!passed) all = false;
      this.recorder.recordCheck(this.scenario, name, passed, merged);
    }
    return all;
  }

  /** Pause; resolves early when the VU is told to stop (design choice: think time never delays a stop). */
  sleep(seconds: number): Promise<void> {
    if (this.stopping || !(seconds > 0)) return Promise.resolve();
    return this.clock.sleep(seconds * 1000, this.stopController.signal);
  }
}
