/**
 * Turning a {@link RunOutcome} into the RunResult v1 JSON, and storing it.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { arch, availableParallelism, hostname, platform, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactArgument, redactConnection, redactValue, writeJsonAtomic } from '../store/index.js';
export { writeJsonAtomic } from '../store/index.js';
import { RUN_RESULT_SCHEMA_VERSION, type LoadModel, type RunResult } from '../result/types.js';
import type { RunOutcome } from './run.js';

/** Default directory of stored runs. */
export const DEFAULT_RUNS_DIR = '.tuneup/runs';

/** Extra data for {@link assembleRunResult}. */
export interface ResultMeta {
  /** tuneup version (default: read from package.json). */
  version?: string;
  /** Command line, for the record (secrets are redacted). */
  argv?: string[];
  /** `--tag key=value` labels. */
  labels?: Record<string, string>;
  /** Run id (default: generated from the start time). */
  id?: string;
}


/** Build the RunResult from a run outcome. Pure apart from reading the environment. */
export function assembleRunResult(outcome: RunOutcome, meta: ResultMeta = {}): RunResult {
  const m = outcome.metrics;
  const planJson = redactValue(outcome.plan.json) as RunResult['plan'];
  const result: RunResult = {
    schemaVersion: RUN_RESULT_SCHEMA_VERSION,
    tool: { name: 'tuneup', version: meta.version ?? packageVersion() },
    id: meta.id ?? runId(outcome.startedAt),
    status: outcome.status,
    ...(outcome.statusReason !== undefined ? { statusReason: outcome.statusReason } : {}),
    startedAt: outcome.startedAt,
    endedAt: outcome.endedAt,
    durationMs: outcome.durationMs,
    plan: {
      ...planJson,
      ...(outcome.plan.baseUrl !== undefined ? { baseUrl: redactConnection(outcome.plan.baseUrl) } : {}),
      ...(outcome.plan.source !== undefined ? { source: redactValue(outcome.plan.source) as typeof outcome.plan.source } : {}),
    },
    environment: {
      node: process.version,
      platform: platform(),
      arch: arch(),
      cpus: availableParallelism(),
      totalMemoryBytes: totalmem(),
      hostname: hostname(),
      ...(meta.argv ? { argv: meta.argv.map(redactArgument) } : {}),
    },
    model: modelOf(outcome.scenarios.map((s) => s.model)),
    scenarios: outcome.scenarios,
    metrics: m.metrics,
    endpoints: m.endpoints,
    totals: m.totals,
    series: m.series,
    generator: outcome.generator,
    thresholds: outcome.thresholds,
    ...(outcome.probes.length > 0 ? { probes: outcome.probes } : {}),
    ...(m.loadFacts ? { loadFacts: m.loadFacts } : {}),
    warnings: outcome.warnings,
    labels: meta.labels ?? {},
  };
  // Scenario options, tags and URLs anywhere in the result can carry a secret the plan's author typed: redact the whole value once.
  return redactValue(result) as RunResult;
}

/** `open`, `closed`, or `mixed` when both occur. */
export function modelOf(models: readonly LoadModel[]): LoadModel | 'mixed' {
  const set = new Set(models);
  if (set.size === 1) return models[0]!;
  if (set.size === 0) return 'closed';
  return 'mixed';
}

/** Sortable run id `YYYYMMDD-HHMMSS-xxxx` (UTC, 4 random hex digits). */
export function runId(epochMs: number = Date.now()): string {
  const d = new Date(epochMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  const date = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`;
  const time = `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return `${date}-${time}-${randomBytes(2).toString('hex')}`;
}

/**
 * Write `result` to `<dir>/<id>/result.json` atomically (see
 * {@link writeJsonAtomic}), so a crash never leaves a truncated result.
 * Returns the path.
 */
export async function writeRunResult(result: RunResult, dir: string = DEFAULT_RUNS_DIR): Promise<string> {
  const runDir = join(dir, result.id);
  await mkdir(runDir, { recursive: true });
  const path = join(runDir, 'result.json');
  await writeJsonAtomic(path, result);
  return path;
}

let version: string | undefined;

/** The `version` of the nearest package.json named tuneup above this module. */
function packageVersion(): string {
  if (version !== undefined) return version;
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'tuneup' && pkg.version) return (version = pkg.version);
      } catch {
        // keep looking
      }
    }
    dir = join(dir, '..');
  }
  return (version = '0.0.0');
}
