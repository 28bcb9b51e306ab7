import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock/index.ts';
import { pendingByKind } from './timer-store.ts';
import type { Database } from '../db/index.ts';

export interface TimerMetrics {
  scheduled(kind: string): void;
  cancelled(kind: string): void;
  fired(kind: string): void;
  failed(kind: string): void;
  /** A job found for an older generation, or for a timer already gone. */
  stale(): void;
  /** Jobs the reconciler re-created (Redis lost them, or they had failed for good). */
  repaired(count: number): void;
}

const noop = (): void => undefined;
export const noTimerMetrics: TimerMetrics = {
  scheduled: noop,
  cancelled: noop,
  fired: noop,
  failed: noop,
  stale: noop,
  repaired: noop,
};

/** Prometheus counters of timer events in this process, and gauges of pending timers read from Postgres on scrape. */
export function createTimerMetrics(registry: Registry, db: Database, clock: Clock): TimerMetrics {
  const events = new Counter({
    name: 'counterpart_timer_events_total',
    help: 'Durable timer events in this process, by kind and event (scheduled, cancelled, fired, failed)',
    labelNames: ['kind', 'event'] as const,
    registers: [registry],
  });
  const stale = new Counter({
    name: 'counterpart_timer_stale_jobs_total',
    help: 'Timer jobs that found their timer moved or gone and did nothing',
    registers: [registry],
  });
  const repaired = new Counter({
    name: 'counterpart_timer_repaired_total',
    help: 'Timer jobs the reconciler re-created from Postgres',
    registers: [registry],
  });
  new Gauge({
    name: 'counterpart_timers_pending',
    help: 'Durable timers waiting to fire, by kind and whether they are past due',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await pendingByKind(db, clock.now())) {
        this.set({ kind: row.kind, state: 'due' }, row.overdue);
        this.set({ kind: row.kind, state: 'waiting' }, row.pending - row.overdue);
      }
    },
  });
  return {
    scheduled: (kind) => {
      events.inc({ kind, event: 'scheduled' });
    },
    cancelled: (kind) => {
      events.inc({ kind, event: 'cancelled' });
    },
    fired: (kind) => {
      events.inc({ kind, event: 'fired' });
    },
    failed: (kind) => {
      events.inc({ kind, event: 'failed' });
    },
    stale: () => {
      stale.inc();
    },
    repaired: (count) => {
      repaired.inc(count);
    },
  };
}
