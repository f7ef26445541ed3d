/**
 * Catalogue routes: product page, category listing, reviews, search.
 *
 * @module
 */
import { Router, type Request, type Response } from 'express';
import { catalog, type CatalogEntry } from '../catalog-memory.js';
import { cached, IN_STOCK_KEY, redis } from '../cache.js';
import { config, faultOn } from '../config.js';
import { db } from '../db.js';
import { fuzzyScore } from '../fuzzy.js';
import { renderProductPage } from '../render.js';

/** Routes under /products and /search. */
export const catalogRoutes = Router();

const PAGE_SIZE = 24;

/** Ids parsed from the path; 400 for anything that is not a positive integer. */
export function idParam(req: Request, res: Response, name = 'id'): number | undefined {
  const id = Number(req.params[name]);
  if (!Number.isInteger(id) || id <= 0) {
    res.status(400).json({ error: `invalid ${name}` });
    return undefined;
  }
  return id;
}

interface ProductPage {
  id: number; sku: string; name: string; category: string; priceCents: number; description: string;
  rating: { avg: number; count: number; histogram: Record<string, number> };
  latestReviews: { id: number; rating: number; body: string; createdAt: string }[];
}

async function loadProductPage(id: number): Promise<ProductPage | null> {
  const product = await db('products as p')
    .join('categories as c', 'c.id', 'p.category_id')
    .where('p.id', id)
    .first('p.id', 'p.sku', 'p.name', 'c.name as category', 'p.price_cents', 'p.description', 'p.rating_avg', 'p.rating_count');
  if (!product) return null;
  const [latest, histogram] = await Promise.all([
    db('reviews').where('product_id', id).orderBy('created_at', 'desc').limit(3).select('id', 'rating', 'body', 'created_at'),
    db('reviews').where('product_id', id).groupBy('rating').select('rating').count<{ rating: number; count: string }[]>('* as count'),
  ]);
  return {
    id: product.id, sku: product.sku, name: product.name, category: product.category, priceCents: product.price_cents,
    description: product.description,
    rating: { avg: Number(product.rating_avg), count: product.rating_count, histogram: Object.fromEntries(histogram.map((h) => [h.rating, Number(h.count)])) },
    latestReviews: latest.map((r) => ({ id: Number(r.id), rating: r.rating, body: r.body, createdAt: r.created_at })),
  };
}

/**
 * Pre-rendered product pages for the SEO prerender sidecar to pick up. The sidecar was never
 * deployed in this build, so nothing drains the map: it grows with every page view.
 */
const prerenderQueue = new Map<string, string>();

catalogRoutes.get('/products/:id', async (req, res) => {
  const id = idParam(req, res);
  if (id === undefined) return;
  // The cache key was meant to carry the catalogue version; this build used the request time.
  const key = faultOn('cache-key-timestamp') ? `product:${id}:${Date.now()}` : `product:${id}`;
  const page = await cached('product', key, config.productCacheTtlSeconds, () => loadProductPage(id));
  if (!page) {
    res.status(404).json({ error: 'product not found' });
    return;
  }
  // Stock changes with every order, so it is read live rather than cached with the page.
  const inStock = faultOn('stock-smembers')
    ? (await redis.smembers(IN_STOCK_KEY)).includes(String(id))
    : (await redis.sismember(IN_STOCK_KEY, String(id))) === 1;
  if (faultOn('page-render-leak')) prerenderQueue.set(`${id}:${Date.now()}:${prerenderQueue.size}`, renderProductPage(page));
  res.json({ ...page, inStock });
});

interface PriceQuote { productId: number; currency: string; tiers: { minQty: number; unitCents: number }[]; validUntil: number }

function quote(entry: { id: number; priceCents: number }, now: number): PriceQuote {
  return {
    productId: entry.id,
    currency: 'EUR',
    tiers: [
      { minQty: 1, unitCents: entry.priceCents },
      { minQty: 5, unitCents: Math.round(entry.priceCents * 0.95) },
      { minQty: 20, unitCents: Math.round(entry.priceCents * 0.9) },
    ],
    validUntil: now + 15 * 60_000,
  };
}

