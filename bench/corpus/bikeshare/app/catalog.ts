/**
 * The localized notification template catalogue: 8 locales x 12 kinds x
 * 100 copy variants (the growth team's A/B copy), each with its push, SMS
 * and email renditions. Built once at boot by the healthy build.
 *
 * @module
 */

export const LOCALES = ['en', 'es', 'pl', 'zh', 'fr', 'de', 'it', 'pt'] as const;
export const KINDS = [
  'trip_receipt', 'trip_started', 'pass_expiring', 'pass_purchased', 'dock_full_nearby', 'maintenance_update',
  'membership_renewal', 'promo', 'station_closed', 'payment_failed', 'ride_streak', 'service_alert',
] as const;
export const VARIANTS = 100;

const TITLES: Record<string, string> = {
  trip_receipt: 'Your ride receipt', trip_started: 'Ride started', pass_expiring: 'Your pass expires soon',
  pass_purchased: 'Pass confirmed', dock_full_nearby: 'Station full - docks nearby', maintenance_update: 'Thanks for your report',
  membership_renewal: 'Membership renewal', promo: 'Ride more for less', station_closed: 'Station temporarily closed',
  payment_failed: 'Payment problem', ride_streak: 'You are on a streak', service_alert: 'Service alert',
};

const BODY = 'Ride {minutes} min, total {amount} cents. Station {station}. Tap for details, manage notifications in settings.';

export interface Rendition { subject: string; text: string; maxLength: number }
export interface Template {
  key: string;
  locale: string;
  kind: string;
  variant: number;
  title: string;
  push: Rendition;
  sms: Rendition;
  email: Rendition;
  tags: string[];
}

/** The whole catalogue, keyed `${locale}:${kind}:${variant}`. */
export function buildTemplateCatalog(): Map<string, Template> {
  const catalog = new Map<string, Template>();
  for (const locale of LOCALES) {
    for (const kind of KINDS) {
      const base = TITLES[kind] ?? kind;
      for (let variant = 0; variant < VARIANTS; variant++) {
        const key = `${locale}:${kind}:${variant}`;
        const title = `[${locale}] ${base} #${variant}`;
        catalog.set(key, {
          key,
          locale,
          kind,
          variant,
          title,
          push: { subject: title, text: `${BODY} (${locale}/${variant})`, maxLength: 178 },
          sms: { subject: '', text: `${base}: ${BODY.slice(0, 60 + (variant % 40))} [${locale}]`, maxLength: 160 },
          email: { subject: `${title} - Metro Bikes`, text: `<p>${BODY}</p><p>${base} (${kind}, ${locale}, v${variant})</p>`, maxLength: 20_000 },
          tags: [locale, kind, `v${variant}`, variant % 2 === 0 ? 'control' : 'treatment'],
        });
      }
    }
  }
  return catalog;
}

/** `text` with {placeholders} from `params`. */
export function renderTemplate(text: string, params: Record<string, unknown>): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}
