// The bot under a homeserver's message rate limit (M_LIMIT_EXCEEDED), without the exemption the
// README advises: a burst of replies and outbox pushes must all arrive, each once, and every
// refused send must have waited as told. The homeserver refuses a retry made before
// retry_after_ms again, so "at most one 429, then one success" per transaction proves the wait
// without timing anything.
import { isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botReplyOutbox } from '../bots/matrix/state/matrix-state-schema.ts';
import { outboxSettled } from './support/eventually.ts';
import { body, type MatrixBotFixture, startMatrixBotFixture, waitFor } from './support/matrix-bot-fixture.ts';
import type { TestMatrixUser } from './support/matrix-test-client.ts';

describe('Matrix bot under the homeserver rate limit', () => {
  let fixture: MatrixBotFixture;
  let member: TestMatrixUser;
  let dm: string;

  beforeAll(async () => {
    fixture = await startMatrixBotFixture('matrix-rate-limit', {
      botRateLimited: true,
      // Synapse's shape (a leaky bucket), smaller numbers so the story takes seconds, not minutes.
      homeserverOptions: { messageRateLimit: { perSecond: 0.5, burstCount: 3 } },
    });
    ({ user: member, dm } = await fixture.linkedMember('rl-member', 'Rustam Limitov', 'KZ'));
    // The member types faster than a person would; only the bot is limited in this story.
    fixture.homeserver.exemptFromRateLimit(member.userId);
  }, 120_000);

  afterAll(async () => {
    await fixture.close();
  });

  it('a burst of replies and pushes: all delivered, none twice, no refused send retried early', async () => {
    const { homeserver, botUserId, testApp } = fixture;
    const botEventsInDm = () =>
      homeserver
        .roomEvents(dm)
        .filter((event) => event.sender === botUserId && event.type === 'm.room.encrypted');
    const before = botEventsInDm().length;
    const requestsBefore = homeserver.requests.length;

    const questions = 6;
    for (let index = 0; index < questions; index++) await member.client.sendTextMessage(dm, '!help');
    const outbox = testApp.application.outbox.service;
    const pushTexts = ['first', 'second', 'third'].map((word) => `Rate-limit push, the ${word}.`);
    const keys = pushTexts.map((_, index) => `rate-limit-push:${String(index)}`);
    await testApp.application.database.db.transaction((tx) =>
      outbox.addInTransaction(
        tx,
        pushTexts.map((text, index) => ({
          dedupeKey: keys[index]!,
          address: { platform: 'matrix', chatId: member.userId },
          message: { text, locale: 'en' as const },
          kind: 'rate-limit-test',
        })),
      ),
    );
    await outbox.dispatch(keys);

    // Positive end state first: every outbox row final, every recorded reply marked sent, and the
    // homeserver holding as many bot events as were asked for. Only then count.
    await outboxSettled(testApp.application, 120_000);
    await waitFor(
      async () =>
        (
          await testApp.application.database.db
            .select()
            .from(botReplyOutbox)
            .where(isNull(botReplyOutbox.sentAt))
        ).length === 0
          ? true
          : undefined,
      'every recorded reply sent',
      120_000,
    );
    await waitFor(
      () => (botEventsInDm().length >= before + questions + pushTexts.length ? true : undefined),
      'the bot’s events on the homeserver',
      120_000,
    );
    expect(botEventsInDm().length).toBe(before + questions + pushTexts.length);

    // The member received each once: six help answers and each push exactly once.
    await waitFor(
      () =>
        fixture.botMessages(member, dm).filter((message) => /^(Commands:|Команды:)/m.test(body(message)))
          .length >= questions &&
        pushTexts.every((text) => fixture.botMessages(member, dm).some((m) => body(m) === text))
          ? true
          : undefined,
      'the replies and pushes at the member',
      60_000,
    );
    const seen = fixture.botMessages(member, dm);
    expect(seen.filter((message) => /^(Commands:|Команды:)/m.test(body(message)))).toHaveLength(questions);
    for (const text of pushTexts) expect(seen.filter((message) => body(message) === text)).toHaveLength(1);
    expect(seen.every((message) => message.encrypted)).toBe(true);

    // The homeserver did limit the bot, and the bot waited each time: per transaction at most one
    // refusal and exactly one success.
    const sends = homeserver.requests
      .slice(requestsBefore)
      .filter(
        (request) =>
          request.method === 'PUT' && /\/rooms\/[^/]+\/send\/m\.room\.encrypted\/cp/.test(request.path),
      );
    const refused = sends.filter((request) => request.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    const byTransaction = Map.groupBy(sends, (request) => request.path);
    expect(byTransaction.size).toBe(questions + pushTexts.length);
    for (const [path, attempts] of byTransaction) {
      expect({ path, statuses: attempts.map((attempt) => attempt.status) }).toEqual({
        path,
        statuses: attempts.length === 1 ? [200] : [429, 200],
      });
    }
  }, 240_000);
});
