/**
 * The client of the payment provider (its own process, payments/server.ts):
 * one call, charging a card for an order, over a keep-alive agent.
 *
 * @module
 */
import { Agent, request } from 'node:http';
import { HttpError } from './context.js';

/** Talks to the payment provider at `baseUrl`. */
export class Payments {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  constructor(private readonly baseUrl: string) {}

  /** Charge `amountCents` for `reference`; returns the provider's charge id (402 when declined). */
  async charge(reference: string, amountCents: number): Promise<string> {
    const body = JSON.stringify({ reference, amountCents, currency: 'EUR', source: 'tok_visa' });
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${this.baseUrl}/charges`, {
        method: 'POST', agent: this.agent, timeout: 10_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'idempotency-key': reference },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('timeout', () => req.destroy(new Error('payment provider timed out')));
      req.on('error', reject);
      req.end(body);
    });
    if (status === 402) throw new HttpError(402, 'payment declined');
    if (status !== 201) throw new Error(`payment provider answered ${status}`);
    return (JSON.parse(text) as { id: string }).id;
  }
}
