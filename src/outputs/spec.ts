/**
 * Parsing `--out` (k6's syntax, repeatable): `json=FILE` writes JSON lines,
 * `csv=FILE` writes CSV, both of the 1 s interval metrics as the run goes.
 *
 * @module
 */
import { resolve } from 'node:path';
import { TuneupError } from '../errors.js';

/** Streaming output formats `--out` knows. */
export const OUTPUT_KINDS = ['json', 'csv'] as const;

/** A streaming output format. */
export type OutputKind = (typeof OUTPUT_KINDS)[number];

/** One parsed `--out` value. */
export interface OutputSpec {
  kind: OutputKind;
  /** Absolute path of the file to write. */
  path: string;
  /** The value as written, for messages. */
  raw: string;
}

/** k6 outputs users may try, with what to do instead (remote write and OTLP are not built yet). */
const NOT_YET: Record<string, string> = {
  'experimental-prometheus-rw': 'Prometheus remote write is not available yet; stream json= or csv= and import the file.',
  'prometheus-rw': 'Prometheus remote write is not available yet; stream json= or csv= and import the file.',
  opentelemetry: 'OTLP metrics are not available yet; stream json= or csv= and import the file.',
  'experimental-opentelemetry': 'OTLP metrics are not available yet; stream json= or csv= and import the file.',
};

/**
 * Parse repeatable `--out` values. Throws `TUNEUP_OUTPUT_INVALID` naming the
 * bad value and the accepted forms; the same file twice is refused too
 * (two writers would interleave their lines).
 */
export function parseOutputSpecs(values: readonly string[] | undefined, cwd = process.cwd()): OutputSpec[] {
  const specs: OutputSpec[] = [];
  for (const raw of values ?? []) {
    const eq = raw.indexOf('=');
    const kind = (eq < 0 ? raw : raw.slice(0, eq)).trim();
    const file = eq < 0 ? '' : raw.slice(eq + 1).trim();
    if (!(OUTPUT_KINDS as readonly string[]).includes(kind)) {
      throw new TuneupError('TUNEUP_OUTPUT_INVALID', `--out ${JSON.stringify(raw)}: unknown output "${kind}"`, {
        location: '--out',
        hint: NOT_YET[kind] ?? `Write --out json=FILE (JSON lines) or --out csv=FILE; repeat --out for several.`,
      });
    }
    if (file === '') {
      throw new TuneupError('TUNEUP_OUTPUT_INVALID', `--out ${JSON.stringify(raw)}: no file given`, {
        location: '--out',
        hint: `Name the file after the '=', e.g. --out ${kind}=metrics.${kind === 'json' ? 'jsonl' : 'csv'}.`,
      });
    }
    const path = resolve(cwd, file);
    const twice = specs.find((s) => s.path === path);
    if (twice) {
      throw new TuneupError('TUNEUP_OUTPUT_INVALID', `--out ${JSON.stringify(raw)}: ${path} is already the file of --out ${twice.raw}`, {
        location: '--out',
        hint: 'Give each --out its own file.',
      });
    }
    specs.push({ kind: kind as OutputKind, path, raw });
  }
  return specs;
}
