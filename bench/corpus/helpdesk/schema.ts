/**
 * The helpdesk's schema, its seed data (generated in SQL with
 * generate_series, so seeding a few hundred thousand tickets takes seconds)
 * and the per-build migration that a fault's deploy runs.
 *
 * Data volume (see CALIBRATION.md): 200 organisations, 4 000 agents (20 per
 * org), 200 000 customers (1 000 per org), 300 000 tickets (1 500 per org),
 * about 900 000 messages, 130 000 attachments, 120 000 CSAT answers.
 *
 * @module
 */
import { pbkdf2Sync } from 'node:crypto';
import postgres from 'postgres';
import type { HelpdeskFault } from './faults.js';

/** Sizes of the seeded data; ids are dense 1..n. */
export const SIZES = { orgs: 200, agentsPerOrg: 20, customersPerOrg: 1000, ticketsPerOrg: 1500 } as const;

/** The password every seeded agent signs in with. */
export const SEED_PASSWORD = 'correct horse battery staple';

/** PBKDF2 parameters of the stored agent password hashes. */
export const PASSWORD_HASH = { iterations: 210_000, keylen: 32, digest: 'sha256' } as const;

const DDL = [
  `CREATE TABLE orgs (
     id int PRIMARY KEY, name text NOT NULL, plan text NOT NULL, timezone text NOT NULL,
     last_ticket_number int NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE sla_policies (
     id serial PRIMARY KEY, org_id int NOT NULL REFERENCES orgs(id), priority text NOT NULL,
     first_response_mins int NOT NULL, resolution_mins int NOT NULL, UNIQUE (org_id, priority))`,
  `CREATE TABLE agents (
     id serial PRIMARY KEY, org_id int NOT NULL REFERENCES orgs(id), name text NOT NULL, email text NOT NULL UNIQUE,
     role text NOT NULL, password_salt text NOT NULL, password_hash text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE customers (
     id serial PRIMARY KEY, org_id int NOT NULL REFERENCES orgs(id), name text NOT NULL, email text NOT NULL,
     phone text, company text, created_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE tickets (
     id serial PRIMARY KEY, org_id int NOT NULL REFERENCES orgs(id), number int NOT NULL,
     customer_id int NOT NULL REFERENCES customers(id), assignee_id int REFERENCES agents(id),
     subject text NOT NULL, status text NOT NULL, priority text NOT NULL, channel text NOT NULL,
     created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, first_response_at timestamptz,
     solved_at timestamptz, due_at timestamptz NOT NULL, raw_email text)
     WITH (toast_tuple_target = 128)`,
  `CREATE TABLE messages (
     id serial PRIMARY KEY, ticket_id int NOT NULL REFERENCES tickets(id), author_kind text NOT NULL,
     author_id int NOT NULL, body text NOT NULL, internal boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL)`,
  `CREATE TABLE attachments (
     id serial PRIMARY KEY, message_id int NOT NULL REFERENCES messages(id), filename text NOT NULL,
     content_type text NOT NULL, size_bytes int NOT NULL, storage_key text NOT NULL)`,
  `CREATE TABLE tags (id serial PRIMARY KEY, org_id int NOT NULL REFERENCES orgs(id), name text NOT NULL, UNIQUE (org_id, name))`,
  `CREATE TABLE ticket_tags (ticket_id int NOT NULL REFERENCES tickets(id), tag_id int NOT NULL REFERENCES tags(id), PRIMARY KEY (ticket_id, tag_id))`,
  `CREATE TABLE ticket_events (
     id bigserial PRIMARY KEY, ticket_id int NOT NULL REFERENCES tickets(id), kind text NOT NULL,
     data jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL)`,
  `CREATE TABLE macros (
     id serial PRIMARY KEY, org_id int NOT NULL REFERENCES orgs(id), title text NOT NULL, body text NOT NULL,
     actions jsonb NOT NULL DEFAULT '[]', usage_count int NOT NULL DEFAULT 0)`,
  `CREATE TABLE csat_responses (
     id serial PRIMARY KEY, ticket_id int NOT NULL UNIQUE REFERENCES tickets(id), org_id int NOT NULL REFERENCES orgs(id), score int NOT NULL CHECK (score BETWEEN 1 AND 5),
     comment text, created_at timestamptz NOT NULL)`,
];

