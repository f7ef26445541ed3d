/**
 * The academy's database access: a TypeORM 0.3 DataSource (postgres driver
 * over a pg 8 pool of {@link POOL_MAX} connections) with entity schemas
 * (EntitySchema, no decorators: tsx/esbuild emits no decorator metadata).
 *
 * @module
 */
import { DataSource, EntitySchema } from 'typeorm';

/** Connections of the pool: the per-replica budget (20 replicas behind max_connections = 100). */
export const POOL_MAX = 5;

/** A course of the catalogue. */
export interface Course {
  id: number; instructorId: number; slug: string; title: string; category: string; level: string; summary: string; description: string;
  priceCents: number; rating: string; published: boolean; lessonCount: number; durationS: number; updatedAt: Date; createdAt: Date;
  instructor?: Instructor; lessons?: Lesson[];
}
/** An instructor. */
export interface Instructor { id: number; name: string; headline: string; bio: string; createdAt: Date }
/** A lesson of a course: a video, a reading or a quiz. */
export interface Lesson {
  id: number; courseId: number; position: number; title: string; kind: 'video' | 'reading' | 'quiz'; durationS: number;
  videoAsset: string | null; summary: string; body: string; updatedAt: Date;
}
/** A learner account. */
export interface Learner { id: number; email: string; name: string; passwordHash: string; createdAt: Date }
/** A learner's enrolment in a course. */
export interface Enrolment {
  id: number; learnerId: number; courseId: number; status: 'active' | 'completed'; progressPct: number; streakDays: number; atRisk: boolean;
  enrolledAt: Date; lastActivityAt: Date; completedAt: Date | null; rating: number | null;
}
/** A quiz (one lesson of a course). */
export interface Quiz { id: number; lessonId: number; courseId: number; passPct: number; maxAttempts: number }
/** A multiple-choice question of a quiz. */
export interface QuizQuestion { id: number; quizId: number; position: number; prompt: string; options: string[]; correct: number }
/** A graded quiz submission. */
export interface QuizAttempt { id: number; quizId: number; learnerId: number; scorePct: number; passed: boolean; answers: number[]; submittedAt: Date }
/** An issued certificate. */
export interface Certificate {
  id: number; enrolmentId: number; learnerId: number; courseId: number; serial: string; documentUrl: string; sha256: string;
  publicKey: string | null; issuedAt: Date;
}

const int = { type: Number } as const;
const ts = { type: 'timestamptz' } as const;

