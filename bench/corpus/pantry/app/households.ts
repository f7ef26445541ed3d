/**
 * Households: pantry, shopping lists overview, list-from-recipe, order
 * history, delivery slots.
 *
 * @module
 */
import Router from '@koa/router';
import pg from 'pg';
import { config, HttpError, intParam, pool, reportingPool, stores, storesByZone, type Store } from './context.js';
import { storeSystems } from './store-systems.js';

export const households = new Router();

interface Household { id: number; name: string; zone: number; preferred_store_id: number | null; members: number }

async function loadHousehold(db: pg.Pool | pg.PoolClient, id: number): Promise<Household> {
  const { rows } = await db.query<Household>('SELECT id, name, zone, preferred_store_id, members FROM households WHERE id = $1', [id]);
  if (rows.length === 0) throw new HttpError(404, 'no such household');
  return rows[0]!;
}

/** The store that delivers to a household: its preferred one, else the zone's first store. */
function deliveringStore(h: Household): Store {
  const preferred = h.preferred_store_id === null ? undefined : stores.get(h.preferred_store_id);
  return preferred ?? storesByZone.get(h.zone)?.[0] ?? stores.values().next().value!;
}

households.get('/households/:id/pantry', async (ctx) => {
  const id = intParam(ctx.params.id, 'household id');
  const household = await loadHousehold(pool, id);
  const { rows } = await pool.query(
    `SELECT pi.id, pi.product_id, p.name, p.category, pi.quantity, pi.unit, pi.location, pi.expires_on,
            (pi.expires_on IS NOT NULL AND pi.expires_on < current_date + 3) AS expiring_soon
     FROM pantry_items pi JOIN products p ON p.id = pi.product_id
     WHERE pi.household_id = $1
     ORDER BY pi.expires_on NULLS LAST, p.name`,
    [id],
  );
  ctx.body = { household: { id: household.id, name: household.name }, items: rows };
});

households.get('/households/:id/lists', async (ctx) => {
  const id = intParam(ctx.params.id, 'household id');
  const { rows } = await pool.query(
    `SELECT l.id, l.name, l.status, l.updated_at,
            count(li.id)::int AS items, (count(li.id) FILTER (WHERE li.checked))::int AS checked
     FROM shopping_lists l LEFT JOIN list_items li ON li.list_id = l.id
     WHERE l.household_id = $1
     GROUP BY l.id ORDER BY l.updated_at DESC LIMIT 50`,
    [id],
  );
  ctx.body = { householdId: id, lists: rows };
});

households.post('/households/:id/lists/from-recipe', async (ctx) => {
  const id = intParam(ctx.params.id, 'household id');
  const body = (ctx.request as unknown as { body?: Record<string, unknown> }).body ?? {};
  const recipeId = intParam(body.recipeId, 'recipeId');
  const servings = Number(body.servings ?? 0) || null;

  if (config.fault === 'recipe-list-holds-client') {
    // One client for the whole request ("keep the unit of work on one connection").
    const client = await pool.connect();
    try {
      const household = await loadHousehold(client, id);
      const missing = await missingIngredients(client, id, recipeId);
      const quote = await storeSystems.quote(deliveringStore(household).id, missing.map((m) => m.product_id));
      ctx.status = 201;
      ctx.body = await saveList(client, id, recipeId, servings, missing, quote.prices);
    } finally {
      client.release();
    }
    return;
  }

  const household = await loadHousehold(pool, id);
  const missing = await missingIngredients(pool, id, recipeId);
  const quote = await storeSystems.quote(deliveringStore(household).id, missing.map((m) => m.product_id));
  const client = await pool.connect();
  try {
    ctx.status = 201;
    ctx.body = await saveList(client, id, recipeId, servings, missing, quote.prices);
  } finally {
    client.release();
  }
});

interface Ingredient { product_id: number; name: string; quantity: number; unit: string }

