/**
 * The ledger's corpus cases: the healthy baseline and one case per planted
 * fault, with the top finding an experienced performance engineer would
 * name, the request mix and the calibrated rates (CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import type { LedgerFault } from './faults.js';

type MixEntry = CorpusCase['mix'][number];

const quoted = (items: string[]): string => items.map((s) => `'${s}'`).join(', ');

/** The last twelve closed months (YYYY-MM), the statements customers download. */
const MONTHS = Array.from({ length: 12 }, (_, i) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1 - i, 1)).toISOString().slice(0, 7);
});
const NOW_S = Math.floor(Date.now() / 1000);
const MEMOS = ['Rent', 'Dinner split', 'Birthday gift', 'Invoice 4471', 'Car share', 'Holiday flat', 'Groceries', 'Utilities'];
/** Quote targets: mostly European, plus the yen and won customers send money to. */
const QUOTE_TO = ['USD', 'GBP', 'CHF', 'SEK', 'PLN', 'NOK', 'CZK', 'DKK', 'JPY', 'KRW'];

/**
 * Everyday traffic, weights in percent. The home screen (summary) is the
 * hottest call and concentrates on the 120 most active accounts (business
 * customers polling their dashboard), so its cache warms within seconds;
 * everything else is spread over all 8,000 accounts, 200k transfers and
 * 1,500 merchants (payers from the first half of the accounts, payees from
 * the second, so a transfer never goes to its own account).
 */
export function baseMix(weights: Partial<Record<string, number>> = {}): MixEntry[] {
  const entries: MixEntry[] = [
    { endpoint: 'GET /accounts/:id', method: 'GET', path: '/accounts/{{ randomInt(2, 121) }}', weight: 24 },
    { endpoint: 'GET /accounts/:id/entries', method: 'GET', path: '/accounts/{{ randomInt(2, 8000) }}/entries', weight: 15 },
    { endpoint: 'GET /accounts/:id/statement', method: 'GET', path: `/accounts/{{ randomInt(2, 8000) }}/statement?month={{ randomChoice(${quoted(MONTHS)}) }}`, weight: 6 },
    { endpoint: 'GET /accounts/:id/limits', method: 'GET', path: '/accounts/{{ randomInt(2, 8000) }}/limits', weight: 10 },
    {
      endpoint: 'POST /transfers', method: 'POST', path: '/transfers', weight: 10,
      body: { fromAccountId: '{{ randomInt(2, 4000) }}', toAccountId: '{{ randomInt(4001, 8000) }}', amountCents: '{{ randomInt(500, 60000) }}', memo: `{{ randomChoice(${quoted(MEMOS)}) }}` },
    },
    { endpoint: 'GET /transfers/:id', method: 'GET', path: '/transfers/{{ randomInt(1, 200000) }}', weight: 10 },
    { endpoint: 'GET /transfers/feed', method: 'GET', path: `/transfers/feed?before={{ randomInt(${NOW_S - 360 * 86_400}, ${NOW_S - 86_400}) }}`, weight: 8 },
    { endpoint: 'GET /merchants/:id/summary', method: 'GET', path: '/merchants/{{ randomInt(1, 1500) }}/summary', weight: 8 },
    { endpoint: 'GET /fx/quote', method: 'GET', path: `/fx/quote?from=EUR&to={{ randomChoice(${quoted(QUOTE_TO)}) }}&amount={{ randomInt(1000, 500000) }}`, weight: 9 },
  ];
  for (const endpoint of Object.keys(weights)) {
    if (!entries.some((e) => e.endpoint === endpoint)) throw new Error(`no endpoint ${endpoint} in the ledger mix`);
  }
  return entries.map((e) => (weights[e.endpoint] === undefined ? e : { ...e, weight: weights[e.endpoint]! }));
}

interface Spec {
  fault: LedgerFault | null;
  expect: CorpusCase['expect'];
  /** The faulty endpoint's weight in this case's mix (default: the base weight). */
  weight?: number;
  moderateRate: number;
  overloadRate: number;
}

function make(s: Spec): CorpusCase {
  return {
    id: `ledger/${s.fault ?? 'healthy'}`,
    fault: s.fault,
    expect: s.expect,
    mix: s.expect && s.weight ? baseMix({ [s.expect.endpoint]: s.weight }) : baseMix(),
    moderateRate: s.moderateRate,
    overloadRate: s.overloadRate,
  };
}

const on = (category: string, endpoint: string): CorpusCase['expect'] => ({ category, endpoint });

