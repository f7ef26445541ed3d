/**
 * The client of the payment provider (its own process, payments/server.ts):
 * charging a card for an order and the bot/fraud risk check of a seat hold,
 * over a keep-alive agent.
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
    const { status, text } = await this.post('/charges', { reference, amountCents, currency: 'EUR', source: 'tok_visa' }, reference);
    if (status === 402) throw new HttpError(402, 'payment declined');
    if (status !== 201) throw new Error(`payment provider answered ${status}`);
    return (JSON.parse(text) as { id: string }).id;
  }

  /** The provider's bot/fraud decision for a customer about to hold seats of an on-sale. */
  async risk(customerId: number, eventId: number): Promise<'allow' | 'block'> {
    const { status, text } = await this.post('/risk', { customerId, eventId });
    if (status !== 200) throw new Error(`payment provider answered ${status}`);
    return (JSON.parse(text) as { decision: 'allow' | 'block' }).decision;
  }

  private post(path: string, payload: unknown, idempotencyKey?: string): Promise<{ status: number; text: string }> {
    const body = JSON.stringify(payload);
    return new Promise((resolve, reject) => {
      const req = request(`${this.baseUrl}${path}`, {
        method: 'POST', agent: this.agent, timeout: 10_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('timeout', () => req.destroy(new Error('payment provider timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }
}
