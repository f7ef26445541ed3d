/**
 * The planted faults of the hiring service: each switches one endpoint (or
 * the deploy's migration for it) to a realistically wrong build.
 *
 * @module
 */

export const HIRING_FAULTS = [
  'notifications-recruiter-index-dropped', // missing-index: GET /recruiters/:id/notifications
  'candidate-lookup-lower-email', // inefficient-query: GET /candidates/lookup
  'job-applicants-per-row-candidate', // n-plus-one: GET /jobs/:id/applications
  'apply-locks-job-row', // lock-contention: POST /jobs/:id/applications
  'schedule-holds-transaction', // pool-saturation: POST /interviews
  'report-dedicated-connections', // connection-limit: GET /companies/:id/pipeline-report
  'background-check-provider-slow', // slow-dependency: GET /applications/:id/background-check
  'job-cache-ttl-millis', // cache-miss: GET /jobs/:id
  'trending-sort-by-counters', // cache-slow-command: GET /jobs/trending
  'login-sync-hash', // event-loop-blocked: POST /auth/login
  'job-search-unpaginated', // large-payload: GET /jobs/search
  'interview-null-interviewer', // error-rate: GET /interviews/:id
  'recruiter-queues-bloat', // table-bloat: GET /teams/:id/queue
  'profile-view-history', // memory-growth: GET /candidates/:id
  'dashboard-client-aggregation', // gc-pressure: GET /recruiters/:id/dashboard
] as const;

export type HiringFault = (typeof HIRING_FAULTS)[number];

export function parseFault(fault: string | null | undefined): HiringFault | null {
  if (fault === null || fault === undefined || fault === '') return null;
  if (!(HIRING_FAULTS as readonly string[]).includes(fault)) throw new Error(`hiring: unknown fault '${fault}'`);
  return fault as HiringFault;
}
