/**
 * Clients of the partner APIs (one process in the corpus, see
 * ../upstream/server.ts): the payment gateway, the dock controller cloud
 * (IoT commands to the docks), the SMS/push provider and the city geocoder.
 *
 * @module
 */

export class PartnerError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export class Partner {
  constructor(private readonly base: string) {}

  private async call<T>(method: string, path: string, body?: unknown, timeoutMs = 5000): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (res.status >= 400) throw new PartnerError(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`, res.status);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** Card charge through the payment gateway. */
  charge(input: { customer: string; amountCents: number; description: string; idempotencyKey: string }): Promise<{ id: string; status: 'succeeded' | 'declined'; card_last4: string }> {
    return this.call('POST', '/v1/charges', {
      customer: input.customer,
      amount: input.amountCents,
      currency: 'usd',
      description: input.description,
      idempotency_key: input.idempotencyKey,
    });
  }

  /** Fire-and-acknowledge command to a dock controller (202 once queued for the dock). */
  dockCommand(dockId: number, action: 'unlock' | 'lock' | 'ping'): Promise<{ command_id: string }> {
    return this.call('POST', `/v1/docks/${dockId}/commands`, { action });
  }

  /** Unlock and wait until the dock reports the latch open (round trip over LTE-M to the dock). */
  dockUnlockAndWait(dockId: number): Promise<{ opened: boolean; latch_ms: number }> {
    return this.call('POST', `/v1/docks/${dockId}/unlock?wait=true`, {}, 10_000);
  }

  /** Push / SMS message through the messaging provider. */
  notify(input: { to: string; channel: 'push' | 'sms'; template: string; data: Record<string, unknown> }): Promise<{ message_id: string }> {
    return this.call('POST', '/v1/messages', input);
  }

  /** The city's open-data reverse geocoder. */
  reverseGeocode(lat: number, lon: number): Promise<{ address: string; neighborhood: string }> {
    return this.call('GET', `/v1/geocode/reverse?lat=${lat.toFixed(5)}&lon=${lon.toFixed(5)}`);
  }
}
