/**
 * Connection strings without secrets, for plans, journals and output.
 * @module
 */

/**
 * Remove the password from a connection URL (`postgresql://u:secret@h/db` →
 * `postgresql://u:***@h/db`), also from a `password=` query parameter.
 * Unparseable input is replaced entirely rather than risk leaking it.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/^(password|pass|pwd|sslpassword)$/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return '<unparseable connection string>';
  }
}
