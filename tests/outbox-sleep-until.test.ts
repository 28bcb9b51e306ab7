// The delivery waits for its rate-limit slot in three places (before the claim, after the claim,
// after a re-taken slot) through one helper: it waits until the slot's instant, and not at all
// for an instant already past.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sleepUntil } from '../src/outbox/outbox-delivery.ts';

describe('sleepUntil', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-12-01T04:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves at the instant, not before', async () => {
    let done = false;
    const waiting = sleepUntil(Date.now() + 100).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('does not wait for an instant already past (a slot the process stalled through)', async () => {
    let done = 0;
    void sleepUntil(Date.now() - 30).then(() => done++);
    void sleepUntil(Date.now()).then(() => done++);
    expect(vi.getTimerCount()).toBe(0);
    await vi.waitFor(() => {
      expect(done).toBe(2);
    });
  });
});
