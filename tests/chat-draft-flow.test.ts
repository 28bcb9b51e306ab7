// A prosecutor writes a request step by step in a chat that is not end-to-end encrypted: the
// requested country, the competence, then each element of that country's requirement sheet with
// its hint; /back and /cancel work; the answers are kept only sealed between steps; the end is a
// checklist and a one-time link to the web console, never the draft itself. Driven through the
// application's conversation engine (real Postgres and Redis) with no messenger configured, so the
// conversation says nothing about itself and counts as plain.
import mammoth from 'mammoth';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage, OutboundMessage } from '../src/chat/index.ts';
import { createInvite, createMember } from './support/chat-fixtures.ts';
import { findLeaks } from './support/storage-leaks.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let testApp: TestApp;
const logLines: string[] = [];

// Distinctive words typed into the draft; none may be kept anywhere.
const facts = 'Ottoline Brackenridge wired 3,904,117 tenge through Halcyonbank on 9 April';
const qualification = 'Fraud on a large scale, article 190 part 4 (Quenbury scheme)';
const assistance = 'Obtain the statements of account 4471-Zarnicka from Halcyonbank';
const typedWords = ['Ottoline', 'Brackenridge', '3,904,117', 'Halcyonbank', 'Quenbury', 'Zarnicka'];

beforeAll(async () => {
  testApp = await startTestApp('chat_draft_flow', {
    clock: createTestClock(demoDay),
    env: { LOG_LEVEL: 'trace' },
    logDestination: { write: (line) => logLines.push(line) },
  });
});
afterAll(async () => {
  await testApp.close();
});

let accounts = 0;

async function member(name: string, locale?: 'ru') {
  accounts += 1;
  const base: Omit<InboundMessage, 'text'> = {
    platform: 'telegram',
    platformUserId: `77${accounts}001`,
    chatId: `77${accounts}001`,
    chatType: 'private',
    ...(locale === undefined ? {} : { localeHint: locale }),
  };
  const engine = testApp.application.engine;
  const created = await createMember(testApp, { name, country: 'KZ', role: 'member' });
  const invite = await createInvite(testApp, created.id);
  await engine.handle({ ...base, text: `/link ${invite.code}` });
  const all = async (inbound: Partial<InboundMessage>) => engine.handle({ ...base, ...inbound });
  const last = (messages: OutboundMessage[]) => messages.at(-1) ?? { text: '' };
  return {
    id: created.id,
    send: async (text: string) => last(await all({ text })),
    sendAll: (text: string) => all({ text }),
    press: async (action: string) => last(await all({ buttonAction: action })),
  };
}

const flowRows = async (memberId: string) =>
  (await testApp.database.handle.db.execute(
    sql`select data::text as data, history::text as history from conversation_flows where member_id = ${memberId}`,
  )) as { data: string; history: string }[];

const linkIn = (text: string) => /https?:\/\/\S+\/console\/drafts\/([A-Za-z0-9_-]{43})/.exec(text);

