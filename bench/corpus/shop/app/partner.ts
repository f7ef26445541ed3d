/**
 * Client of the partner API (payments and recommendations), with timeouts
 * and the outgoing-call histogram.
 *
 * @module
 */
import { config } from './config.js';
import { upstreamDuration } from './metrics.js';

/** An upstream call that did not return 2xx. */
export class UpstreamError extends Error {
  constructor(readonly operation: string, readonly status: number) {
    super(`partner-api ${operation} failed with ${status}`);
  }
}

async function call<T>(operation: string, path: string, init: RequestInit, timeoutMs: number): Promise<T> {
  const end = upstreamDuration.startTimer({ peer: 'partner-api', operation });
  let status = 0;
  try {
    const res = await fetch(new URL(path, config.partnerApiUrl), { ...init, signal: AbortSignal.timeout(timeoutMs) });
    status = res.status;
    if (!res.ok) throw new UpstreamError(operation, res.status);
    return (await res.json()) as T;
  } finally {
    end({ status_code: String(status) });
  }
}

/** Charge a payment; resolves to the payment id. */
export async function chargePayment(userId: number, amountCents: number): Promise<string> {
  const body = JSON.stringify({ userId, amountCents, currency: 'EUR' });
  const res = await call<{ id: string }>('charge', '/v1/payments', { method: 'POST', body, headers: { 'content-type': 'application/json' } }, 5000);
  return res.id;
}

/** Product ids the recommender suggests for a user. */
export async function recommendationsFor(userId: number): Promise<number[]> {
  const res = await call<{ productIds: number[] }>('recommendations', `/v1/recommendations?user=${userId}`, {}, 5000);
  return res.productIds;
}
