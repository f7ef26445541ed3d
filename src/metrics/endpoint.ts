/**
 * Route templating: turns a concrete request URL into a low-cardinality
 * endpoint name such as `GET /api/orders/:id`, so per-endpoint metrics stay
 * bounded however many distinct ids a workload touches.
 *
 * Placeholders (one per recognised id shape, so a template still says what
 * kind of value sits there):
 *
 * | segment looks like                                   | placeholder |
 * |------------------------------------------------------|-------------|
 * | UUID (`3f2504e0-4f89-11d3-9a0c-0305e82c3301`)          | `:uuid`     |
 * | e-mail address (also `%40`-encoded)                  | `:email`    |
 * | ISO date / datetime (`2024-05-01`, `2024-05-01T10:00Z`)| `:date`     |
 * | integer (`42`)                                       | `:id`       |
 * | hex of ≥ 8 chars with a digit (hashes, ObjectIds)    | `:id`       |
 * | token of ≥ 16 chars `[A-Za-z0-9_-]` mixing letters and digits (base64url keys, slugs with ids) | `:id` |
 * | anything with a run of ≥ 4 digits (`ord_123456`, `INV-2024-0001`) | `:id` |
 *
 * Everything else (`v1`, `api`, `orders`, `top10`) is kept verbatim.
 *
 * @module
 */

/** Endpoint name that absorbs every endpoint beyond the recorder's cardinality cap. */
export const OTHER_ENDPOINT = '(other)';

const ORIGIN = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const EMAIL = /^[^@/\s]+(@|%40)[^@/\s]+\.[^@/\s]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}([Tt ][0-9:.]+([Zz]|[+-]\d{2}:?\d{2})?)?$/;
const INTEGER = /^\d+$/;
const HEX = /^[0-9a-fA-F]{8,}$/;
const TOKEN = /^[A-Za-z0-9_-]{16,}={0,2}$/;
const DIGIT = /\d/;
const LETTER = /[A-Za-z]/;
const DIGIT_RUN = /\d{4,}/;

/**
 * The placeholder for one path segment, or the segment itself when it does
 * not look like an identifier. Exported for tests and for callers that
 * template other hierarchical names.
 */
export function templateSegment(segment: string): string {
  if (segment === '') return segment;
  if (INTEGER.test(segment)) return ':id';
  if (UUID.test(segment)) return ':uuid';
  if (DATE.test(segment)) return ':date';
  if (EMAIL.test(segment)) return ':email';
  const hasDigit = DIGIT.test(segment);
  if (!hasDigit) return segment; // words, slugs without numbers: keep
  if (HEX.test(segment)) return ':id';
  if (TOKEN.test(segment) && LETTER.test(segment)) return ':id';
  if (DIGIT_RUN.test(segment)) return ':id';
  return segment;
}

/**
 * Route template of a request without an explicit name: the method
 * (upper-cased), a space, and the URL path with its origin, query string
 * and fragment removed, duplicate and trailing slashes dropped, and id-like
 * segments replaced by placeholders (see the module doc).
 *
 * @example templateEndpoint('get', 'http://h:8080/api/orders/123?x=1') === 'GET /api/orders/:id'
 * @param method HTTP method.
 * @param url absolute URL or path.
 */
export function templateEndpoint(method: string, url: string): string {
  let path = url.replace(ORIGIN, '');
  const cut = path.search(/[?#]/);
  if (cut >= 0) path = path.slice(0, cut);
  const segments = path.split('/');
  const kept: string[] = [];
  for (const segment of segments) {
    if (segment === '') continue; // leading, duplicate and trailing slashes
    kept.push(templateSegment(segment));
  }
  return `${method.toUpperCase()} /${kept.join('/')}`;
}
