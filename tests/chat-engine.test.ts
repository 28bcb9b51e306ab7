// The conversation engine as every messenger sees it: commands from one table, help generated
// from it, languages, whoami, unlink and relink, throttled codes, strangers, groups, flood limits.
// Driven through the application's engine with real Postgres and Redis; messengers are irrelevant here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage, OutboundMessage } from '../src/chat/index.ts';
import { createInvite, createMember, createToken } from './support/chat-fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';

const rateLimit = 25;
let testApp: TestApp;
// The demo day, ticking; a story may stop it (the flood story must not cross a clock minute).
const ticking = createTestClock(demoDay);
let stoppedAt: Date | undefined;

beforeAll(async () => {
  testApp = await startTestApp('chat_engine', {
    env: { CHAT_RATE_LIMIT_PER_MINUTE: String(rateLimit) },
    clock: { now: () => new Date((stoppedAt ?? ticking.now()).getTime()) },
  });
});

afterAll(async () => {
  await testApp.close();
});

const engine = () => testApp.application.engine;
let accounts = 0;

/** A messenger account talking to the engine (Matrix by default: commands start with "!"). */
function account(options: Partial<InboundMessage> = {}) {
  accounts += 1;
  const base = {
    platform: 'matrix' as const,
    platformUserId: `@user${accounts}:test.example`,
    chatId: `!dm${accounts}:test.example`,
    chatType: 'private' as const,
    ...options,
  };
  const send = async (text: string, extra: Partial<InboundMessage> = {}): Promise<OutboundMessage[]> =>
    engine().handle({ ...base, text, ...extra });
  return {
    ...base,
    send,
    /** The first answer's text. */
    say: async (text: string, extra: Partial<InboundMessage> = {}): Promise<string> =>
      (await send(text, extra))[0]?.text ?? '',
    press: async (action: string, extra: Partial<InboundMessage> = {}) =>
      engine().handle({ ...base, buttonAction: action, ...extra }),
  };
}

async function linkedAccount(
  name: string,
  options: { country?: string; role?: 'member' | 'coordinator' | 'admin'; locale?: 'en' | 'ru' } = {},
  inbound: Partial<InboundMessage> = {},
) {
  const member = await createMember(testApp, {
    name,
    country: options.country ?? 'KZ',
    role: options.role ?? 'member',
    ...(options.locale === undefined ? {} : { locale: options.locale }),
  });
  const invite = await createInvite(testApp, member.id);
  const chat = account(inbound);
  const welcome = await chat.say(`!link ${invite.code}`);
  expect(welcome).toContain(name);
  return { member, chat };
}

describe('the command table', () => {
  it('generates help from the declarations, in the reader’s language and for their role', async () => {
    const { chat } = await linkedAccount('Help Reader');
    const english = await chat.say('!help');
    expect(english).toContain('!help — show this help');
    expect(english).toContain('!link CODE — link this account with an invite code');
    expect(english).toContain('!language [en|ru]');
    expect(english).toContain('!whoami');
    expect(english).toContain('!unlink');
    expect(english).toContain('who handles extradition in Kyrgyzstan');

    // A Russian command name answers in Russian and lists Russian names first.
    const russian = await chat.say('!помощь');
    expect(russian).toContain('!помощь, !help — показать эту справку');
    expect(russian).toContain('!язык, !language [en|ru] — выбрать язык ответов');
  });

  it('shows strangers only what they can use, and Telegram users the / form', async () => {
    const stranger = account({ platform: 'telegram', platformUserId: '990001', chatId: '990001' });
    const help = await stranger.say('/help');
    expect(help).toContain('/link CODE');
    expect(help).not.toContain('/whoami');
    expect(help).toContain('until this account is linked');
  });

  it('lets other modules add commands and buttons without touching the engine', async () => {
    engine().registerCommand({
      id: 'test-echo',
      names: { en: ['echo'], ru: ['эхо'] },
      arguments: [{ name: 'words', labelId: 'chat-argument-code', required: true }],
      role: 'coordinator',
      helpId: 'chat-command-whoami',
      run: ({ principal, argumentText, locale }) => ({
        text: `${principal.name}:${argumentText}:${locale}`,
        buttons: [{ label: 'again', action: `echo:again:${argumentText}` }],
      }),
    });
    engine().registerActionHandler('echo', ({ action, principal }) => ({
      text: `${principal.name} pressed ${action}`,
    }));
    expect(() => {
      engine().registerCommand({
        id: 'clash',
        names: { en: ['help2'], ru: ['помощь'] },
        role: 'member',
        helpId: 'chat-command-help',
        run: () => undefined,
      });
    }).toThrow(/помощь/);
    expect(() => {
      engine().registerActionHandler('echo', () => undefined);
    }).toThrow(/twice/);

    const { chat: coordinator } = await linkedAccount('Echo Coordinator', { role: 'coordinator' });
    const [echoed] = await coordinator.send('!эхо раз два');
    expect(echoed?.text).toBe('Echo Coordinator:раз два:ru');
    expect(await coordinator.say('!help')).toContain('!echo CODE');
    expect((await coordinator.press(echoed!.buttons![0]!.action))[0]?.text).toBe(
      'Echo Coordinator pressed echo:again:раз два',
    );

    // A plain member neither sees nor runs it.
    const { chat: member } = await linkedAccount('Plain Member');
    expect(await member.say('!help')).not.toContain('!echo');
    expect(await member.say('!echo hi')).toBe('This command needs the national coordinator role.');
  });

  it('understands /cmd, !cmd and Telegram’s /cmd@botname, and says so for unknown commands', async () => {
    const { chat } = await linkedAccount(
      'Command Parser',
      {},
      { platform: 'telegram', platformUserId: '990002', chatId: '990002' },
    );
    expect(await chat.say('/whoami')).toContain('You are Command Parser');
    expect(await chat.say('!whoami')).toContain('You are Command Parser');
    expect(await chat.say('/whoami@counterpart_bot')).toContain('You are Command Parser');
    expect(await chat.say('/frobnicate')).toBe(
      'I do not know the command /frobnicate. Send /help for the list.',
    );
    expect((await chat.press('nothing:here'))[0]?.text).toBe(
      'This button no longer works. Please ask again.',
    );
  });
});

