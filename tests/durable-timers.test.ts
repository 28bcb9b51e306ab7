// The durable-timer service every module uses to act at a moment: stories of timers that fire
// once, move, get cancelled, fail and retry, and survive Redis losing every job. Real Postgres
// and a private redis-server (flushed here, so no other test file is disturbed).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock/index.ts';
import { inTransaction } from '../src/db/after-commit.ts';
import { createMetricsRegistry } from '../src/http/metrics.ts';
import { createLogger } from '../src/logging/logger.ts';
import { createQueueProducers, type QueueProducers } from '../src/queue/queues.ts';
import { openRedis, type RedisHandle } from '../src/redis/redis-connection.ts';
import { createTimersModule, kindOf, timerJobId, type TimersModule } from '../src/timers/index.ts';
import { durableTimers as durableTimersTable } from '../src/timers/timers-schema.ts';
import { eventually } from './support/eventually.ts';
import { startPrivateRedis, type PrivateRedis } from './support/private-redis.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

let database: TestDatabase;
let privateRedis: PrivateRedis;
let redis: RedisHandle;
let queues: QueueProducers;
let module: TimersModule;
const fired: { kind: string; key: string; payload: unknown }[] = [];
let failuresLeft = 0;
const metrics = createMetricsRegistry();

const firedFor = (key: string) => fired.filter((entry) => entry.key === key);
const inMs = (ms: number) => new Date(systemClock.now().getTime() + ms);

beforeAll(async () => {
  database = await createTestDatabase('durable_timers');
  privateRedis = await startPrivateRedis();
  const logger = createLogger('silent');
  redis = await openRedis({
    url: privateRedis.url,
    prefix: 'cp-timers-test',
    dataDir: '/nonexistent',
    logger,
  });
  queues = createQueueProducers({ redis, logger });
  module = createTimersModule({
    db: database.handle.db,
    redis,
    queues,
    logger,
    settings: { reconcileIntervalMs: 60_000, workerLockMs: 2000 },
    metrics,
  });
  module.timers.handle('reminder', async (payload, timer) => {
    fired.push({ kind: timer.kind, key: timer.key, payload });
    await Promise.resolve();
  });
  module.timers.handle('flaky', async (payload, timer) => {
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      throw new Error('the messenger is down');
    }
    fired.push({ kind: timer.kind, key: timer.key, payload });
    await Promise.resolve();
  });
  // Fires every 300 ms three times: a handler scheduling its own key again keeps the new timer.
  module.timers.handle<{ left: number }>('repeating', async (payload, timer) => {
    fired.push({ kind: timer.kind, key: timer.key, payload });
    if (payload.left > 1) await module.timers.schedule(timer.key, inMs(300), { left: payload.left - 1 });
  });
  module.startWorker();
}, 180_000);

afterAll(async () => {
  await module.stop();
  await queues.close();
  await redis.close();
  await privateRedis.close();
  await database.drop();
});

/** The generation of the timer `key` as `db` (a transaction, or the database) sees it. */
async function generationIn(db: Pick<typeof database.handle.db, 'select'>, key: string): Promise<number> {
  const rows = await db.select().from(durableTimersTable);
  const row = rows.find((candidate) => candidate.key === key);
  if (row === undefined) throw new Error(`no timer ${key}`);
  return row.generation;
}

async function timerRows(key: string) {
  const rows = await database.handle.db.select().from(durableTimersTable);
  return rows.filter((row) => row.key === key);
}

