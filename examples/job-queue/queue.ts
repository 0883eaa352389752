/**
 * A job queue on plain tables, with as many workers as you like, each in its own session:
 *
 *   SELECT … FROM jq_job WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
 *
 * claims the first job no other worker holds. The lock is held while the job runs and until the
 * transaction that marks it done commits; a worker that fails rolls back, and the job is queued
 * again for the next one. SKIP LOCKED is what keeps workers from queueing behind each other: each
 * skips the rows the others have locked instead of waiting for them.
 *
 * Workers run at READ COMMITTED (PostgreSQL's default; InnoDB's is REPEATABLE READ): there InnoDB
 * also locks the gaps between the index entries a locking read scans, so marking one job done
 * (which moves its entry in the status index) would wait for the worker holding the next job.
 *
 * PostgreSQL, MySQL 8 and MariaDB ≥ 10.6. SQLite has no row locks (one writer at a time for the
 * whole database), and Relata refuses forUpdate() there, saying so: on SQLite one worker is all
 * a queue gets anyway.
 */
import type { Database, Session } from '../../src/index.js';
import type { Job, JobQueueModels } from './models.js';

/** No gap locks (see above): a worker locks the job it claims and nothing else. */
const WORKER_TRANSACTION = { isolation: 'read committed' } as const;

/** Adds `tasks` to the queue, in one INSERT. */
export async function enqueue(db: Database, { Job }: JobQueueModels, tasks: readonly string[]): Promise<void> {
  await db.transaction(async (session) => {
    session.addAll(tasks.map((task) => new Job({ task })));
  });
}

/**
 * Runs the next queued job, if there is one: claims it with FOR UPDATE SKIP LOCKED, runs `handle`
 * in the same transaction, marks it done. Returns the job's id, or null when none is left.
 */
export function runNext(
  db: Database,
  models: JobQueueModels,
  worker: string,
  handle: (job: Job, session: Session) => Promise<void>,
): Promise<number | null> {
  const { Job, JobRun } = models;
  return db.transaction(async (session) => {
    const job = await session
      .query(Job)
      .filterBy({ status: 'queued' })
      .orderBy(Job.id)
      .limit(1)
      .forUpdate({ skipLocked: true })
      .first();
    if (!job) return null;
    await handle(job, session);
    job.status = 'done';
    job.doneBy = worker;
    session.add(new JobRun({ jobId: job.id, worker }));
    return job.id;
  }, WORKER_TRANSACTION);
}

/** A worker: runs jobs until the queue is empty; returns the ids it ran, in order. */
export async function work(
  db: Database,
  models: JobQueueModels,
  worker: string,
  handle: (job: Job, session: Session) => Promise<void> = async () => {},
): Promise<number[]> {
  const ran: number[] = [];
  for (let id = await runNext(db, models, worker, handle); id !== null; id = await runNext(db, models, worker, handle))
    ran.push(id);
  return ran;
}
