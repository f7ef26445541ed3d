import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactArgument, redactConnection, redactText, redactValue } from '../../src/store/index.js';

const SECRET = 'Sup3r-S3cret';

test('URL passwords and secret query parameters are redacted', () => {
  assert.equal(redactConnection(`postgres://app:${SECRET}@db:5432/shop`), 'postgres://app:***@db:5432/shop');
  assert.equal(redactConnection(`redis://:${SECRET}@127.0.0.1:6379/0`), 'redis://:***@127.0.0.1:6379/0');
  assert.equal(redactConnection(`postgresql://db/shop?user=a&password=${SECRET}`), 'postgresql://db/shop?user=a&password=***');
  assert.equal(redactConnection(`https://api.example/x?token=${SECRET}`), 'https://api.example/x?token=***');
});

test('a URL that does not parse is replaced, never returned with its password', () => {
  // Port 99999 makes WHATWG URL parsing fail; the password must not survive.
  const out = redactConnection(`postgres://app:${SECRET}@db:99999/shop`);
  assert.ok(!out.includes(SECRET), out);
  assert.equal(out, 'postgres://<unparseable, redacted>');
  assert.ok(!redactConnection(`postgres://app:p@ss:${SECRET}@db/x`).includes(SECRET));
});

test('libpq key/value strings lose their password, quoted or not', () => {
  assert.equal(redactConnection(`host=db password='a ${SECRET}' user=app`), 'host=db password=*** user=app');
  assert.equal(redactConnection(`host=db password=${SECRET}`), 'host=db password=***');
});

test('strings without secrets are returned exactly', () => {
  assert.equal(redactConnection('postgres://db:5432/shop'), 'postgres://db:5432/shop');
  assert.equal(redactConnection('http://127.0.0.1:3000'), 'http://127.0.0.1:3000');
  assert.equal(redactConnection('plan.yaml'), 'plan.yaml');
});

test('URLs inside free text and command-line arguments are redacted', () => {
  const msg = `cannot connect to postgres://u:${SECRET}@10.0.0.1:5432/db: ECONNREFUSED`;
  assert.equal(redactText(msg), 'cannot connect to postgres://u:***@10.0.0.1:5432/db: ECONNREFUSED');
  assert.equal(redactArgument(`Authorization: Bearer ${SECRET}`), 'Authorization: ***');
  assert.equal(redactText(`/items?owner={{ randomInt(1, 5) }}&token=${SECRET}&x=1`), '/items?owner={{ randomInt(1, 5) }}&token=***&x=1');
  assert.equal(redactArgument(`--pg=postgres://u:${SECRET}@h/db`), '--pg=postgres://u:***@h/db');
});

test('deep values: secret headers, secret keys and URLs anywhere', () => {
  const out = JSON.stringify(
    redactValue({ headers: { Authorization: `Bearer ${SECRET}`, accept: 'x' }, db: { password: SECRET, url: `postgres://a:${SECRET}@h/d` }, list: [`redis://:${SECRET}@h`] }),
  );
  assert.ok(!out.includes(SECRET), out);
  assert.match(out, /"accept":"x"/);
});