describe('durable timers', () => {
  it('a reminder scheduled a moment ahead fires once with its payload, and then no timer is left', async () => {
    await module.timers.schedule('reminder:once', inMs(400), { contactId: 'kg-001', round: 1 });
    await eventually(() => (firedFor('reminder:once').length > 0 ? true : undefined), 'the reminder to fire');
    await eventually(
      async () => ((await timerRows('reminder:once')).length === 0 ? true : undefined),
      'the row to go',
    );
    expect(firedFor('reminder:once')).toEqual([
      { kind: 'reminder', key: 'reminder:once', payload: { contactId: 'kg-001', round: 1 } },
    ]);
  });

  it('moving a reminder fires only its new version, and a cancelled reminder never fires', async () => {
    await module.timers.schedule('reminder:moved', inMs(300), { version: 'old' });
    await module.timers.schedule('reminder:moved', inMs(700), { version: 'new' });
    await module.timers.schedule('reminder:cancelled', inMs(300), { version: 'cancelled' });
    expect(await module.timers.cancel('reminder:cancelled')).toBe(true);
    expect(await module.timers.cancel('reminder:never-was')).toBe(false);
    // A later reminder proves the earlier ones had every chance to fire.
    await module.timers.schedule('reminder:witness', inMs(1500), {});
    await eventually(() => (firedFor('reminder:witness').length > 0 ? true : undefined), 'the witness');
    expect(firedFor('reminder:moved').map((entry) => entry.payload)).toEqual([{ version: 'new' }]);
    expect(firedFor('reminder:cancelled')).toEqual([]);
  });

  it('a key whose timer fired is scheduled again: the new timer fires too, long before the reconciler would', async () => {
    await module.timers.schedule('reminder:again', inMs(100), { round: 1 });
    await eventually(() => (firedFor('reminder:again').length === 1 ? true : undefined), 'the first round');
    await eventually(
      async () => ((await timerRows('reminder:again')).length === 0 ? true : undefined),
      'the fired timer to go',
    );
    // Its job is finished, and BullMQ keeps finished jobs: the next round's job must not share its id.
    const next = inMs(100);
    await module.timers.schedule('reminder:again', next, { round: 2 });
    const [row] = await timerRows('reminder:again');
    expect(await queues.queue('timers').getJobState(timerJobId('reminder:again', row!.generation))).not.toBe(
      'completed',
    );
    // The reconciler (every 60 s, for timers a minute overdue) would only repair it much later.
    await eventually(
      () => (firedFor('reminder:again').length === 2 ? true : undefined),
      'the second round to fire',
      45_000,
    );
    expect(firedFor('reminder:again').map((entry) => entry.payload)).toEqual([{ round: 1 }, { round: 2 }]);
  });

  it('a timer written in a transaction that rolls back never fires', async () => {
    await database.handle.db
      .transaction(async (tx) => {
        await module.timers.schedule('reminder:rolled-back', inMs(200), {}, { db: tx });
        throw new Error('the caller gives up');
      })
      .catch(() => undefined);
    await module.timers.schedule('reminder:after-rollback', inMs(1200), {});
    await eventually(
      () => (firedFor('reminder:after-rollback').length > 0 ? true : undefined),
      'the witness',
    );
    expect(firedFor('reminder:rolled-back')).toEqual([]);
    expect(await timerRows('reminder:rolled-back')).toEqual([]);
  });

  it('a timer due now, written in a transaction that commits only after its job first ran, still fires at once', async () => {
    const key = 'reminder:slow-commit';
    let looked = false;
    await database.handle.db.transaction(async (tx) => {
      await module.timers.schedule(key, inMs(0), { slow: true }, { db: tx });
      const generation = await generationIn(tx, key);
      // Hold the transaction open until the worker has taken the job and found nothing committed.
      await eventually(async () => {
        const state = await queues.queue('timers').getJobState(timerJobId(key, generation));
        return state === 'delayed' || state === 'completed' ? true : undefined;
      }, 'the worker to look for the timer before the commit');
      looked = true;
    });
    expect(looked).toBe(true);
    // Far sooner than the reconciler (every 60 s, and only for timers a minute overdue) would.
    await eventually(
      () => (firedFor(key).length > 0 ? true : undefined),
      'the committed timer to fire',
      45_000,
    );
    expect(firedFor(key)).toEqual([{ kind: 'reminder', key, payload: { slow: true } }]);
  });

  it('in a transaction opened with inTransaction, the job is armed only once the transaction commits', async () => {
    const key = 'reminder:after-commit';
    const rolledBack = 'reminder:after-commit-rolled-back';
    await inTransaction(database.handle.db, async (tx) => {
      await module.timers.schedule(key, inMs(0), { armed: 'after commit' }, { db: tx });
      expect(await queues.queue('timers').getJobState(timerJobId(key, await generationIn(tx, key)))).toBe(
        'unknown',
      );
    });
    let rolledBackGeneration = 0;
    await inTransaction(database.handle.db, async (tx) => {
      await module.timers.schedule(rolledBack, inMs(0), {}, { db: tx });
      rolledBackGeneration = await generationIn(tx, rolledBack);
      throw new Error('the caller gives up');
    }).catch(() => undefined);
    await eventually(() => (firedFor(key).length > 0 ? true : undefined), 'the committed timer to fire');
    expect(rolledBackGeneration).toBeGreaterThan(0);
    expect(await queues.queue('timers').getJobState(timerJobId(rolledBack, rolledBackGeneration))).toBe(
      'unknown',
    );
    expect(firedFor(rolledBack)).toEqual([]);
  });

  it('a handler that fails is retried until the work is done, and the timer stays until then', async () => {
    failuresLeft = 2;
    await module.timers.schedule('flaky:retried', inMs(100), { attempt: 'any' });
    await eventually(() => (firedFor('flaky:retried').length > 0 ? true : undefined), 'the retried timer');
    expect(failuresLeft).toBe(0);
    expect(firedFor('flaky:retried')).toHaveLength(1);
  });

  it('a handler may schedule its own key again: a repeating reminder fires three times', async () => {
    await module.timers.schedule('repeating:weekly', inMs(100), { left: 3 });
    await eventually(() => (firedFor('repeating:weekly').length === 3 ? true : undefined), 'three firings');
    await eventually(
      async () => ((await timerRows('repeating:weekly')).length === 0 ? true : undefined),
      'done',
    );
    expect(firedFor('repeating:weekly').map((entry) => entry.payload)).toEqual([
      { left: 3 },
      { left: 2 },
      { left: 1 },
    ]);
  });

  it('when Redis loses every job, the reconciler re-arms each timer from Postgres and each fires once', async () => {
    const keys = Array.from({ length: 20 }, (_, index) => `reminder:lost-${String(index)}`);
    for (const key of keys) await module.timers.schedule(key, inMs(1500), { key });
    await privateRedis.flushAll();
    const pass = await module.reconcileNow();
    expect(pass.armed).toBeGreaterThanOrEqual(keys.length);
    await eventually(
      () => (keys.every((key) => firedFor(key).length > 0) ? true : undefined),
      'every lost timer to fire',
    );
    await module.reconcileNow();
    await module.timers.schedule('reminder:after-loss', inMs(500), {});
    await eventually(() => (firedFor('reminder:after-loss').length > 0 ? true : undefined), 'the witness');
    for (const key of keys) expect(firedFor(key)).toHaveLength(1);
  });

  it('any key makes a distinct job id BullMQ accepts, and a key without a kind is refused', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.string(), (kind, a, b) => {
        const first = timerJobId(`${kind}:${a}`, 1);
        expect(first.split(':')).toHaveLength(1);
        if (a !== b) expect(timerJobId(`${kind}:${b}`, 1)).not.toBe(first);
        expect(timerJobId(`${kind}:${a}`, 2)).not.toBe(first);
      }),
    );
    fc.assert(
      fc.property(
        fc.string().filter((key) => !key.slice(1).includes(':') || key.startsWith(':')),
        (key) => {
          expect(() => kindOf(key)).toThrow();
        },
      ),
    );
  });

  it('metrics count what fired and show the timers still waiting, by kind', async () => {
    await module.timers.schedule('reminder:next-month', inMs(30 * 86_400_000), {});
    const text = await metrics.metrics();
    expect(text).toMatch(/counterpart_timer_events_total\{kind="reminder",event="fired"\} \d+/);
    expect(text).toContain('counterpart_timers_pending{kind="reminder",state="waiting"} 1');
    await module.timers.cancel('reminder:next-month');
  });
});
