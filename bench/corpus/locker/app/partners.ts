/**
 * Clients of the partner APIs: the payment gateway (card charges) and the
 * messaging provider (SMS and e-mail).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { partnerDuration } from './metrics.js';

export class PartnerError extends Error {
  constructor(readonly partner: string, readonly status: number, message: string) {
    super(message);
  }
}

export interface ChargeResult { id: string; status: 'captured' | 'declined'; declineCode?: string }
export interface MessageResult { id: string; status: string }

export class Partners {
  constructor(private readonly baseUrl: string) {}

  private async post<T>(partner: string, operation: string, path: string, payload: unknown, timeoutMs: number): Promise<T> {
    const end = partnerDuration.startTimer({ partner, operation });
    let outcome = 'error';
    try {
      const res = await fetch(this.baseUrl + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      if (res.status >= 500) throw new PartnerError(partner, res.status, `${partner} ${operation}: HTTP ${res.status}`);
      outcome = res.ok ? 'ok' : 'rejected';
      return JSON.parse(text) as T;
    } finally {
      end({ outcome });
    }
  }

  charge(req: { amountCents: number; currency: string; cardToken: string; reference: string; description: string }): Promise<ChargeResult> {
    return this.post<ChargeResult>('payment-gateway', 'charge', '/v1/charges', req, 8_000);
  }

  sms(req: { to: string; template: string; vars: Record<string, string> }): Promise<MessageResult> {
    return this.post<MessageResult>('messaging', 'sms', '/v1/sms', req, 5_000);
  }

  email(req: { to: string; template: string; vars: Record<string, string>; attachment?: { name: string; contentBase64: string } }): Promise<MessageResult> {
    return this.post<MessageResult>('messaging', 'email', '/v1/email', req, 5_000);
  }
}