const TAG_NAMES = ['billing', 'refund', 'login', 'bug', 'feature-request', 'shipping', 'urgent', 'vip', 'api', 'mobile', 'invoice', 'password', 'outage', 'integration', 'feedback'];

/** Seed rows; ids and foreign keys are arithmetic on the row number so every org gets its share. */
function dataStatements(hash: string, salt: string): string[] {
  const { orgs, agentsPerOrg, customersPerOrg, ticketsPerOrg } = SIZES;
  const agents = orgs * agentsPerOrg;
  const customers = orgs * customersPerOrg;
  const tickets = orgs * ticketsPerOrg;
  const tagList = TAG_NAMES.map((t) => `'${t}'`).join(',');
  // 15 tags: k * 5 % 15 differs for k = 1..3, so a ticket's tags are distinct without DISTINCT.
  const nTags = TAG_NAMES.length;
  // A cheap integer hash of the row number, to decorrelate attributes from the org (id % 200).
  const h = (col: string, salt2: number): string => `(abs(hashint4(${col} * 31 + ${salt2})) % 1000)`;
  return [
    `INSERT INTO orgs (id, name, plan, timezone, last_ticket_number)
       SELECT i, 'Org ' || i, (ARRAY['starter','team','business','enterprise'])[1 + i % 4],
              (ARRAY['Europe/Berlin','America/New_York','Asia/Tokyo','UTC'])[1 + i % 4], ${ticketsPerOrg}
       FROM generate_series(1, ${orgs}) i`,
    `INSERT INTO sla_policies (org_id, priority, first_response_mins, resolution_mins)
       SELECT o, p.priority, p.fr, p.res FROM generate_series(1, ${orgs}) o,
       (VALUES ('urgent', 60, 240), ('high', 240, 1440), ('normal', 480, 4320), ('low', 1440, 10080)) AS p(priority, fr, res)`,
    `INSERT INTO agents (id, org_id, name, email, role, password_salt, password_hash)
       SELECT i, 1 + (i - 1) % ${orgs}, 'Agent ' || i, 'agent' || i || '@helpdesk.test',
              CASE WHEN i <= ${orgs} THEN 'admin' ELSE 'agent' END, '${salt}', '${hash}'
       FROM generate_series(1, ${agents}) i`,
    `INSERT INTO customers (id, org_id, name, email, phone, company, created_at)
       SELECT i, 1 + (i - 1) % ${orgs}, 'Customer ' || i, 'c' || i || '@example.net', '+1-555-' || lpad((i % 10000)::text, 4, '0'),
              'Company ' || (i % 5000), now() - ((i * 7) % 730) * interval '1 day'
       FROM generate_series(1, ${customers}) i`,
    `INSERT INTO tickets (id, org_id, number, customer_id, assignee_id, subject, status, priority, channel,
                          created_at, updated_at, first_response_at, solved_at, due_at, raw_email)
       SELECT i, s.org, s.num, s.org + ${orgs} * ((s.num * 7919) % ${customersPerOrg}),
              CASE WHEN s.status = 'new' THEN NULL ELSE s.org + ${orgs} * ((i / ${orgs} * 13) % ${agentsPerOrg}) END,
              (ARRAY['Cannot log in to my account','Refund for order','Invoice is wrong','App crashes on start',
                     'Where is my shipment?','Feature request: dark mode','API returns 500','Password reset email never arrives',
                     'Charged twice this month','Integration with Slack stopped working','How do I export my data?',
                     'Mobile app is slow'])[1 + (i * 7) % 12] || ' (#' || s.num || ')',
              s.status, s.priority, (ARRAY['email','web','chat','phone'])[1 + i % 4],
              s.created_at, s.created_at + interval '37 minutes' * (1 + i % 5),
              CASE WHEN s.status = 'new' THEN NULL ELSE s.created_at + interval '37 minutes' END,
              CASE WHEN s.status IN ('solved','closed') THEN s.created_at + interval '1 hour' * (1 + i % 90) END,
              s.created_at + interval '1 minute' * (CASE s.priority WHEN 'urgent' THEN 240 WHEN 'high' THEN 1440 WHEN 'normal' THEN 4320 ELSE 10080 END),
              'Received: from mx' || (i % 40) || '.mail.example.net by inbound.helpdesk.test; ' || E'\\n' ||
              'Message-ID: <' || md5(i::text) || '@example.net>' || E'\\n' || 'Content-Type: text/html; charset=utf-8' || E'\\n\\n' ||
              repeat('<p style="font-family:Arial,sans-serif;font-size:14px;color:#333">' || md5((i % 97)::text) || '</p>', 30)
       FROM (
         SELECT i, 1 + (i - 1) % ${orgs} AS org, 1 + (i - 1) / ${orgs} AS num,
                CASE WHEN ${h('i', 11)} < 50 THEN 'new' WHEN ${h('i', 11)} < 200 THEN 'open' WHEN ${h('i', 11)} < 300 THEN 'pending'
                     WHEN ${h('i', 11)} < 900 THEN 'solved' ELSE 'closed' END AS status,
                CASE WHEN ${h('i', 5)} < 50 THEN 'urgent' WHEN ${h('i', 5)} < 250 THEN 'high' WHEN ${h('i', 5)} < 850 THEN 'normal' ELSE 'low' END AS priority,
                CASE WHEN ${h('i', 11)} < 300 THEN now() - interval '1 minute' * (${h('i', 3)} * 10)
                     ELSE now() - interval '1 minute' * (10000 + (i::bigint * 7919) % 515000) END AS created_at
         FROM generate_series(1, ${tickets}) i) s`,
    `INSERT INTO messages (ticket_id, author_kind, author_id, body, internal, created_at)
       SELECT t.id, CASE WHEN k % 2 = 1 THEN 'customer' ELSE 'agent' END,
              CASE WHEN k % 2 = 1 THEN t.customer_id ELSE coalesce(t.assignee_id, t.org_id) END,
              (ARRAY['Hi, I have been trying to sort this out for a couple of days now and it is still not working. Could you please take a look?',
                     'Thanks for reaching out! I have checked your account and can see the issue. I have escalated it to our engineering team.',
                     'I attached a screenshot of the error. It happens every time I open the settings page on my laptop.',
                     'Could you confirm the email address on the account and the last four digits of the card used for the payment?',
                     'That worked, thank you so much for the quick help! You can close this ticket.',
                     'We have deployed a fix for this problem. Please clear your browser cache and let us know if it persists.'])[1 + (t.id + k) % 6]
              || ' Ref ' || t.id || '-' || k,
              k % 4 = 0, t.created_at + interval '37 minutes' * (k - 1)
       FROM tickets t, generate_series(1, CASE WHEN t.status = 'new' THEN 1 ELSE 1 + t.id % 5 END) k`,
    `INSERT INTO ticket_events (ticket_id, kind, data, created_at)
       SELECT id, 'created', jsonb_build_object('channel', channel, 'priority', priority), created_at FROM tickets`,
    `INSERT INTO attachments (message_id, filename, content_type, size_bytes, storage_key)
       SELECT id, (ARRAY['screenshot.png','invoice.pdf','log.txt','photo.jpg'])[1 + id % 4],
              (ARRAY['image/png','application/pdf','text/plain','image/jpeg'])[1 + id % 4], 1000 + ((id::bigint * 7919) % 4000000)::int,
              'att/' || md5(id::text)
       FROM messages WHERE id % 7 = 0`,
    `INSERT INTO tags (id, org_id, name)
       SELECT (o - 1) * ${nTags} + n, o, (ARRAY[${tagList}])[n] FROM generate_series(1, ${orgs}) o, generate_series(1, ${nTags}) n`,
    `INSERT INTO ticket_tags (ticket_id, tag_id)
       SELECT t.id, (t.org_id - 1) * ${nTags} + 1 + (t.id * 7 + k * 5) % ${nTags}
       FROM tickets t, generate_series(1, 1 + t.id % 3) k`,
    `INSERT INTO macros (org_id, title, body, actions)
       SELECT o, 'Macro ' || m || ': ' || (ARRAY['Refund issued','Password reset steps','Escalated to engineering','Shipping delay','Closing inactive ticket'])[1 + m % 5],
              'Hi {{customer.name}},' || E'\\n\\n' || repeat('Thank you for contacting {{org.name}} support. ', 1 + m % 4) ||
              'Your ticket #{{ticket.number}} has been updated.' || E'\\n\\n' || 'Best regards,' || E'\\n' || '{{agent.name}}',
              jsonb_build_array(jsonb_build_object('set', 'status', 'value', (ARRAY['pending','solved','open'])[1 + m % 3]))
       FROM generate_series(1, ${orgs}) o, generate_series(1, 25) m`,
    `INSERT INTO csat_responses (ticket_id, org_id, score, comment, created_at)
       SELECT id, org_id, 1 + (id * 7) % 5, CASE WHEN id % 4 = 0 THEN 'Quick and friendly help' END, solved_at + interval '2 hours'
       FROM tickets WHERE status IN ('solved','closed') AND id % 3 <> 0`,
    `SELECT setval(pg_get_serial_sequence('tickets','id'), (SELECT max(id) FROM tickets))`,
    `SELECT setval(pg_get_serial_sequence('agents','id'), (SELECT max(id) FROM agents))`,
    `SELECT setval(pg_get_serial_sequence('tags','id'), (SELECT max(id) FROM tags))`,
    `SELECT setval(pg_get_serial_sequence('customers','id'), (SELECT max(id) FROM customers))`,
  ];
}

