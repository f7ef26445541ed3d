/**
 * The planted faults of the academy service, by name. Each is switched on
 * alone through `ACADEMY_FAULT`; the empty string is the healthy build.
 *
 * @module
 */

/** Every fault the academy can be started with. */
export const ACADEMY_FAULTS = [
  'missing-index-attempts-learner',
  'dashboard-lazy-course-loads',
  'course-page-ttl-negative',
  'certificate-keypair-sync',
  'lesson-render-tree-lru',
  'dashboard-progress-listeners',
  'catalogue-embeds-outline',
  'media-signer-slow',
  'certificate-render-in-tx',
  'streak-job-single-tx',
  'instructor-stats-recount',
  'legacy-hash-crash',
] as const;

/** One planted fault. */
export type AcademyFault = (typeof ACADEMY_FAULTS)[number];

/** Parse a fault switch; null/'' is healthy, an unknown name is an error (a typo must not run healthy). */
export function parseFault(value: string | null | undefined): AcademyFault | null {
  if (value === null || value === undefined || value === '') return null;
  if ((ACADEMY_FAULTS as readonly string[]).includes(value)) return value as AcademyFault;
  throw new Error(`unknown academy fault '${value}'; known: ${ACADEMY_FAULTS.join(', ')}`);
}