describe('a member’s language', () => {
  it('is remembered once chosen, and beats the language of the question', async () => {
    const { member, chat } = await linkedAccount('Language Chooser');
    const [choice] = await chat.send('!language');
    expect(choice?.buttons?.map((button) => button.action)).toEqual(['chat:lang:en', 'chat:lang:ru']);
    const [set] = await chat.press('chat:lang:ru');
    expect(set?.text).toBe('Теперь я буду отвечать по-русски.');

    const token = await createToken(testApp, member.id);
    const me = await testApp.application.app.inject({
      url: '/v1/members/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.json()).toMatchObject({ locale: 'ru' });

    const [answer] = await chat.send('who handles extradition in Kyrgyzstan');
    expect(answer?.locale).toBe('ru');
    expect(answer?.text).toContain('Бакыт Демо-Токтогулов');

    expect(await chat.say('!language en')).toBe('From now on I will answer in English.');
    expect(await chat.say('!language klingon')).toContain('I speak English (en) and Russian (ru)');
  });

  it('otherwise follows the question, and the messenger’s language when the text has no words', async () => {
    const { chat } = await linkedAccount('Language Follower', {}, { localeHint: 'ru' });
    const [english] = await chat.send('who handles extradition in Kyrgyzstan');
    expect(english?.locale).toBe('en');
    const [russian] = await chat.send('кто занимается экстрадицией в Киргизии');
    expect(russian?.locale).toBe('ru');
    // Help follows the conversation so far.
    expect(await chat.say('!help')).toContain('показать эту справку');
  });
});

describe('whoami, unlink and relink', () => {
  it('tells members who they are, lets them unlink, and a new invite links them again', async () => {
    const { member, chat } = await linkedAccount('Relinking Member', { country: 'KG' });
    const whoami = await chat.say('!whoami');
    expect(whoami).toContain('You are Relinking Member, member for Kyrgyzstan (KG)');
    expect(whoami).toContain('Linked accounts: Matrix');

    const [question] = await chat.send('!unlink');
    expect(question?.buttons?.map((button) => button.action)).toEqual(['chat:unlink:yes', 'chat:unlink:no']);
    expect((await chat.press('chat:unlink:no'))[0]?.text).toContain('Nothing changed');
    expect(await chat.say('!whoami')).toContain('You are Relinking Member');
    expect((await chat.press('chat:unlink:yes'))[0]?.text).toContain('This account is unlinked');

    const refused = await chat.say('who handles extradition in Kyrgyzstan');
    expect(refused).toContain('not linked to a member');
    expect(refused).not.toContain('Demo');

    const invite = await createInvite(testApp, member.id);
    expect(await chat.say(`!link ${invite.code}`)).toContain('Welcome, Relinking Member');
    expect(await chat.say('!whoami')).toContain('You are Relinking Member');
  });

  it('links one account to one member only', async () => {
    const { chat } = await linkedAccount('First Owner');
    const other = await createMember(testApp, { name: 'Second Owner', country: 'KZ' });
    const invite = await createInvite(testApp, other.id);
    expect(await chat.say(`!link ${invite.code}`)).toContain('already linked to another member');
    expect(await chat.say('!whoami')).toContain('You are First Owner');
    // The invite was not used up: the right person can still use it.
    expect(await account().say(`!link ${invite.code}`)).toContain('Welcome, Second Owner');
  });
});

describe('invite codes typed in a chat', () => {
  it('accept lower case and separators, but not in a group', async () => {
    const member = await createMember(testApp, { name: 'Careful Typist', country: 'KZ' });
    const invite = await createInvite(testApp, member.id);
    const chat = account();
    expect(
      await chat.say(`!link ${invite.code.slice(0, 6)}`, { chatType: 'group', addressed: true }),
    ).toContain('private chat only');
    const typed =
      `${invite.code.slice(0, 4)}-${invite.code.slice(4, 8)} ${invite.code.slice(8)}`.toLowerCase();
    expect(await chat.say(`!link ${typed}`)).toContain('Welcome, Careful Typist');
  });

  it('are throttled after repeated wrong codes, even when the right one finally comes', async () => {
    const member = await createMember(testApp, { name: 'Patient Guesser', country: 'KZ' });
    const invite = await createInvite(testApp, member.id);
    const guesser = account();
    for (let attempt = 0; attempt < 5; attempt++)
      expect(await guesser.say(`!link WRONG${attempt}CODE2345`)).toContain('not accepted');
    expect(await guesser.say(`!link ${invite.code}`)).toContain('Too many wrong codes');
    // Throttling is per account: the code itself still works from another one.
    expect(await account().say(`!link ${invite.code}`)).toContain('Welcome, Patient Guesser');
  });
});

describe('strangers, groups and floods', () => {
  it('refuses strangers without any registry data, in their language', async () => {
    const stranger = account({ localeHint: 'ru' });
    const replies = await stranger.send('кто занимается экстрадицией в Киргизии');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toContain('попросите у национального координатора');
    expect(replies[0]?.text).toContain('!link');
    expect(replies[0]?.text).not.toMatch(/Демо|Demo/);
    expect(replies[0]?.buttons ?? []).toEqual([]);
    expect((await stranger.press('ask:req:KG:extradition'))[0]?.text).toContain(
      'попросите у национального координатора',
    );
  });

  it('answers in groups only when addressed, and never with contact details', async () => {
    const { chat } = await linkedAccount('Group Talker');
    expect(
      await chat.send('who handles extradition in Kyrgyzstan', { chatType: 'group', addressed: false }),
    ).toEqual([]);
    const pointer = await chat.say('who handles extradition in Kyrgyzstan', {
      chatType: 'group',
      addressed: true,
    });
    expect(pointer).toBe('I share contact details only in a private chat. Please write to me directly.');
    expect(
      (await chat.press('ask:pick:KG:extradition', { chatType: 'group', addressed: true }))[0]?.text,
    ).toContain('only in a private chat');
    expect(await chat.say('!whoami', { chatType: 'group', addressed: true })).toContain('private chat');
  });

  it('slows down a member who floods the bot: one notice, then silence', async () => {
    const { chat } = await linkedAccount('Flooding Member');
    // All of it in one minute of the application's clock, however slow the machine.
    stoppedAt = new Date('2026-12-01T05:00:10Z');
    try {
      // Linking counted against the (then unknown) account, not the member.
      for (let sent = 0; sent < rateLimit; sent++) expect(await chat.say('!whoami')).toContain('You are');
      expect(await chat.say('!whoami')).toBe('You are sending messages too quickly. Please wait a moment.');
      expect(await chat.send('!whoami')).toEqual([]);
    } finally {
      stoppedAt = undefined;
    }
  });
});

describe('the audit trail', () => {
  it('records links, refusals and lookups with who asked, never the message text', async () => {
    const { member, chat } = await linkedAccount('Audited Asker');
    await chat.send('who handles asset recovery in Tajikistan');
    await account().send('secret stranger question about Tajikistan');
    await testApp.application.audit.flush();
    const { auditLog } = await import('../src/audit/audit-schema.ts');
    const rows = await testApp.database.handle.db.select().from(auditLog);
    const actions = rows.map((row) => `${row.actor} ${row.action}`);
    expect(actions).toEqual(
      expect.arrayContaining([`member:${member.id} invite.redeem`, `member:${member.id} identity.link`]),
    );
    expect(
      rows.some((row) => row.actor === `member:${member.id}` && JSON.stringify(row.details).includes('TJ')),
    ).toBe(true);
    expect(rows.some((row) => row.action === 'chat.refused')).toBe(true);
    const everything = JSON.stringify(rows);
    expect(everything).not.toContain('who handles asset recovery');
    expect(everything).not.toContain('secret stranger question');
  });
});
