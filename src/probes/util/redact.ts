/**
 * Removing secrets from connection targets before they are stored in a
 * RunResult or shown in a report.
 *
 * @module
 */

/**
 * Return `target` with any password replaced by `***`.
 *
 * Handles URLs (`postgres://user:secret@host/db`, `redis://:secret@host`,
 * `?password=secret` query parameters) and libpq key/value strings
 * (`host=db password=secret`). Anything else is returned unchanged.
 */
export function redactTarget(target: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    try {
      const url = new URL(target);
      if (url.password) url.password = '***';
      for (const key of [...url.searchParams.keys()]) {
        if (/^(password|pass|pwd|auth|token)$/i.test(key)) url.searchParams.set(key, '***');
      }
      return url.toString();
    } catch {
      // Not parseable as a URL (e.g. an unencoded special char): fall back to a pattern that strips user:pass@.
      return target.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
    }
  }
  return target.replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, '$1***');
}
