/**
 * Free TCP port picking for test servers that cannot listen on port 0
 * themselves (PostgreSQL, Redis).
 *
 * @module
 */
import { createServer } from 'node:net';

/**
 * Ask the kernel for a free port on 127.0.0.1 and release it.
 * Another process may grab it before the caller binds it, so callers retry
 * on "address in use".
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}