/**
 * Recent category price sheets, kept for the price-audit export. This build quotes the whole
 * category on every listing request (not just the page) and keeps the last 256 sheets.
 */
const recentPriceSheets: PriceQuote[][] = [];

function priceSheet(categoryId: number, now: number): Map<number, PriceQuote> {
  const sheet = catalog.filter((e: CatalogEntry) => e.categoryId === categoryId).map((e) => quote(e, now));
  recentPriceSheets.push(sheet);
  if (recentPriceSheets.length > 256) recentPriceSheets.shift();
  return new Map(sheet.map((q) => [q.productId, q]));
}

catalogRoutes.get('/products', async (req, res) => {
  const category = Number(req.query.category);
  if (!Number.isInteger(category) || category <= 0) {
    res.status(400).json({ error: 'category is required' });
    return;
  }
  const now = Date.now();
  if (faultOn('category-full-dump')) {
    // "The new storefront filters client-side": the whole category, full rows, no pagination.
    const products = await db('products').where('category_id', category).orderBy('rating_avg', 'desc').select('*');
    res.json({ category, products: products.map((p) => ({ ...p, price: quote({ id: p.id, priceCents: p.price_cents }, now) })) });
    return;
  }
  const rows = faultOn('listing-live-rating')
    ? // Sort by the live review average instead of the denormalised column "so it is always exact".
      await db.raw<{ rows: { id: number; sku: string; name: string; price_cents: number; rating: string }[] }>(
        `SELECT p.id, p.sku, p.name, p.price_cents, coalesce(avg(r.rating), 0)::numeric(3,2) AS rating
           FROM products p LEFT JOIN reviews r ON r.product_id = p.id
          WHERE p.category_id = ?
          GROUP BY p.id
          ORDER BY rating DESC, p.id
          LIMIT ?`,
        [category, PAGE_SIZE],
      ).then((r) => r.rows)
    : await db('products').where('category_id', category).orderBy([{ column: 'rating_avg', order: 'desc' }, 'id']).limit(PAGE_SIZE)
        .select('id', 'sku', 'name', 'price_cents', 'rating_avg as rating');
  const sheet = faultOn('price-rules-churn') ? priceSheet(category, now) : undefined;
  res.json({
    category,
    products: rows.map((p) => ({
      id: p.id, sku: p.sku, name: p.name, rating: Number(p.rating),
      price: sheet?.get(p.id) ?? quote({ id: p.id, priceCents: p.price_cents }, now),
    })),
  });
});

catalogRoutes.get('/products/:id/reviews', async (req, res) => {
  const id = idParam(req, res);
  if (id === undefined) return;
  const reviews = await db('reviews').where('product_id', id).orderBy('created_at', 'desc').limit(20)
    .select('id', 'user_id', 'rating', 'body', 'created_at');
  res.json({ productId: id, reviews });
});

catalogRoutes.get('/search', async (req, res) => {
  const q = String(req.query.q ?? '').trim().toLowerCase();
  if (q.length < 2) {
    res.status(400).json({ error: 'q must have at least 2 characters' });
    return;
  }
  if (faultOn('search-fuzzy-js')) {
    // "Typo-tolerant search" done in process over the in-memory catalogue, synchronously.
    const scored = catalog.map((e) => ({ e, score: fuzzyScore(q, e.name) })).filter((s) => s.score > 0.6);
    scored.sort((a, b) => b.score - a.score || a.e.id - b.e.id);
    res.json({ q, results: scored.slice(0, 20).map((s) => ({ id: s.e.id, name: s.e.name, priceCents: s.e.priceCents })) });
    return;
  }
  const rows = await db('products').whereRaw('lower(name) like ?', [`${q.replace(/[%_\\]/g, '\\$&')}%`])
    .orderByRaw('lower(name)').limit(20).select('id', 'name', 'price_cents');
  res.json({ q, results: rows.map((r) => ({ id: r.id, name: r.name, priceCents: r.price_cents })) });
});
