// Conversation flows as members live them on Telegram (the Bot API emulator) and in the web console:
// `/cancel` in the middle of each flow leaves nothing behind, `/back` returns to the previous
// question, a question typed where a description is expected is not sent without asking, and a
// flow started in Russian stays Russian. Real Postgres and Redis, the whole application.
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createInvite, createMember, createToken } from './support/chat-fixtures.ts';
import {
  api,
  press,
  telegramPerson,
  textsIn,
  waitForConsultation,
  waitForMessage,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import {
  conversationFloodLimits,
  startTelegramEmulator,
  type TelegramEmulator,
} from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { webConsoleClient, type ConsoleMember } from './support/web-console-client.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
let web: ReturnType<typeof webConsoleClient>;
/** Bakyt, behind kg-001 (head of extradition, Kyrgyzstan), on Telegram. */
let bakyt: TelegramPerson;
/** Nurbek, behind kg-003 (asset recovery), on Telegram. */
let nurbek: TelegramPerson;

beforeAll(async () => {
  // The subject is the conversation, not Telegram's allowance (see conversationFloodLimits).
  emulator = await startTelegramEmulator({ floodLimits: conversationFloodLimits });
  testApp = await startTestApp('chat_flows', {
    env: { TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot },
  });
  web = webConsoleClient(testApp.application.app, testApp.adminToken);
  bakyt = await telegramPerson(testApp, emulator, {
    name: 'Bakyt Member',
    country: 'KG',
    contactId: 'kg-001',
  });
  nurbek = await telegramPerson(testApp, emulator, {
    name: 'Nurbek Member',
    country: 'KG',
    contactId: 'kg-003',
  });
});

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

// Every button pressed in a test was answered (the spinner stopped) within Telegram's window.
afterEach(() => emulator.expectCallbackQueriesAnswered());

const db = () => testApp.database.handle.db;

async function count(query: ReturnType<typeof sql>): Promise<number> {
  const rows = [...((await db().execute(query)) as Iterable<{ n: number }>)];
  return rows[0]?.n ?? 0;
}

/** What a member has in progress or has set going: flows, consultations asked, requests registered. */
async function traces(memberId: string) {
  return {
    flows: await count(sql`select count(*)::int as n from conversation_flows where member_id = ${memberId}`),
    consultations: await count(
      sql`select count(*)::int as n from consultations where asker_member_id = ${memberId}`,
    ),
    requests: await count(
      sql`select count(*)::int as n from formal_requests where requester_member_id = ${memberId}`,
    ),
    pushes: await count(sql`select count(*)::int as n from outbox where member_id = ${memberId}`),
  };
}
const nothing = { flows: 0, consultations: 0, requests: 0, pushes: 0 };

/** Everything the outbox holds for anyone: a cancelled flow must not add to it. */
const allPushes = () => count(sql`select count(*)::int as n from outbox`);

const send = (person: TelegramPerson, text: string) => {
  emulator.sendUserMessage(person.user, person.chat, text);
};
/** The bot's first message to the person after the `before` ones. */
async function next(person: TelegramPerson, before: number) {
  return (await emulator.waitForMessages(person.chat, before + 1))[before]!;
}
const seen = (person: TelegramPerson) => emulator.sentMessages(person.chat).length;

/** Says something and waits for the bot's answer to it. */
async function converse(person: TelegramPerson, text: string) {
  const before = seen(person);
  send(person, text);
  return next(person, before);
}
async function tap(person: TelegramPerson, message: Parameters<typeof press>[2], action: string) {
  const before = seen(person);
  press(emulator, person, message, action);
  return next(person, before);
}

describe('/cancel in the middle of a flow on Telegram', () => {
  it('registering a request: cancelled after the country, nothing registered, nothing kept', async () => {
    const timur = await telegramPerson(testApp, emulator, { name: 'Timur Canceller', country: 'KZ' });
    const pushesBefore = await allPushes();
    const type = await converse(timur, '/newrequest KZ-MLA-2026/700 Hearing of a witness');
    const country = await tap(timur, type, 'req:new:t:mla');
    expect(country.text).toContain('to which country was it sent?');
    expect(await traces(timur.member.id)).toMatchObject({ flows: 1 });

    const cancelled = await converse(timur, '/cancel');
    expect(cancelled.text).toBe('Registration cancelled.');
    expect(await traces(timur.member.id)).toEqual(nothing);
    // The old buttons are dead, and the next text is a question again.
    const stale = await tap(timur, country, 'req:new:c:UZ');
    expect(stale.text).toContain('This registration has expired');
    expect((await converse(timur, 'MLA Tashkent')).text).toContain('Uzbekistan');
    expect(await traces(timur.member.id)).toEqual(nothing);
    expect(await allPushes()).toBe(pushesBefore);
  });

  it('starting a consultation: cancelled at the description, nothing reaches the counterpart', async () => {
    const dana = await telegramPerson(testApp, emulator, { name: 'Dana Canceller', country: 'KZ' });
    const atBakyt = seen(bakyt);
    const sensitivity = await converse(dana, '/consult KG extradition');
    const description = await tap(dana, sensitivity, 'consult:sens:n');
    expect(description.text).toContain('Describe your question');
    // Typed text is awaited: Telegram opens the reply field with the flow's hint.
    const prompt = emulator
      .apiCalls('sendMessage')
      .filter((call) => String(call.params.text).includes('Describe your question'))
      .at(-1);
    expect(prompt?.params.reply_markup).toEqual({
      force_reply: true,
      input_field_placeholder: 'your question, in a few sentences',
    });

    const cancelled = await converse(dana, '/cancel');
    expect(cancelled.text).toBe('Consultation not started. Nothing was sent.');
    expect(await traces(dana.member.id)).toEqual(nothing);
    // What she types next is a question, not a description.
    expect((await converse(dana, 'Is a video hearing possible?')).text).not.toContain('is on its way');
    expect(await traces(dana.member.id)).toEqual(nothing);
    expect(seen(bakyt)).toBe(atBakyt);
  });

  it('declining a consultation: cancelled at the reason, the consultation still waits and the asker hears nothing', async () => {
    const aliya = await telegramPerson(testApp, emulator, { name: 'Aliya Waiting', country: 'KZ' });
    const started = await api<{ ref: string }>(testApp, aliya.token, 'POST', '/v1/consultations', {
      country: 'KG',
      competence: 'extradition',
      contactId: 'kg-001',
      description: 'Do you accept requests in Russian?',
    });
    expect(started.status).toBe(201);
    const { ref } = started.body;
    const request = await waitForMessage(emulator, bakyt.chat, `Consultation request ${ref}`);
    const reason = await tap(bakyt, request, 'consult:decline:');
    expect(reason.text).toContain(`Why do you decline consultation ${ref}?`);
    expect(reason.text).toContain('/cancel to stop');
    const atAliya = seen(aliya);

    const cancelled = await converse(bakyt, '/cancel');
    expect(cancelled.text).toBe('Not declined: the consultation still waits for your answer.');
    expect(await traces(bakyt.member.id)).toMatchObject({ flows: 0 });
    const detail = await waitForConsultation(testApp, ref, (body) => body.status === 'pending');
    expect(detail.routes.map((route) => route.outcome)).toEqual(['waiting']);
    // He can still accept it, and the asker's first news is that.
    await tap(bakyt, request, 'consult:accept:');
    await waitForMessage(emulator, aliya.chat, `accepted consultation ${ref}`);
    expect(
      textsIn(emulator, aliya.chat)
        .slice(atAliya)
        .some((text) => text.includes('declined')),
    ).toBe(false);
    await api(testApp, aliya.token, 'POST', `/v1/consultations/${ref}/close`);
  });

  it('choosing which consultation a message is for: cancelled, the message goes nowhere', async () => {
    const olga = await telegramPerson(testApp, emulator, { name: 'Olga Chooser', country: 'KZ' });
    const refs: string[] = [];
    for (const [contactId, counterpart] of [
      ['kg-001', bakyt],
      ['kg-003', nurbek],
    ] as const) {
      const started = await api<{ ref: string }>(testApp, olga.token, 'POST', '/v1/consultations', {
        country: 'KG',
        competence: contactId === 'kg-001' ? 'extradition' : 'asset_recovery',
        contactId,
        description: `Question for ${contactId}`,
      });
      const { ref } = started.body;
      refs.push(ref);
      await tap(
        counterpart,
        await waitForMessage(emulator, counterpart.chat, `Consultation request ${ref}`),
        'consult:accept:',
      );
      await waitForMessage(emulator, olga.chat, `accepted consultation ${ref}`);
    }
    const atBakyt = seen(bakyt);
    const atNurbek = seen(nurbek);
    const choose = await converse(olga, 'the hearing is on Monday');
    expect(choose.text).toContain('You have several open consultations');
    expect(await traces(olga.member.id)).toMatchObject({ flows: 1 });

    const cancelled = await converse(olga, '/cancel');
    expect(cancelled.text).toBe('Cancelled the choice of consultation. Nothing was sent.');
    expect(await traces(olga.member.id)).toMatchObject({ flows: 0 });
    const stale = await tap(olga, choose, `consult:to:${refs[1]!.slice(2)}`);
    expect(stale.text).toContain('no longer held');
    for (const ref of refs) {
      const detail = await waitForConsultation(testApp, ref, (body) => body.status === 'accepted');
      expect(detail.messages).toEqual({ fromAsker: 0, fromCounterpart: 0 });
      await api(testApp, olga.token, 'POST', `/v1/consultations/${ref}/close`);
    }
    await waitForMessage(emulator, nurbek.chat, `closed consultation ${refs[1]!}`);
    const relayed = (person: TelegramPerson, since: number) =>
      textsIn(emulator, person.chat)
        .slice(since)
        .filter((text) => text.includes('the hearing is on Monday'));
    expect(relayed(bakyt, atBakyt)).toEqual([]);
    expect(relayed(nurbek, atNurbek)).toEqual([]);
  });

  it('recording an absence (/away): cancelled at the deputy, no proposal, nothing kept', async () => {
    const pushesBefore = await allPushes();
    const proposals = () =>
      count(sql`select count(*)::int as n from registry_proposals where contact_id = ${'kg-003'}`);
    const proposalsBefore = await proposals();
    const from = await converse(nurbek, '/away');
    expect(from.text).toContain('From when are you away?');
    const until = await tap(nurbek, from, 'away:f:0');
    expect(until.text).toContain('Until when are you away?');
    const deputy = await tap(nurbek, until, 'away:u:7');
    expect(deputy.text).toContain('Who stands in for you meanwhile?');
    expect(await traces(nurbek.member.id)).toMatchObject({ flows: 1 });

    const cancelled = await converse(nurbek, '/cancel');
    expect(cancelled.text).toBe('Cancelled recording an absence. Nothing was sent.');
    expect(await traces(nurbek.member.id)).toMatchObject({ flows: 0 });
    expect(await proposals()).toBe(proposalsBefore);
    expect(await allPushes()).toBe(pushesBefore);
  });

  it('/cancel with nothing in progress says so', async () => {
    const idle = await telegramPerson(testApp, emulator, { name: 'Idle Member', country: 'KZ' });
    expect((await converse(idle, '/cancel')).text).toBe('There is nothing to cancel.');
    expect((await converse(idle, '/back')).text).toBe('There is nothing to go back to.');
  });
});

describe('/back', () => {
  it('returns to the previous question, with the answers as they were then', async () => {
    const zarina = await telegramPerson(testApp, emulator, { name: 'Zarina Backtracker', country: 'KZ' });
    const type = await converse(zarina, '/newrequest');
    expect(type.text).toBe('What kind of request is it?');
    expect(emulator.buttons(type).map((button) => button.text)).not.toContain('Back');
    const country = await tap(zarina, type, 'req:new:t:mla');
    expect(
      emulator
        .buttons(country)
        .map((button) => button.text)
        .slice(-2),
    ).toEqual(['Back', 'Cancel']);

    const again = await converse(zarina, '/back');
    expect(again.text).toBe('What kind of request is it?');
    expect((await converse(zarina, '/back')).text).toBe(
      'This is the first question.\nWhat kind of request is it?',
    );
    // The Back button does the same as the command.
    const country2 = await tap(zarina, again, 'req:new:t:extradition');
    const type2 = await tap(zarina, country2, 'flow:back');
    expect(type2.text).toBe('What kind of request is it?');
    const country3 = await tap(zarina, type2, 'req:new:t:extradition');
    const sent = await tap(zarina, country3, 'req:new:c:UZ');
    // A date can be typed as well as chosen.
    const urgent = await converse(zarina, '01.03.2025');
    expect(urgent.text).toBe('Is the request urgent?');
    const reference = await tap(zarina, urgent, 'req:new:u:0');
    expect(reference.text).toContain('type your reference');
    const subject = await converse(zarina, 'KZ-EXT-2025/1');
    expect(subject.text).toContain('Reference KZ-EXT-2025/1');
    expect(subject.text).toContain('/back for the previous question, /cancel to stop');
    // Back to the reference, typed anew.
    expect((await converse(zarina, '/back')).text).toContain('type your reference');
    await converse(zarina, 'KZ-EXT-2025/2');
    const done = await converse(zarina, 'Extradition of a fugitive');
    expect(done.text).toContain('Registered: KZ-EXT-2025/2');
    const mine = await api<{ items: { ourReference: string; type: string; sentAt: string }[] }>(
      testApp,
      zarina.token,
      'GET',
      '/v1/requests?mine=true',
    );
    expect(mine.body.items.map((item) => [item.ourReference, item.type, item.sentAt])).toEqual([
      ['KZ-EXT-2025/2', 'extradition', '2025-03-01T12:00:00.000Z'],
    ]);
    expect(sent.text).toBe('When was the request sent?');
    expect(await traces(zarina.member.id)).toMatchObject({ flows: 0, requests: 1 });
  });
});

describe('a flow keeps the language it started in', () => {
  it('a member who has not chosen a language registers a request with /новыйзапрос: every prompt is Russian', async () => {
    const member = await createMember(testApp, { name: 'Айгерим Русская', country: 'KZ' });
    const invite = await createInvite(testApp, member.id);
    const user = emulator.createUser({ firstName: 'Aigerim', languageCode: 'en' });
    const person: TelegramPerson = {
      member,
      token: await createToken(testApp, member.id),
      user,
      chat: emulator.privateChat(user),
    };
    send(person, `/start ${invite.code}`);
    await emulator.waitForMessages(person.chat, 1);

    const type = await converse(person, '/новыйзапрос');
    expect(type.text).toBe('Какого вида запрос?');
    const country = await tap(person, type, 'req:new:t:mla');
    expect(country.text).toBe('В какую страну направлен запрос?');
    const sent = await tap(person, country, 'req:new:c:UZ');
    const urgent = await tap(person, sent, 'req:new:s:7');
    const reference = await tap(person, urgent, 'req:new:u:0');
    expect(reference.text).toContain('Запрос в страну Узбекистан: введите ваш номер');
    // A Latin reference says nothing about the language: the flow stays Russian.
    const subject = await converse(person, 'KZ-MLA-2026/55');
    expect(subject.text).toContain('Номер KZ-MLA-2026/55: теперь кратко опишите предмет');
    expect(subject.text).toContain('/назад — к предыдущему вопросу, /отмена — прервать');
    const placeholder = emulator
      .apiCalls('sendMessage')
      .filter((call) => String(call.params.text).includes('Номер KZ-MLA-2026/55'))
      .at(-1)?.params.reply_markup;
    expect(placeholder).toEqual({
      force_reply: true,
      input_field_placeholder: 'краткий предмет без чувствительных сведений',
    });
    // So does an English subject.
    const done = await converse(person, 'Hearing of a witness');
    expect(done.text).toMatch(/^Зарегистрирован: KZ-MLA-2026\/55/);
    for (const text of textsIn(emulator, person.chat).slice(1)) expect(text).not.toMatch(/\bRequest\b|…/);
  });

  it('a consultation started with /консультация answers in Russian to the end, whatever the description is written in', async () => {
    const member = await createMember(testApp, { name: 'Ерлан Русский', country: 'KZ' });
    const invite = await createInvite(testApp, member.id);
    const user = emulator.createUser({ firstName: 'Yerlan', languageCode: 'en' });
    const person: TelegramPerson = {
      member,
      token: await createToken(testApp, member.id),
      user,
      chat: emulator.privateChat(user),
    };
    send(person, `/start ${invite.code}`);
    await emulator.waitForMessages(person.chat, 1);
    const sensitivity = await converse(person, '/консультация KG экстрадиция');
    expect(sensitivity.text).toContain('Это чувствительная консультация?');
    const description = await tap(person, sensitivity, 'consult:sens:n');
    expect(description.text).toContain('Опишите вопрос');
    const started = await converse(person, 'Is a video hearing possible for the surrender?');
    expect(started.text).toMatch(/Консультация C-\d+ направлена/);
    const ref = /C-\d+/.exec(started.text ?? '')![0];
    await waitForMessage(emulator, bakyt.chat, `Consultation request ${ref}`);
    await api(testApp, person.token, 'POST', `/v1/consultations/${ref}/close`);
  });
});

describe('in the web console', () => {
  const ask = async (member: ConsoleMember, text: string) => web.say(member, { text });
  const pressIn = async (member: ConsoleMember, action: string) => web.say(member, { action });

  /** From an answer's "Ask for a consultation" button to the description prompt. */
  async function toDescription(member: ConsoleMember) {
    const answer = await ask(member, 'who handles extradition in Kyrgyzstan');
    const consult = answer
      .flatMap((message) => message.buttons ?? [])
      .find((button) => button.action.startsWith('consult:start:'));
    expect(consult?.action).toBe('consult:start:KG:extradition');
    const [sensitivity] = await pressIn(member, consult!.action);
    expect(sensitivity?.text).toContain('Is this consultation sensitive?');
    const [description] = await pressIn(member, 'consult:sens:n');
    expect(description?.text).toContain('Describe your question');
    return description!;
  }

  it('the newcomer’s story: /cancel stops the consultation, and the next question, in Russian, is answered, not sent', async () => {
    const member = await web.loggedInMember('Madina Newcomer', 'KZ');
    const description = await toDescription(member);
    // The console shows what is awaited in the input.
    expect(description).toMatchObject({
      expects: { kind: 'text', placeholder: 'your question, in a few sentences' },
    });

    const [cancelled] = await ask(member, '/cancel');
    expect(cancelled?.text).toBe('Consultation not started. Nothing was sent.');
    expect(await traces(member.memberId)).toEqual(nothing);

    const [answer] = await ask(member, 'кто занимается экстрадицией в Узбекистане');
    expect(answer?.text).toContain('Узбекистан');
    expect(await traces(member.memberId)).toEqual(nothing);
  });

  it('a question typed where the description is expected is not sent until the member says so', async () => {
    const member = await web.loggedInMember('Rustam Careful', 'KZ');
    await toDescription(member);
    const pushesBefore = await allPushes();

    const [confirm] = await ask(member, 'кто занимается экстрадицией в Узбекистане');
    expect(confirm?.text).toBe(
      'This looks like a new question rather than an answer. What should I do with it?',
    );
    expect(confirm?.buttons?.map((button) => button.label)).toEqual([
      'Use it as the description',
      'Ask it as a question',
      'Cancel',
    ]);
    expect(await traces(member.memberId)).toMatchObject({ flows: 1, consultations: 0 });
    // Held encrypted while it waits: the question's words are not in the table.
    expect(
      await count(
        sql`select count(*)::int as n from conversation_flows where pending like ${'%экстрадиц%'} or data::text like ${'%экстрадиц%'}`,
      ),
    ).toBe(0);

    // Asked: answered, and the description is still awaited.
    const [answer, reminder] = await pressIn(member, 'flow:ask');
    expect(answer?.text).toContain('Узбекистан');
    expect(reminder?.text).toContain(
      'You have not finished the consultation request:\nDescribe your question',
    );
    expect(await traces(member.memberId)).toMatchObject({ flows: 1, consultations: 0 });
    expect(await allPushes()).toBe(pushesBefore);

    // Typed again and used on purpose: it becomes the description.
    await ask(member, 'Who handles extradition in Uzbekistan, and can Kyrgyzstan help?');
    const [started] = await pressIn(member, 'flow:use');
    expect(started?.text).toMatch(/Consultation C-\d+ is on its way to Bakyt Demo-Toktogulov/);
    expect(await traces(member.memberId)).toMatchObject({ flows: 0, consultations: 1 });
    const ref = /C-\d+/.exec(started?.text ?? '')![0];
    const request = await waitForMessage(emulator, bakyt.chat, `Consultation request ${ref}`);
    expect(request.text).toContain('can Kyrgyzstan help?');
    await api(testApp, await createToken(testApp, member.memberId), 'POST', `/v1/consultations/${ref}/close`);
  });

  it('a description that is not a question goes straight on', async () => {
    const member = await web.loggedInMember('Saule Direct', 'KZ');
    await toDescription(member);
    const [started] = await ask(
      member,
      'We plan a video hearing of a witness next month; what do you need from us?',
    );
    expect(started?.text).toMatch(/Consultation C-\d+ is on its way/);
    const ref = /C-\d+/.exec(started?.text ?? '')![0];
    await api(testApp, await createToken(testApp, member.memberId), 'POST', `/v1/consultations/${ref}/close`);
  });

  it('typed answers: labels, codes, dates and yes/no are read; a question is answered and the step asked again', async () => {
    const member = await web.loggedInMember('Bolat Typist', 'KZ');
    const [type] = await ask(member, '/newrequest KZ-5/2026');
    expect(type?.expects).toEqual({ kind: 'choice' });
    const [answer, reminder] = await ask(member, 'who handles extradition in Kyrgyzstan');
    expect(answer?.text).toContain('Bakyt Demo-Toktogulov');
    expect(reminder?.text).toBe(
      'You have not finished the request registration:\nRequest KZ-5/2026: what kind of request is it?',
    );
    expect((await ask(member, 'banana'))[0]?.text).toBe('Please choose one of the options below.');
    expect((await ask(member, 'mutual legal assistance'))[0]?.text).toBe(
      'Request KZ-5/2026: to which country was it sent?',
    );
    const [sent] = await ask(member, 'uz');
    expect(sent).toMatchObject({
      text: 'Request KZ-5/2026: when was it sent?',
      expects: { kind: 'date', placeholder: 'or type the date, e.g. 01.03.2026' },
    });
    expect((await ask(member, '31.02.2025'))[0]?.text).toBe(
      'Please type the date like 01.03.2026 or 2026-03-01.',
    );
    expect((await ask(member, '2999-01-01'))[0]?.text).toContain('That date is still ahead');
    const [urgent] = await ask(member, 'вчера');
    expect(urgent).toMatchObject({
      text: 'Request KZ-5/2026: is it urgent?',
      expects: { kind: 'confirmation' },
    });
    const [subject] = await ask(member, 'да');
    expect(subject?.text).toContain('Reference KZ-5/2026: now type a short, non-sensitive subject');
    const [done] = await ask(member, 'Extradition of a fugitive');
    expect(done?.text).toContain('Registered: KZ-5/2026');
    const token = await createToken(testApp, member.memberId);
    const mine = await api<{ items: { urgent: boolean; sentAt: string; toCountry: string }[] }>(
      testApp,
      token,
      'GET',
      '/v1/requests?mine=true',
    );
    expect(mine.body.items).toMatchObject([{ urgent: true, toCountry: 'UZ' }]);
    // "Yesterday" is the noon of the day before the server's today.
    expect(mine.body.items[0]?.sentAt).toMatch(/T12:00:00\.000Z$/);
  });

  it('starting another flow drops the unfinished one, and says so', async () => {
    const member = await web.loggedInMember('Arman Switcher', 'KZ');
    await ask(member, '/newrequest KZ-7/2026');
    const [consult] = await ask(member, '/consult KG extradition');
    expect(consult?.text).toMatch(
      /^Dropped the request registration you had not finished\.\nIs this consultation sensitive\?/,
    );
    // Only the new one is in progress: the request's buttons are dead.
    const [stale] = await pressIn(member, 'req:new:t:mla');
    expect(stale?.text).toContain('This registration has expired');
    expect(await traces(member.memberId)).toMatchObject({ flows: 1, requests: 0 });
    await ask(member, '/cancel');
  });

  it('/отмена stops a request being registered', async () => {
    const member = await web.loggedInMember('Aset Console', 'KZ');
    const [type] = await ask(member, '/newrequest KZ-1/2026');
    expect(type?.text).toBe('Request KZ-1/2026: what kind of request is it?');
    expect(type?.buttons?.at(-1)).toEqual({ label: 'Cancel', action: 'flow:cancel' });
    await pressIn(member, 'req:new:t:mla');
    const [cancelled] = await ask(member, '/отмена');
    expect(cancelled?.text).toBe('Registration cancelled.');
    expect(await traces(member.memberId)).toEqual(nothing);
  });
});
