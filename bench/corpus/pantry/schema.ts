/**
 * The pantry's schema and data (seedPantry), and the per-deploy migration
 * (migratePantry) that start() runs before the service comes up: it puts the
 * schema into the state of the build being deployed (healthy, or the fault's
 * migration) and resets the fixture's moving parts (delivery-slot bookings
 * relative to now), so cases can run one after another on one database.
 *
 * Sizes: 80 000 products, 40 stores, ~1 000 000 store_stock rows, 60 000
 * households, 600 000 pantry items, 50 000 shopping lists with 600 000
 * items, 6 000 recipes with 48 000 ingredients, 200 000 orders with 600 000
 * lines, ~11 000 delivery slots, 1 800 promotions.
 *
 * @module
 */
import pg from 'pg';
import type { PantryFault } from './faults.js';

export const SIZES = {
  products: 80_000,
  stores: 40,
  households: 60_000,
  pantryPerHousehold: 10,
  lists: 50_000,
  itemsPerList: 12,
  recipes: 6_000,
  ingredientsPerRecipe: 8,
  orders: 200_000,
  linesPerOrder: 3,
} as const;

const DDL = `
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;

CREATE TABLE stores (
  id          serial PRIMARY KEY,
  name        text NOT NULL,
  city        text NOT NULL,
  zone        int  NOT NULL,
  opens_at    time NOT NULL DEFAULT '07:00',
  closes_at   time NOT NULL DEFAULT '22:00'
);

CREATE TABLE products (
  id           serial PRIMARY KEY,
  sku          text NOT NULL UNIQUE,
  name         text NOT NULL,
  brand        text NOT NULL,
  category     text NOT NULL,
  unit         text NOT NULL,
  price_cents  int  NOT NULL,
  description  text NOT NULL,
  active       boolean NOT NULL DEFAULT true
);

CREATE TABLE store_stock (
  store_id    int NOT NULL,
  product_id  int NOT NULL,
  quantity    int NOT NULL,
  aisle       text NOT NULL,
  PRIMARY KEY (store_id, product_id)
);

CREATE TABLE households (
  id                  serial PRIMARY KEY,
  name                text NOT NULL,
  postcode            text NOT NULL,
  zone                int  NOT NULL,
  preferred_store_id  int REFERENCES stores(id),
  members             int  NOT NULL,
  created_at          timestamptz NOT NULL
);

CREATE TABLE pantry_items (
  id            bigserial PRIMARY KEY,
  household_id  int NOT NULL,
  product_id    int NOT NULL,
  quantity      numeric(8,2) NOT NULL,
  unit          text NOT NULL,
  location      text NOT NULL,
  expires_on    date,
  added_at      timestamptz NOT NULL
);

CREATE TABLE recipes (
  id            serial PRIMARY KEY,
  title         text NOT NULL,
  cuisine       text NOT NULL,
  minutes       int  NOT NULL,
  servings      int  NOT NULL,
  instructions  text NOT NULL
);

CREATE TABLE recipe_ingredients (
  recipe_id   int NOT NULL,
  position    int NOT NULL,
  product_id  int NOT NULL,
  quantity    numeric(8,2) NOT NULL,
  unit        text NOT NULL,
  note        text,
  PRIMARY KEY (recipe_id, position)
);

CREATE TABLE shopping_lists (
  id            serial PRIMARY KEY,
  household_id  int NOT NULL,
  name          text NOT NULL,
  status        text NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);

CREATE TABLE list_items (
  id          bigserial PRIMARY KEY,
  list_id     int NOT NULL,
  product_id  int NOT NULL,
  quantity    int NOT NULL,
  checked     boolean NOT NULL DEFAULT false,
  note        text,
  added_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE delivery_slots (
  id          serial PRIMARY KEY,
  store_id    int NOT NULL REFERENCES stores(id),
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  capacity    int NOT NULL,
  booked      int NOT NULL,
  fee_cents   int NOT NULL,
  UNIQUE (store_id, starts_at)
);

CREATE TABLE orders (
  id                  bigserial PRIMARY KEY,
  household_id        int NOT NULL,
  store_id            int NOT NULL,
  slot_id             int,
  status              text NOT NULL,
  subtotal_cents      int NOT NULL,
  delivery_fee_cents  int NOT NULL,
  payment_ref         text,
  created_at          timestamptz NOT NULL
);

CREATE TABLE order_lines (
  order_id          bigint NOT NULL,
  line_no           int NOT NULL,
  product_id        int NOT NULL,
  quantity          int NOT NULL,
  unit_price_cents  int NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

-- The merchandising feed's staging copy; promotions is refreshed from it.
CREATE TABLE promotion_feed (
  store_id      int,
  product_id    int NOT NULL,
  kind          text NOT NULL,
  discount_pct  int NOT NULL,
  title         text NOT NULL,
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL
);

CREATE TABLE promotions (
  id            serial PRIMARY KEY,
  store_id      int,
  product_id    int NOT NULL,
  kind          text NOT NULL,
  discount_pct  int NOT NULL,
  title         text NOT NULL,
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL,
  synced_at     timestamptz NOT NULL DEFAULT now()
);
`;

