/**
 * The academy's corpus cases: the healthy baseline and one case per planted
 * fault, with the top finding an experienced performance engineer would
 * name, the request mix and the calibrated rates (CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import type { AcademyFault } from './faults.js';
import { CATEGORIES, FIXTURE_PASSWORD, LESSONS, QUIZZES, SEED } from './schema.js';

type MixEntry = CorpusCase['mix'][number];

const choice = (items: readonly string[]): string => `{{ randomChoice(${items.map((s) => `'${s}'`).join(', ')}) }}`;

/**
 * A weekday evening, weights in percent. Learners browse the catalogue by category and level,
 * open this week's 40 featured course pages (the page cache warms within ~15 s at 15 req/s),
 * watch and read lessons across all ~126,000, mark lessons done in the courses they are taking
 * today (enrolments 100,001-110,000), enrol, submit quizzes, open their dashboards (the 20,000
 * regulars), claim certificates of completed courses, and sign in; the featured courses'
 * instructors look at their statistics.
 */
export function baseMix(weights: Partial<Record<string, number>> = {}): MixEntry[] {
  const entries: MixEntry[] = [
    { endpoint: 'GET /courses', method: 'GET', path: `/courses?category=${choice(CATEGORIES)}&level=${choice(['beginner', 'intermediate', 'advanced'])}`, weight: 12 },
    { endpoint: 'GET /courses/:id', method: 'GET', path: `/courses/{{ randomInt(1, ${SEED.featured}) }}`, weight: 16 },
    { endpoint: 'GET /lessons/:id', method: 'GET', path: `/lessons/{{ randomInt(1, ${LESSONS}) }}?learner={{ randomInt(1, ${SEED.learners}) }}`, weight: 20 },
    {
      endpoint: 'POST /enrolments/:id/progress', method: 'POST', path: `/enrolments/{{ randomInt(${SEED.claimable + 1}, ${SEED.todayEnd}) }}/progress`, weight: 12,
      body: { lesson: '{{ randomInt(1, 12) }}' },
    },
    {
      endpoint: 'POST /enrolments', method: 'POST', path: '/enrolments', weight: 5,
      body: { learnerId: `{{ randomInt(${SEED.regulars + 1}, ${SEED.learners}) }}`, courseId: `{{ randomInt(1, ${SEED.courses}) }}` },
    },
    {
      endpoint: 'POST /quizzes/:id/submissions', method: 'POST', path: `/quizzes/{{ randomInt(1, ${QUIZZES}) }}/submissions`, weight: 8,
      body: { learnerId: `{{ randomInt(1, ${SEED.regulars}) }}`, answers: Array.from({ length: 8 }, () => '{{ randomInt(0, 3) }}') },
    },
    { endpoint: 'GET /learners/:id/dashboard', method: 'GET', path: `/learners/{{ randomInt(1, ${SEED.regulars}) }}/dashboard`, weight: 12 },
    { endpoint: 'POST /certificates', method: 'POST', path: '/certificates', weight: 4, body: { enrolmentId: `{{ randomInt(1, ${SEED.claimable}) }}` } },
    { endpoint: 'GET /instructors/:id/stats', method: 'GET', path: `/instructors/{{ randomInt(1, ${SEED.featured}) }}/stats`, weight: 4 },
    {
      endpoint: 'POST /sessions', method: 'POST', path: '/sessions', weight: 7,
      body: { email: `learner{{ randomInt(1, ${SEED.learners}) }}@example.com`, password: FIXTURE_PASSWORD },
    },
  ];
  for (const endpoint of Object.keys(weights)) {
    if (!entries.some((e) => e.endpoint === endpoint)) throw new Error(`no endpoint ${endpoint} in the academy mix`);
  }
  return entries.map((e) => (weights[e.endpoint] === undefined ? e : { ...e, weight: weights[e.endpoint]! }));
}

interface Spec {
  fault: AcademyFault | null;
  expect: CorpusCase['expect'];
  /** The faulty endpoint's weight in this case's mix (default: the base weight). */
  weight?: number;
  moderateRate: number;
  overloadRate: number;
}

