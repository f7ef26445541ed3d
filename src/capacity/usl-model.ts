/**
 * The Universal Scalability Law's model alone (no fitting), so a renderer that
 * draws a fitted curve does not load the fitting library (`usl.ts`).
 *
 * @module
 */

/** USL parameters: λ the throughput of one request in flight, σ the contention, κ the coherency cost. */
export interface UslParams {
  lambda: number;
  sigma: number;
  kappa: number;
}

/** Throughput the USL predicts at concurrency `n`: λn / (1 + σ(n − 1) + κn(n − 1)). */
export function uslThroughput(n: number, p: UslParams): number {
  return (p.lambda * n) / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}
