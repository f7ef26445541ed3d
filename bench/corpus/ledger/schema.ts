/**
 * The ledger's schema, seed data and deploy migration.
 *
 * Volumes: 6,000 customers, 8,000 accounts (account 1 is the bank's own fee
 * revenue account), 1,500 merchants, 200,000 transfers over the last year and
 * ~930,000 ledger entries (two legs per settled transfer, 400,000 card
 * payments, and 150,000 more for the 120 busy business accounts 2-121). Everything is generated inside PostgreSQL with generate_series
 * and a fixed random seed, so seeding is one round trip per table.
 *
 * Secondary indexes are not created by the seed but by {@link migrateLedger},
 * which every start runs, as a deploy would: a missing-index fault is a deploy
 * whose migration lacks one index (and a later healthy start puts it back).
 *
 * @module
 */
import pg from 'pg';
import type { LedgerFault } from './faults.js';

/** Secondary indexes of the deploy migration, by name. */
export const INDEXES = {
  entries_account_created_idx: 'entries (account_id, created_at)',
  entries_transfer_idx: 'entries (transfer_id)',
  entries_merchant_day_idx: 'entries (merchant_id, value_date)',
  entries_value_date_idx: 'entries (value_date)',
  transfers_created_idx: 'transfers (created_at)',
  accounts_customer_idx: 'accounts (customer_id)',
} as const;

/** Row counts of the seed (entries: approximate, two legs per settled transfer). */
export const SEED = { customers: 6000, accounts: 8000, merchants: 1500, transfers: 200_000, cardPayments: 400_000, businessCardPayments: 150_000 } as const;

/** The bank's fee revenue account. */
export const FEE_ACCOUNT_ID = 1;

const FIRST = ['Maria', 'Jonas', 'Aisha', 'Lukas', 'Sofia', 'Mateo', 'Emma', 'Noah', 'Lea', 'Oskar', 'Ines', 'Tomas', 'Yara', 'Felix', 'Nora', 'Hugo', 'Mila', 'Elias', 'Zoe', 'Karim'];
const LAST = ['Jensen', 'Novak', 'Garcia', 'Schmidt', 'Rossi', 'Dubois', 'Kowalski', 'Silva', 'Berg', 'Horvat', 'Murphy', 'Lindqvist', 'Costa', 'Weber', 'Nagy', 'Moreau', 'Janssen', 'Popescu'];
const SHOPS = ['Corner', 'Fresh', 'City', 'Green', 'Blue', 'North', 'Urban', 'Daily', 'Happy', 'Prime'];
const KINDS = ['Market', 'Bakery', 'Pharmacy', 'Books', 'Cafe', 'Fuel', 'Cinema', 'Hardware', 'Fashion', 'Electronics', 'Transit', 'Grocer'];
const MEMOS = ['Rent', 'Dinner split', 'Birthday gift', 'Invoice 2291', 'Car share', 'Holiday flat', 'Loan repayment', 'Groceries', 'Concert tickets', 'Utilities'];

const sqlArray = (items: readonly string[]): string => `ARRAY[${items.map((s) => `'${s}'`).join(',')}]`;

const DDL = `
DROP TABLE IF EXISTS entries, transfers, merchants, accounts, customers;
CREATE TABLE customers (
  id integer PRIMARY KEY, name text NOT NULL, email text NOT NULL, country char(2) NOT NULL, created_at timestamptz NOT NULL
);
CREATE TABLE accounts (
  id bigint PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers, currency char(3) NOT NULL,
  balance_cents bigint NOT NULL, status text NOT NULL, daily_limit_cents bigint NOT NULL,
  monthly_limit_cents bigint NOT NULL, opened_at timestamptz NOT NULL
);
CREATE TABLE merchants (id integer PRIMARY KEY, name text NOT NULL, mcc integer NOT NULL, country char(2) NOT NULL);
CREATE TABLE transfers (
  id bigserial PRIMARY KEY, from_account_id bigint NOT NULL, to_account_id bigint NOT NULL,
  amount_cents bigint NOT NULL, fee_cents integer NOT NULL, currency char(3) NOT NULL, status text NOT NULL,
  reference text NOT NULL, memo text NOT NULL, risk_score integer NOT NULL, created_at timestamptz NOT NULL
);
CREATE TABLE entries (
  id bigserial PRIMARY KEY, account_id bigint NOT NULL, transfer_id bigint, merchant_id integer,
  kind text NOT NULL, amount_cents bigint NOT NULL, description text NOT NULL,
  value_date date NOT NULL, created_at timestamptz NOT NULL
);`;

