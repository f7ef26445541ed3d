/**
 * The started probes of one thread: samples that never overlap per probe
 * (a probe still sampling skips the tick), and a stop whose wait is bounded,
 * so a hung probe (a frozen database, a scrape that never answers) costs
 * its own evidence and nothing else. Used by the probe worker and, for
 * probes that cannot leave it, by the main thread.
 *
 * @module
 */
import type { ProbeEvidence } from '../../result/types.js';
import type { Probe } from '../types.js';
import { describeError } from '../util/sampling.js';

/** Default time `stop` gives the probes to hand back their evidence (ms). */
export const DEFAULT_PROBE_STOP_TIMEOUT_MS = 20_000;

/** Evidence standing in for a probe whose stop failed or did not finish: not ok, with the reason. */
export function failedEvidence(name: string, message: string, offsetMs = 0): ProbeEvidence {
  return {
    probe: name,
    target: '',
    ok: false,
    limitations: [],
    errors: [{ offsetMs: Math.round(offsetMs), message }],
    series: { t: [], values: {}, units: {} },
    data: {},
    overhead: { samples: 0, meanSampleMs: 0 },
  };
}

const TIMED_OUT = Symbol('timed out');

/** Resolve with `promise`, or with TIMED_OUT when `deadline` (performance.now() ms) passes first. */
async function until<T>(promise: Promise<T>, deadline: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - performance.now()));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Started probes of one thread, sampled and stopped together. */
export class ProbeSet {
  private readonly inFlight: (Promise<void> | undefined)[];

  /** @param probes - probes whose `start` resolved */
  constructor(private readonly probes: readonly Probe[]) {
    this.inFlight = probes.map(() => undefined);
  }

  /** Number of probes in the set. */
  get size(): number {
    return this.probes.length;
  }

  /** Sample every probe whose previous sample finished. Never awaits, never throws. */
  sample(offsetMs: number): void {
    this.probes.forEach((probe, i) => {
      if (this.inFlight[i] !== undefined) return;
      const p: Promise<void> = Promise.resolve()
        .then(() => probe.sample(offsetMs))
        .catch(() => undefined)
        .finally(() => {
          this.inFlight[i] = undefined;
        });
      this.inFlight[i] = p;
    });
  }

  /**
   * Let samples in flight finish, then stop every probe (in parallel) and
   * return its evidence in order. Whatever has not finished within
   * `budgetMs` is given up on: a probe whose stop is late gets evidence
   * marked not ok saying so; one whose sample was late but whose stop
   * answered keeps its evidence plus an error naming the hung sample.
   */
  async stop(budgetMs: number, offsetMs: () => number): Promise<ProbeEvidence[]> {
    const deadline = performance.now() + budgetMs;
    const hungSample = this.probes.map(() => false);
    await Promise.all(
      this.inFlight.map(async (p, i) => {
        if (p !== undefined && (await until(p, deadline)) === TIMED_OUT) hungSample[i] = true;
      }),
    );
    return Promise.all(
      this.probes.map(async (probe, i): Promise<ProbeEvidence> => {
        let evidence: ProbeEvidence | typeof TIMED_OUT;
        try {
          evidence = await until(Promise.resolve().then(() => probe.stop()), deadline);
        } catch (error) {
          return failedEvidence(probe.name, `stop failed: ${describeError(error)}`, offsetMs());
        }
        if (evidence === TIMED_OUT) {
          return failedEvidence(probe.name, `the probe did not stop within ${Math.round(budgetMs)} ms (hung); its evidence is lost`, offsetMs());
        }
        if (hungSample[i]) {
          const message = `a sample was still running when the run stopped (over ${Math.round(budgetMs)} ms); later samples were skipped`;
          return { ...evidence, errors: [...evidence.errors, { offsetMs: Math.round(offsetMs()), message }] };
        }
        return evidence;
      }),
    );
  }
}