/** Entity schemas (column names are snake_case in the database). */
export const CourseEntity = new EntitySchema<Course>({
  name: 'Course', tableName: 'courses',
  columns: {
    id: { ...int, primary: true }, instructorId: { ...int, name: 'instructor_id' }, slug: { type: String }, title: { type: String },
    category: { type: String }, level: { type: String }, summary: { type: String }, description: { type: String },
    priceCents: { ...int, name: 'price_cents' }, rating: { type: 'numeric' }, published: { type: Boolean },
    lessonCount: { ...int, name: 'lesson_count' }, durationS: { ...int, name: 'duration_s' },
    updatedAt: { ...ts, name: 'updated_at' }, createdAt: { ...ts, name: 'created_at' },
  },
  relations: {
    instructor: { type: 'many-to-one', target: 'Instructor', joinColumn: { name: 'instructor_id' } },
    lessons: { type: 'one-to-many', target: 'Lesson', inverseSide: 'course' },
  },
});
export const InstructorEntity = new EntitySchema<Instructor>({
  name: 'Instructor', tableName: 'instructors',
  columns: { id: { ...int, primary: true }, name: { type: String }, headline: { type: String }, bio: { type: String }, createdAt: { ...ts, name: 'created_at' } },
});
export const LessonEntity = new EntitySchema<Lesson & { course?: Course }>({
  name: 'Lesson', tableName: 'lessons',
  columns: {
    id: { ...int, primary: true }, courseId: { ...int, name: 'course_id' }, position: int, title: { type: String }, kind: { type: String },
    durationS: { ...int, name: 'duration_s' }, videoAsset: { type: String, name: 'video_asset', nullable: true }, summary: { type: String },
    body: { type: String }, updatedAt: { ...ts, name: 'updated_at' },
  },
  relations: { course: { type: 'many-to-one', target: 'Course', joinColumn: { name: 'course_id' }, inverseSide: 'lessons' } },
});
export const LearnerEntity = new EntitySchema<Learner>({
  name: 'Learner', tableName: 'learners',
  columns: { id: { ...int, primary: true }, email: { type: String }, name: { type: String }, passwordHash: { type: String, name: 'password_hash' }, createdAt: { ...ts, name: 'created_at' } },
});
export const EnrolmentEntity = new EntitySchema<Enrolment>({
  name: 'Enrolment', tableName: 'enrolments',
  columns: {
    id: { ...int, primary: true, generated: 'increment' }, learnerId: { ...int, name: 'learner_id' }, courseId: { ...int, name: 'course_id' },
    status: { type: String }, progressPct: { ...int, name: 'progress_pct' }, streakDays: { ...int, name: 'streak_days' },
    atRisk: { type: Boolean, name: 'at_risk' }, enrolledAt: { ...ts, name: 'enrolled_at' }, lastActivityAt: { ...ts, name: 'last_activity_at' },
    completedAt: { ...ts, name: 'completed_at', nullable: true }, rating: { ...int, nullable: true },
  },
});
export const QuizEntity = new EntitySchema<Quiz>({
  name: 'Quiz', tableName: 'quizzes',
  columns: { id: { ...int, primary: true }, lessonId: { ...int, name: 'lesson_id' }, courseId: { ...int, name: 'course_id' }, passPct: { ...int, name: 'pass_pct' }, maxAttempts: { ...int, name: 'max_attempts' } },
});
export const QuizQuestionEntity = new EntitySchema<QuizQuestion>({
  name: 'QuizQuestion', tableName: 'quiz_questions',
  columns: { id: { ...int, primary: true, generated: 'increment' }, quizId: { ...int, name: 'quiz_id' }, position: int, prompt: { type: String }, options: { type: 'jsonb' }, correct: int },
});
export const QuizAttemptEntity = new EntitySchema<QuizAttempt>({
  name: 'QuizAttempt', tableName: 'quiz_attempts',
  columns: {
    id: { ...int, primary: true, generated: 'increment' }, quizId: { ...int, name: 'quiz_id' }, learnerId: { ...int, name: 'learner_id' },
    scorePct: { ...int, name: 'score_pct' }, passed: { type: Boolean }, answers: { type: 'smallint', array: true }, submittedAt: { ...ts, name: 'submitted_at' },
  },
});
export const CertificateEntity = new EntitySchema<Certificate>({
  name: 'Certificate', tableName: 'certificates',
  columns: {
    id: { ...int, primary: true, generated: 'increment' }, enrolmentId: { ...int, name: 'enrolment_id' }, learnerId: { ...int, name: 'learner_id' },
    courseId: { ...int, name: 'course_id' }, serial: { type: String }, documentUrl: { type: String, name: 'document_url' }, sha256: { type: String },
    publicKey: { type: String, name: 'public_key', nullable: true }, issuedAt: { ...ts, name: 'issued_at' },
  },
});

/** Open the DataSource (and with it the pool). */
export async function openDataSource(pgUrl: string): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: pgUrl,
    poolSize: POOL_MAX,
    extra: { idleTimeoutMillis: 30_000 },
    entities: [CourseEntity, InstructorEntity, LessonEntity, LearnerEntity, EnrolmentEntity, QuizEntity, QuizQuestionEntity, QuizAttemptEntity, CertificateEntity],
    synchronize: false,
    logging: false,
  });
  return dataSource.initialize();
}

/** The pg Pool under the DataSource (for the pool gauges). */
export function poolOf(dataSource: DataSource): { totalCount: number; idleCount: number; waitingCount: number } {
  return (dataSource.driver as unknown as { master: { totalCount: number; idleCount: number; waitingCount: number } }).master;
}