/** All ledger cases. Rates: see CALIBRATION.md (shared 2-core machine, niced, with margin). */
export const LEDGER_CASES: CorpusCase[] = [
  // Healthy, including the cold start of the summary cache (120 hot accounts, warm within seconds).
  make({ fault: null, expect: null, moderateRate: 40, overloadRate: 1000 }),
  // The summary is cached with 'PX' and a TTL constant in seconds: 60 ms, so every read recomputes it.
  make({ fault: 'account-cache-ttl-ms', expect: on('cache-miss', 'GET /accounts/:id'), weight: 35, moderateRate: 40, overloadRate: 800 }),
  // Entry history looks up each entry's merchant or counterparty on its own: ~50-75 queries a request.
  make({ fault: 'entries-lazy-names', expect: on('n-plus-one', 'GET /accounts/:id/entries'), weight: 20, moderateRate: 30, overloadRate: 400 }),
  // History reads build a new "replica" pg.Pool per request and never end it: idle connections pile up.
  make({ fault: 'history-pool-per-request', expect: on('connection-limit', 'GET /accounts/:id/entries'), weight: 15, moderateRate: 15, overloadRate: 150 }),
  // Statements fetch the month-end fixings inside their snapshot transaction (40-90 ms, pool of 4).
  make({ fault: 'statement-rates-in-tx', expect: on('pool-saturation', 'GET /accounts/:id/statement'), weight: 35, moderateRate: 130, overloadRate: 320 }),
  // Statements are memoised per (account, month) in both renderings, with no bound: ~1 MB/s of heap.
  make({ fault: 'statement-memo-unbounded', expect: on('memory-growth', 'GET /accounts/:id/statement'), weight: 35, moderateRate: 50, overloadRate: 800 }),
  // Limits find the account's spend buckets with KEYS spend:<id>:* over ~130k keys.
  make({ fault: 'limits-keys-scan', expect: on('cache-slow-command', 'GET /accounts/:id/limits'), weight: 20, moderateRate: 30, overloadRate: 300 }),
  // Fees posted in real time: every transfer updates the fee account's row first, then calls the risk engine.
  make({ fault: 'fee-account-hot-row', expect: on('lock-contention', 'POST /transfers'), weight: 60, moderateRate: 55, overloadRate: 150 }),
  // The risk engine degrades: 250-550 ms instead of 15-35 ms.
  make({ fault: 'risk-api-slow', expect: on('slow-dependency', 'POST /transfers'), weight: 15, moderateRate: 40, overloadRate: 1000 }),
  // Screening compares the payee with all 15,000 watch-list aliases (edit distance), synchronously.
  make({ fault: 'screening-full-scan', expect: on('event-loop-blocked', 'POST /transfers'), weight: 15, moderateRate: 20, overloadRate: 250 }),
  // Receipt signing derives its key (PBKDF2-SHA512, 210k iterations) on every request instead of once.
  make({ fault: 'receipt-key-per-request', expect: on('cpu-saturation', 'GET /transfers/:id'), weight: 20, moderateRate: 30, overloadRate: 150 }),
  // The migration lacks transfers(created_at): the feed's ORDER BY created_at DESC LIMIT 50 sorts 200k rows.
  make({ fault: 'missing-index-transfers-created', expect: on('missing-index', 'GET /transfers/feed'), weight: 12, moderateRate: 15, overloadRate: 120 }),
  // The feed's default page became 1,000 transfers with legs and parties embedded: ~0.8 MB a response.
  make({ fault: 'feed-page-1000-embedded', expect: on('large-payload', 'GET /transfers/feed'), weight: 12, moderateRate: 20, overloadRate: 300 }),
  // The migration lacks entries(merchant_id, value_date): the summary filters 30 days of all entries.
  make({ fault: 'missing-index-entries-merchant', expect: on('missing-index', 'GET /merchants/:id/summary'), weight: 15, moderateRate: 20, overloadRate: 250 }),
  // The merchant's rank is computed live: a window over every merchant's 30-day card volume per request.
  make({ fault: 'merchant-rank-live', expect: on('inefficient-query', 'GET /merchants/:id/summary'), weight: 15, moderateRate: 20, overloadRate: 200 }),
  // Quotes build the date index of the whole rate book (~60k fixings in 162 Maps) per request, and the
  // audit buffer holds each one until its 500 ms flush: allocation that survives and dies old.
  make({ fault: 'quote-book-index-per-request', expect: on('gc-pressure', 'GET /fx/quote'), weight: 35, moderateRate: 40, overloadRate: 600 }),
  // Formatting asks for two decimals even for zero-decimal currencies: yen and won quotes throw (500).
  make({ fault: 'quote-minor-units-crash', expect: on('error-rate', 'GET /fx/quote'), weight: 20, moderateRate: 40, overloadRate: 1000 }),
];
