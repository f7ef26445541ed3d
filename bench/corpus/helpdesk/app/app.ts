/**
 * The helpdesk's hono application: routes and error handling.
 *
 * @module
 */
import { Hono } from 'hono';
import { HttpError, type Deps } from './deps.js';
import { authRoutes } from './routes/auth.js';
import { conversationRoutes } from './routes/conversation.js';
import { orgRoutes } from './routes/orgs.js';
import { peopleRoutes } from './routes/people.js';
import { ticketRoutes } from './routes/tickets.js';

/** Build the app over its dependencies. */
export function buildApp(deps: Deps): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true, outbox: deps.mailer.pendingCount(), heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1048576) }));
  authRoutes(app, deps);
  ticketRoutes(app, deps);
  conversationRoutes(app, deps);
  peopleRoutes(app, deps);
  orgRoutes(app, deps);
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json({ error: error.message }, error.status);
    return c.json({ error: 'internal server error' }, 500);
  });
  return app;
}
