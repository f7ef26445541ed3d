/**
 * Message catalog of the recipient-facing texts (statuses, instructions,
 * sender-specific notes, legal footers) in the supported locales. In
 * production it is loaded from the translation service's export at boot;
 * here the export is generated with the same shape and size.
 *
 * @module
 */
import { config } from './config.js';

export interface CatalogEntry {
  text: string;
  description: string;
  /** The parsed template, filled in on first use. */
  parts?: (string | { name: string })[];
}
export type Catalog = Record<string, CatalogEntry>;

export const LOCALES = ['pl', 'en', 'uk'] as const;
export type Locale = (typeof LOCALES)[number];

const STATUS_TEXT: Record<Locale, Record<string, string>> = {
  pl: { in_transit: 'Paczka {tracking} jest w drodze do paczkomatu {site}', deposited: 'Paczka {tracking} czeka w paczkomacie {site} do {due}',
    picked_up: 'Paczka {tracking} zostala odebrana {at}', expired: 'Paczka {tracking} nie zostala odebrana i wraca do nadawcy', returned: 'Zwrot {tracking} przyjety' },
  en: { in_transit: 'Parcel {tracking} is on its way to locker {site}', deposited: 'Parcel {tracking} is waiting in locker {site} until {due}',
    picked_up: 'Parcel {tracking} was picked up {at}', expired: 'Parcel {tracking} was not collected and is going back to the sender', returned: 'Return {tracking} accepted' },
  uk: { in_transit: 'Posylka {tracking} pryamuye do poshtomatu {site}', deposited: 'Posylka {tracking} chekaye v poshtomati {site} do {due}',
    picked_up: 'Posylku {tracking} otrymano {at}', expired: 'Posylku {tracking} ne otrymano, vona povertayetsya vidpravnyku', returned: 'Povernennya {tracking} pryynyato' },
};

/** Keys per locale in the export (statuses, site instructions, sender notes, campaign and legal texts). */
const CATALOG_KEYS = 6000;

function buildCatalog(locale: Locale): Catalog {
  const catalog: Catalog = {};
  for (const [status, text] of Object.entries(STATUS_TEXT[locale])) {
    catalog[`parcel.status.${status}`] = { text, description: `Parcel status line for ${status}` };
  }
  const sections = ['site.instructions', 'sender.note', 'campaign.banner', 'legal.footer', 'help.article'];
  for (let i = 0; i < CATALOG_KEYS; i++) {
    const section = sections[i % sections.length]!;
    catalog[`${section}.${i}`] = {
      text: `[${locale}] ${section} ${i}: {name}, ` + 'lorem ipsum dolor sit amet consectetur '.repeat(1 + (i % 4)) + '{tracking}',
      description: `Translator note for ${section} #${i} (max ${80 + (i % 5) * 20} characters, keep placeholders)`,
    };
  }
  for (const entry of Object.values(catalog)) entry.parts = parse(entry.text);
  return catalog;
}


export function asLocale(value: string | null | undefined): Locale {
  return (LOCALES as readonly string[]).includes(value ?? '') ? (value as Locale) : 'pl';
}

/** The catalog a request renders with. */
export function catalogFor(locale: Locale): Catalog {
  if (config.i18nIsolation === 'shared') return CATALOGS[locale];
  const copy: Catalog = {};
  for (const [key, entry] of Object.entries(CATALOGS[locale])) {
    copy[key] = { ...entry, parts: entry.parts?.map((p) => (typeof p === 'string' ? p : { ...p })) };
  }
  return copy;
}

function parse(text: string): (string | { name: string })[] {
  const parts: (string | { name: string })[] = [];
  const re = /\{(\w+)\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ name: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

const CATALOGS: Record<Locale, Catalog> = { pl: buildCatalog('pl'), en: buildCatalog('en'), uk: buildCatalog('uk') };

/** Render `key` with `vars`; unknown keys render as the key. */
export function translate(catalog: Catalog, key: string, vars: Record<string, string>): string {
  const entry = catalog[key];
  if (!entry) return key;
  entry.parts ??= parse(entry.text);
  return entry.parts.map((p) => (typeof p === 'string' ? p : vars[p.name] ?? '')).join('');
}
