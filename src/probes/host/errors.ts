/**
 * Errors across a thread boundary: a probe's start error (usually a
 * TuneupError with a stable code and a hint) must reach the main thread
 * with everything the CLI renders.
 *
 * @module
 */
import { ERROR_CODES, TuneupError, isTuneupError, type ErrorCode } from '../../errors.js';

/** An error as data: enough to rebuild a TuneupError (code, hint, location, exit code) on the other side. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  hint?: string;
  location?: string;
  exitCode?: number;
  stack?: string;
}

/** Any thrown value as plain data. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error || isTuneupError(error)) {
    const e = error as Error & { code?: unknown; hint?: unknown; location?: unknown; exitCode?: unknown };
    return {
      name: e.name,
      message: e.message,
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(typeof e.hint === 'string' ? { hint: e.hint } : {}),
      ...(typeof e.location === 'string' ? { location: e.location } : {}),
      ...(typeof e.exitCode === 'number' ? { exitCode: e.exitCode } : {}),
      ...(e.stack ? { stack: e.stack } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** Rebuild the error: a TuneupError keeps its code, hint, location and exit code; others keep name, message and `code`. */
export function deserializeError(data: SerializedError): Error {
  let error: Error;
  if (data.name === 'TuneupError' && data.code !== undefined && Object.hasOwn(ERROR_CODES, data.code)) {
    // The exit code follows from the code (ERROR_CODES), so it arrives intact too.
    error = new TuneupError(data.code as ErrorCode, data.message, { hint: data.hint, location: data.location });
  } else {
    error = new Error(data.message);
    error.name = data.name;
    if (data.code !== undefined) (error as Error & { code?: string }).code = data.code;
  }
  if (data.stack) error.stack = data.stack;
  return error;
}
