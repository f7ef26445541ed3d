/**
 * Instances and money from a measured capacity: how many instances a target
 * rate needs when each runs at most (1 − headroom) of its maximum sustainable
 * rate, what they cost per month, and what a before/after change of capacity
 * saves at the same target. Linear scale-out is assumed (N instances serve N ×
 * one instance's rate): true behind a load balancer when the instances share
 * nothing that saturates first — a shared database is exactly what the
 * bottleneck and the USL fit are there to warn about.
 *
 * @module
 */
import type { CapacityComparison, CapacityCost, CostRow } from './types.js';

/** Hours in a month for the monthly cost: 8760 h a year / 12 (the convention cloud price lists use). */
export const HOURS_PER_MONTH = 730;

/** Default share of each instance's capacity kept free. */
export const DEFAULT_HEADROOM = 0.3;

/** A target rate to size, with a label for tables (e.g. `2× (200/s)` or `target`). */
export interface SizingTarget {
  label: string;
  rate: number;
}

/** Inputs of {@link sizeFleet}. */
export interface SizingOptions {
  targets: SizingTarget[];
  /** Share kept free, in [0, 1). */
  headroom: number;
  /** Price of one instance-hour; no monetary figures without it. */
  pricePerHour?: number;
}

/** Instances needed for `targetRate` when each serves at most (1 − headroom) × `perInstanceRate` (at least one). */
export function instancesFor(targetRate: number, perInstanceRate: number, headroom: number): number {
  const usable = perInstanceRate * (1 - headroom);
  if (!(usable > 0)) return Number.POSITIVE_INFINITY;
  // A tolerance so 2.0000000001 (float noise) stays 2 instances.
  return Math.max(1, Math.ceil(targetRate / usable - 1e-9));
}

/** Monthly cost of `instances` at `pricePerHour`. */
export function monthlyCost(instances: number, pricePerHour: number): number {
  return instances * pricePerHour * HOURS_PER_MONTH;
}

/** The targets of `--target-rate` and of `--growth` factors applied to a base rate (today's traffic). */
export function sizingTargets(options: { targetRates?: number[]; growth?: number[]; baseRate?: number }): SizingTarget[] {
  const out: SizingTarget[] = (options.targetRates ?? []).map((rate) => ({ label: 'target', rate }));
  if (options.baseRate !== undefined) {
    for (const g of options.growth ?? []) out.push({ label: `${g}×`, rate: g * options.baseRate });
  }
  return out;
}

/** Size every target for one instance's capacity `perInstanceRate`. */
export function sizeFleet(perInstanceRate: number, options: SizingOptions): CapacityCost {
  const rows: CostRow[] = options.targets.map((t) => {
    const instances = instancesFor(t.rate, perInstanceRate, options.headroom);
    return {
      label: t.label,
      targetRate: t.rate,
      instances,
      ...(options.pricePerHour !== undefined ? { monthlyCost: monthlyCost(instances, options.pricePerHour) } : {}),
    };
  });
  return {
    rows,
    perInstanceRate,
    headroom: options.headroom,
    ...(options.pricePerHour !== undefined ? { pricePerHour: options.pricePerHour } : {}),
    hoursPerMonth: HOURS_PER_MONTH,
  };
}

/** Compare two capacities (before and after a change) at the same targets. */
export function compareCapacities(
  before: { id: string; rate: number },
  after: { id: string; rate: number },
  options: SizingOptions,
): CapacityComparison {
  return {
    before,
    after,
    gained: after.rate / before.rate - 1,
    rows: options.targets.map((t) => {
      const instancesBefore = instancesFor(t.rate, before.rate, options.headroom);
      const instancesAfter = instancesFor(t.rate, after.rate, options.headroom);
      return {
        label: t.label,
        targetRate: t.rate,
        instancesBefore,
        instancesAfter,
        ...(options.pricePerHour !== undefined ? { monthlySaved: monthlyCost(instancesBefore - instancesAfter, options.pricePerHour) } : {}),
      };
    }),
  };
}
