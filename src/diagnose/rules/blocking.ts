/**
 * Blocking handlers: endpoints whose synchronous work on the main thread delays the other requests beyond the
 * event-loop limits (see {@link blockingHandlers}). Read by the event-loop rule, which reports them, and by the
 * CPU-saturation rule, which lets a handler that blocks on its own lead a saturation it cannot give an owner.
 *
 * @module
 */
import type { RuleConfig } from '../config.js';
import { PHYSICAL_SLACK } from '../demand.js';
import { hostHeldByOthers } from './host.js';
import { causesBlocking, loopDelayCausedBy, mainThreadUtilizationSeries, nonGcShareOfMainThread, type CausedDelay, type LoopDelay } from './loop-delay.js';
import { serviceMean, summaryOf, type DiagnosisInput } from './types.js';

/**
 * A loose regression estimate still names a blocking handler when the timings corroborate it: the loop
 * shows blocks of at least half its CPU per request (its per-scrape maximum), the endpoint's typical request
 * lasts at least half of it (a request cannot hold the loop for longer than it runs), and the estimate makes
 * the endpoint CPU-bound (≥ half its mean service time): a dependency-bound endpoint lasts long without computing.
 */
function corroborated(input: DiagnosisInput, endpoint: string, ms: number, delay: LoopDelay | undefined): boolean {
  if (!delay || delay.maxP90 < 0.5 * ms) return false;
  const summary = summaryOf(input, endpoint);
  if (!summary) return false;
  return summary.serviceTime.p50 >= 0.5 * ms && ms >= 0.5 * summary.serviceTime.mean;
}

/** An endpoint whose every request holds the loop for `ms` of synchronous CPU, and the delay that causes to the others. */
export interface BlockingHandler {
  endpoint: string;
  ms: number;
  /** Where `ms` comes from: the main thread alone, or the whole process (thread pool included). */
  source: 'main thread' | 'process';
  caused: CausedDelay;
  /** `ms` as judged: a mixed-run estimate at its lower bound (estimate − 2 standard errors), one measured alone as is. */
  judgedMs: number;
  /** The endpoint's share of the main thread's synchronous work (rate × block over the sum for all endpoints). */
  share: number;
}

/**
 * Endpoints whose synchronous work delays the other requests beyond the limits, worst first. Each endpoint
 * is judged by the loop delay it causes (loop-delay.ts#loopDelayCausedBy: its share of the main thread and
 * the queueing at the loop's utilization), not by a fixed CPU per request: a 12 ms handler at a high rate
 * on a busy loop delays its neighbours as much as a 40 ms one on an idle loop. Main-thread CPU is
 * synchronous by construction; whole-process CPU (no per-thread data) also counts the thread pool, so it is
 * used only when a measured loop delay can confirm it.
 */
export function blockingHandlers(input: DiagnosisInput, config: RuleConfig, delay: LoopDelay | undefined): BlockingHandler[] {
  // The main thread is the event loop only in a single-loop runtime; in Go or a threaded server it is one
  // worker among many. Without a measured loop delay, trust it only when the process is Node.js.
  if (!delay && !looksLikeNode(input)) return [];
  // GC pauses run on the main thread too: only the rest of its CPU is the handlers' own synchronous work.
  const nonGc = nonGcShareOfMainThread(input);
  const candidates: { endpoint: string; ms: number; judged: number; source: BlockingHandler['source']; loose: boolean }[] = [];
  const mainMeasured = input.demand.demands.some((d) => d.mainThreadCpuMs !== undefined);
  for (const d of input.demand.demands) {
    const main = d.mainThreadCpuMs === undefined ? undefined : d.mainThreadCpuMs * nonGc;
    const se = d.mainThreadCpuMs === undefined ? d.stdError?.cpuMs : d.stdError?.mainThreadCpuMs === undefined ? undefined : d.stdError.mainThreadCpuMs * nonGc;
    const ms = main ?? (delay && !mainMeasured ? d.cpuMs : undefined);
    if (ms === undefined) continue;
    // A regression estimate (mixed run) counts by its lower bound, estimate − 2 standard errors: a dozen
    // seconds over ten endpoints leaves some demands loose, and a loose one must not name a handler.
    const judged = d.method === 'profile' ? ms : se === undefined ? 0 : Math.max(0, ms - 2 * se);
    candidates.push({ endpoint: d.endpoint, ms, judged, source: main !== undefined ? 'main thread' : 'process', loose: d.method !== 'profile' });
  }
  const utilization = mainThreadUtilizationSeries(input);
  const sure = new Map(loopDelayCausedBy(input, candidates.map((c) => ({ endpoint: c.endpoint, blockMs: c.judged })), utilization).map((x) => [x.endpoint, x]));
  const point = new Map(loopDelayCausedBy(input, candidates.map((c) => ({ endpoint: c.endpoint, blockMs: c.ms })), utilization).map((x) => [x.endpoint, x]));
  const totalWork = [...point.values()].reduce((a, x) => a + x.utilization, 0);
  // The loop's delays corroborate a loose estimate only when they are the service's own: on a host held by
  // other processes they are the wait for a core (see hostHeldByOthers), whatever the estimate says.
  const delaysAreOwn = !hostHeldByOthers(input, config);
  const out: BlockingHandler[] = [];
  for (const c of candidates) {
    const caused = point.get(c.endpoint)!;
    const blocks = causesBlocking(sure.get(c.endpoint)!, config) || (c.loose && delaysAreOwn && c.source === 'main thread' && causesBlocking(caused, config) && corroborated(input, c.endpoint, c.ms, delay));
    if (blocks) out.push({ endpoint: c.endpoint, ms: c.ms, judgedMs: c.judged, source: c.source, caused, share: totalWork > 0 ? caused.utilization / totalWork : 0 });
  }
  return (
    out
      // Synchronous work runs inside its own request's service time, so a demand above that time is an artefact
      // of the regression (a mixed run with few seconds per endpoint), not a block.
      .filter((h) => h.ms <= PHYSICAL_SLACK * serviceMean(input, h.endpoint))
      // A measured delay confirms a block when its per-scrape maximum reaches half the handler's CPU:
      // the sampler's timer lands inside a block at a random point, so it sees half of it on average.
      .filter((h) => !delay || delay.maxP90 >= 0.5 * h.ms)
      .sort((a, b) => b.caused.meanWaitMs - a.caused.meanWaitMs || b.ms - a.ms)
  );
}

/**
 * Does the handler hold the loop for `eventLoop.blockingMs` or more on every request, at its judged (lower-bound)
 * CPU? A block that long is itself a wait that long for a request arriving at its start, at any load: the handler
 * blocks on its own, not only through the queue of a full core.
 */
export function blocksOnItsOwn(handler: BlockingHandler, config: RuleConfig): boolean {
  return handler.judgedMs >= config.get('eventLoop.blockingMs');
}

/** Is the probed process a Node.js runtime (by name or command line)? Node 24 names its main thread "MainThread". */
function looksLikeNode(input: DiagnosisInput): boolean {
  const data = input.probes.process?.data;
  if (!data) return false;
  return data.comm === 'node' || data.comm === 'MainThread' || /(^|[/\s])(node|nodejs)(\s|$)/.test(data.cmdline ?? '');
}