/** Indexes of the healthy build (the email index is managed by {@link migrateHelpdesk}). */
const INDEXES = [
  `CREATE INDEX agents_org_idx ON agents (org_id)`,
  `CREATE INDEX customers_org_idx ON customers (org_id)`,
  `CREATE INDEX tickets_org_status_updated_idx ON tickets (org_id, status, updated_at DESC) INCLUDE (priority)`,
  `CREATE INDEX tickets_assignee_status_idx ON tickets (assignee_id, status)`,
  `CREATE INDEX tickets_customer_idx ON tickets (customer_id)`,
  `CREATE INDEX tickets_org_created_idx ON tickets (org_id, created_at)`,
  `CREATE INDEX messages_ticket_created_idx ON messages (ticket_id, created_at)`,
  `CREATE INDEX attachments_message_idx ON attachments (message_id)`,
  `CREATE INDEX ticket_tags_tag_idx ON ticket_tags (tag_id)`,
  `CREATE INDEX macros_org_idx ON macros (org_id)`,
  `CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id)`,
  `CREATE INDEX csat_responses_org_created_idx ON csat_responses (org_id, created_at)`,
];

/** The index on customers.email that inbound-email routing and agent search rely on. */
const EMAIL_INDEX = 'customers_email_idx';

/** Create the schema and load the seed data into an empty database. */
export async function seedHelpdesk(pgUrl: string): Promise<void> {
  const salt = 'seed-salt-0001';
  const hash = pbkdf2Sync(SEED_PASSWORD, salt, PASSWORD_HASH.iterations, PASSWORD_HASH.keylen, PASSWORD_HASH.digest).toString('hex');
  const sql = postgres(pgUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(DDL.join(';\n')).simple();
    // The seed is consistent by construction: skip the per-row foreign-key triggers while loading (one connection).
    await sql.unsafe('SET session_replication_role = replica');
    for (const statement of dataStatements(hash, salt)) await sql.unsafe(statement);
    await sql.unsafe('SET session_replication_role = DEFAULT');
    for (const statement of INDEXES) await sql.unsafe(statement);
    await sql.unsafe(`CREATE INDEX ${EMAIL_INDEX} ON customers (email)`);
    await sql.unsafe('VACUUM ANALYZE');
  } finally {
    await sql.end();
  }
}

/**
 * The deploy migration of a build: the customers.email index exists except
 * in the `customers-email-index-dropped` build. Idempotent.
 */
export async function migrateHelpdesk(pgUrl: string, fault: HelpdeskFault | null): Promise<void> {
  const sql = postgres(pgUrl, { max: 1, onnotice: () => {} });
  try {
    if (fault === 'customers-email-index-dropped') await sql.unsafe(`DROP INDEX IF EXISTS ${EMAIL_INDEX}`);
    else await sql.unsafe(`CREATE INDEX IF NOT EXISTS ${EMAIL_INDEX} ON customers (email)`);
    await sql.unsafe('ANALYZE customers');
  } finally {
    await sql.end();
  }
}
