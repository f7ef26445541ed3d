/**
 * Deterministic FX rates (against EUR) shared by the fake rates provider:
 * every ISO 4217 currency the runtime knows, a plausible level per currency
 * and a small daily wobble, so history and month-end fixings are stable.
 *
 * @module
 */

/** Levels (units per EUR) of the currencies the ledger's customers use; others get a derived level. */
const LEVELS: Record<string, number> = {
  EUR: 1, USD: 1.08, GBP: 0.85, CHF: 0.95, SEK: 11.4, NOK: 11.6, DKK: 7.46, PLN: 4.3, CZK: 25.1, HUF: 392,
  JPY: 162, KRW: 1460, CNY: 7.8, INR: 90, CAD: 1.47, AUD: 1.64, ISK: 149, CLP: 1010, TRY: 35, MXN: 18.5,
};

/** Every currency code of the runtime (about 160), EUR first. */
export const CURRENCIES: string[] = ['EUR', ...Intl.supportedValuesOf('currency').filter((c) => c !== 'EUR')];

function level(code: string): number {
  if (LEVELS[code] !== undefined) return LEVELS[code];
  let h = 0;
  for (const ch of code) h = (h * 31 + ch.charCodeAt(0)) % 9973;
  return 0.5 + (h % 400) * (h % 7 === 0 ? 25 : 0.37);
}

/** Mid rate (units of `code` per EUR) on a day number (days since the epoch). */
export function midRate(code: string, day: number): number {
  if (code === 'EUR') return 1;
  const wobble = 1 + 0.015 * Math.sin(day / 9 + code.charCodeAt(1)) + 0.004 * Math.cos(day / 2.3 + code.charCodeAt(2));
  return Number((level(code) * wobble).toPrecision(7));
}

/** Day number of a Date (UTC). */
export const dayNumber = (date: Date): number => Math.floor(date.getTime() / 86_400_000);
