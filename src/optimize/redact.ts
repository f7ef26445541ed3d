/**
 * Connection strings without secrets for the optimizer: the store's one
 * redactor (src/store/redact.ts) under the name this module always had.
 * @module
 */
export { redactConnection as redactUrl } from '../store/redact.js';
