import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestTargets } from '../../config.ts';
import { eventually } from '../../testing/client.ts';
import { openTestDatabase } from '../../testing/harness.ts';
import type { Database } from '../db/database.ts';
import { createLogger } from '../telemetry/logger.ts';
import { createJobs, type JobDefinition, type Jobs } from './jobs.ts';

interface Marked {
  marker: string;
}

let database: Database;
const log = createLogger(loadTestTargets().logLevel);
const marker = () => randomBytes(6).toString('hex');

/** The state pg-boss records for a job, as an operator would query it. */
async function jobState(id: string): Promise<{ state: string; retry_count: number } | undefined> {
  const { rows } = await database.sql.query<{ state: string; retry_count: number }>(
    'select state, retry_count from pgboss.job where id = $1',
    [id],
  );
  return rows[0];
}

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database?.close());

describe('a running job queue', () => {
  let jobs: Jobs;
  const handled: Array<{ marker: string; id: string; name: string }> = [];
  const attempts = new Map<string, number>();
  const countAttempt = (data: Marked) => {
    const count = (attempts.get(data.marker) ?? 0) + 1;
    attempts.set(data.marker, count);
    return count;
  };

  beforeAll(async () => {
    jobs = createJobs({ database, log });
    jobs.define<Marked>('test.record', {
      handler: async (data, job) => {
        handled.push({ marker: data.marker, ...job });
      },
    });
    jobs.define<Marked>('test.fails-once', {
      retryLimit: 1,
      retryDelaySeconds: 1,
      handler: async (data) => {
        if (countAttempt(data) === 1) throw new Error('temporary failure');
      },
    });
    jobs.define<Marked>('test.always-fails', {
      retryLimit: 1,
      retryDelaySeconds: 1,
      handler: async (data) => {
        countAttempt(data);
        throw new Error('permanent failure');
      },
    });
    jobs.define<Marked & { fail: boolean }>('test.mixed-batch', {
      retryLimit: 1,
      retryDelaySeconds: 1,
      handler: async (data) => {
        countAttempt(data);
        if (data.fail) throw new Error('this one fails');
      },
    });
    await jobs.start({ work: true });
  });
  afterAll(() => jobs?.stop());

  it('refuses to send to a queue that was never defined', async () => {
    await expect(jobs.send('test.unknown', {})).rejects.toThrow();
  });

  it('refuses to define a queue once started', () => {
    expect(() => jobs.define('test.too-late', { handler: async () => {} })).toThrow();
  });

  it('runs a sent job with its data', async () => {
    const sent = marker();
    const id = await jobs.send('test.record', { marker: sent });
    expect(id).toEqual(expect.any(String));
    const run = await eventually(async () => handled.find((entry) => entry.marker === sent));
    expect(run).toEqual({ marker: sent, id, name: 'test.record' });
    await eventually(async () => (await jobState(id as string))?.state === 'completed');
  });

  it('retries a failing handler, then succeeds', async () => {
    const sent = marker();
    const id = await jobs.send('test.fails-once', { marker: sent });
    await eventually(async () => (await jobState(id as string))?.state === 'completed');
    expect(attempts.get(sent)).toBe(2);
  });

  it('gives up after retryLimit retries', async () => {
    const sent = marker();
    const id = await jobs.send('test.always-fails', { marker: sent });
    await eventually(async () => (await jobState(id as string))?.state === 'failed');
    expect(attempts.get(sent)).toBe(2);
    expect((await jobState(id as string))?.retry_count).toBe(1);
  });

  it('retries only the failed job of a batch, not its siblings', async () => {
    const [good, bad, alsoGood] = [marker(), marker(), marker()];
    const ids = await Promise.all([
      jobs.send('test.mixed-batch', { marker: good, fail: false }),
      jobs.send('test.mixed-batch', { marker: bad, fail: true }),
      jobs.send('test.mixed-batch', { marker: alsoGood, fail: false }),
    ]);
    await eventually(async () => (await jobState(ids[1] as string))?.state === 'failed');
    expect(attempts.get(bad)).toBe(2);
    expect(attempts.get(good)).toBe(1);
    expect(attempts.get(alsoGood)).toBe(1);
    expect((await jobState(ids[0] as string))?.state).toBe('completed');
    expect((await jobState(ids[2] as string))?.state).toBe('completed');
  });

  it('runs a job sent inside a transaction only if the transaction commits', async () => {
    const rolledBack = marker();
    const committed = marker();
    let rolledBackId: string | null = null;
    await expect(
      database.db.transaction(async (tx) => {
        rolledBackId = await jobs.send('test.record', { marker: rolledBack }, { tx });
        throw new Error('rollback');
      }),
    ).rejects.toThrow();
    expect(rolledBackId).toEqual(expect.any(String));

    const committedId = await database.db.transaction((tx) => jobs.send('test.record', { marker: committed }, { tx }));
    await eventually(async () => handled.some((entry) => entry.id === committedId));
    await sleep(1_000);
    expect(handled.some((entry) => entry.marker === rolledBack)).toBe(false);
    expect(await jobState(rolledBackId as unknown as string)).toBeUndefined();
  });
});

describe('stopping the job queue', () => {
  const running: Jobs[] = [];
  afterAll(async () => {
    for (const jobs of running) await jobs.stop();
  });

  async function startJobs<Data extends object>(name: string, definition: JobDefinition<Data>): Promise<Jobs> {
    const jobs = createJobs({ database, log });
    jobs.define(name, definition);
    running.push(jobs);
    await jobs.start({ work: true });
    return jobs;
  }

  it('waits for an in-flight job to finish', async () => {
    let started = false;
    let finished = false;
    const jobs = await startJobs('test.slow', {
      handler: async () => {
        started = true;
        await sleep(1_000);
        finished = true;
      },
    });
    const id = await jobs.send('test.slow', {});
    await eventually(async () => started);
    await jobs.stop();
    expect(finished).toBe(true);
    // Recorded as done, so the next start does not run it again.
    await eventually(async () => (await jobState(id as string))?.state === 'completed', 5_000);
  });

  it('retries after a restart a job that failed while the queue was stopping', async () => {
    let stopping = false;
    let started = false;
    const jobs = await startJobs('test.interrupted', {
      retryLimit: 1,
      retryDelaySeconds: 1,
      handler: async () => {
        started = true;
        while (!stopping) await sleep(20);
        throw new Error('interrupted by the shutdown');
      },
    });
    const id = await jobs.send('test.interrupted', {});
    await eventually(async () => started);
    stopping = true;
    await jobs.stop();

    const rerun: string[] = [];
    await startJobs('test.interrupted', {
      handler: async (_data, job) => {
        rerun.push(job.id);
      },
    });
    await eventually(async () => rerun.includes(id as string), 10_000);
  });
});
