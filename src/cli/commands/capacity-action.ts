/**
 * What `tuneup capacity` does (declared in capacity.ts): the breakpoint
 * search with its progress, sizing and cost, stored and printed; or two
 * stored capacity results compared.
 * @module
 */
import { join } from 'node:path';
import { runCapacity, type CapacityHooks } from '../../capacity/run.js';
import { CAPACITY_DEFAULTS, type CapacityOptions } from '../../capacity/options.js';
import { compareCapacities, sizeFleet, sizingTargets, type SizingOptions } from '../../capacity/cost.js';
import type { CapacitySection } from '../../capacity/types.js';
import { ExitCode, TuneupError } from '../../errors.js';
import { parseDuration } from '../../plan/index.js';
import { loadRun, writeFileAtomic } from '../../report/index.js';
import { renderCapacityMarkdown, renderCapacitySummary, rate } from '../../report/capacity-text.js';
import { setExitCode } from '../exit.js';
import type { CliIO } from '../io.js';
import { parsePositiveInt, parsePositiveNumber } from '../options.js';
import { loadPlanFromFlags, parseStepSearch, runInterruptible, runProgressHooks, steppedProbes, storeAndPrint } from '../stepped-command.js';
import type { StoredRunFlags } from '../stepped-options.js';
import type { CapacityFlags } from './capacity.js';

/** Run `tuneup capacity`. */
export async function capacityAction(planPath: string | undefined, flags: CapacityFlags & StoredRunFlags & { compare?: string }, io: CliIO): Promise<void> {
  const sizing = sizingFromFlags(flags);
  if (flags.compare !== undefined) {
    await compareCommand(flags.compare, sizing, io, { json: Boolean(flags.json), quiet: Boolean(flags.quiet) });
    return;
  }
  if (planPath === undefined) {
    throw new TuneupError('TUNEUP_OPTION_MISSING', 'tuneup capacity needs a plan (or --compare BEFORE,AFTER)', { hint: 'Run `tuneup capacity plan.yaml`, or `tuneup capacity --compare RUN_A,RUN_B` for two stored capacity results.' });
  }
  const { plan } = await loadPlanFromFlags(planPath, flags);
  const options = optionsFromFlags(flags);

  const { setup, fresh } = await steppedProbes(flags, plan, (line) => io.err(line));
  const configured = setup.probes.length > 0;

  const quiet = Boolean(flags.quiet || flags.json);
  const notice = 'stopping: the current step ends gracefully, then the partial result is written; press Ctrl-C again to stop now';
  const outcome = await runInterruptible(io, setup.cleanup, { quiet, notice }, ({ signal, hardSignal }) => runCapacity(
    {
      plan,
      ...(configured ? { probes: fresh } : {}),
      targetPid: setup.targetPid,
      signal,
      hardSignal,
      argv: process.argv.slice(2),
      hooks: quiet ? {} : progressHooks(io),
    },
    options,
  ));
  if (!outcome.result) {
    if (!quiet) io.err('interrupted before any step finished: nothing to store');
    setExitCode(ExitCode.INTERRUPTED);
    return;
  }
  const capacity = withCost(outcome.capacity, sizing, outcome.capacity.requestedRate);
  // A blank line between the summary and where the files went.
  await storeAndPrint(io, { ...outcome.result, capacity }, flags, () => [renderCapacitySummary(capacity, { color: io.color }), '']);
  if (capacity.interrupted) setExitCode(ExitCode.INTERRUPTED);
}

/** The search's options from the flags; bad values are TUNEUP_OPTION_INVALID with the fix. */
export function optionsFromFlags(flags: CapacityFlags): CapacityOptions {
  const d = CAPACITY_DEFAULTS;
  const search = parseStepSearch(flags, d);
  const options: CapacityOptions = {
    ...d,
    ...search,
    gapMs: flags.gap === '0' || flags.gap === '0s' ? 0 : parseDuration(flags.gap, '--gap'),
    repeat: {
      ...d.repeat,
      repeats: parsePositiveInt(flags.repeats, '--repeats') ?? d.repeat.repeats,
      points: parsePositiveInt(flags.repeatPoints, '--repeat-points') ?? d.repeat.points,
    },
  };
  if (options.stepMs < 2000) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `--step ${flags.step} is too short to judge a step`, { location: '--step', hint: 'Give at least 2s: the first second of a step is warm-up, and the growth of latency needs three steady seconds (5s is the default).' });
  }
  if (options.repeat.points < 2) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `--repeat-points ${flags.repeatPoints}: need at least 2`, { location: '--repeat-points', hint: 'The repeated rates run from the highest sustained to the lowest failing rate: give 2 or more (3 is the default).' });
  }
  return options;
}

/** What the sizing flags ask for. */
interface SizingFlags {
  targets: number[];
  growth: number[];
  baseRate?: number;
  headroom: number;
  pricePerHour?: number;
}

/** Parse the sizing flags (target rates, growth, headroom, price). */
export function sizingFromFlags(flags: Pick<CapacityFlags, 'targetRate' | 'growth' | 'baseRate' | 'headroom' | 'pricePerHour'>): SizingFlags {
  const headroom = Number(flags.headroom);
  if (!Number.isFinite(headroom) || headroom < 0 || headroom >= 1) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `--headroom ${JSON.stringify(flags.headroom)}: expected a fraction in [0, 1)`, { location: '--headroom', hint: 'Give the share of each instance kept free, e.g. --headroom 0.3 (30 %); 0 sizes instances to run at their full capacity.' });
  }
  return {
    targets: numberList(flags.targetRate, '--target-rate', 'e.g. --target-rate 500 or --target-rate 500,1000 (iterations/s)'),
    growth: numberList(flags.growth, '--growth', 'e.g. --growth 2,3,5 (multiples of the base rate)'),
    headroom,
    ...(flags.baseRate !== undefined ? { baseRate: parsePositiveNumber(flags.baseRate, '--base-rate')! } : {}),
    ...(flags.pricePerHour !== undefined ? { pricePerHour: parsePositiveNumber(flags.pricePerHour, '--price-per-hour')! } : {}),
  };
}

