// When the audit log is behind (its bounded queue full, Postgres not taking writes), nothing may
// happen unrecorded: a member who writes to the bot is told, in their language, to try again
// shortly, instead of silence or a vague failure; once the log catches up, the same message works.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvite, createMember } from './support/chat-fixtures.ts';
import { eventually } from './support/eventually.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let testApp: TestApp;

beforeAll(async () => {
  testApp = await startTestApp('chat-audit-busy', { env: { CHAT_RATE_LIMIT_PER_MINUTE: '1000' } });
});
afterAll(async () => {
  await testApp.close();
});

describe('a chat message while the audit log cannot keep up', () => {
  it('is answered "try again shortly" in the member’s language, and works again once the log caught up', async () => {
    const { engine, audit } = testApp.application;
    const member = await createMember(testApp, { name: 'Dina Busy-Log', country: 'KZ' });
    const invite = await createInvite(testApp, member.id);
    const chat = {
      platform: 'matrix' as const,
      platformUserId: '@dina:test.example',
      chatId: '!dina:test.example',
      chatType: 'private' as const,
    };
    await engine.handle({ ...chat, text: `!link ${invite.code}` });

    // Another session holds the audit table, as a stalled database would: writes wait.
    const blocker = postgres(testApp.database.url, { max: 1, onnotice: () => undefined });
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = (): void => undefined;
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holding = blocker.begin(async (tx) => {
      await tx`lock table audit_log in access exclusive mode`;
      locked();
      await held;
    });
    try {
      await lockTaken;
      // Reads go on being queued until the queue reaches its bound.
      const entry = { actor: 'member:reader', action: 'registry.read' };
      for (;;) {
        try {
          audit.enqueue(entry);
        } catch {
          break;
        }
      }
      expect(audit.stats().queueDepth).toBeGreaterThanOrEqual(10_000);

      const russian = await engine.handle({ ...chat, text: 'кто занимается экстрадицией в Киргизии' });
      expect(russian.map((reply) => reply.text)).toEqual([
        'Сервис сейчас дописывает журнал и не может принять это сообщение. Попробуйте ещё раз через минуту.',
      ]);
      const english = await engine.handle({ ...chat, text: 'who handles extradition in Kyrgyzstan' });
      expect(english.map((reply) => reply.text)).toEqual([
        'The service is catching up with its records and cannot take this right now. Please try again in a minute.',
      ]);
    } finally {
      release();
      await holding;
      await blocker.end();
    }

    await eventually(
      () => (audit.stats().queueDepth < 100 ? true : undefined),
      'the audit queue to drain',
      120_000,
    );
    const answered = await engine.handle({ ...chat, text: 'кто занимается экстрадицией в Киргизии' });
    expect(answered[0]?.text).toContain('Киргиз');
    expect((await audit.verify()).problems).toEqual([]);
  }, 180_000);
});
