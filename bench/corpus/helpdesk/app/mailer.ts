/**
 * Client of the mail provider (the upstream): sends ticket notifications
 * (acknowledgements, agent replies) through `POST /v1/messages`. Every email
 * sits in an in-memory outbox until the provider acknowledges it, so that a
 * failed send can be retried by the retry sweep.
 *
 * @module
 */
import http from 'node:http';
import type { HelpdeskFault } from '../faults.js';

/** An email to send. */
export interface OutgoingEmail {
  /** Our reference of the email, echoed back by the provider as `clientReference`. */
  reference: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
}

/** The provider's answer. */
export interface ProviderAck {
  id: string;
  clientReference: string;
  status: 'queued' | 'delivered';
}

/** The mail-provider client. */
export interface Mailer {
  /** Send one email; resolves once the provider has accepted it (or, with `waitFor: 'delivered'`, delivered it). */
  send(email: OutgoingEmail, options?: { waitFor?: 'accepted' | 'delivered' }): Promise<ProviderAck>;
  /** Emails not acknowledged yet. */
  pendingCount(): number;
  close(): void;
}

interface OutboxEntry {
  reference: string;
  /** The exact request body, so that a retry sends the same message (the provider dedupes on clientReference). */
  payload: string;
  attempts: number;
  queuedAt: number;
}

const RETRY_AFTER_MS = 10 * 60_000;

/** A client of the provider at `baseUrl`; a keep-alive agent caps it at 16 connections. */
export function createMailer(baseUrl: string, fault: HelpdeskFault | null): Mailer {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const outbox = new Map<string, OutboxEntry>();

  const post = (path: string, body: string): Promise<ProviderAck> =>
    new Promise((resolve, reject) => {
      const req = http.request(new URL(path, baseUrl), {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer hd-live-4f2a' },
        timeout: 10_000,
      }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (s: string) => (text += s)).on('end', () => {
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`mail provider ${res.statusCode}: ${text.slice(0, 200)}`));
          else resolve(JSON.parse(text) as ProviderAck);
        });
      });
      req.on('timeout', () => req.destroy(new Error('mail provider timeout')));
      req.on('error', reject);
      req.end(body);
    });

  const deliver = async (entry: OutboxEntry, waitFor: 'accepted' | 'delivered'): Promise<ProviderAck> => {
    entry.attempts++;
    const path = waitFor === 'delivered' ? '/v1/messages?wait=delivered' : '/v1/messages';
    const ack = await post(path, entry.payload);
    // The outbox is keyed by our reference; the provider's own id is another namespace.
    outbox.delete(fault === 'outbox-never-acked' ? ack.id : ack.clientReference);
    return ack;
  };

  // Retry sweep: re-send what the provider has not acknowledged for a long time.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const entry of outbox.values()) {
      if (now - entry.queuedAt > RETRY_AFTER_MS * entry.attempts && entry.attempts < 3) deliver(entry, 'accepted').catch(() => {});
    }
  }, 60_000);
  sweep.unref();

  return {
    async send(email, options = {}) {
      const entry: OutboxEntry = { reference: email.reference, payload: JSON.stringify({ ...email, clientReference: email.reference }), attempts: 0, queuedAt: Date.now() };
      outbox.set(email.reference, entry);
      return deliver(entry, options.waitFor ?? 'accepted');
    },
    pendingCount: () => outbox.size,
    close() {
      clearInterval(sweep);
      agent.destroy();
    },
  };
}
