/**
 * An in-process copy of the catalogue (id, name, category, price), loaded at
 * boot. Used by the pricing rules and, in one build, by the fuzzy search.
 *
 * @module
 */
import { db } from './db.js';

/** One catalogue entry. */
export interface CatalogEntry { id: number; name: string; categoryId: number; priceCents: number }

/** The catalogue, filled by {@link loadCatalog}. */
export const catalog: CatalogEntry[] = [];

/** Load the catalogue into memory. */
export async function loadCatalog(): Promise<void> {
  const rows = await db('products').select('id', 'name', 'category_id', 'price_cents').orderBy('id');
  catalog.length = 0;
  for (const r of rows) catalog.push({ id: r.id, name: r.name, categoryId: r.category_id, priceCents: r.price_cents });
}
