/**
 * The helpdesk's cases: the healthy build and one case per planted fault,
 * each with its request mix, the rates measured in CALIBRATION.md and the
 * finding a performance engineer would report first.
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import type { HelpdeskFault } from './faults.js';

type MixEntry = CorpusCase['mix'][number];

/** One request of the load, by endpoint; weights are set per case. */
const R = {
  signIn: {
    endpoint: 'POST /auth/sign-in', method: 'POST', path: '/auth/sign-in',
    body: { email: 'agent{{ randomInt(1, 4000) }}@helpdesk.test', password: 'correct horse battery staple' },
  },
  ticketList: {
    endpoint: 'GET /tickets', method: 'GET',
    path: "/tickets?org={{ randomInt(1, 200) }}&status={{ randomChoice('new', 'open', 'pending', 'solved') }}&limit=50",
  },
  ticketPage: { endpoint: 'GET /tickets/:id', method: 'GET', path: '/tickets/{{ randomInt(1, 5000) }}?agent={{ randomInt(1, 4000) }}' },
  createTicket: {
    endpoint: 'POST /tickets', method: 'POST', path: '/tickets',
    body: {
      org: '{{ randomInt(1, 200) }}', email: 'c{{ randomInt(1, 200000) }}@example.net', channel: 'email',
      subject: "{{ randomChoice('Refund not received', 'Cannot log in since the update', 'Invoice shows the wrong VAT', 'Mobile app crashes on login') }}",
      body: 'Hello, I was charged twice for my subscription this month and the login page keeps rejecting my password. Could you help? Thanks',
    },
  },
  /** Ticket creation during an incident at a large tenant: the inbound flood lands on org 1. */
  createTicketIncident: {
    endpoint: 'POST /tickets', method: 'POST', path: '/tickets',
    body: {
      org: '1', email: 'c{{ randomInt(1, 200000) }}@example.net', channel: 'email', priority: 'high',
      subject: "{{ randomChoice('Checkout is down', 'Payments failing since 10:00', 'Site returns 502', 'Cannot complete my order') }}",
      body: 'Hi, login works but checkout has been failing for the last hour with an error page and no invoice is generated. I tried two cards. Is there an outage? This is urgent for us.',
    },
  },
  reply: {
    endpoint: 'POST /tickets/:id/replies', method: 'POST', path: '/tickets/{{ randomInt(1, 300000) }}/replies',
    body: { agentId: '{{ randomInt(1, 4000) }}', body: 'Thanks for your patience. I have refunded the duplicate charge; it will show on your statement within 5 business days.' },
  },
  csat: {
    endpoint: 'POST /tickets/:id/csat', method: 'POST', path: '/tickets/{{ randomInt(1, 300000) }}/csat',
    body: { score: '{{ randomInt(1, 5) }}', comment: "{{ randomChoice('Great help', 'Took too long', 'Solved my problem') }}" },
  },
  customerLookup: { endpoint: 'GET /customers/lookup', method: 'GET', path: '/customers/lookup?email=c{{ randomInt(1, 200000) }}@example.net' },
  agentQueue: { endpoint: 'GET /agents/:id/queue', method: 'GET', path: '/agents/{{ randomInt(1, 4000) }}/queue' },
  dashboard: { endpoint: 'GET /orgs/:id/dashboard', method: 'GET', path: '/orgs/{{ randomInt(1, 200) }}/dashboard' },
  macros: { endpoint: 'GET /orgs/:id/macros', method: 'GET', path: '/orgs/{{ randomInt(1, 200) }}/macros' },
  report: { endpoint: 'GET /reports/sla', method: 'GET', path: '/reports/sla?org={{ randomInt(1, 40) }}' },
} satisfies Record<string, Omit<MixEntry, 'weight'>>;

type Req = keyof typeof R;

function mix(weights: Partial<Record<Req, number>>): MixEntry[] {
  return Object.entries(weights).map(([name, weight]) => ({ ...R[name as Req], weight: weight! }));
}

