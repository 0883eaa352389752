/**
 * The job queue's tables: jobs waiting for a worker, and one row per job a worker has run (what
 * the tests count, from a connection of their own, to show each job ran exactly once).
 */
import type { Database } from '../../src/index.js';

export function jobQueueModels(db: Database) {
  class Job extends db.Model(
    'Job',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      task: db.Column(db.String(40), { nullable: false }),
      /** 'queued' until a worker has run it, then 'done'. */
      status: db.Column(db.String(10), { nullable: false, default: 'queued', index: true }),
      doneBy: db.Column(db.String(40)),
    },
    { tableName: 'jq_job' },
  ) {}
  class JobRun extends db.Model(
    'JobRun',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      jobId: db.Column(db.Integer, db.ForeignKey('jq_job.id'), { nullable: false }),
      worker: db.Column(db.String(40), { nullable: false }),
    },
    { tableName: 'jq_job_run' },
  ) {}
  return { Job, JobRun };
}

export type JobQueueModels = ReturnType<typeof jobQueueModels>;
export type Job = InstanceType<JobQueueModels['Job']>;