async function missingIngredients(db: pg.Pool | pg.PoolClient, householdId: number, recipeId: number): Promise<Ingredient[]> {
  const ingredients = await db.query<Ingredient & { title: string }>(
    `SELECT ri.product_id, p.name, ri.quantity, ri.unit FROM recipe_ingredients ri JOIN products p ON p.id = ri.product_id
     WHERE ri.recipe_id = $1 ORDER BY ri.position`,
    [recipeId],
  );
  if (ingredients.rows.length === 0) throw new HttpError(404, 'no such recipe');
  const pantry = await db.query<{ product_id: number }>(
    'SELECT product_id FROM pantry_items WHERE household_id = $1 AND quantity > 0 AND (expires_on IS NULL OR expires_on >= current_date)',
    [householdId],
  );
  const have = new Set(pantry.rows.map((r) => r.product_id));
  return ingredients.rows.filter((i) => !have.has(i.product_id));
}

async function saveList(
  client: pg.PoolClient,
  householdId: number,
  recipeId: number,
  servings: number | null,
  missing: Ingredient[],
  prices: { productId: number; unitPriceCents: number }[],
): Promise<unknown> {
  const priceOf = new Map(prices.map((p) => [p.productId, p.unitPriceCents]));
  await client.query('BEGIN');
  try {
    const list = await client.query<{ id: number }>(
      `INSERT INTO shopping_lists (household_id, name, status, created_at, updated_at)
       VALUES ($1, $2, 'open', now(), now()) RETURNING id`,
      [householdId, `Recipe ${recipeId}${servings ? ` x${servings}` : ''}`],
    );
    const listId = list.rows[0]!.id;
    if (missing.length > 0) {
      await client.query(
        `INSERT INTO list_items (list_id, product_id, quantity, note)
         SELECT $1, unnest($2::int[]), 1, 'for recipe ' || $3::text
         ON CONFLICT (list_id, product_id) DO NOTHING`,
        [listId, missing.map((m) => m.product_id), recipeId],
      );
    }
    await client.query('COMMIT');
    const estimate = missing.reduce((sum, m) => sum + (priceOf.get(m.product_id) ?? 0), 0);
    return { listId, recipeId, items: missing.map((m) => ({ productId: m.product_id, name: m.name, unitPriceCents: priceOf.get(m.product_id) ?? null })), estimateCents: estimate };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

const ORDER_HISTORY_SQL = `
  SELECT o.id, o.store_id, s.name AS store_name, o.status, o.subtotal_cents, o.delivery_fee_cents, o.created_at,
         (SELECT count(*)::int FROM order_lines ol WHERE ol.order_id = o.id) AS lines
  FROM orders o JOIN stores s ON s.id = o.store_id
  WHERE o.household_id = $1
  ORDER BY o.created_at DESC
  LIMIT $2`;

households.get('/households/:id/orders', async (ctx) => {
  const id = intParam(ctx.params.id, 'household id');
  const limit = Math.min(Number(ctx.query.limit ?? 20) || 20, 100);
  // Order history is a reporting read: it goes to the replica's pool.
  const { rows } = await reportingPool.query(ORDER_HISTORY_SQL, [id, limit]);
  ctx.body = { householdId: id, orders: rows };
});

households.get('/households/:id/delivery-slots', async (ctx) => {
  const id = intParam(ctx.params.id, 'household id');
  const household = await loadHousehold(pool, id);
  let store: Store;
  if (config.fault === 'slots-null-preferred-store') {
    // Every household picks a store at sign-up (true since the 2023 onboarding flow).
    store = stores.get(household.preferred_store_id as number)!;
  } else {
    store = deliveringStore(household);
  }
  const { rows } = await pool.query<{ id: number; starts_at: Date; ends_at: Date; available: number; fee_cents: number }>(
    `SELECT id, starts_at, ends_at, capacity - booked AS available, fee_cents FROM delivery_slots
     WHERE store_id = $1 AND starts_at > now() AND starts_at < now() + interval '7 days'
     ORDER BY starts_at`,
    [store.id],
  );
  const closing = Number(store.closesAt.slice(0, 2));
  ctx.body = {
    householdId: id,
    store: { id: store.id, name: store.name },
    slots: rows.filter((s) => s.available > 0 && s.ends_at.getUTCHours() <= closing),
  };
});