function faultCase(id: string, fault: HelpdeskFault, category: string, focus: Req, weights: Partial<Record<Req, number>>, moderateRate: number, overloadRate: number): CorpusCase {
  return { id: `helpdesk/${id}`, fault, expect: { category, endpoint: R[focus].endpoint }, mix: mix(weights), moderateRate, overloadRate };
}

/** The healthy build's everyday mix: agents working their queues. */
const EVERYDAY: Partial<Record<Req, number>> = {
  ticketPage: 25, ticketList: 12, agentQueue: 10, reply: 10, createTicket: 8, customerLookup: 8, dashboard: 6, macros: 6, csat: 6, report: 5, signIn: 2,
};

/** Every case of the helpdesk. */
export const HELPDESK_CASES: CorpusCase[] = [
  { id: 'helpdesk/healthy', fault: null, expect: null, mix: mix(EVERYDAY), moderateRate: 200, overloadRate: 800 },
  faultCase('missing-index-customers-email', 'customers-email-index-dropped', 'missing-index', 'customerLookup',
    { customerLookup: 35, ticketPage: 25, ticketList: 15, agentQueue: 10, macros: 10, csat: 5 }, 120, 500),
  faultCase('inefficient-query-dashboard-all-orgs', 'dashboard-all-orgs-aggregate', 'inefficient-query', 'dashboard',
    { dashboard: 30, ticketPage: 30, ticketList: 15, agentQueue: 10, customerLookup: 10, macros: 5 }, 50, 200),
  faultCase('n-plus-one-agent-queue', 'queue-per-ticket-queries', 'n-plus-one', 'agentQueue',
    { agentQueue: 35, ticketPage: 25, ticketList: 15, customerLookup: 10, macros: 10, csat: 5 }, 150, 600),
  faultCase('cache-miss-sla-report', 'report-cache-key-timestamp', 'cache-miss', 'report',
    { report: 30, ticketPage: 30, ticketList: 15, agentQueue: 10, customerLookup: 10, macros: 5 }, 35, 160),
  faultCase('cache-slow-command-presence-keys', 'presence-keys-scan', 'cache-slow-command', 'ticketPage',
    { ticketPage: 40, ticketList: 15, agentQueue: 15, customerLookup: 10, macros: 10, csat: 10 }, 120, 600),
  faultCase('pool-saturation-reply-email-in-tx', 'reply-email-inside-transaction', 'pool-saturation', 'reply',
    { reply: 35, ticketPage: 25, ticketList: 15, agentQueue: 10, customerLookup: 10, macros: 5 }, 180, 400),
  faultCase('lock-contention-ticket-number', 'ticket-number-lock-held', 'lock-contention', 'createTicketIncident',
    { createTicketIncident: 35, ticketPage: 25, ticketList: 15, agentQueue: 10, customerLookup: 10, macros: 5 }, 220, 450),
  faultCase('event-loop-blocked-sign-in-hash', 'sign-in-sync-hash', 'event-loop-blocked', 'signIn',
    { signIn: 20, ticketPage: 30, ticketList: 15, agentQueue: 15, customerLookup: 10, macros: 10 }, 40, 180),
  faultCase('memory-growth-outbox', 'outbox-never-acked', 'memory-growth', 'reply',
    { reply: 35, ticketPage: 25, ticketList: 15, agentQueue: 10, customerLookup: 10, macros: 5 }, 150, 1000),
  faultCase('slow-dependency-ack-email', 'ack-email-waits-delivery', 'slow-dependency', 'createTicket',
    { createTicket: 35, ticketPage: 25, ticketList: 15, agentQueue: 10, customerLookup: 10, macros: 5 }, 40, 150),
  faultCase('large-payload-ticket-list', 'ticket-list-select-star', 'large-payload', 'ticketList',
    { ticketList: 35, ticketPage: 25, agentQueue: 15, customerLookup: 10, macros: 10, csat: 5 }, 150, 750),
  faultCase('error-rate-csat-duplicate', 'csat-duplicate-insert', 'error-rate', 'csat',
    { csat: 30, ticketPage: 30, ticketList: 15, agentQueue: 10, customerLookup: 10, macros: 5 }, 300, 2400),
];
