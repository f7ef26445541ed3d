/**
 * Drives the run's probes: start all before the load, sample every second
 * off the hot path (a probe still sampling skips the tick), stop all at the
 * end. A probe failing to stop yields evidence marked not ok, never a throw.
 *
 * @module
 */
import type { Probe, ProbeContext } from '../probes/types.js';
import type { ProbeEvidence } from '../result/types.js';

/** Runs a set of probes for one run. */
export class ProbeRunner {
  private readonly probes: readonly Probe[];
  private readonly inFlight: boolean[];
  private readonly pending = new Set<Promise<void>>();
  private started: Probe[] = [];

  constructor(probes: readonly Probe[]) {
    this.probes = probes;
    this.inFlight = probes.map(() => false);
  }

  /** Start every probe (in parallel). If one throws, the others are stopped and the error is rethrown. */
  async start(ctx: ProbeContext): Promise<void> {
    const results = await Promise.allSettled(this.probes.map((p) => p.start(ctx)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    this.started = this.probes.filter((_, i) => results[i]!.status === 'fulfilled');
    if (failure !== undefined) {
      await Promise.allSettled(this.started.map((p) => p.stop()));
      this.started = [];
      throw failure.reason;
    }
  }

  /** Sample every probe whose previous sample finished. Never awaits. */
  sample(offsetMs: number): void {
    this.probes.forEach((probe, i) => {
      if (this.inFlight[i] || !this.started.includes(probe)) return;
      this.inFlight[i] = true;
      const p: Promise<void> = Promise.resolve()
        .then(() => probe.sample(offsetMs))
        .catch(() => undefined)
        .finally(() => {
          this.inFlight[i] = false;
          this.pending.delete(p);
        });
      this.pending.add(p);
    });
  }

  /** Wait for samples in flight, then stop every probe and collect its evidence. */
  async stop(): Promise<ProbeEvidence[]> {
    await Promise.allSettled([...this.pending]);
    const out: ProbeEvidence[] = [];
    for (const probe of this.started) {
      try {
        out.push(await probe.stop());
      } catch (error) {
        out.push({
          probe: probe.name,
          target: '',
          ok: false,
          limitations: [],
          errors: [{ offsetMs: 0, message: error instanceof Error ? error.message : String(error) }],
          series: { t: [], values: {}, units: {} },
          data: {},
          overhead: { samples: 0, meanSampleMs: 0 },
        });
      }
    }
    this.started = [];
    return out;
  }
}
