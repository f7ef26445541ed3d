/**
 * Client of the chain's store-systems APIs (inventory, pricing, payments).
 *
 * @module
 */
import { Agent, request } from 'undici';
import { config } from './context.js';

const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000, headersTimeout: 10_000, bodyTimeout: 10_000 });

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await request(config.storeSystemsUrl + path, {
    method,
    dispatcher: agent,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.body.json()) as T;
  if (res.statusCode >= 400) throw new Error(`store-systems ${method} ${path}: ${res.statusCode}`);
  return json;
}

export interface InventoryItem { productId: number; onHand: number; reserved: number; nextDelivery: string }
export interface PriceQuote { storeId: number; quoteId: string; prices: { productId: number; unitPriceCents: number; promo: { kind: string; label: string } | null }[] }

export const storeSystems = {
  inventory: (storeId: number, productIds: number[]) =>
    call<{ storeId: number; asOf: string; items: InventoryItem[] }>('GET', `/inventory/${storeId}?products=${productIds.join(',')}`),
  quote: (storeId: number, productIds: number[]) => call<PriceQuote>('POST', '/pricing/quote', { storeId, productIds }),
  authorize: (householdId: number, amountCents: number, reference: string) =>
    call<{ authorizationId: string; status: string }>('POST', '/payments/authorize', { householdId, amountCents, reference }),
};
