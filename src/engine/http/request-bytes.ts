/**
 * Turning a {@link RequestSpec} into the exact bytes written on the wire, and
 * resolving its URL against the plan's `baseUrl`.
 *
 * @module
 */
import { TuneupError } from '../../errors.js';
import type { ConnectionTarget } from './connection.js';

/** User-Agent sent unless the plan sets one. */
export const DEFAULT_USER_AGENT = 'tuneup/0.1';

/** A URL resolved to what the transport needs. */
export interface ResolvedUrl {
  /** `http://host:port` — the key for "one connection per origin". */
  origin: string;
  /** Value of the Host header. */
  hostHeader: string;
  /** Path plus query, as written in the request line. */
  pathAndQuery: string;
  /** Path only (no query), for endpoint templating. */
  pathname: string;
  target: ConnectionTarget;
}

/** Methods that may be re-sent safely when a kept-alive connection turned out to be dead. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

/** True for methods RFC 9110 calls idempotent. */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

/** A URL with a scheme (`http://…`, `https://…`, or any other scheme, rejected later). */
const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Join a path to a base URL by concatenation, as the plan's `path` does
 * (src/plan/workload.ts): `http://h/api` + `/orders` → `http://h/api/orders`.
 * Unlike WHATWG resolution, a leading `/` does not drop the base's path prefix.
 */
function joinToBase(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return path.startsWith('/') || path.startsWith('?') ? `${base}${path}` : `${base}/${path}`;
}

/**
 * Resolve `url` (absolute, or a path joined to `baseUrl` by concatenation).
 * @throws TuneupError `TUNEUP_HTTP_URL_INVALID` for a relative URL without baseUrl,
 *   an unparsable URL, or a scheme other than http/https.
 */
export function resolveUrl(url: string, baseUrl: string | undefined, rejectUnauthorized = true): ResolvedUrl {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl === undefined || ABSOLUTE.test(url) ? url : joinToBase(baseUrl, url));
  } catch (cause) {
    throw new TuneupError('TUNEUP_HTTP_URL_INVALID', `invalid request URL "${url}"${baseUrl === undefined ? '' : ` (baseUrl "${baseUrl}")`}`, {
      hint:
        baseUrl === undefined && !/^[a-z]+:\/\//i.test(url)
          ? 'Use an absolute URL (http://host:port/path) or set `baseUrl` in the plan.'
          : 'Check the URL and the plan\'s `baseUrl`.',
      location: 'baseUrl',
      cause,
    });
  }
  const protocol = parsed.protocol;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new TuneupError('TUNEUP_HTTP_URL_INVALID', `unsupported URL scheme "${protocol}" in "${parsed.href}"`, {
      hint: 'tuneup speaks HTTP/1.1 over http:// and https:// only.',
      location: 'url',
    });
  }
  const isTls = protocol === 'https:';
  const port = parsed.port === '' ? (isTls ? 443 : 80) : Number(parsed.port);
  // URL keeps IPv6 hosts in brackets; net.connect wants them bare.
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  return {
    origin: `${protocol}//${parsed.host}`,
    hostHeader: parsed.host,
    pathAndQuery: `${parsed.pathname}${parsed.search}`,
    pathname: parsed.pathname,
    target: { host, port, tls: isTls, rejectUnauthorized },
  };
}

/** Encoded request body plus the content type it implies (JSON for plain objects). */
export interface EncodedBody {
  bytes: Uint8Array | null;
  contentType: string | null;
}

/** Encode a {@link RequestSpec} body: strings as UTF-8, bytes as is, anything else as JSON. */
export function encodeBody(body: string | Uint8Array | object | undefined | null): EncodedBody {
  if (body === undefined || body === null) return { bytes: null, contentType: null };
  if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8'), contentType: null };
  if (body instanceof Uint8Array) return { bytes: body, contentType: null };
  return { bytes: Buffer.from(JSON.stringify(body), 'utf8'), contentType: 'application/json' };
}

function checkHeader(name: string, value: string): void {
  // CR/LF in a header would let plan data inject extra headers or requests.
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
    throw new TuneupError('TUNEUP_HTTP_HEADER_INVALID', `invalid HTTP header name "${name}"`, {
      hint: 'Header names are tokens: letters, digits and !#$%&\'*+-.^_`|~ only.',
      location: `headers.${name}`,
    });
  }
  if (/[\r\n\0]/.test(value)) {
    throw new TuneupError('TUNEUP_HTTP_HEADER_INVALID', `HTTP header "${name}" contains a line break`, {
      hint: 'Remove CR/LF characters from the header value.',
      location: `headers.${name}`,
    });
  }
}

/**
 * Serialize a complete HTTP/1.1 request (request line, headers, body) into one
 * Buffer. Adds `host`, `user-agent` (unless set), `content-type` for JSON
 * bodies (unless set) and `content-length` when there is a body or the method
 * normally carries one. Later header maps override earlier ones, case-insensitively.
 * @throws TuneupError `TUNEUP_HTTP_HEADER_INVALID` for a header that would break the framing.
 */
export function serializeRequest(
  method: string,
  url: ResolvedUrl,
  headerMaps: ReadonlyArray<Record<string, string> | undefined>,
  body: EncodedBody,
): Buffer {
  const merged = new Map<string, [string, string]>();
  for (const map of headerMaps) {
    if (map === undefined) continue;
    for (const name of Object.keys(map)) {
      const value = String(map[name]);
      checkHeader(name, value);
      merged.set(name.toLowerCase(), [name, value]);
    }
  }
  // Framing headers are ours: a plan-supplied length or encoding would desynchronize the stream.
  merged.delete('content-length');
  merged.delete('transfer-encoding');
  if (!merged.has('host')) merged.set('host', ['host', url.hostHeader]);
  if (!merged.has('user-agent')) merged.set('user-agent', ['user-agent', DEFAULT_USER_AGENT]);
  if (body.contentType !== null && !merged.has('content-type')) merged.set('content-type', ['content-type', body.contentType]);
  const length = body.bytes === null ? 0 : body.bytes.length;
  if (body.bytes !== null || method === 'POST' || method === 'PUT' || method === 'PATCH') {
    merged.set('content-length', ['content-length', String(length)]);
  }
  let head = `${method} ${url.pathAndQuery} HTTP/1.1\r\n`;
  // Host first, as RFC 9112 §3.2 recommends.
  const host = merged.get('host') as [string, string];
  head += `${host[0]}: ${host[1]}\r\n`;
  for (const [key, [name, value]] of merged) {
    if (key !== 'host') head += `${name}: ${value}\r\n`;
  }
  head += '\r\n';
  const headBytes = Buffer.from(head, 'latin1');
  if (length === 0) return headBytes;
  return Buffer.concat([headBytes, body.bytes as Uint8Array], headBytes.length + length);
}

/** Validate a method name (a token) and upper-case it. */
export function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  if (!/^[A-Z]+$/.test(upper)) {
    throw new TuneupError('TUNEUP_HTTP_METHOD_INVALID', `invalid HTTP method "${method}"`, {
      hint: 'Use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS.',
      location: 'method',
    });
  }
  return upper;
}
