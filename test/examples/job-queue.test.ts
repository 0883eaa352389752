/**
 * examples/job-queue: workers claiming jobs with SELECT … FOR UPDATE SKIP LOCKED, each in its own
 * session and connection, on PostgreSQL and MariaDB. Every job runs exactly once, counted from a
 * second Database; SQLite refuses the lock with an error that says why and what to do instead.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { CompileError, Database } from '../../src/index.js';
import { jobQueueModels, type JobQueueModels } from '../../examples/job-queue/models.js';
import { enqueue, runNext, work } from '../../examples/job-queue/queue.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { sqliteFileUrl } from '../support/outside.js';

const WORKERS = 8;
const JOBS = 240;

describeEachDialect('examples/job-queue', (t) => {
  const it = itOn(t);
  let db: Database;
  let models: JobQueueModels;
  let check: Database;
  let checked: JobQueueModels;

  beforeAll(async () => {
    if (t.skipReason) return;
    const url = t.dialect === 'sqlite' ? sqliteFileUrl() : t.url;
    db = new Database(url, { pool: { max: WORKERS + 2 } });
    models = jobQueueModels(db);
    await db.dropAll();
    await db.createAll();
    check = new Database(url);
    checked = jobQueueModels(check);
  });
  afterAll(async () => {
    await db?.close();
    await check?.close();
  });

  it(`${WORKERS} workers at once run each of ${JOBS} jobs exactly once, counted from a second connection`, async () => {
    if (t.dialect === 'sqlite') return; // see the refusal below
    await enqueue(
      db,
      models,
      Array.from({ length: JOBS }, (_, i) => `job-${i + 1}`),
    );
    const active = new Set<string>();
    let overlap = 0;
    // Each job takes a little while, so that workers really hold locks at the same time.
    const slow = async (): Promise<void> => {
      overlap = Math.max(overlap, active.size);
      await new Promise((resolve) => setTimeout(resolve, 2));
    };
    const ran = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) =>
        work(db, models, `w${w}`, async () => {
          active.add(`w${w}`);
          try {
            await slow();
          } finally {
            active.delete(`w${w}`);
          }
        }),
      ),
    );
    const all = ran.flat();
    expect(all).toHaveLength(JOBS);
    expect(new Set(all).size).toBe(JOBS);
    expect(ran.filter((ids) => ids.length > 0).length).toBeGreaterThan(1); // the work was shared
    expect(overlap).toBeGreaterThan(0); // two workers held jobs at once

    const s = check.newSession();
    const { Job, JobRun } = checked;
    expect(await s.query(Job).filterBy({ status: 'done' }).count()).toBe(JOBS);
    expect(await s.query(JobRun).count()).toBe(JOBS);
    const runs = await s.query(JobRun).all();
    expect(new Set(runs.map((r) => r.jobId)).size).toBe(JOBS); // no job ran twice
    const jobs = await s.query(Job).all();
    const byId = new Map(runs.map((r) => [r.jobId, r.worker]));
    expect(jobs.every((j) => j.doneBy === byId.get(j.id))).toBe(true);
    await s.close();
  }, 60_000);

  it('a worker that fails rolls back: its job is queued again, and the next worker runs it', async () => {
    if (t.dialect === 'sqlite') return;
    await enqueue(db, models, ['flaky']);
    await expect(
      runNext(db, models, 'crashing', async () => {
        throw new Error('worker crashed');
      }),
    ).rejects.toThrow('worker crashed');
    const s = check.newSession();
    expect(await s.query(checked.Job).filterBy({ task: 'flaky', status: 'queued' }).count()).toBe(1);
    const id = await runNext(db, models, 'steady', async () => {});
    expect((await s.query(checked.Job).filterBy({ id: id! }).one()).doneBy).toBe('steady');
    await s.close();
  });

  it('a job another worker holds is skipped, not waited for', async () => {
    if (t.dialect === 'sqlite') return;
    await enqueue(db, models, ['held', 'free']);
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    let claimed!: () => void;
    const claimedOne = new Promise<void>((resolve) => (claimed = resolve));
    const first = runNext(db, models, 'holder', async (job) => {
      expect(job.task).toBe('held');
      claimed();
      await holding;
    });
    await claimedOne;
    const started = Date.now();
    const second = await runNext(db, models, 'skipper', async (job) => expect(job.task).toBe('free'));
    expect(second).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(2000);
    release();
    await first;
  });

  it('on SQLite, forUpdate() is refused with why and what to use instead; nothing is claimed', async () => {
    if (t.dialect !== 'sqlite') return;
    await enqueue(db, models, ['only']);
    const err = await runNext(db, models, 'w', async () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect((err as Error).message).toMatch(/SQLite has no row locks/);
    expect((err as Error).message).toMatch(/one writer at a time/);
    expect((err as Error).message).toMatch(/UPDATE … WHERE id IN \(SELECT …\) RETURNING/);
    expect(await check.newSession().query(checked.Job).filterBy({ status: 'queued' }).count()).toBe(1);
  });
});
