/**
 * `tuneup capacity` as text: the capacity line with its bracket, the steps,
 * the bottleneck, the USL fit, instances and cost, and a before/after
 * comparison — as a terminal summary and as Markdown. Both read one set of
 * tables ({@link capacityTables}) so they always say the same.
 *
 * @module
 */
import pc from 'picocolors';
import type { CapacityComparison, CapacityCost, CapacitySection } from '../capacity/types.js';
import { escapeMarkdown } from './markdown.js';

/** A titled table: header and rows of cells. */
export interface TextTable {
  title: string;
  head: string[];
  rows: string[][];
  /** Sentences under the table. */
  notes: string[];
}

/** Rates as people read them: 3 significant digits, no exponent. */
export function rate(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(3)));
}

function money(n: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function pct(fraction: number, digits = 0): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** One sentence: the maximum sustainable rate and its bracket. */
export function capacityHeadline(c: CapacitySection): string {
  const e = c.estimate;
  const tally = (r: number | undefined) => {
    const t = r === undefined ? undefined : e.tallies.find((x) => Math.abs(x.rate - r) < 1e-6);
    return t ? ` (${t.sustained} of ${t.runs} runs sustained)` : '';
  };
  const partial = c.interrupted ? ' — interrupted, partial' : '';
  if (e.status === 'below-start') return `capacity: below the lowest step${e.upper !== undefined ? `: even ${rate(e.upper)}/s failed` : ''}${partial}`;
  if (e.status === 'not-reached') return `capacity: ≥ ${rate(e.rate!)}/s — no step failed up to the ramp's cap${tally(e.rate)}${partial}`;
  return `capacity: ${rate(e.rate!)}/s${tally(e.rate)}; fails at ${rate(e.upper!)}/s${tally(e.upper)} — the knee lies in [${rate(e.rate!)}, ${rate(e.upper!)})/s${partial}`;
}

/** Every table of a capacity section, in reading order. */
export function capacityTables(c: CapacitySection): TextTable[] {
  const tables: TextTable[] = [];
  const e = c.estimate;
  const notes = [`Method: ${e.method}.`, ...e.notes];
  if (e.saturatedThroughput) {
    const s = e.saturatedThroughput;
    notes.push(`Past the knee the service finished ${rate(s.mean)}/s on average (${rate(s.min)}–${rate(s.max)}/s over ${s.steps} failing step${s.steps === 1 ? '' : 's'}): its saturated throughput, not a rate it sustains within the SLO.`);
  }
  if (c.stoppedBecause) notes.push(`Safety: ${c.stoppedBecause}.`);
  if (c.slo && c.slo.length > 0) notes.push(`SLO judged on every step: ${c.slo.map((l) => l.label).join(', ')} (plus the knee criteria: throughput tracking the offered rate, no growing queue, errors).`);
  tables.push({
    title: 'Steps',
    head: ['phase', 'offered/s', 'achieved/s', 'p50', 'p95', 'in flight', 'errors', 'verdict'],
    rows: c.steps.map((s) => [
      s.phase,
      rate(s.offeredRate),
      rate(s.achievedRate),
      s.p50Ms === null ? '-' : `${rate(s.p50Ms)} ms`,
      s.p95Ms === null ? '-' : `${rate(s.p95Ms)} ms`,
      s.concurrency === null ? '-' : rate(s.concurrency),
      pct(s.errorRate, 1),
      s.sustained ? 'sustained' : `past the knee: ${s.reasons.join('; ')}`,
    ]),
    notes,
  });
  if (c.bottleneck) {
    const b = c.bottleneck;
    const bnotes = [`Utilization law: a resource is 100 % busy at 1 / (its demand per iteration per server); measured on the ${rate(b.measuredAt)}/s step (cost model: ${b.method}).`];
    if (b.bounds[0]) bnotes.push(`Bottleneck: ${b.bounds[0].resource}, which saturates first, at ${rate(b.bounds[0].saturatesAt)}/s.`);
    if (b.saturated) bnotes.push(`Measured at the failing step: ${b.saturated.name} (${b.saturated.detail}).`);
    bnotes.push(...b.notes);
    tables.push({
      title: 'Bottleneck at the knee',
      head: ['resource', 'demand / iteration', 'servers', 'saturates at', 'utilization at capacity'],
      rows: b.bounds.map((x) => [x.resource, `${x.demandMs} ms`, String(x.servers), `${rate(x.saturatesAt)}/s`, x.utilizationAtCapacity === undefined ? '-' : pct(x.utilizationAtCapacity)]),
      notes: bnotes,
    });
  }
  if (c.usl.ok) {
    const f = c.usl.fit;
    tables.push({
      title: 'Universal Scalability Law',
      head: ['λ (per request in flight)', 'σ (contention)', 'κ (coherency)', 'N_max', 'X at N_max', 'R²', 'RMSE', 'MAPE'],
      rows: [[`${rate(f.lambda)}/s`, f.sigma.toPrecision(3), f.kappa.toPrecision(3), f.nMax === null ? '∞ (κ = 0)' : String(f.nMax), f.xMax === null ? '-' : `${rate(f.xMax)}/s`, f.r2.toFixed(3), `${rate(f.rmse)}/s`, pct(f.mape, 1)]],
      notes: [
        `X(N) = λN / (1 + σ(N−1) + κN(N−1)) fitted to ${f.points.length} steps (N = mean requests in flight, Little's law; X = iterations finished per second), σ, κ ≥ 0.`,
        ...(f.nMax !== null && f.points.every((p) => p.n < f.nMax!) ? [`N_max lies beyond every measured concurrency (max ${rate(Math.max(...f.points.map((p) => p.n)))}): an extrapolation.`] : []),
      ],
    });
  } else {
    tables.push({ title: 'Universal Scalability Law', head: [], rows: [], notes: [`No fit: ${c.usl.reason}.`] });
  }
  if (c.cost) tables.push(costTable(c.cost));
  if (c.comparison) tables.push(comparisonTable(c.comparison, c.cost));
  return tables;
}

/** The sizing table: instances and monthly cost per target rate. */
export function costTable(cost: CapacityCost): TextTable {
  return {
    title: 'Instances and cost',
    head: ['target', 'rate', 'instances', ...(cost.pricePerHour !== undefined ? ['monthly cost'] : [])],
    rows: cost.rows.map((r) => [r.label, `${rate(r.targetRate)}/s`, Number.isFinite(r.instances) ? String(r.instances) : '∞', ...(r.monthlyCost !== undefined ? [money(r.monthlyCost)] : [])]),
    notes: [
      `One instance sustains ${rate(cost.perInstanceRate)}/s; sized to run each at most ${pct(1 - cost.headroom)} of that (headroom ${pct(cost.headroom)}).${cost.pricePerHour !== undefined ? ` ${money(cost.pricePerHour)} per instance-hour × ${cost.hoursPerMonth} h a month (8760 h / 12).` : ''}`,
      'Assumes linear scale-out: instances share nothing that saturates first (a shared database is the usual exception — see the bottleneck).',
    ],
  };
}

/** The before/after table. */
export function comparisonTable(c: CapacityComparison, cost?: CapacityCost): TextTable {
  const withMoney = c.rows.some((r) => r.monthlySaved !== undefined);
  return {
    title: 'Before / after',
    head: ['target', 'rate', 'instances before', 'instances after', ...(withMoney ? ['saved per month'] : [])],
    rows: c.rows.map((r) => [r.label, `${rate(r.targetRate)}/s`, String(r.instancesBefore), String(r.instancesAfter), ...(r.monthlySaved !== undefined ? [money(r.monthlySaved)] : [])]),
    notes: [
      `Capacity ${rate(c.before.rate)}/s (${c.before.id}) → ${rate(c.after.rate)}/s (${c.after.id}): ${c.gained >= 0 ? '+' : ''}${pct(c.gained, 1)}.`,
      ...(cost ? [`Headroom ${pct(cost.headroom)}; ${cost.hoursPerMonth} h a month.`] : []),
    ],
  };
}

/** Options of {@link renderCapacitySummary}. */
export interface CapacitySummaryOptions {
  color: boolean;
}

/** Terminal summary of a capacity section. */
export function renderCapacitySummary(c: CapacitySection, options: CapacitySummaryOptions): string {
  const bold = options.color ? pc.bold : (s: string) => s;
  const out = [bold(capacityHeadline(c))];
  for (const t of capacityTables(c)) {
    out.push('', bold(t.title));
    if (t.rows.length > 0) out.push(...aligned([t.head, ...t.rows]).map((l) => `  ${l}`));
    for (const n of t.notes) out.push(`  ${n}`);
  }
  return out.join('\n');
}

/** Markdown of a capacity section (a `summary.md` section or a PR comment). */
export function renderCapacityMarkdown(c: CapacitySection): string {
  const out = [`### ${escapeMarkdown(capacityHeadline(c))}`];
  for (const t of capacityTables(c)) {
    out.push('', `**${escapeMarkdown(t.title)}**`, '');
    if (t.rows.length > 0) {
      out.push(`| ${t.head.map(escapeMarkdown).join(' | ')} |`, `|${t.head.map(() => ' --- ').join('|')}|`);
      for (const r of t.rows) out.push(`| ${r.map(escapeMarkdown).join(' | ')} |`);
      out.push('');
    }
    for (const n of t.notes) out.push(`- ${escapeMarkdown(n)}`);
  }
  return `${out.join('\n')}\n`;
}

function aligned(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length))).join('  '));
}