function numberList(value: string | undefined, flag: string, example: string): number[] {
  if (value === undefined) return [];
  const items = value.split(',').map((s) => s.trim());
  const numbers = items.map(Number);
  const bad = items.filter((s, i) => s === '' || !Number.isFinite(numbers[i]!) || numbers[i]! <= 0);
  if (bad.length > 0) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `${flag} ${JSON.stringify(value)}: ${bad.map((b) => JSON.stringify(b)).join(', ')} is not a positive number`, { location: flag, hint: `Give positive numbers separated by commas, ${example}.` });
  }
  return numbers;
}

/** The sizing options for the cost tables; undefined when no target or growth was asked for. */
function sizingOptions(sizing: SizingFlags, planRate: number | undefined): SizingOptions | undefined {
  if (sizing.targets.length === 0 && sizing.growth.length === 0) return undefined;
  const baseRate = sizing.baseRate ?? planRate;
  if (sizing.growth.length > 0 && baseRate === undefined) {
    throw new TuneupError('TUNEUP_OPTION_MISSING', '--growth needs a base rate, and the plan has none (its scenarios are closed-model)', { location: '--growth', hint: "Give today's rate with --base-rate N (iterations/s), or size for absolute rates with --target-rate." });
  }
  return {
    targets: sizingTargets({ targetRates: sizing.targets, growth: sizing.growth, ...(baseRate !== undefined ? { baseRate } : {}) }),
    headroom: sizing.headroom,
    ...(sizing.pricePerHour !== undefined ? { pricePerHour: sizing.pricePerHour } : {}),
  };
}

/** The capacity section with its cost tables (when sizing was asked for and a capacity was measured). */
function withCost(capacity: CapacitySection, sizing: SizingFlags, planRate: number | undefined): CapacitySection {
  const options = sizingOptions(sizing, planRate);
  const perInstance = capacity.estimate.rate;
  if (!options || perInstance === undefined || capacity.estimate.status === 'below-start') return capacity;
  return { ...capacity, cost: sizeFleet(perInstance, options) };
}

/** `--compare BEFORE,AFTER`: capacity gained and monthly cost saved, written next to the AFTER run. */
async function compareCommand(spec: string, sizing: SizingFlags, io: CliIO, output: { json: boolean; quiet: boolean }): Promise<void> {
  const ids = spec.split(',').map((s) => s.trim());
  if (ids.length !== 2 || ids.some((s) => s === '')) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `--compare ${JSON.stringify(spec)}: expected two run ids separated by a comma`, { location: '--compare', hint: 'Give the capacity runs before and after the change, e.g. --compare 20260101-120000-ab12,20260102-120000-cd34 (or latest for the newest).' });
  }
  const [before, after] = await Promise.all(ids.map((id) => loadRun(id)));
  const rateOf = (run: Awaited<ReturnType<typeof loadRun>>, side: string): number => {
    const r = run.result.capacity?.estimate.rate;
    if (r === undefined || run.result.capacity?.estimate.status === 'below-start') {
      throw new TuneupError('TUNEUP_CAPACITY_MISSING', `${side} run ${run.result.id} holds no measured capacity${run.result.capacity ? ' (its search found none)' : ' (it is not a `tuneup capacity` run)'}`, { location: '--compare', hint: 'Compare two runs made by `tuneup capacity PLAN`, each of which found a maximum sustainable rate.' });
    }
    return r;
  };
  const b = { id: before!.result.id, rate: rateOf(before!, 'the before') };
  const a = { id: after!.result.id, rate: rateOf(after!, 'the after') };
  const options = sizingOptions(sizing, after!.result.capacity?.requestedRate) ?? { targets: [], headroom: sizing.headroom, ...(sizing.pricePerHour !== undefined ? { pricePerHour: sizing.pricePerHour } : {}) };
  const comparison = compareCapacities(b, a, options);
  // The after run's section, with the comparison and its sizing: the same renderers as a capacity run.
  const section: CapacitySection = { ...after!.result.capacity!, comparison, ...(options.targets.length > 0 ? { cost: sizeFleet(a.rate, options) } : {}) };
  const md = join(after!.dir, 'capacity-compare.md');
  await writeFileAtomic(md, renderCapacityMarkdown(section));
  if (output.json) io.out(JSON.stringify(comparison));
  else if (!output.quiet) {
    io.out(renderCapacitySummary(section, { color: io.color }));
    io.out(`\ncapacity ${rate(b.rate)}/s → ${rate(a.rate)}/s · markdown: ${md}`);
  }
}

/** Progress on stderr: the plan up front, one line per step, a live line during each step. */
function progressHooks(io: CliIO): CapacityHooks {
  return {
    onPlan({ rates, requestedRate, search, repeat }) {
      io.err(
        `plan: steps ${rates.map(rate).join(', ')}/s (×${search.factor}) until a step fails, ≤ ${search.bisections} bisections, then ${repeat.repeats} runs at ${repeat.points} rates near the knee` +
          (requestedRate !== undefined ? `; the plan asks for ${rate(requestedRate)}/s` : ''),
      );
    },
    ...runProgressHooks(io, rate),
  };
}
