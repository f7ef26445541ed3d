/**
 * "You may also like": product ids from the partner recommender, hydrated
 * from the catalogue.
 *
 * @module
 */
import { Router } from 'express';
import { db } from '../db.js';
import { recommendationsFor } from '../partner.js';
import { idParam } from './catalog.js';

/** Route /recommendations/:userId. */
export const recommendationRoutes = Router();

recommendationRoutes.get('/recommendations/:userId', async (req, res) => {
  const userId = idParam(req, res, 'userId');
  if (userId === undefined) return;
  const ids = await recommendationsFor(userId);
  const products = ids.length === 0 ? [] : await db('products').whereIn('id', ids).select('id', 'name', 'price_cents', 'rating_avg');
  res.json({ userId, products: products.map((p) => ({ id: p.id, name: p.name, priceCents: p.price_cents, rating: Number(p.rating_avg) })) });
});
