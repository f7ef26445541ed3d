/**
 * Client of the partner platform (GDS seat availability and holds, payment
 * authorization, transactional e-mail).
 *
 * @module
 */

export class PartnerError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export interface Availability { flightId: number; buckets: { fareClass: string; seats: number }[]; source: string }

export class PartnerClient {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) throw new PartnerError(`partner ${method} ${path}: ${res.status}`, res.status);
    return (await res.json()) as T;
  }

  availability(flightId: number, carrier: string): Promise<Availability> {
    return this.call('GET', `/gds/availability?flight=${flightId}&carrier=${encodeURIComponent(carrier)}`);
  }

  holdSeat(flightId: number, cabin: string, seat: string | null): Promise<{ holdId: string; expiresInS: number }> {
    return this.call('POST', '/gds/holds', { flightId, cabin, seat });
  }

  authorizePayment(amountCents: number, currency: string, reference: string): Promise<{ authorization: string; status: string }> {
    return this.call('POST', '/payments/authorize', { amountCents, currency, reference });
  }

  sendEmail(to: string, template: string, data: unknown): Promise<{ messageId: string }> {
    return this.call('POST', '/email/send', { to, template, data });
  }
}
