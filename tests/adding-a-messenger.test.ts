// Adding a messenger is one adapter and no change to the core: a made-up messenger ("tin can",
// tests/support/tin-can-messenger.ts, with its own protocol server) is handed to the composition
// root next to the registry's adapters. Members link on it with an invite, ask on it, and get
// pushes (a nudge from the outbox, with its one-tap answers) on it, like on any other messenger.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterModules } from '../bots/index.ts';
import { createInvite, createMember, createToken } from './support/chat-fixtures.ts';
import { eventually } from './support/eventually.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import {
  startTinCanServer,
  tinCanAdapterModule,
  tinCanPlatform,
  type TinCanServer,
} from './support/tin-can-messenger.ts';

let tinCan: TinCanServer;
let testApp: TestApp;
// The application's date is the demo day (kg-002 on leave, kg-001 in the office), whatever day the
// suite runs; the clock ticks on from there, so the first nudge still comes a second after.
const clock = createTestClock(demoDay);

beforeAll(async () => {
  tinCan = await startTinCanServer();
  const directory = mkdtempSync(join(tmpdir(), 'adding-a-messenger-'));
  // Seconds instead of weeks: the first nudge goes a second after the request is registered.
  writeFileSync(
    join(directory, 'policies.yaml'),
    'default: { firstNudgeAfter: PT1S, repeatEvery: PT1H, escalateAfterUnanswered: 3 }\n',
  );
  testApp = await startTestApp('adding_a_messenger', {
    clock,
    env: { NUDGE_POLICIES_FILE: join(directory, 'policies.yaml') },
    adapters: { [tinCanPlatform]: tinCanAdapterModule(tinCan.url) },
  });
  // The counterpart's office works around the clock, so the story does not depend on the hour.
  const response = await testApp.application.app.inject({
    method: 'PATCH',
    url: '/v1/contacts/uz-002',
    headers: { authorization: `Bearer ${testApp.adminToken}` },
    payload: { workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' } },
  });
  expect(response.statusCode, response.body).toBe(200);
}, 120_000);

afterAll(async () => {
  // Either may be missing when the set-up failed (its error is the one to read).
  await (testApp as TestApp | undefined)?.close();
  await (tinCan as TinCanServer | undefined)?.close();
});

/** A member linked on the tin can with an invite, as a coordinator would set it up. */
async function linkedOnTinCan(
  user: string,
  input: { name: string; country: string; contactId?: string },
): Promise<{ memberId: string; token: string }> {
  const member = await createMember(testApp, input);
  const invite = await createInvite(testApp, member.id);
  const before = tinCan.sent(user).length;
  tinCan.say(user, `/link ${invite.code}`);
  expect((await tinCan.nth(user, before + 1)).text).toContain(`Welcome, ${input.name}`);
  return { memberId: member.id, token: await createToken(testApp, member.id) };
}

describe('a messenger added without changing the core', () => {
  it('links a member with an invite and answers their question on it', async () => {
    await linkedOnTinCan('aigerim', { name: 'Aigerim Asker', country: 'KZ' });
    const sentBefore = tinCan.sent('aigerim').length;
    tinCan.say('aigerim', 'who handles extradition in Kyrgyzstan');
    const answer = await tinCan.nth('aigerim', sentBefore + 1);
    // The first contact the ranking names for extradition in Kyrgyzstan (the one in the office).
    const first = testApp.application.registry.snapshot().contactById.get('kg-001');
    expect(answer.text).toContain(first?.name.en);
    // The messenger said it has buttons: the answer's actions come as buttons, not numbered lines.
    expect(answer.buttons.length).toBeGreaterThan(0);
    // Its name comes from its own locales folder, in the member's language.
    tinCan.say('aigerim', '/whoami');
    expect((await tinCan.nth('aigerim', sentBefore + 2)).text).toContain('Linked accounts: Tin can.');
    tinCan.say('aigerim', '/language ru');
    await tinCan.nth('aigerim', sentBefore + 3);
    tinCan.say('aigerim', '/whoami');
    expect((await tinCan.nth('aigerim', sentBefore + 4)).text).toContain(
      'Привязанные учётные записи: Консервная банка.',
    );
  }, 180_000);

  it('carries a nudge from the outbox to the counterpart, whose one-tap answer is recorded', async () => {
    const requester = await linkedOnTinCan('nurlan', { name: 'Nurlan Requester', country: 'KZ' });
    await linkedOnTinCan('dilshod', { name: 'Dilshod Counterpart', country: 'UZ', contactId: 'uz-002' });
    const registered = await testApp.application.app.inject({
      method: 'POST',
      url: '/v1/requests',
      headers: { authorization: `Bearer ${requester.token}` },
      payload: {
        type: 'mla',
        toCountry: 'UZ',
        contactId: 'uz-002',
        ourReference: 'KZ-MLA-2026/555',
        subject: 'Bank records of a shell company',
        sentAt: clock.now().toISOString(),
      },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const id = registered.json<{ id: string }>().id;

    const nudge = await tinCan.nth('dilshod', 2, 90_000);
    expect(nudge.text).toContain('KZ-MLA-2026/555');
    // In the counterpart's language (the Uzbek contact point reads Russian), as on any messenger.
    expect(nudge.text).toContain('Напоминание');
    tinCan.press('dilshod', nudge, 'Получен');
    // Thanked in the conversation's language (the member chose none: English).
    expect((await tinCan.nth('dilshod', 3)).text).toContain('Request KZ-MLA-2026/555 is now: received');

    const detail = await eventually(
      async () => {
        const response = await testApp.application.app.inject({
          method: 'GET',
          url: `/v1/requests/${id}`,
          headers: { authorization: `Bearer ${requester.token}` },
        });
        const current = response.json<{
          status: string;
          events: { kind: string; details: Record<string, unknown> }[];
        }>();
        return current.events.some((event) => event.kind === 'nudge_delivered') ? current : undefined;
      },
      'the nudge to be recorded as delivered',
      90_000,
    );
    expect(detail.status).toBe('acknowledged');
    expect(detail.events.find((event) => event.kind === 'nudge_delivered')?.details).toMatchObject({
      platform: tinCanPlatform,
      contactId: 'uz-002',
    });
    // The requester hears of the answer on the same messenger.
    expect(
      (
        await eventually(
          async () =>
            tinCan.sent('nurlan').find((message) => message.text.includes('KZ-MLA-2026/555')) ?? undefined,
          'the requester to be told',
          90_000,
        )
      ).text,
    ).toContain('received');
  }, 180_000);

  it('refuses an added adapter that takes a built-in name or is listed under another name', () => {
    const module = tinCanAdapterModule(tinCan.url);
    expect(() => adapterModules({ telegram: module })).toThrow(/"telegram": the name is taken/);
    expect(() => adapterModules({ web: module })).toThrow(/"web": the name is taken/);
    expect(() => adapterModules({ tin: module })).toThrow(/other than its platform "tincan"/);
    expect(Object.keys(adapterModules({ [tinCanPlatform]: module }))).toContain(tinCanPlatform);
  });

  it('needed no change to the core: nothing in src/ or bots/ names it', () => {
    const mentions: string[] = [];
    const walk = (directory: string) => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        const path = join(directory, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (readFileSync(path, 'utf8').toLowerCase().includes(tinCanPlatform)) mentions.push(path);
      }
    };
    for (const root of ['src', 'bots']) walk(join(import.meta.dirname, '..', root));
    expect(mentions).toEqual([]);
  });
});
