// Two hundred re-verification prompts falling due at the same moment, each to its own Telegram
// chat, against the Bot API emulator with Telegram's flood limits on (30 messages a second over
// any sliding second): every contact gets their prompt exactly once and Telegram never answers
// 429. The outbox paces every push through the shared rate limiter at the adapter's declared rate
// (28 a second), one slot per message, and checks Telegram's own ceiling against the sends really
// started right before each call (src/outbox/send-rate-limiter.ts), so none is refused. Stalling
// senders: send-rate-ceiling.test.ts.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox as outboxTable } from '../src/outbox/outbox-schema.ts';
import { contactVerifications } from '../src/verification/verification-schema.ts';
import { eventually, outboxSettled } from './support/eventually.ts';
import { registryWithCounterparts } from './support/nudge-fixtures.ts';
import { startPrivateRedis, type PrivateRedis } from './support/private-redis.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { promptText, writeVerificationPolicy } from './support/verification-fixtures.ts';

const contactCount = 200;
let emulator: TelegramEmulator;
let redis: PrivateRedis;
let testApp: TestApp;
let users: { id: number }[];

beforeAll(async () => {
  emulator = await startTelegramEmulator({ recordCalls: false });
  redis = await startPrivateRedis();
  testApp = await startTestApp('verification_send_rate', {
    loadDemo: false,
    env: {
      REDIS_URL: redis.url,
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      VERIFICATION_POLICY_FILE: writeVerificationPolicy(
        'default: { every: P6M, remindAfter: P7D, reminders: 1 }\n',
      ),
    },
  });
  const { application } = testApp;
  const db = application.database.db;
  const registry = registryWithCounterparts(contactCount);
  users = Array.from({ length: contactCount }, (_, index) =>
    emulator.createUser({ firstName: `C${index}`, languageCode: 'en', hasStartedBot: true }),
  );
  // Verified recently first: nothing is due while the people behind the contacts are linked.
  await application.registry.importRegistry(undefined, registry);
  await db.execute(sql`
    insert into members (id, name, country, role, contact_id, locale)
    select 'rate-m' || n, 'Counterpart ' || n, 'UZ', 'member', 'uz-c' || n, 'en'
    from generate_series(0, ${contactCount - 1}) as n`);
  const identities = sql.join(
    users.map(
      (user, index) =>
        sql`(${`rate-i${index}`}, 'telegram', ${String(user.id)}, ${`rate-m${index}`}, ${String(user.id)})`,
    ),
    sql`, `,
  );
  await db.execute(
    sql`insert into identities (id, platform, platform_user_id, member_id, chat_id) values ${identities}`,
  );
  // Then every record falls due this morning: the import re-plans every contact at once.
  for (const contact of registry.contacts)
    if (contact.id.startsWith('uz-c')) contact.verifiedAt = '2025-06-01';
  await application.registry.importRegistry(undefined, registry);
}, 120_000);

afterAll(async () => {
  await testApp.close();
  await redis.close();
  await emulator.close();
});

describe('two hundred prompts due at once, at Telegram’s limit', () => {
  it('delivers each prompt exactly once without a single 429', async () => {
    const { application } = testApp;
    const db = application.database.db;
    const promptsTo = (user: { id: number }) =>
      emulator.sentMessages(user.id).filter((message) => message.text?.includes(promptText) === true).length;
    await eventually(
      () => (users.every((user) => promptsTo(user) >= 1) ? true : undefined),
      'every contact to get their prompt',
      120_000,
    );
    await outboxSettled(application, 60_000);

    const rows = await db
      .select({ state: outboxTable.state, chatId: outboxTable.chatId, lastError: outboxTable.lastError })
      .from(outboxTable)
      .where(eq(outboxTable.kind, 'verification'));
    expect(rows).toHaveLength(contactCount);
    expect(rows.filter((row) => row.state !== 'sent')).toEqual([]);
    expect(users.filter((user) => promptsTo(user) !== 1).map((user) => user.id)).toEqual([]);
    expect(emulator.tooManyRequestsCount).toBe(0);
    const rounds = (await db.select().from(contactVerifications)).filter((round) =>
      round.contactId.startsWith('uz-c'),
    );
    expect(rounds).toHaveLength(contactCount);
    // Each round has moved on to its reminder: no planning pass set a prompted contact back to
    // its first prompt (which would have lost the reminder).
    expect(
      rounds
        .filter((round) => round.promptedAt === null || round.nextStep !== 'remind')
        .map((round) => `${round.contactId}: ${round.nextStep ?? 'none'}`),
    ).toEqual([]);
  }, 240_000);
});