const DATA = [
  `SELECT setseed(0.42)`,
  `INSERT INTO customers
   SELECT g, (${sqlArray(FIRST)})[1 + g % ${FIRST.length}] || ' ' || (${sqlArray(LAST)})[1 + (g / ${FIRST.length}) % ${LAST.length}],
          'customer' || g || '@example.org', (ARRAY['DE','FR','NL','ES','IT','SE','PL','IE'])[1 + g % 8],
          now() - interval '4 years' * random()
   FROM generate_series(1, ${SEED.customers}) g`,
  `UPDATE customers SET name = 'Ledger Bank fee revenue' WHERE id = 1`,
  `INSERT INTO accounts
   SELECT g, 1 + (g * 7) % ${SEED.customers},
          CASE WHEN g % 20 < 16 THEN 'EUR' WHEN g % 20 = 16 THEN 'GBP' WHEN g % 20 = 17 THEN 'USD' WHEN g % 20 = 18 THEN 'SEK' ELSE 'CHF' END,
          1000000000 + (random() * 100000000)::bigint, CASE WHEN g % 97 = 0 THEN 'frozen' ELSE 'active' END,
          500000, 5000000, now() - interval '3 years' * random()
   FROM generate_series(1, ${SEED.accounts}) g`,
  `UPDATE accounts SET customer_id = 1, currency = 'EUR', balance_cents = 0 WHERE id = ${FEE_ACCOUNT_ID}`,
  `INSERT INTO merchants
   SELECT g, (${sqlArray(SHOPS)})[1 + g % ${SHOPS.length}] || ' ' || (${sqlArray(KINDS)})[1 + (g / ${SHOPS.length}) % ${KINDS.length}] || ' #' || g,
          (ARRAY[5411, 5462, 5912, 5942, 5814, 5541, 7832, 5251, 5651, 5732, 4111, 5499])[1 + (g / ${SHOPS.length}) % 12],
          (ARRAY['DE','FR','NL','ES','IT','SE','PL','IE'])[1 + g % 8]
   FROM generate_series(1, ${SEED.merchants}) g`,
  // Transfer ids grow with time, as they do in production.
  `INSERT INTO transfers (id, from_account_id, to_account_id, amount_cents, fee_cents, currency, status, reference, memo, risk_score, created_at)
   SELECT g, t.f, CASE WHEN t.t = t.f THEN 2 + (t.t - 1) % ${SEED.accounts - 1} ELSE t.t END, t.amount, greatest(25, t.amount / 500),
          a.currency, CASE WHEN t.r < 0.95 THEN 'settled' WHEN t.r < 0.98 THEN 'failed' ELSE 'pending' END,
          'TRF-' || lpad(g::text, 9, '0'), (${sqlArray(MEMOS)})[1 + g % ${MEMOS.length}], (random() * 100)::int,
          now() - interval '365 days' + interval '365 days' * (g::float8 / ${SEED.transfers}) - interval '10 minutes' * random()
   FROM generate_series(1, ${SEED.transfers}) g
   CROSS JOIN LATERAL (SELECT 2 + (random() * ${SEED.accounts - 2})::bigint AS f, 2 + (random() * ${SEED.accounts - 2})::bigint AS t,
                              (100 + exp(random() * 7.6) * 20)::bigint AS amount, random() AS r, g AS k) t
   JOIN accounts a ON a.id = t.f`,
  `SELECT setval('transfers_id_seq', ${SEED.transfers})`,
  `INSERT INTO entries (account_id, transfer_id, kind, amount_cents, description, value_date, created_at)
   SELECT CASE WHEN leg = 1 THEN t.from_account_id ELSE t.to_account_id END, t.id,
          CASE WHEN leg = 1 THEN 'transfer_out' ELSE 'transfer_in' END,
          CASE WHEN leg = 1 THEN -(t.amount_cents + t.fee_cents) ELSE t.amount_cents END,
          t.memo, t.created_at::date, t.created_at
   FROM transfers t CROSS JOIN generate_series(1, 2) leg WHERE t.status = 'settled'`,
  `INSERT INTO entries (account_id, merchant_id, kind, amount_cents, description, value_date, created_at)
   SELECT c.account_id, c.merchant_id, 'card', -c.amount, 'Card payment', (c.at + interval '1 day')::date, c.at
   FROM (SELECT 2 + (random() * ${SEED.accounts - 2})::bigint AS account_id, 1 + (random() * ${SEED.merchants - 1})::int AS merchant_id,
                (150 + exp(random() * 6) * 10)::bigint AS amount, now() - interval '365 days' * random() AS at
         FROM generate_series(1, ${SEED.cardPayments})) c`,
  // The 120 business accounts (2-121) take card payments all day: ~1,250 more entries each.
  `INSERT INTO entries (account_id, merchant_id, kind, amount_cents, description, value_date, created_at)
   SELECT c.account_id, c.merchant_id, 'card', -c.amount, 'Card payment', (c.at + interval '1 day')::date, c.at
   FROM (SELECT 2 + (random() * 119)::bigint AS account_id, 1 + (random() * ${SEED.merchants - 1})::int AS merchant_id,
                (150 + exp(random() * 6) * 10)::bigint AS amount, now() - interval '365 days' * random() AS at
         FROM generate_series(1, ${SEED.businessCardPayments})) c`,
];

/** Create the schema and load the data into an empty database (about 15-40 s on a busy 2-core box). */
export async function seedLedger(pgUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(DDL);
    for (const statement of DATA) await client.query(statement);
    await createIndexes(client, []);
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

/** Indexes a fault's deploy leaves out. */
export function missingIndexes(fault: LedgerFault | null): (keyof typeof INDEXES)[] {
  if (fault === 'missing-index-transfers-created') return ['transfers_created_idx'];
  if (fault === 'missing-index-entries-merchant') return ['entries_merchant_day_idx'];
  return [];
}

async function createIndexes(client: pg.Client, omit: readonly string[]): Promise<boolean> {
  let changed = false;
  for (const [name, definition] of Object.entries(INDEXES)) {
    const exists = (await client.query('SELECT 1 FROM pg_indexes WHERE indexname = $1', [name])).rowCount === 1;
    if (omit.includes(name) && exists) {
      await client.query(`DROP INDEX ${name}`);
      changed = true;
    } else if (!omit.includes(name) && !exists) {
      await client.query(`CREATE INDEX ${name} ON ${definition}`);
      changed = true;
    }
  }
  return changed;
}

/** The deploy migration of a fault's build: every index except the ones the fault lacks. */
export async function migrateLedger(pgUrl: string, fault: LedgerFault | null): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    if (await createIndexes(client, missingIndexes(fault))) await client.query('ANALYZE entries, transfers');
  } finally {
    await client.end();
  }
}
