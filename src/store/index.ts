/**
 * Storage of runs, reports, journals and baselines: one atomic writer and one
 * redactor for everything that reaches disk or a terminal.
 *
 * @module
 */
export { writeFileAtomic, writeJsonAtomic, type AtomicWriteOptions } from './atomic.js';
export { REDACTED, SECRET_HEADERS, redactArgument, redactConnection, redactText, redactValue } from './redact.js';
