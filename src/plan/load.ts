/**
 * `loadPlan(path)`: read a plan file of any supported kind and resolve it.
 *
 * - `.ts`/`.mts`/`.cts` through tsx's `tsImport` (no build step),
 * - `.js`/`.mjs`/`.cjs` through dynamic import,
 * - `.yaml`/`.yml`/`.json` through `yaml` (JSON is YAML), with line numbers.
 *
 * A code plan's default export is `defineTest({...})`; a k6-style module
 * (`export const options = {...}; export default function (vu) {...}`) is
 * accepted too.
 *
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ScenarioFunction } from '../engine/types.js';
import { isTuneupError, TuneupError } from '../errors.js';
import { parseYamlSource } from './locate.js';
import type { PlanOverrides } from './options.js';
import { resolvePlan } from './resolve.js';
import type { ResolvedPlan } from './types.js';

/** Options of {@link loadPlan}. */
export interface LoadPlanOptions {
  /** Environment for plan code, templates and `TUNEUP_*` overrides (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Command-line overrides (`--base-url`, `--timeout`, `--profile`, `--rate`, `--duration`). */
  overrides?: PlanOverrides;
  /** Include the stack of an error thrown by plan code. */
  verbose?: boolean;
}

const CODE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);
const DATA_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Load, validate and resolve a plan file.
 * @throws TuneupError `TUNEUP_PLAN_NOT_FOUND`, `TUNEUP_PLAN_INVALID`, `TUNEUP_THRESHOLD_INVALID`,
 *   `TUNEUP_OPTION_INVALID` or `TUNEUP_SCRIPT_ERROR` (plan code threw at import).
 */
export async function loadPlan(path: string, options: LoadPlanOptions = {}): Promise<ResolvedPlan> {
  const file = resolvePath(path);
  const extension = extname(file).toLowerCase();
  try {
    const info = await stat(file);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new TuneupError('TUNEUP_PLAN_NOT_FOUND', `plan file not found: ${path}`, {
        location: path,
        hint: 'Check the path; plans are .ts, .js, .yaml, .yml or .json files.',
      });
    }
    throw error;
  }
  const common = { env: options.env, overrides: options.overrides };
  if (DATA_EXTENSIONS.has(extension)) {
    const text = await readFile(file, 'utf8');
    const parsed = parseYamlSource(text, path);
    return resolvePlan({ ...common, raw: parsed.value, source: path, locate: parsed.locate, baseDir: resolvePath(file, '..') });
  }
  if (CODE_EXTENSIONS.has(extension)) {
    const module = await importPlanModule(file, path, extension, options.verbose === true);
    return resolveCodePlan(module, path, file, common);
  }
  throw new TuneupError('TUNEUP_PLAN_INVALID', `unsupported plan file type "${extension || '(none)'}": ${path}`, {
    location: path,
    hint: 'Write the plan as .ts, .js, .mjs, .yaml, .yml or .json.',
  });
}

async function importPlanModule(file: string, shown: string, extension: string, verbose: boolean): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  try {
    if (extension === '.ts' || extension === '.mts' || extension === '.cts') {
      const { tsImport } = await import('tsx/esm/api');
      return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    }
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if (isTuneupError(error)) throw error;
    const original = error instanceof Error ? error : new Error(String(error));
    const detail = verbose && original.stack ? `\n${original.stack}` : '';
    throw new TuneupError('TUNEUP_SCRIPT_ERROR', `${shown}: plan code threw while loading: ${original.message}${detail}`, {
      location: shown,
      cause: error,
      hint: 'Fix the error in the plan file (run with --verbose for the stack trace).',
    });
  }
}

function resolveCodePlan(
  module: Record<string, unknown>,
  shown: string,
  file: string,
  common: { env?: Record<string, string | undefined>; overrides?: PlanOverrides },
): ResolvedPlan {
  let exported = module.default;
  // A CommonJS plan compiled by tsx exposes `module.exports` as default.
  if (isObject(exported) && 'default' in exported && !('scenarios' in exported) && !('profile' in exported)) {
    exported = (exported as Record<string, unknown>).default;
  }
  let definition: Record<string, unknown>;
  if (typeof exported === 'function') {
    // k6 style: options in `export const options`, the iteration as default.
    definition = { ...(isObject(module.options) ? module.options : {}), default: exported };
  } else if (isObject(exported)) {
    definition = exported;
  } else {
    throw new TuneupError('TUNEUP_PLAN_INVALID', `${shown}: no default export; a plan module must \`export default defineTest({ ... })\``, {
      location: shown,
      hint: "Add `import { defineTest } from 'tuneup'` and `export default defineTest({ scenarios: { ... }, default: async (vu) => { ... } })`.",
    });
  }
  const { default: defaultFn, functions, ...raw } = definition;
  const problems: string[] = [];
  if (defaultFn !== undefined && typeof defaultFn !== 'function') problems.push(`default: expected a function (vu) => { ... }, got ${typeof defaultFn}`);
  if (functions !== undefined) {
    if (!isObject(functions)) problems.push('functions: expected an object of named functions');
    else {
      for (const [name, fn] of Object.entries(functions)) {
        if (typeof fn !== 'function') problems.push(`functions.${name}: expected a function, got ${typeof fn}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new TuneupError('TUNEUP_PLAN_INVALID', `invalid plan: ${problems.map((p) => `${shown} ${p}`).join('\n  ')}`, {
      location: shown,
      hint: 'Scenario functions take the virtual user: async (vu) => { await vu.http.get(...) }.',
    });
  }
  return resolvePlan({
    ...common,
    raw,
    source: shown,
    defaultFn: defaultFn as ScenarioFunction | undefined,
    functions: functions as Record<string, ScenarioFunction> | undefined,
    baseDir: resolvePath(file, '..'),
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
