/**
 * Parser for the Prometheus text exposition format (0.0.4) and the
 * OpenMetrics text format. Own code because the popular npm parser flattens
 * labelled histograms (it loses which `_bucket` belongs to which label set).
 *
 * What it keeps: `# HELP` / `# TYPE` per family, every sample with its labels
 * (escapes `\\`, `\"`, `\n` decoded), optional timestamps, NaN and ±Inf, and it
 * groups histogram (`_bucket`/`_sum`/`_count`/`_created`) and summary
 * (quantile samples/`_sum`/`_count`) samples into one object per label set.
 * `# EOF` ends an OpenMetrics exposition. Malformed lines are skipped and
 * reported in `errors` (a scrape must never throw because one line is odd).
 *
 * @module
 */

/** Metric family type as declared by `# TYPE` (`untyped` when undeclared). */
export type PromMetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset'
  | 'unknown'
  | 'untyped';

/** One exposition line: a sample name, its labels, value and optional timestamp (ms). */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

/** A histogram for one label set (without `le`). Buckets are cumulative and sorted by `le`. */
export interface PromHistogram {
  labels: Record<string, string>;
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
  /** Epoch seconds from the `_created` sample, when exposed. */
  created?: number;
}

/** A summary for one label set (without `quantile`). */
export interface PromSummary {
  labels: Record<string, string>;
  quantiles: { quantile: number; value: number }[];
  sum: number;
  count: number;
  created?: number;
}

/** All samples of one metric family. */
export interface PromFamily {
  name: string;
  type: PromMetricType;
  help?: string;
  unit?: string;
  samples: PromSample[];
  /** Present for histogram families: one entry per label set. */
  histograms?: PromHistogram[];
  /** Present for summary families: one entry per label set. */
  summaries?: PromSummary[];
}

/** Result of parsing one exposition. */
export interface PromExposition {
  /** Families by name, in order of first appearance. */
  families: Map<string, PromFamily>;
  /** Lines that could not be parsed (line number and reason); the rest is still usable. */
  errors: { line: number; message: string }[];
}

const SUFFIXES_BY_TYPE: Partial<Record<PromMetricType, string[]>> = {
  histogram: ['_bucket', '_sum', '_count', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['_sum', '_count', '_created'],
  counter: ['_total', '_created'],
  info: ['_info'],
};

/**
 * Parse a Prometheus / OpenMetrics text exposition.
 *
 * @param text - the body of a `/metrics` response
 * @returns the families (with histograms and summaries grouped by label set) and any line errors
 */
export function parsePrometheusText(text: string): PromExposition {
  const families = new Map<string, PromFamily>();
  const errors: { line: number; message: string }[] = [];
  const lines = text.split('\n');

  const family = (name: string): PromFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', samples: [] };
      families.set(name, f);
    }
    return f;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      if (trimmed === '# EOF') break;
      const m = /^#\s+(HELP|TYPE|UNIT)\s+(\S+)(?:\s+(.*))?$/.exec(trimmed);
      if (!m) continue; // ordinary comment
      const [, kind, name, rest = ''] = m;
      const f = family(name!);
      if (kind === 'HELP') f.help = unescapeHelp(rest);
      else if (kind === 'UNIT') f.unit = rest;
      else f.type = normalizeType(rest.trim());
      continue;
    }
    try {
      const sample = parseSampleLine(trimmed);
      family(familyNameFor(sample.name, families)).samples.push(sample);
    } catch (err) {
      errors.push({ line: i + 1, message: (err as Error).message });
    }
  }

  for (const f of families.values()) {
    if (f.type === 'histogram' || f.type === 'gaugehistogram') f.histograms = groupHistograms(f);
    else if (f.type === 'summary') f.summaries = groupSummaries(f);
  }
  // Families created only by a stray HELP with no samples stay (they document intent); harmless.
  return { families, errors };
}

function normalizeType(raw: string): PromMetricType {
  const known: PromMetricType[] = ['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown', 'untyped'];
  return (known as string[]).includes(raw) ? (raw as PromMetricType) : 'untyped';
}

/** Map a sample name to its declared family (`foo_bucket` → `foo` when `foo` is a histogram). */
function familyNameFor(sampleName: string, families: Map<string, PromFamily>): string {
  const exact = families.get(sampleName);
  if (exact && exact.type !== 'untyped') return sampleName;
  for (const [type, suffixes] of Object.entries(SUFFIXES_BY_TYPE)) {
    for (const suffix of suffixes) {
      if (!sampleName.endsWith(suffix)) continue;
      const base = sampleName.slice(0, -suffix.length);
      const f = families.get(base);
      if (f && f.type === type) return base;
    }
  }
  return sampleName;
}