const NOUNS: Record<string, string[]> = {
  produce: ['Apple', 'Banana', 'Carrot', 'Tomato', 'Onion', 'Potato', 'Spinach', 'Lemon', 'Garlic', 'Pepper', 'Avocado', 'Cucumber'],
  dairy: ['Milk', 'Butter', 'Yogurt', 'Cheddar', 'Mozzarella', 'Cream', 'Feta', 'Parmesan'],
  bakery: ['Bread', 'Bagel', 'Croissant', 'Tortilla', 'Baguette', 'Muffin'],
  pantry: ['Rice', 'Pasta', 'Flour', 'Sugar', 'Lentils', 'Chickpeas', 'Oats', 'Quinoa', 'Couscous', 'Noodles'],
  canned: ['Beans', 'Passata', 'Tuna', 'Corn', 'Coconut Milk', 'Soup'],
  meat: ['Chicken', 'Beef', 'Pork', 'Turkey', 'Lamb', 'Sausage', 'Bacon'],
  fish: ['Salmon', 'Cod', 'Prawns', 'Mackerel', 'Trout'],
  frozen: ['Peas', 'Pizza', 'Berries', 'Chips', 'Ice Cream', 'Dumplings'],
  drinks: ['Coffee', 'Tea', 'Orange Juice', 'Sparkling Water', 'Cola', 'Kombucha'],
  snacks: ['Crisps', 'Chocolate', 'Cookies', 'Almonds', 'Popcorn', 'Granola'],
  condiments: ['Olive Oil', 'Vinegar', 'Soy Sauce', 'Mustard', 'Ketchup', 'Honey', 'Salt', 'Paprika'],
  household: ['Dish Soap', 'Paper Towels', 'Sponges', 'Bin Bags', 'Foil'],
};

function sqlArray(values: string[]): string {
  return `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]`;
}

