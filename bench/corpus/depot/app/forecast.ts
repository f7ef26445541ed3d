/**
 * Demand forecasting for a SKU: Holt's linear smoothing over the daily units
 * of the last 180 days, projected 14 days ahead, with an interval from the
 * residuals. The bootstrap variant refits the model on thousands of
 * resampled series, which is statistically nicer and far more expensive.
 *
 * @module
 */

/** Days of history the forecast fits. */
export const HISTORY_DAYS = 180;
/** Days the forecast projects. */
export const HORIZON_DAYS = 14;
const ALPHA = 0.3;
const BETA = 0.1;

/** A 14-day demand forecast with a 90 % interval. */
export interface Forecast {
  units: number;
  low: number;
  high: number;
}

/** Fit Holt's model to `series`, write fitted values into `fitted` (if given), return the horizon total. */
function holt(series: Float64Array, fitted?: Float64Array): number {
  let level = series[0];
  let trend = 0;
  for (let t = 1; t < series.length; t++) {
    const predicted = level + trend;
    if (fitted) fitted[t] = predicted;
    const nextLevel = ALPHA * series[t] + (1 - ALPHA) * predicted;
    trend = BETA * (nextLevel - level) + (1 - BETA) * trend;
    level = nextLevel;
  }
  let total = 0;
  for (let h = 1; h <= HORIZON_DAYS; h++) total += Math.max(0, level + h * trend);
  return total;
}

/** The residual-based forecast (cheap, what the depot normally serves). */
export function forecast(series: Float64Array): Forecast {
  const fitted = new Float64Array(series.length);
  const units = holt(series, fitted);
  let squares = 0;
  for (let t = 1; t < series.length; t++) squares += (series[t] - fitted[t]) ** 2;
  const spread = 1.645 * Math.sqrt((squares / (series.length - 1)) * HORIZON_DAYS);
  return { units: round(units), low: round(Math.max(0, units - spread)), high: round(units + spread) };
}

/**
 * The bootstrap forecast: refit the model on `runs` series made of the fitted
 * values plus resampled residuals and read the interval off the 5th and 95th
 * percentiles. Synchronous: every run is a full refit.
 */
export function bootstrapForecast(series: Float64Array, runs: number): Forecast {
  const fitted = new Float64Array(series.length);
  const units = holt(series, fitted);
  const residuals = new Float64Array(series.length - 1);
  for (let t = 1; t < series.length; t++) residuals[t - 1] = series[t] - fitted[t];
  const resampled = new Float64Array(series.length);
  const totals = new Float64Array(runs);
  let seed = 12345;
  for (let r = 0; r < runs; r++) {
    resampled[0] = series[0];
    for (let t = 1; t < series.length; t++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      resampled[t] = Math.max(0, fitted[t] + residuals[seed % residuals.length]);
    }
    totals[r] = holt(resampled);
  }
  totals.sort();
  return { units: round(units), low: round(totals[Math.floor(runs * 0.05)]), high: round(totals[Math.floor(runs * 0.95)]) };
}

const round = (n: number): number => Math.round(n * 10) / 10;
