/**
 * Number formatting shared by every renderer, so the terminal, HTML,
 * Markdown and JUnit outputs show the same value the same way.
 *
 * @module
 */

/** Milliseconds with precision that fits the magnitude: `0.412 ms`, `12.3 ms`, `1.24 s`. */
export function formatMs(ms: number | null | undefined, withUnit = true): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const unit = (u: string) => (withUnit ? ` ${u}` : '');
  if (ms >= 60_000 && withUnit) return formatDuration(ms);
  if (ms >= 1000 && withUnit) return `${trim((ms / 1000).toFixed(2))}${unit('s')}`;
  if (ms >= 100) return `${Math.round(ms)}${unit('ms')}`;
  if (ms >= 10) return `${ms.toFixed(1)}${unit('ms')}`;
  return `${ms.toFixed(2)}${unit('ms')}`;
}

/** Integer with thousands separators (always `,`, independent of the locale). */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return '-';
  const sign = value < 0 ? '-' : '';
  return sign + Math.round(Math.abs(value)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Rate per second: `1,234/s`, `12.3/s`, `0.25/s`. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '-';
  if (perSecond >= 1000) return `${formatCount(perSecond)}/s`;
  if (perSecond >= 10) return `${perSecond.toFixed(1)}/s`;
  return `${perSecond.toFixed(2)}/s`;
}

/** Fraction as a percentage: 0.0123 → `1.23%`. */
export function formatPercent(fraction: number, digits = 2): string {
  if (!Number.isFinite(fraction)) return '-';
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Relative change as a signed percentage: 0.1 → `+10.0%`, null → `-`. */
export function formatChange(change: number | null | undefined): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return '-';
  const pct = change * 100;
  if (Math.abs(pct) < 0.05) return '±0.0%';
  const sign = pct > 0 ? '+' : pct < 0 ? '' : '±';
  return `${sign}${pct.toFixed(1)}%`;
}

/** Bytes with binary-free SI units: `950 B`, `14.8 MB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '-';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[i]}`;
}

/** Duration: `850ms`, `45s`, `2m0s`, `1h0m0s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalS = Math.round(ms / 1000);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** Epoch ms as an ISO-8601 UTC time without milliseconds. */
export function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Observed value of a threshold in its unit. */
export function formatObserved(observed: number | null, unit: 'ms' | 'rate' | ''): string {
  if (observed === null) return 'no samples';
  if (unit === 'ms') return formatMs(observed);
  if (unit === 'rate') return formatPercent(observed);
  return Number.isInteger(observed) ? formatCount(observed) : String(Number(observed.toPrecision(4)));
}

function trim(text: string): string {
  return text.replace(/\.?0+$/, '');
}
