/**
 * Catalogue: product search, product pages, recipes.
 *
 * @module
 */
import Router from '@koa/router';
import { config, HttpError, intParam, pool, redis } from './context.js';

export const catalog = new Router();

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

catalog.get('/products/search', async (ctx) => {
  const q = String(ctx.query.q ?? '').trim();
  if (q.length < 2) throw new HttpError(400, 'q must have at least 2 characters');
  const limit = Math.min(Number(ctx.query.limit ?? 20) || 20, 50);
  // Case-insensitive prefix search over product names.
  const sql =
    config.fault === 'search-ilike'
      ? `SELECT id, sku, name, brand, category, unit, price_cents FROM products
         WHERE active AND name ILIKE $1 ORDER BY name LIMIT $2`
      : `SELECT id, sku, name, brand, category, unit, price_cents FROM products
         WHERE active AND lower(name) LIKE $1 ORDER BY name LIMIT $2`;
  const pattern = (config.fault === 'search-ilike' ? escapeLike(q) : escapeLike(q.toLowerCase())) + '%';
  const { rows } = await pool.query(sql, [pattern, limit]);
  ctx.body = { q, results: rows };
});

catalog.get('/products/:id', async (ctx) => {
  const id = intParam(ctx.params.id, 'product id');
  const key = `product:v3:${id}`;
  const cached = await redis.get(key);
  if (cached) {
    ctx.type = 'application/json';
    ctx.body = cached;
    return;
  }
  const { rows } = await pool.query(
    'SELECT id, sku, name, brand, category, unit, price_cents, description FROM products WHERE id = $1 AND active',
    [id],
  );
  if (rows.length === 0) throw new HttpError(404, 'no such product');
  const recipes = await pool.query(
    `SELECT r.id, r.title, r.minutes FROM recipe_ingredients ri JOIN recipes r ON r.id = ri.recipe_id
     WHERE ri.product_id = $1 ORDER BY r.id LIMIT 5`,
    [id],
  );
  const body = JSON.stringify({ ...rows[0], usedIn: recipes.rows });
  await redis.set(key, body, { EX: 300 });
  ctx.type = 'application/json';
  ctx.body = body;
});

catalog.get('/recipes/:id', async (ctx) => {
  const id = intParam(ctx.params.id, 'recipe id');
  const key = `recipe:v2:${id}`;
  const cached = await redis.get(key);
  if (cached) {
    ctx.type = 'application/json';
    ctx.body = cached;
    return;
  }
  const recipe = await pool.query('SELECT id, title, cuisine, minutes, servings, instructions FROM recipes WHERE id = $1', [id]);
  if (recipe.rows.length === 0) throw new HttpError(404, 'no such recipe');
  const ingredients = await pool.query(
    `SELECT ri.position, ri.product_id, p.name, ri.quantity, ri.unit, ri.note, p.price_cents
     FROM recipe_ingredients ri JOIN products p ON p.id = ri.product_id
     WHERE ri.recipe_id = $1 ORDER BY ri.position`,
    [id],
  );
  const body = JSON.stringify({ ...recipe.rows[0], ingredients: ingredients.rows });
  await redis.set(key, body, { EX: 600 });
  ctx.type = 'application/json';
  ctx.body = body;
});
