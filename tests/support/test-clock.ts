// A clock pinned to a chosen instant that then ticks at the rate of real time, so stories about
// dates (a contact's leave, a record verified 13 months ago) do not depend on the day the suite
// runs, while timers computed as `dueAt - now()` still fire after the real delay they describe.
import type { Clock } from '../../src/clock/index.ts';

export interface TestClock extends Clock {
  /** Jumps to `at`; the clock keeps ticking from there. */
  set(at: Date | string): void;
  /** Moves the clock forward (or back, negative) by `ms`. */
  advance(ms: number): void;
}

/** A clock that reads `start` now and runs on from there. */
export function createTestClock(start: Date | string): TestClock {
  let pinned = new Date(start).getTime();
  let pinnedAt = performance.now();
  if (Number.isNaN(pinned)) throw new Error(`not an instant: ${String(start)}`);
  return {
    now: () => new Date(pinned + Math.round(performance.now() - pinnedAt)),
    set(at) {
      pinned = new Date(at).getTime();
      pinnedAt = performance.now();
    },
    advance(ms) {
      pinned += ms;
    },
  };
}

/**
 * The day the demo registry describes (`config/demo-registry.json`): kg-002 is on leave with kg-001
 * standing in, kz-004, tj-002 and am-003 were verified more than 12 months earlier, the others
 * recently. Tuesday 1 December 2026, 10:00 in Bishkek and Almaty (UTC+5/+6), a working morning.
 */
export const demoDay = '2026-12-01T04:00:00Z';