function make(s: Spec): CorpusCase {
  return {
    id: `academy/${s.fault ?? 'healthy'}`,
    fault: s.fault,
    expect: s.expect,
    mix: s.expect && s.weight ? baseMix({ [s.expect.endpoint]: s.weight }) : baseMix(),
    moderateRate: s.moderateRate,
    overloadRate: s.overloadRate,
  };
}

const on = (category: string, endpoint: string): CorpusCase['expect'] => ({ category, endpoint });

/**
 * All academy cases. Rates: measured with bench/corpus/calibrate.ts on the shared 2-core machine
 * (CALIBRATION.md).
 */
export const ACADEMY_CASES: CorpusCase[] = [
  // Healthy, including the cold start of the course-page cache (40 pages, 10 min TTL) and the streak job.
  make({ fault: null, expect: null, moderateRate: 15, overloadRate: 300 }),
  // The deploy lacks quiz_attempts(learner_id, quiz_id): the attempt-limit count seq-scans 500k attempts.
  make({ fault: 'missing-index-attempts-learner', expect: on('missing-index', 'POST /quizzes/:id/submissions'), weight: 16, moderateRate: 15, overloadRate: 250 }),
  // The dashboard loads course, next lesson and last completion enrolment by enrolment: 1 + 3 × 10 queries.
  make({ fault: 'dashboard-lazy-course-loads', expect: on('n-plus-one', 'GET /learners/:id/dashboard'), weight: 20, moderateRate: 10, overloadRate: 200 }),
  // The course-page TTL is aligned to the monthly content refresh, negative for every course: SET … EX rejected, error swallowed.
  make({ fault: 'course-page-ttl-negative', expect: on('cache-miss', 'GET /courses/:id'), weight: 30, moderateRate: 15, overloadRate: 250 }),
  // A fresh RSA-2048 key pair per certificate, generated synchronously on the event loop.
  make({ fault: 'certificate-keypair-sync', expect: on('event-loop-blocked', 'POST /certificates'), weight: 10, moderateRate: 10, overloadRate: 150 }),
  // Lesson views index the whole course's transcripts per character, memoised in an 8-course LRU that almost never hits.
  make({ fault: 'lesson-render-tree-lru', expect: on('gc-pressure', 'GET /lessons/:id'), weight: 30, moderateRate: 15, overloadRate: 250 }),
  // Every dashboard subscribes a listener (holding the course outlines) to the progress bus and never unsubscribes.
  make({ fault: 'dashboard-progress-listeners', expect: on('memory-growth', 'GET /learners/:id/dashboard'), weight: 35, moderateRate: 15, overloadRate: 200 }),
  // Search results carry the whole course graph (instructor, every lesson with its body): ~0.6 MB per page.
  make({ fault: 'catalogue-embeds-outline', expect: on('large-payload', 'GET /courses'), weight: 14, moderateRate: 15, overloadRate: 200 }),
  // The media service's playback-token signing degrades to 0.7-1.5 s (outside any transaction).
  make({ fault: 'media-signer-slow', expect: on('slow-dependency', 'GET /lessons/:id'), weight: 20, moderateRate: 15, overloadRate: 250 }),
  // The certificate row and its PDF render (150-300 ms) in one transaction: a connection of 5 held per claim.
  make({ fault: 'certificate-render-in-tx', expect: on('pool-saturation', 'POST /certificates'), weight: 40, moderateRate: 15, overloadRate: 150 }),
  // The streak job's batches in one transaction: today's enrolments stay locked ~1.5-2 s every ~12 s.
  make({ fault: 'streak-job-single-tx', expect: on('lock-contention', 'POST /enrolments/:id/progress'), weight: 25, moderateRate: 15, overloadRate: 120 }),
  // Instructor stats recount every enrolment's progress from lesson_progress (a lateral count per enrolment).
  make({ fault: 'instructor-stats-recount', expect: on('inefficient-query', 'GET /instructors/:id/stats'), weight: 15, moderateRate: 15, overloadRate: 300 }),
  // Sign-in assumes every hash is scrypt: the imported accounts' sha256 hashes (a fifth) crash it (500).
  make({ fault: 'legacy-hash-crash', expect: on('error-rate', 'POST /sessions'), weight: 15, moderateRate: 15, overloadRate: 300 }),
];