describe('a guided draft in a chat without end-to-end encryption', () => {
  let token = '';

  it('asks the country, the competence and each element with its hint; /back returns; the end is a checklist and a link', async () => {
    const chat = await member('Aliya Drafting');
    const country = await chat.send('/draft');
    expect(country.text).toContain('Which country will receive the request?');
    expect(country.buttons?.map((button) => button.action)).toContain('draft:c:UZ');
    // Not the member's own country.
    expect(country.buttons?.map((button) => button.action)).not.toContain('draft:c:KZ');
    const competence = await chat.send('Uzbekistan');
    expect(competence.text).toContain('What kind of request to Uzbekistan?');
    const first = await chat.press('draft:k:mla');
    expect(first.text).toContain('1/9 · Summary of facts');
    expect(first.text).toContain('Hint: Who did what, when and where; amounts and dates.');
    expect(first.expects).toEqual({ kind: 'text', placeholder: 'Summary of facts' });

    const second = await chat.send(facts);
    expect(second.text).toContain('2/9 · Legal qualification');
    // Between steps the answer is kept sealed: not readable in the flow's row.
    const [row] = await flowRows(chat.id);
    expect(row?.data).toBeDefined();
    for (const word of typedWords) expect(`${row?.data}${row?.history}`).not.toContain(word);

    // Left for later, then /back to write it after all.
    expect((await chat.send('-')).text).toContain('3/9 · Text of the provisions applied');
    expect((await chat.send('/back')).text).toContain('2/9 · Legal qualification');
    expect((await chat.send(qualification)).text).toContain('3/9 · Text of the provisions applied');
    expect((await chat.send('-')).text).toContain('4/9 · Assistance sought');
    expect((await chat.send(assistance)).text).toContain('5/9 · Persons concerned (where it applies)');
    let reply = await chat.send('-');
    for (let step = 6; step <= 9; step++) {
      expect(reply.text).toContain(`${step}/9 · `);
      reply = await chat.send('-');
    }
    expect(reply.text).toContain(
      'Draft request to Uzbekistan (Mutual legal assistance): 3 of 5 required elements written.',
    );
    expect(reply.text).toContain('✓ Summary of facts');
    expect(reply.text).toContain('✗ Text of the provisions applied');
    expect(reply.text).toContain('This chat is not end-to-end encrypted');
    // The checklist names elements, never the member's text; the flow is over and gone.
    for (const word of typedWords) expect(reply.text).not.toContain(word);
    expect(await flowRows(chat.id)).toEqual([]);
    const link = linkIn(reply.text);
    expect(link).not.toBeNull();
    token = link?.[1] ?? '';
  });

  it('the link opens a page first, and the file only once: addressee, legal basis and the member’s text', async () => {
    const app = testApp.application.app;
    const page = await app.inject({ method: 'GET', url: `/console/drafts/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<form method="get">');
    // Opening the page (a link preview does) does not use the link up.
    expect((await app.inject({ method: 'GET', url: `/console/drafts/${token}` })).statusCode).toBe(200);

    const file = await app.inject({ method: 'POST', url: `/console/drafts/${token}` });
    expect(file.statusCode, file.body).toBe(200);
    expect(file.headers['content-type']).toContain('wordprocessingml');
    expect(file.headers['content-disposition']).toContain('request-UZ-mla.docx');
    const { value: text } = await mammoth.extractRawText({ buffer: file.rawPayload });
    expect(text).toContain('Генеральная прокуратура Республики Узбекистан');
    expect(text).toContain('Минская конвенция');
    expect(text).toContain(facts);
    expect(text).toContain(qualification);
    expect(text).toContain(assistance);
    expect(text).toContain('[Заполнить:');

    const again = await app.inject({ method: 'POST', url: `/console/drafts/${token}` });
    expect(again.statusCode).toBe(404);
    expect(again.body).toContain('already used or has expired');
    expect((await app.inject({ method: 'GET', url: `/console/drafts/${token}` })).statusCode).toBe(404);
  });

  it('starts from "Start a draft" under a sheet, and /cancel midway leaves nothing', async () => {
    const chat = await member('Berik Cancelling');
    const first = await chat.press('draft:start:KG:extradition');
    expect(first.text).toContain('1/8 · Summary of facts');
    expect((await chat.send('Ottoline Brackenridge crossed into Osh on 2 May')).text).toContain('2/8');
    expect(await flowRows(chat.id)).toHaveLength(1);
    const cancelled = await chat.send('/cancel');
    expect(cancelled.text).toBe('Cancelled. Nothing of the draft was kept.');
    expect(await flowRows(chat.id)).toEqual([]);
    // A stale button of the cancelled flow says so.
    expect((await chat.press('draft:k:mla')).text).toContain('no longer in progress');
  });

  it('speaks Russian from /черновик on', async () => {
    const chat = await member('Гульмира Черновик', 'ru');
    expect((await chat.send('/черновик')).text).toContain('В какую страну направляется запрос?');
    const competence = await chat.send('Армения');
    expect(competence.text).toContain('Какой запрос в страну «Армения»?');
    const first = await chat.press('draft:k:extradition');
    expect(first.text).toContain('1/8 · Изложение фактов');
    expect(first.text).toContain('Подсказка:');
    expect((await chat.send('/отмена')).text).toBe('Отменено. Ничего из черновика не сохранено.');
  });

  it('kept none of the typed text in any table, log line or audit entry; the audit says drafts were made', async () => {
    expect(await findLeaks(testApp, typedWords, logLines)).toEqual([]);
    const audited = (await testApp.database.handle.db.execute(
      sql`select subject, details::text as details from audit_log where action = 'draft.create' order by seq`,
    )) as { subject: string; details: string }[];
    expect(audited.map((entry) => entry.subject)).toEqual(['country:UZ', 'country:UZ']);
    expect(
      audited.map((entry) => JSON.parse(entry.details) as { format: string }).map((d) => d.format),
    ).toEqual(['json', 'docx']);
  });
});
