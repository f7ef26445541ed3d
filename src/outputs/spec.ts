/**
 * Parsing `--out` (k6's syntax, repeatable): `json=FILE` writes JSON lines,
 * `csv=FILE` writes CSV, both of the 1 s interval metrics as the run goes;
 * `experimental-prometheus-rw[=URL]` pushes them with Prometheus remote
 * write and `opentelemetry[=URL]` as OTLP metrics over HTTP.
 *
 * @module
 */
import { resolve } from 'node:path';
import { TuneupError } from '../errors.js';
import { redactText } from '../store/redact.js';

/** Streaming output formats `--out` knows (canonical names). */
export const OUTPUT_KINDS = ['json', 'csv', 'prometheus-rw', 'opentelemetry'] as const;

/** A streaming output format. */
export type OutputKind = (typeof OUTPUT_KINDS)[number];

/** Outputs that push to a URL rather than write a file. */
export type PushOutputKind = Extract<OutputKind, 'prometheus-rw' | 'opentelemetry'>;

/** Other names accepted for a kind: k6's (`experimental-…`) and short ones. */
const ALIASES: Record<string, OutputKind> = {
  'experimental-prometheus-rw': 'prometheus-rw',
  'prometheus-rw': 'prometheus-rw',
  'experimental-opentelemetry': 'opentelemetry',
  opentelemetry: 'opentelemetry',
  otlp: 'opentelemetry',
};

/** Where a push output sends when no URL is given (k6's remote-write default; the OTLP/HTTP default port). */
export const DEFAULT_PUSH_URLS: Record<PushOutputKind, string> = {
  'prometheus-rw': 'http://localhost:9090/api/v1/write',
  opentelemetry: 'http://localhost:4318/v1/metrics',
};

/** One parsed `--out` value that writes a file. */
export interface FileOutputSpec {
  kind: 'json' | 'csv';
  /** Absolute path of the file to write. */
  path: string;
  /** The value as written, for messages. */
  raw: string;
}

/** One parsed `--out` value that pushes to a URL. */
export interface PushOutputSpec {
  kind: PushOutputKind;
  /** The endpoint, credentials included (never printed: use {@link PushOutputSpec.raw}). */
  url: string;
  /** The value as written, secrets redacted, for messages. */
  raw: string;
}

/** One parsed `--out` value. */
export type OutputSpec = FileOutputSpec | PushOutputSpec;

/**
 * Parse repeatable `--out` values. Throws `TUNEUP_OUTPUT_INVALID` naming the
 * bad value and the accepted forms; the same file twice is refused too
 * (two writers would interleave their lines).
 */
export function parseOutputSpecs(values: readonly string[] | undefined, cwd = process.cwd()): OutputSpec[] {
  const specs: OutputSpec[] = [];
  for (const raw of values ?? []) {
    const eq = raw.indexOf('=');
    const name = (eq < 0 ? raw : raw.slice(0, eq)).trim();
    const value = eq < 0 ? '' : raw.slice(eq + 1).trim();
    const kind = name === 'json' || name === 'csv' ? name : Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined;
    if (kind === undefined) {
      throw new TuneupError('TUNEUP_OUTPUT_INVALID', `--out ${JSON.stringify(redactText(raw))}: unknown output "${name}"`, {
        location: '--out',
        hint: 'Write --out json=FILE (JSON lines), csv=FILE, experimental-prometheus-rw=URL or opentelemetry=URL; repeat --out for several.',
      });
    }
    if (kind === 'prometheus-rw' || kind === 'opentelemetry') {
      specs.push({ kind, url: pushUrl(raw, kind, value), raw: redactText(raw) });
      continue;
    }
    if (value === '') {
      throw new TuneupError('TUNEUP_OUTPUT_INVALID', `--out ${JSON.stringify(raw)}: no file given`, {
        location: '--out',
        hint: `Name the file after the '=', e.g. --out ${kind}=metrics.${kind === 'json' ? 'jsonl' : 'csv'}.`,
      });
    }
    const path = resolve(cwd, value);
    const twice = specs.find((s) => 'path' in s && s.path === path);
    if (twice) {
      throw new TuneupError('TUNEUP_OUTPUT_INVALID', `--out ${JSON.stringify(raw)}: ${path} is already the file of --out ${twice.raw}`, {
        location: '--out',
        hint: 'Give each --out its own file.',
      });
    }
    specs.push({ kind, path, raw });
  }
  return specs;
}

/** The URL of a push output: the given one (http or https) or the kind's default. */
function pushUrl(raw: string, kind: PushOutputKind, value: string): string {
  if (value === '') return DEFAULT_PUSH_URLS[kind];
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new TuneupError('TUNEUP_OUTPUT_INVALID', `--out ${JSON.stringify(redactText(raw))}: "${redactText(value)}" is not an http(s) URL`, {
      location: '--out',
      hint: `Give the full endpoint, e.g. --out ${raw.slice(0, raw.indexOf('='))}=${DEFAULT_PUSH_URLS[kind]}.`,
    });
  }
  return url.href;
}
