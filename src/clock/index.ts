// The one clock of the application. Every module that asks "what time is it?" (ranking, working
// hours, nudges, deadlines, staleness of verification, sessions, invites, the audit log) gets this
// port from the composition root instead of reading the system clock itself, so a test can pin the
// date (the demo registry's absences and verification dates are calendar dates) and a drill can run
// on a shifted clock.

/** What time it is. Timers (BullMQ delays) are computed as `dueAt - now()`, so a clock must tick at the rate of real time. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The operating system's clock: what production runs on. */
export const systemClock: Clock = { now: () => new Date() };
