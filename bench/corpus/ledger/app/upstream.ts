/**
 * Client of the upstream risk engine and rates provider (fetch, keep-alive).
 *
 * @module
 */
import { HttpError } from './router.js';

/** A risk verdict. */
export interface RiskVerdict { score: number; decision: string; model: string }

/** Book of daily mid rates per currency (units per EUR), oldest first. */
export type RateHistory = Record<string, { date: string; mid: number }[]>;

/** The upstream services. */
export class Upstream {
  constructor(private readonly baseUrl: string) {}

  private async get<T>(path: string, init?: RequestInit): Promise<T> {
    const res = await fetch(this.baseUrl + path, { ...init, signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new HttpError(502, `upstream ${path} answered ${res.status}`);
    return (await res.json()) as T;
  }

  /** Score a transfer. */
  score(transfer: { fromAccountId: number; toAccountId: number; amountCents: number }): Promise<RiskVerdict> {
    return this.get('/risk/score', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(transfer) });
  }

  /** Daily rate history of every currency, `days` long. */
  async history(days: number): Promise<RateHistory> {
    return (await this.get<{ book: RateHistory }>(`/rates/history?days=${days}`)).book;
  }

  /** Month-end fixing of every currency (units per EUR). */
  async endOfMonth(month: string): Promise<Record<string, number>> {
    return (await this.get<{ rates: Record<string, number> }>(`/rates/eod?month=${month}`)).rates;
  }
}
