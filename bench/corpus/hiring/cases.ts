/**
 * The hiring service's cases: the healthy build and one case per planted
 * fault. Rates were measured with calibrate.ts (see CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';

type Entry = CorpusCase['mix'][number];

const E = {
  jobDetail: { endpoint: 'GET /jobs/:id', method: 'GET', path: '/jobs/{{ randomInt(1, 400) }}' },
  jobSearch: { endpoint: 'GET /jobs/search', method: 'GET',
    path: "/jobs/search?location={{ randomChoice('Berlin', 'London', 'Paris', 'Amsterdam', 'Madrid', 'Dublin', 'Munich', 'Vienna') }}&page={{ randomInt(1, 3) }}" },
  candidate: { endpoint: 'GET /candidates/:id', method: 'GET', path: '/candidates/{{ randomInt(1, 200000) }}' },
  notifications: { endpoint: 'GET /recruiters/:id/notifications', method: 'GET', path: '/recruiters/{{ randomInt(1, 2000) }}/notifications' },
  stage: { endpoint: 'PATCH /applications/:id/stage', method: 'PATCH', path: '/applications/{{ randomInt(1, 1000000) }}/stage',
    body: { stage: "{{ randomChoice('screen', 'interview', 'offer', 'rejected') }}", recruiterId: '{{ randomInt(1, 2000) }}' } },
  interview: { endpoint: 'GET /interviews/:id', method: 'GET', path: '/interviews/{{ randomInt(1, 200000) }}' },
  jobApplicants: { endpoint: 'GET /jobs/:id/applications', method: 'GET', path: '/jobs/{{ randomInt(1, 50000) }}/applications' },
  candidateApps: { endpoint: 'GET /candidates/:id/applications', method: 'GET', path: '/candidates/{{ randomInt(1, 200000) }}/applications' },
  lookup: { endpoint: 'GET /candidates/lookup', method: 'GET', path: '/candidates/lookup?email=candidate{{ randomInt(1, 200000) }}@mail.example' },
  apply: { endpoint: 'POST /jobs/:id/applications', method: 'POST', path: "/jobs/{{ randomInt(1, 4999) }}{{ randomChoice('1', '2', '3', '4', '5', '6', '7') }}/applications",
    body: { candidateId: '{{ randomInt(1, 200000) }}', source: "{{ randomChoice('careers-page', 'linkedin', 'referral', 'job-board') }}" } },
  schedule: { endpoint: 'POST /interviews', method: 'POST', path: '/interviews',
    body: { applicationId: '{{ randomInt(1, 1000000) }}', interviewerId: '{{ randomInt(1, 10000) }}',
      kind: "{{ randomChoice('phone-screen', 'technical', 'onsite') }}", inDays: '{{ randomInt(1, 14) }}' } },
  report: { endpoint: 'GET /companies/:id/pipeline-report', method: 'GET', path: '/companies/{{ randomInt(1, 5000) }}/pipeline-report' },
  bgcheck: { endpoint: 'GET /applications/:id/background-check', method: 'GET', path: '/applications/{{ randomInt(1, 1000000) }}/background-check' },
  trending: { endpoint: 'GET /jobs/trending', method: 'GET', path: '/jobs/trending' },
  login: { endpoint: 'POST /auth/login', method: 'POST', path: '/auth/login',
    body: { email: 'candidate{{ randomInt(1, 200000) }}@mail.example', password: 'correct horse battery staple' } },
  teamQueue: { endpoint: 'GET /teams/:id/queue', method: 'GET', path: '/teams/{{ randomInt(1, 400) }}/queue' },
  dashboard: { endpoint: 'GET /recruiters/:id/dashboard', method: 'GET', path: '/recruiters/{{ randomInt(1, 2000) }}/dashboard' },
} satisfies Record<string, Omit<Entry, 'weight'>>;

type Name = keyof typeof E;

/** The everyday traffic every case carries. */
const BASE: [Name, number][] = [
  ['jobDetail', 22], ['jobSearch', 12], ['candidate', 12], ['notifications', 10], ['interview', 8], ['stage', 5],
];

/** BASE with `extra` added (an entry of the same endpoint replaces the base's weight). */
function mix(...extra: [Name, number][]): Entry[] {
  const names = new Map<Name, number>(BASE);
  for (const [n, w] of extra) names.set(n, w);
  return [...names].map(([n, weight]) => ({ ...E[n], weight }));
}

function faulty(id: string, fault: string, category: string, target: Name, weight: number, moderateRate: number, overloadRate: number,
  extra: [Name, number][] = []): CorpusCase {
  return {
    id: `hiring/${id}`, fault, expect: { category, endpoint: E[target].endpoint },
    mix: mix(...extra, [target, weight]), moderateRate, overloadRate,
  };
}

export const HIRING_CASES: CorpusCase[] = [
  {
    id: 'hiring/healthy', fault: null, expect: null,
    mix: mix(['jobApplicants', 6], ['apply', 4], ['dashboard', 2]),
    moderateRate: 100, overloadRate: 700,
  },
  faulty('missing-index-recruiter-notifications', 'notifications-recruiter-index-dropped', 'missing-index', 'notifications', 12, 20, 80),
  faulty('inefficient-query-candidate-lookup', 'candidate-lookup-lower-email', 'inefficient-query', 'lookup', 12, 40, 260),
  faulty('n-plus-one-job-applicants', 'job-applicants-per-row-candidate', 'n-plus-one', 'jobApplicants', 15, 60, 300),
  faulty('lock-contention-apply', 'apply-locks-job-row', 'lock-contention', 'apply', 15, 60, 250),
  faulty('pool-saturation-schedule', 'schedule-holds-transaction', 'pool-saturation', 'schedule', 15, 80, 250),
  faulty('connection-limit-pipeline-report', 'report-dedicated-connections', 'connection-limit', 'report', 15, 60, 200),
  faulty('slow-dependency-background-check', 'background-check-provider-slow', 'slow-dependency', 'bgcheck', 12, 80, 500),
  faulty('cache-miss-job-detail', 'job-cache-ttl-millis', 'cache-miss', 'jobDetail', 30, 100, 600),
  faulty('cache-slow-command-trending', 'trending-sort-by-counters', 'cache-slow-command', 'trending', 10, 60, 300),
  faulty('event-loop-blocked-login', 'login-sync-hash', 'event-loop-blocked', 'login', 10, 40, 250),
  faulty('large-payload-job-search', 'job-search-unpaginated', 'large-payload', 'jobSearch', 12, 40, 150),
  faulty('error-rate-interview-detail', 'interview-null-interviewer', 'error-rate', 'interview', 15, 100, 700),
  faulty('table-bloat-team-queue', 'recruiter-queues-bloat', 'table-bloat', 'teamQueue', 12, 60, 400),
  faulty('memory-growth-candidate-profile', 'profile-view-history', 'memory-growth', 'candidate', 25, 100, 600),
  faulty('gc-pressure-recruiter-dashboard', 'dashboard-client-aggregation', 'gc-pressure', 'dashboard', 20, 45, 250),
];