/** Create the schema and load the data into an empty database. */
export async function seedPantry(pgUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl, application_name: 'pantry-seed' });
  await client.connect();
  try {
    await client.query('SET maintenance_work_mem = \'128MB\'');
    await client.query('SET synchronous_commit = off');
    await client.query(DDL);
    await client.query('SELECT setseed(0.4242)');
    const cats = Object.keys(NOUNS);
    const nouns = cats.flatMap((c) => NOUNS[c]!);
    const nounCat = cats.flatMap((c) => NOUNS[c]!.map(() => c));
    const S = SIZES;

    await client.query(`
      INSERT INTO stores (name, city, zone)
      SELECT (ARRAY['FreshCo','GreenBasket','DailyFare','MarketHall'])[1 + s % 4] || ' ' || c.city || ' #' || s,
             c.city, 1 + (s - 1) % 20
      FROM generate_series(1, ${S.stores}) s,
           LATERAL (SELECT (ARRAY['Leeds','Bristol','York','Bath','Derby','Hull','Exeter','Oxford'])[1 + s % 8] AS city) c`);

    await client.query(`
      INSERT INTO products (sku, name, brand, category, unit, price_cents, description)
      SELECT 'SKU-' || lpad(i::text, 7, '0'),
             n.noun || ' ' || (ARRAY['Organic','Classic','Family Pack','Light','Premium','Value','Fresh','Smoked','Wholegrain','Free Range','Spicy','Mini'])[1 + (i / 7) % 12]
               || ' ' || (ARRAY['250g','500g','1kg','2kg','6 pack','1L','2L','400g','750ml','12 pack'])[1 + (i / 3) % 10] || ' ' || (i % 89),
             (ARRAY['Hillside','Brookfield','Nordic Table','Casa Verde','Sunrise','Golden Acre','Ocean Pier','Baker & Sons','Old Mill','Little Farm'])[1 + (i / 11) % 10],
             n.cat,
             (ARRAY['each','g','kg','ml','l','pack'])[1 + i % 6],
             49 + (random() * 1500)::int,
             'A ' || lower(n.noun) || ' from our ' || n.cat || ' range: sourced responsibly, packed for freshness, best stored ' ||
               (ARRAY['in a cool dry place','refrigerated below 5C','frozen at -18C','at room temperature'])[1 + i % 4] || '. Batch ' || md5(i::text)
      FROM generate_series(1, ${S.products}) i,
           LATERAL (SELECT (${sqlArray(nouns)})[1 + (i * 7) % ${nouns.length}] AS noun,
                           (${sqlArray(nounCat)})[1 + (i * 7) % ${nouns.length}] AS cat) n`);

    // Staples (the first 3 000 products) are stocked everywhere; the rest in ~30 % of stores.
    await client.query(`
      INSERT INTO store_stock (store_id, product_id, quantity, aisle)
      SELECT s, p, (random() * 80)::int, 'A' || (1 + p % 24)
      FROM generate_series(1, ${S.stores}) s, generate_series(1, ${S.products}) p
      WHERE p <= 3000 OR random() < 0.30`);

    await client.query(`
      INSERT INTO households (name, postcode, zone, preferred_store_id, members, created_at)
      SELECT (ARRAY['Smith','Jones','Patel','Nguyen','Garcia','Kowalski','Okafor','Murphy','Rossi','Haddad'])[1 + i % 10] || ' household ' || i,
             (ARRAY['LS','BS','YO','BA','DE','HU','EX','OX'])[1 + i % 8] || (1 + i % 30) || ' ' || (i % 9) || 'AB',
             1 + i % 20,
             CASE WHEN random() < 0.14 THEN NULL ELSE 1 + (i % 20) + 20 * ((i / 20) % 2) END,
             1 + (random() * 5)::int,
             now() - random() * interval '900 days'
      FROM generate_series(1, ${S.households}) i`);

    await client.query(`
      INSERT INTO pantry_items (household_id, product_id, quantity, unit, location, expires_on, added_at)
      SELECT h, 1 + floor(power(random(), 2) * ${S.products})::int, round((0.5 + random() * 4)::numeric, 2),
             (ARRAY['each','g','kg','ml','l','pack'])[1 + k % 6],
             (ARRAY['fridge','freezer','cupboard','spice rack'])[1 + (h + k) % 4],
             CASE WHEN k % 5 = 0 THEN NULL ELSE current_date + ((random() * 120)::int - 20) END,
             now() - random() * interval '60 days'
      FROM generate_series(1, ${S.households}) h, generate_series(1, ${S.pantryPerHousehold}) k`);

    await client.query(`
      INSERT INTO recipes (title, cuisine, minutes, servings, instructions)
      SELECT (ARRAY['Weeknight','Simple','Spicy','Creamy','Roasted','One-pot','Herby','Smoky','Crispy','Slow-cooked'])[1 + i % 10] || ' ' ||
             (ARRAY['Chicken Curry','Pasta Bake','Lentil Soup','Fish Tacos','Stir Fry','Risotto','Shakshuka','Chili','Salad Bowl','Tagine','Frittata','Ramen'])[1 + (i / 10) % 12] || ' no. ' || i,
             (ARRAY['indian','italian','mexican','thai','british','moroccan','japanese','middle-eastern'])[1 + i % 8],
             10 + (random() * 80)::int, 2 + (random() * 4)::int,
             repeat('Prepare the ingredients, then cook gently and season to taste. ', 4 + i % 6)
      FROM generate_series(1, ${S.recipes}) i`);

    await client.query(`
      INSERT INTO recipe_ingredients (recipe_id, position, product_id, quantity, unit, note)
      SELECT r, k, 1 + ((r * 37 + k * 331) % 3000), round((0.25 + random() * 3)::numeric, 2),
             (ARRAY['g','ml','each','tbsp','tsp','cup'])[1 + k % 6],
             CASE WHEN k % 3 = 0 THEN 'finely chopped' END
      FROM generate_series(1, ${S.recipes}) r, generate_series(1, ${S.ingredientsPerRecipe}) k`);

    await client.query(`
      INSERT INTO shopping_lists (household_id, name, status, created_at, updated_at)
      SELECT 1 + (i * 7) % ${S.households},
             (ARRAY['Weekly shop','Party','Top-up','Meal plan','Bulk buy'])[1 + i % 5],
             CASE WHEN i % 4 = 0 THEN 'done' ELSE 'open' END,
             now() - random() * interval '200 days', now() - random() * interval '10 days'
      FROM generate_series(1, ${S.lists}) i`);

    await client.query(`
      INSERT INTO list_items (list_id, product_id, quantity, checked, note, added_at)
      SELECT l, 1 + ((l * 131 + k * 6007) % ${S.products}), 1 + (random() * 4)::int, random() < 0.3,
             CASE WHEN k % 4 = 0 THEN 'any brand' END, now() - random() * interval '30 days'
      FROM generate_series(1, ${S.lists}) l, generate_series(1, ${S.itemsPerList}) k`);

    // Delivery slots: hourly 08:00-18:00 from a week ago to three weeks ahead (migratePantry keeps the window moving).
    await client.query(`
      INSERT INTO delivery_slots (store_id, starts_at, ends_at, capacity, booked, fee_cents)
      SELECT s, d + make_interval(hours => h), d + make_interval(hours => h + 1), 60, 0,
             CASE WHEN h BETWEEN 17 AND 18 OR extract(dow FROM d) IN (0, 6) THEN 499 ELSE 299 END
      FROM generate_series(1, ${S.stores}) s,
           generate_series(date_trunc('day', now()) - interval '7 days', date_trunc('day', now()) + interval '20 days', interval '1 day') d,
           generate_series(8, 18) h`);

    await client.query(`
      INSERT INTO orders (household_id, store_id, slot_id, status, subtotal_cents, delivery_fee_cents, payment_ref, created_at)
      SELECT h, COALESCE(hh.preferred_store_id, 1 + h % ${S.stores}), NULL,
             (ARRAY['delivered','delivered','delivered','delivered','cancelled','refunded'])[1 + i % 6],
             500 + (random() * 12000)::int, (ARRAY[299, 499, 0])[1 + i % 3],
             'pay_' || md5(i::text), now() - random() * interval '365 days'
      FROM generate_series(1, ${S.orders}) i
      JOIN LATERAL (SELECT 1 + (i * 13) % ${S.households} AS h) x ON true
      JOIN households hh ON hh.id = x.h`);

    await client.query(`
      INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents)
      SELECT o, k, 1 + floor(power(random(), 3) * ${S.products})::int, 1 + (random() * 3)::int, 49 + (random() * 1500)::int
      FROM generate_series(1, ${S.orders}) o, generate_series(1, ${S.linesPerOrder}) k`);

    await client.query(`
      INSERT INTO promotion_feed (store_id, product_id, kind, discount_pct, title, starts_at, ends_at)
      SELECT CASE WHEN i <= 200 THEN NULL ELSE 1 + i % ${S.stores} END,
             1 + (i * 97) % 3000,
             (ARRAY['percent','multibuy','clearance','loyalty'])[1 + i % 4],
             5 + (i % 7) * 5,
             (ARRAY['Weekend deal','3 for 2','Member price','Reduced to clear','Summer special'])[1 + i % 5] || ' #' || i,
             now() - make_interval(days => i % 20),
             CASE WHEN i % 5 = 0 THEN now() - interval '1 day' ELSE now() + make_interval(days => 30 + i % 60) END
      FROM generate_series(1, 2000) i`);
    await client.query(`INSERT INTO promotions (store_id, product_id, kind, discount_pct, title, starts_at, ends_at)
                        SELECT store_id, product_id, kind, discount_pct, title, starts_at, ends_at FROM promotion_feed`);

    await client.query(`
      CREATE INDEX products_name_lower_idx ON products (lower(name) text_pattern_ops);
      CREATE INDEX products_category_idx ON products (category, id);
      CREATE INDEX pantry_items_household_idx ON pantry_items (household_id);
      CREATE INDEX pantry_items_product_idx ON pantry_items (product_id);
      CREATE INDEX recipe_ingredients_product_idx ON recipe_ingredients (product_id);
      CREATE INDEX shopping_lists_household_idx ON shopping_lists (household_id);
      CREATE UNIQUE INDEX list_items_list_product_idx ON list_items (list_id, product_id);
      CREATE INDEX orders_household_created_idx ON orders (household_id, created_at DESC);
      CREATE INDEX orders_store_created_idx ON orders (store_id, created_at);
      CREATE INDEX households_zone_idx ON households (zone);
    `);
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

/**
 * The deploy's migration: bring the schema to the state of `fault`'s build
 * (null = healthy), and reset the fixture's slot bookings for the next weeks.
 */
export async function migratePantry(pgUrl: string, fault: PantryFault | null): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl, application_name: 'pantry-migrate' });
  await client.connect();
  try {
    // Fixture reset: keep three weeks of future slots, with a steady booking level.
    await client.query(`
      INSERT INTO delivery_slots (store_id, starts_at, ends_at, capacity, booked, fee_cents)
      SELECT s, d + make_interval(hours => h), d + make_interval(hours => h + 1), 60, 0,
             CASE WHEN h BETWEEN 17 AND 18 OR extract(dow FROM d) IN (0, 6) THEN 499 ELSE 299 END
      FROM generate_series(1, ${SIZES.stores}) s,
           generate_series(date_trunc('day', now()), date_trunc('day', now()) + interval '20 days', interval '1 day') d,
           generate_series(8, 18) h
      ON CONFLICT (store_id, starts_at) DO NOTHING`);
    await client.query(`UPDATE delivery_slots SET booked = (id * 7) % 20 WHERE starts_at > now()`);

    // Migration 0031 ("drop unused indexes") removed the household index of pantry_items in the faulty build.
    if (fault === 'pantry-household-index-dropped') {
      await client.query('DROP INDEX IF EXISTS pantry_items_household_idx');
    } else {
      await client.query('CREATE INDEX IF NOT EXISTS pantry_items_household_idx ON pantry_items (household_id)');
    }

    if (fault === 'promotions-autovacuum-off') {
      // Autovacuum was switched off on promotions during an incident and never switched back on; the
      // merchandising sync has since replaced the whole table (DELETE + INSERT from the feed) every few
      // minutes. Replay that history: 300 full refreshes with no vacuum in between.
      await client.query('ALTER TABLE promotions SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)');
      await client.query(`
        DO $$
        BEGIN
          FOR i IN 1..300 LOOP
            DELETE FROM promotions;
            INSERT INTO promotions (store_id, product_id, kind, discount_pct, title, starts_at, ends_at)
              SELECT store_id, product_id, kind, discount_pct, title, starts_at, ends_at FROM promotion_feed;
          END LOOP;
        END $$`);
    } else {
      await client.query('ALTER TABLE promotions RESET (autovacuum_enabled, toast.autovacuum_enabled)');
      const { rows } = await client.query<{ pages: string }>(`SELECT pg_relation_size('promotions') / 8192 AS pages`);
      if (Number(rows[0]!.pages) > 200) {
        await client.query('VACUUM FULL promotions');
      }
    }
    await client.query('ANALYZE promotions');
    await client.query('ANALYZE delivery_slots');
  } finally {
    await client.end();
  }
}
