/**
 * The streak job: every 10 s it visits the enrolments with activity in the
 * last 36 hours (today's learners, ~10,000) and updates their streak and
 * "at risk" flag, in batches of 1,000 with a 150 ms pause between batches so
 * it never hogs the database.
 *
 * The `streak-job-single-tx` build wraps all batches in one transaction ("a
 * crash must not leave half the streaks updated"): every row visited stays
 * locked until the last batch commits, ~1.5-2 s per run.
 *
 * @module
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { AcademyFault } from '../faults.js';
import { streakJobDuration } from './metrics.js';

const INTERVAL_MS = 10_000;
const BATCH = 1_000;
const PAUSE_MS = 150;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const UPDATE = `
  UPDATE enrolments SET
    at_risk = last_activity_at < now() - interval '20 hours',
    streak_days = CASE WHEN last_activity_at < now() - interval '30 hours' THEN 0 ELSE greatest(streak_days, 1) END
  WHERE id = ANY($1::int[])`;

async function run(db: DataSource, fault: AcademyFault | null): Promise<void> {
  const end = streakJobDuration.startTimer();
  const ids = ((await db.query(`SELECT id FROM enrolments WHERE last_activity_at >= now() - interval '36 hours' ORDER BY id`)) as { id: number }[]).map((r) => r.id);
  const batches = async (m: EntityManager): Promise<void> => {
    for (let i = 0; i < ids.length; i += BATCH) {
      await m.query(UPDATE, [ids.slice(i, i + BATCH)]);
      await sleep(PAUSE_MS);
    }
  };
  if (fault === 'streak-job-single-tx') await db.transaction(batches);
  else await batches(db.manager);
  end();
}

/** Start the job; returns its stop function. */
export function startStreakJob(db: DataSource, fault: AcademyFault | null): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = (): void => {
    timer = setTimeout(() => {
      void run(db, fault).catch(() => {}).finally(() => {
        if (!stopped) loop();
      });
    }, INTERVAL_MS);
  };
  loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
