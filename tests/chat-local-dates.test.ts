// Dates typed in a conversation are read on the member's calendar, not UTC's. At 20:30 UTC on
// Tuesday 1 December 2026 it is already 01:30 on Wednesday 2 December in Almaty (UTC+5); at 02:00
// UTC on 2 December it is still 21:00 on 1 December in New York. "Today", "yesterday" and a typed
// date are judged there: registering a request (`/newrequest`, the sent date may not be ahead) and
// recording an absence (`/away`, the first day may not have passed). Web console, real Postgres.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { createTestClock } from './support/test-clock.ts';
import { webConsoleClient, type ConsoleMember } from './support/web-console-client.ts';

/** 2 December in Almaty, still 1 December in UTC. */
const almatyPastMidnight = '2026-12-01T20:30:00Z';
/** 2 December in UTC, still 1 December in New York. */
const newYorkEvening = '2026-12-02T02:00:00Z';
const clock = createTestClock(almatyPastMidnight);

let testApp: TestApp;
let web: ReturnType<typeof webConsoleClient>;

beforeAll(async () => {
  testApp = await startTestApp('chat_local_dates', { clock });
  web = webConsoleClient(testApp.application.app, testApp.adminToken);
});
afterAll(async () => {
  await testApp.close();
});

const say = async (member: ConsoleMember, text: string) => (await web.say(member, { text }))[0]?.text;

/** `/newrequest` up to the question of when the request was sent. */
async function toSentDate(member: ConsoleMember, reference: string) {
  await say(member, `/newrequest ${reference}`);
  await say(member, 'mutual legal assistance');
  expect(await say(member, 'uz')).toBe(`Request ${reference}: when was it sent?`);
}

/** The rest of the registration: not urgent, a subject; then the request's sent instant. */
async function finish(member: ConsoleMember, reference: string): Promise<string> {
  expect(await say(member, 'no')).toContain('now type a short, non-sensitive subject');
  expect(await say(member, 'Bank records of a company')).toContain(`Registered: ${reference}`);
  const rows = [
    ...((await testApp.database.handle.db.execute(
      sql`select sent_at as "sentAt" from formal_requests where our_reference = ${reference}`,
    )) as Iterable<{ sentAt: Date | string }>),
  ];
  expect(rows).toHaveLength(1);
  return new Date(rows[0]!.sentAt).toISOString();
}

const stillAhead = 'That date is still ahead; a request can only be registered once it has been sent.';

describe('the sent date of a request, on the requesting country’s calendar', () => {
  it('in Almaty after midnight, 2 December is today: typed, it is accepted and recorded as sent by now', async () => {
    clock.set(almatyPastMidnight);
    const member = await web.loggedInMember('Dana Nightshift', 'KZ');
    await toSentDate(member, 'KZ-101/2026');
    expect(await say(member, '03.12.2026')).toBe(stillAhead);
    expect(await say(member, '2026-12-02')).toContain('is it urgent?');
    const sentAt = await finish(member, 'KZ-101/2026');
    // Not the UTC noon of 2 December (still ahead at 20:30 UTC on 1 December): now, at the latest.
    expect(Date.parse(sentAt)).toBeLessThanOrEqual(clock.now().getTime());
    expect(Date.parse(sentAt)).toBeGreaterThanOrEqual(Date.parse(almatyPastMidnight));
  });

  it('in Almaty after midnight, "yesterday" is 1 December, not 30 November', async () => {
    clock.set(almatyPastMidnight);
    const member = await web.loggedInMember('Erlan Nightshift', 'KZ');
    await toSentDate(member, 'KZ-102/2026');
    expect(await say(member, 'вчера')).toContain('is it urgent?');
    expect(await finish(member, 'KZ-102/2026')).toBe('2026-12-01T12:00:00.000Z');
  });

  it('in New York in the evening, 2 December is still ahead; 1 December is today', async () => {
    clock.set(newYorkEvening);
    const member = await web.loggedInMember('Grace Evening', 'US');
    await toSentDate(member, 'US-103/2026');
    expect(await say(member, '2026-12-02')).toBe(stillAhead);
    expect(await say(member, '1.12.2026')).toContain('is it urgent?');
    expect(await finish(member, 'US-103/2026')).toBe('2026-12-01T12:00:00.000Z');
  });
});

describe('the first day of an absence, on the contact’s calendar', () => {
  /** `/away` and the first day typed; the reply to that day. */
  async function away(member: ConsoleMember, from: string) {
    expect(await say(member, '/away')).toContain('From when are you away?');
    return say(member, from);
  }

  it('in Almaty after midnight, "today" is 2 December: the absence starts now, not "already passed"', async () => {
    clock.set(almatyPastMidnight);
    const member = await web.loggedInMember('Aizhan Contact', 'KZ', 'kz-001');
    expect(await away(member, 'today')).toContain('Until when are you away?');
    expect(await say(member, '2026-12-09')).toContain('Who stands in for you meanwhile?');
    expect(await say(member, 'Nobody')).toContain('Recorded: you are away until 2026-12-09.');
  });

  it('in Almaty after midnight, 1 December has passed', async () => {
    clock.set(almatyPastMidnight);
    const member = await web.loggedInMember('Bolat Contact', 'KZ', 'kz-002');
    expect(await away(member, '2026-12-01')).toBe('That day has already passed. From when are you away?');
    await say(member, '/cancel');
  });
});
