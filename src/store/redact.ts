/**
 * The one redactor: every URL, connection string, header or argument that
 * reaches an output (terminal, result.json, reports, journals, errors) goes
 * through here. Strict by design: what cannot be parsed is replaced by a
 * placeholder rather than returned as is, because an unparseable URL (port
 * 99999, an unencoded `@` in the password) still carries its password.
 *
 * @module
 */

/** What a secret is replaced with. */
export const REDACTED = '***';

/** Header names whose values are secrets. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
]);

/** Query parameters and object keys whose values are secrets. */
const SECRET_KEY = /^(password|passwd|pass|pwd|sslpassword|secret|token|auth|access_token|api_key|apikey|sig|signature)$/i;
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** A URL inside free text: scheme, then anything up to whitespace or a closing quote/bracket. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>`)\]]+/gi;
/** A secret query parameter in a relative path or any text (`/items?token=…`). */
const QUERY_SECRET = /([?&](?:password|passwd|pass|pwd|sslpassword|secret|token|auth|access_token|api_key|apikey|sig|signature)=)[^&\s#'"<>]+/gi;
/** libpq key/value `password=…` (quoted or bare), also inside longer text. */
const LIBPQ_PASSWORD = /(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'"]+)/gi;

/**
 * Redact one connection target: a URL (`postgres://u:secret@h/db`,
 * `redis://:secret@h`, `?password=…`) or a libpq key/value string
 * (`host=db password=secret`). A URL that does not parse becomes
 * `scheme://<unparseable, redacted>`. Other strings (paths, names) are
 * returned unchanged.
 */
export function redactConnection(target: string): string {
  if (URL_SCHEME.test(target)) return redactParsedUrl(target);
  return target.replace(LIBPQ_PASSWORD, `$1${REDACTED}`);
}

/**
 * Redact every URL, secret query parameter (also in relative paths such as
 * a plan's `/items?token=…`) and libpq password inside free text (error
 * messages, command lines), leaving the rest of the text as it is.
 */
export function redactText(text: string): string {
  return text
    .replace(URL_IN_TEXT, (url) => redactParsedUrl(url))
    .replace(QUERY_SECRET, (_, key: string) => `${key}${REDACTED}`)
    .replace(LIBPQ_PASSWORD, `$1${REDACTED}`);
}

/** Redact one command-line argument: a secret header (`Authorization: Bearer …`) or any URL in it. */
export function redactArgument(arg: string): string {
  const header = /^([A-Za-z0-9-]+)\s*:\s*(.*)$/.exec(arg);
  if (header && SECRET_HEADERS.has(header[1]!.toLowerCase())) return `${header[1]}: ${REDACTED}`;
  return redactText(arg);
}

/**
 * Deep copy of a JSON-like value with secrets removed: values of secret
 * headers and secret-named keys replaced, URLs and libpq passwords in every
 * string redacted.
 */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = (SECRET_HEADERS.has(k.toLowerCase()) || SECRET_KEY.test(k)) && v !== null && v !== undefined && v !== '' ? REDACTED : redactValue(v);
    }
    return out;
  }
  return value;
}

function redactParsedUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1] ?? 'url';
    // Without a parse we cannot tell the password from the host: keep nothing but the scheme.
    return /@/.test(text) || /[?&](password|pass|pwd|token|secret)=/i.test(text) ? `${scheme}://<unparseable, redacted>` : text;
  }
  let changed = false;
  if (url.password !== '') {
    url.password = REDACTED;
    changed = true;
  }
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_KEY.test(key)) {
      url.searchParams.set(key, REDACTED);
      changed = true;
    }
  }
  // Keep the caller's exact spelling when nothing was secret (URL.toString adds a trailing slash).
  return changed ? url.toString() : text;
}
