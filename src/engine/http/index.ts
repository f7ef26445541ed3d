/**
 * The HTTP transport: raw keep-alive HTTP/1.1 connections on `node:net`,
 * the scripted-VU client and the zero-allocation fixed-request sender.
 *
 * @module
 */
export { createVuHttp, type VuHttpClient } from './vu-http.js';
export { createFixedSender, type FixedSender } from './fixed-sender.js';
export { DEFAULT_TIMEOUT_MS, StatusExpectation, type HttpClientOptions } from './options.js';
export { BoundedCache, RequestShapeCache, DEFAULT_SHAPE_CACHE_ENTRIES, type ShapeCacheScope } from './shape-cache.js';
export { HttpConnection, type ConnectionTarget, type ExchangeSink } from './connection.js';
export { ResponseParser } from './parser.js';
export { classifySocketError } from './classify.js';
export {
  DEFAULT_USER_AGENT,
  encodeBody,
  isIdempotent,
  normalizeMethod,
  resolveUrl,
  serializeRequest,
  type EncodedBody,
  type ResolvedUrl,
} from './request-bytes.js';
