/**
 * Client of the parcel carrier (labels, address checks) over a keep-alive
 * undici pool, with a timeout so a hung carrier cannot pile up requests forever.
 *
 * @module
 */
import { Agent } from 'undici';

/** The carrier's API as the routes use it. */
export class Carrier {
  readonly #agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

  constructor(readonly baseUrl: string) {}

  async #post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(5_000), dispatcher: this.#agent,
    } as RequestInit);
    if (!res.ok) throw new Error(`carrier ${path}: ${res.status}`);
    return (await res.json()) as T;
  }

  /** Buy a label for a shipment; returns the tracking number. */
  async label(shipmentNo: number, address: string, weightG: number): Promise<string> {
    return (await this.#post<{ tracking: string }>('/labels', { shipmentNo, address, weightG })).tracking;
  }

  /** Check a delivery address; returns its normalized form. */
  async validateAddress(address: string): Promise<string> {
    return (await this.#post<{ normalized: string }>('/addresses/validate', { address })).normalized;
  }
}