/** Parse `name{a="b",c="d"} value [timestamp]`. Throws on malformed input. */
export function parseSampleLine(line: string): PromSample {
  let pos = 0;
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error(`invalid metric name in "${line.slice(0, 60)}"`);
  const name = nameMatch[0];
  pos = name.length;
  const labels: Record<string, string> = {};
  while (line[pos] === ' ' || line[pos] === '\t') pos++;
  if (line[pos] === '{') {
    pos++;
    for (;;) {
      while (line[pos] === ' ' || line[pos] === ',') pos++;
      if (line[pos] === '}') {
        pos++;
        break;
      }
      const key = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(pos));
      if (!key) throw new Error(`invalid label name at column ${pos + 1}`);
      pos += key[0].length;
      while (line[pos] === ' ') pos++;
      if (line[pos] !== '=') throw new Error(`expected '=' after label ${key[0]}`);
      pos++;
      while (line[pos] === ' ') pos++;
      if (line[pos] !== '"') throw new Error(`expected '"' for label ${key[0]}`);
      pos++;
      let value = '';
      for (;;) {
        const ch = line[pos];
        if (ch === undefined) throw new Error(`unterminated value for label ${key[0]}`);
        if (ch === '\\') {
          const next = line[pos + 1];
          value += next === 'n' ? '\n' : next === '"' ? '"' : next === '\\' ? '\\' : `\\${next ?? ''}`;
          pos += 2;
          continue;
        }
        if (ch === '"') {
          pos++;
          break;
        }
        value += ch;
        pos++;
      }
      labels[key[0]] = value;
    }
  }
  const rest = line.slice(pos).trim();
  // OpenMetrics exemplars follow ` # `; they are not needed for diagnosis.
  const withoutExemplar = rest.split(' # ')[0]!.trim();
  const parts = withoutExemplar.split(/\s+/);
  if (parts.length === 0 || parts[0] === '') throw new Error(`missing value for ${name}`);
  const value = parseNumber(parts[0]!);
  if (value === undefined) throw new Error(`invalid value "${parts[0]}" for ${name}`);
  const sample: PromSample = { name, labels, value };
  if (parts[1] !== undefined) {
    const ts = Number(parts[1]);
    if (!Number.isFinite(ts)) throw new Error(`invalid timestamp "${parts[1]}" for ${name}`);
    // Prometheus 0.0.4 timestamps are integer ms; OpenMetrics uses (fractional) seconds.
    sample.timestampMs = parts[1].includes('.') || ts < 1e11 ? ts * 1000 : ts;
  }
  return sample;
}

/** Parse a sample value, accepting Go's spellings of the special values. */
export function parseNumber(raw: string): number | undefined {
  switch (raw) {
    case '+Inf':
    case 'Inf':
    case '+inf':
    case 'inf':
      return Infinity;
    case '-Inf':
    case '-inf':
      return -Infinity;
    case 'NaN':
    case 'nan':
      return NaN;
  }
  const n = Number(raw);
  return Number.isNaN(n) ? undefined : n;
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(n|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** Stable key of a label set without one label (`le` or `quantile`). */
export function labelKey(labels: Record<string, string>, without?: string): string {
  return Object.keys(labels)
    .filter((k) => k !== without)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

function omit(labels: Record<string, string>, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (k !== key) out[k] = v;
  return out;
}

function groupHistograms(f: PromFamily): PromHistogram[] {
  const byKey = new Map<string, PromHistogram>();
  const get = (labels: Record<string, string>): PromHistogram => {
    const key = labelKey(labels, 'le');
    let h = byKey.get(key);
    if (!h) {
      h = { labels: omit(labels, 'le'), buckets: [], sum: 0, count: 0 };
      byKey.set(key, h);
    }
    return h;
  };
  for (const s of f.samples) {
    const suffix = s.name.slice(f.name.length);
    const h = get(s.labels);
    if (suffix === '_bucket') {
      const le = parseNumber(s.labels.le ?? '');
      if (le !== undefined) h.buckets.push({ le, count: s.value });
    } else if (suffix === '_sum' || suffix === '_gsum') h.sum = s.value;
    else if (suffix === '_count' || suffix === '_gcount') h.count = s.value;
    else if (suffix === '_created') h.created = s.value;
  }
  for (const h of byKey.values()) {
    h.buckets.sort((a, b) => a.le - b.le);
    // Some exporters omit _count; the +Inf bucket is the same number.
    if (h.count === 0 && h.buckets.length > 0) h.count = h.buckets[h.buckets.length - 1]!.count;
  }
  return [...byKey.values()];
}

function groupSummaries(f: PromFamily): PromSummary[] {
  const byKey = new Map<string, PromSummary>();
  for (const s of f.samples) {
    const key = labelKey(s.labels, 'quantile');
    let sm = byKey.get(key);
    if (!sm) {
      sm = { labels: omit(s.labels, 'quantile'), quantiles: [], sum: 0, count: 0 };
      byKey.set(key, sm);
    }
    const suffix = s.name.slice(f.name.length);
    if (suffix === '' && s.labels.quantile !== undefined) {
      const q = parseNumber(s.labels.quantile);
      if (q !== undefined) sm.quantiles.push({ quantile: q, value: s.value });
    } else if (suffix === '_sum') sm.sum = s.value;
    else if (suffix === '_count') sm.count = s.value;
    else if (suffix === '_created') sm.created = s.value;
  }
  for (const sm of byKey.values()) sm.quantiles.sort((a, b) => a.quantile - b.quantile);
  return [...byKey.values()];
}

/**
 * Estimate a quantile from cumulative histogram buckets by linear
 * interpolation inside the bucket (the method of PromQL's histogram_quantile).
 *
 * @param q - quantile in [0, 1]
 * @param buckets - cumulative buckets sorted by `le`, the last one `+Inf`
 * @returns the estimate in the histogram's unit, or undefined when empty
 */
export function histogramQuantile(q: number, buckets: { le: number; count: number }[]): number | undefined {
  if (buckets.length === 0) return undefined;
  const total = buckets[buckets.length - 1]!.count;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe; // PromQL returns the highest finite bound
      const inBucket = b.count - prevCount;
      if (inBucket <= 0) return b.le;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}
