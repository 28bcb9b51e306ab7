// The secretariat is not a country. The bootstrap admin (the network's secretariat) belongs to no
// country: asking through the API names the country it asks for or gets the no-asker answer of
// the contract, the chat asks it which country it asks for (Telegram, through the emulator),
// requests it registers name the requesting country or are refused, statistics never file its
// consultations under a country, and an existing bootstrap admin's implicit country migrates away.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import fc from 'fast-check';
import type { Message } from 'grammy/types';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsFolder, openDatabase } from '../src/db/database.ts';
import { createInvite } from './support/chat-fixtures.ts';
import { api, press, type TelegramPerson } from './support/consultation-helpers.ts';
import { eventually } from './support/eventually.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { serverUrl } from './support/test-database.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
let sql: postgres.Sql;
let secretariatId: string;

interface AskBody {
  interpretation: { countries: string[]; competence: string | null };
  results: { country: string; legalBases: { id: string }[] }[];
  reply: { text: string };
}

/** The asking countries of the registry.ask audit entries about `country`, once there are `count`. */
const asksAbout = (country: string, count = 1) =>
  eventually(async () => {
    const rows = await sql<{ details: { askerCountry: string | null } }[]>`
      select details from audit_log
      where action = 'registry.ask' and jsonb_exists(details->'countries', ${country})
      order by seq`;
    return rows.length >= count ? rows.map((row) => row.details.askerCountry) : undefined;
  }, `${count} registry.ask audit entries about ${country}`);

beforeAll(async () => {
  emulator = await startTelegramEmulator();
  testApp = await startTestApp('secretariat', {
    env: { TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot },
  });
  sql = postgres(testApp.database.url, { max: 2, onnotice: () => undefined });
  const me = await api<{ id: string; country: string | null }>(
    testApp,
    testApp.adminToken,
    'GET',
    '/v1/members/me',
  );
  secretariatId = me.body.id;
}, 120_000);

afterAll(async () => {
  await sql.end();
  await testApp.close();
  await emulator.close();
});

describe('the bootstrap admin belongs to no country', () => {
  it('is created with none, shown as such, and cannot make a coordinator or member country-less', async () => {
    const me = await api<{ country: string | null; role: string }>(
      testApp,
      testApp.adminToken,
      'GET',
      '/v1/members/me',
    );
    expect(me.body).toMatchObject({ role: 'admin', country: null });

    const member = await api<{ error: { details: { path: string }[] } }>(
      testApp,
      testApp.adminToken,
      'POST',
      '/v1/members',
      { name: 'Nobody Anywhere', country: null, role: 'member' },
    );
    expect(member.status).toBe(400);
    expect(member.body.error.details.map((problem) => problem.path)).toContain('/country');

    const admin = await api<{ country: string | null }>(testApp, testApp.adminToken, 'POST', '/v1/members', {
      name: 'Second Secretariat Officer',
      country: null,
      role: 'admin',
    });
    expect(admin.status).toBe(201);
    expect(admin.body.country).toBeNull();
  });
});

describe('POST /v1/ask by the secretariat', () => {
  it('with askerCountry: the treaties linking that country with the target', async () => {
    const response = await testApp.application.app.inject({
      method: 'POST',
      url: '/v1/ask',
      headers: { authorization: `Bearer ${testApp.adminToken}` },
      payload: { text: 'who handles extradition in Kyrgyzstan', askerCountry: 'KZ' },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<AskBody>();
    expect(body.results[0]?.country).toBe('KG');
    expect(body.results[0]?.legalBases.length).toBeGreaterThan(0);
  });

  it('without askerCountry: answered for no asking country (the contract), never as some country', async () => {
    const response = await testApp.application.app.inject({
      method: 'POST',
      url: '/v1/ask',
      headers: { authorization: `Bearer ${testApp.adminToken}` },
      payload: { text: 'who handles extradition in Tajikistan' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<AskBody>().interpretation.countries).toEqual(['TJ']);
    expect(await asksAbout('TJ')).toEqual([null]);
  });

  it('garbage askerCountry is refused with 400 naming the field, and nothing is looked up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom('QQ', 'ZZ', 'XX', 'kz', 'K1', 'KZZ', '', ' KZ', 'К3', '<b>', 'null'),
        ),
        async (garbage) => {
          // A real country code is not garbage.
          fc.pre(!/^[A-Z]{2}$/.test(garbage) || ['QQ', 'ZZ', 'XX'].includes(garbage));
          const response = await testApp.application.app.inject({
            method: 'POST',
            url: '/v1/ask',
            headers: { authorization: `Bearer ${testApp.adminToken}`, 'content-type': 'application/json' },
            payload: JSON.stringify({ text: 'who handles extradition in Turkey', askerCountry: garbage }),
          });
          expect(response.statusCode).toBe(400);
          expect(response.body).toContain('askerCountry');
        },
      ),
      { numRuns: 40 },
    );
    // The audit log is written in order: once a later lookup is there, none about Turkey came.
    const later = await testApp.application.app.inject({
      method: 'POST',
      url: '/v1/ask',
      headers: { authorization: `Bearer ${testApp.adminToken}` },
      payload: { text: 'who handles extradition in Sweden', askerCountry: 'KZ' },
    });
    expect(later.statusCode).toBe(200);
    expect(await asksAbout('SE')).toEqual(['KZ']);
    const [turkey] = await sql<{ n: number }[]>`
      select count(*)::int as n from audit_log
      where action = 'registry.ask' and details->'countries' @> '["TR"]'::jsonb`;
    expect(turkey?.n).toBe(0);
  });
});

describe('formal requests by the secretariat', () => {
  const request = {
    type: 'mla',
    toCountry: 'UZ',
    ourReference: 'SEC-1/2026',
    subject: 'Bank records',
    sentAt: new Date(Date.now() - 86_400_000).toISOString(),
  };

  it("without fromCountry: filed under no country (the contract body still works), in no country's list or figures", async () => {
    const created = await api<{ id: string; nextNudgeAt: string | null }>(
      testApp,
      testApp.adminToken,
      'POST',
      '/v1/requests',
      request,
    );
    expect(created.status).toBe(201);
    expect(created.body.nextNudgeAt).not.toBeNull();
    const read = await api<{ fromCountry: string | null; toCountry: string }>(
      testApp,
      testApp.adminToken,
      'GET',
      `/v1/requests/${created.body.id}`,
    );
    expect(read.body.fromCountry).toBeNull();
    expect(read.body.toCountry).toBe('UZ');
    // Kazakhstan (the bootstrap admin's old implicit country) sees nothing of it.
    const kazakh = await api<{ items: { id: string }[] }>(
      testApp,
      testApp.adminToken,
      'GET',
      '/v1/requests?country=KZ',
    );
    expect(kazakh.body.items.map((item) => item.id)).not.toContain(created.body.id);
    interface TimesRow {
      fromCountry: string | null;
      toCountry: string | null;
      type: string | null;
      requests: number;
    }
    const figures = await api<{ rows: TimesRow[]; network: TimesRow | null }>(
      testApp,
      testApp.adminToken,
      'GET',
      '/v1/stats/requests',
    );
    expect(figures.status).toBe(200);
    const secretariat = figures.body.rows.filter((row) => row.fromCountry === null);
    expect(secretariat.map((row) => [row.toCountry, row.type, row.requests])).toEqual([['UZ', 'mla', 1]]);
    expect(figures.body.network?.type ?? null).toBeNull();
    expect(figures.body.network?.requests).toBeGreaterThanOrEqual(1);
    const kazakhFigures = await api<{ rows: TimesRow[] }>(
      testApp,
      testApp.adminToken,
      'GET',
      '/v1/stats/requests?country=KZ',
    );
    expect(kazakhFigures.body.rows).toEqual([]);
  });

  it('naming the requesting country: filed under that country', async () => {
    const created = await api<{ id: string }>(testApp, testApp.adminToken, 'POST', '/v1/requests', {
      ...request,
      fromCountry: 'KG',
    });
    expect(created.status).toBe(201);
    const read = await api<{ fromCountry: string }>(
      testApp,
      testApp.adminToken,
      'GET',
      `/v1/requests/${created.body.id}`,
    );
    expect(read.body.fromCountry).toBe('KG');
  });
});

describe('statistics', () => {
  it("the secretariat's consultation is filed under no asking country, and in no other country's figures", async () => {
    const started = await api(testApp, testApp.adminToken, 'POST', '/v1/consultations', {
      country: 'KG',
      competence: 'extradition',
      description: 'A fugitive may be hiding in Osh; who can confirm an arrest warrant?',
    });
    expect(started.status).toBe(201);
    interface Row {
      askerCountry: string | null;
      country: string | null;
      consultations: number;
      undeliverable: number;
    }
    interface Figures {
      rows: Row[];
      network: Row | null;
    }
    const count = (row: Row | undefined | null) => (row?.consultations ?? 0) + (row?.undeliverable ?? 0);
    const all = await api<Figures>(testApp, testApp.adminToken, 'GET', '/v1/stats/consultations');
    expect(all.status).toBe(200);
    const secretariat = all.body.rows.find((row) => row.askerCountry === null);
    expect(secretariat?.country).toBe('KG');
    expect(count(secretariat)).toBe(1);
    expect(count(all.body.network)).toBe(1);
    // Kazakhstan (the country the bootstrap admin used to be given) asked nothing.
    const kazakh = await api<Figures>(
      testApp,
      testApp.adminToken,
      'GET',
      '/v1/stats/consultations?country=KZ',
    );
    expect(kazakh.body.rows).toEqual([]);
    // Kyrgyzstan was asked: the row is there, asked by no country.
    const kyrgyz = await api<Figures>(
      testApp,
      testApp.adminToken,
      'GET',
      '/v1/stats/consultations?country=KG',
    );
    expect(kyrgyz.body.rows.map((row) => [row.askerCountry, row.country])).toEqual([[null, 'KG']]);
    const csv = await testApp.application.app.inject({
      method: 'GET',
      url: '/v1/stats/consultations?format=csv',
      headers: { authorization: `Bearer ${testApp.adminToken}` },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toContain('KZ');
  });
});

describe('the chat asks the secretariat which country it asks for (Telegram)', () => {
  let admin: TelegramPerson;

  beforeAll(async () => {
    const invite = await createInvite(testApp, secretariatId);
    const user = emulator.createUser({ firstName: 'Secretariat', languageCode: 'en' });
    const chat = emulator.privateChat(user);
    emulator.sendUserMessage(user, chat, `/start ${invite.code}`);
    await emulator.waitForMessages(chat, 1);
    admin = { member: { id: secretariatId, name: 'Secretariat', country: '' }, token: '', user, chat };
  });

  /** Sends something (text, or a button press) and returns the bot's next message. */
  async function exchange(send: () => unknown): Promise<Message> {
    const before = emulator.sentMessages(admin.chat).length;
    await send();
    const [message] = (await emulator.waitForMessages(admin.chat, before + 1, 60_000)).slice(before);
    if (message === undefined) throw new Error('the bot said nothing');
    return message;
  }

  it('a question gets "which country are you asking for?" with a button per country; pressing Kazakhstan answers for it', async () => {
    const prompt = await exchange(() => {
      emulator.sendUserMessage(admin.user, admin.chat, 'who handles extradition in Armenia');
    });
    expect(prompt.text).toContain('Which country are you asking for?');
    const labels = emulator.buttons(prompt).map((button) => button.text);
    expect(labels).toEqual(expect.arrayContaining(['Kazakhstan', 'Kyrgyzstan', 'Uzbekistan']));

    const answer = await exchange(() => press(emulator, admin, prompt, 'askfor:c:KZ'));
    expect(answer.text).toContain('Legal bases');
    expect(answer.text).not.toContain('Which country are you asking for?');
    // One lookup, after the country was chosen (the question waited for it), for Kazakhstan.
    expect(await asksAbout('AM')).toEqual(['KZ']);
  });

  it('in Russian: the prompt is Russian, and a typed country name ("Узбекистан") answers it', async () => {
    const prompt = await exchange(() => {
      emulator.sendUserMessage(admin.user, admin.chat, 'кто занимается экстрадицией в Азербайджане');
    });
    expect(prompt.text).toContain('От имени какой страны вы спрашиваете?');
    const answer = await exchange(() => {
      emulator.sendUserMessage(admin.user, admin.chat, 'Узбекистан');
    });
    expect(answer.text).toContain('Азербайджан');
    expect(await asksAbout('AZ')).toEqual(['UZ']);
  });

  it('/whoami says the secretariat belongs to no country', async () => {
    const reply = await exchange(() => {
      emulator.sendUserMessage(admin.user, admin.chat, '/whoami');
    });
    // In the conversation's language (Russian since the last question).
    expect(reply.text).toMatch(/Network secretariat \(no country\)|Секретариат сети \(без страны\)/);
  });
});

describe('migration of an existing bootstrap admin', () => {
  it("moves the bootstrap admin's implicit country (and its consultations') to none, and leaves admins a person gave a country", async () => {
    const name = `cp_test_secretariat_migration_${process.pid}_${Date.now().toString(36)}`;
    const server = postgres(serverUrl, { max: 1, onnotice: () => undefined });
    await server.unsafe(`create database "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const folder = await mkdtemp(join(tmpdir(), 'cp-migrations-'));
    const old = postgres(url.toString(), { max: 1, onnotice: () => undefined });
    try {
      // The schema as it was before this change: every migration up to 0024.
      await cp(migrationsFolder, folder, { recursive: true });
      const journalFile = join(folder, 'meta', '_journal.json');
      const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: { idx: number }[] };
      journal.entries = journal.entries.filter((entry) => entry.idx <= 24);
      await writeFile(journalFile, JSON.stringify(journal));
      await migrate(drizzle(old), { migrationsFolder: folder });

      // What the old bootstrap install path wrote, and two admins it must not touch.
      const member = (id: string, memberName: string, country: string) =>
        old`insert into members (id, name, country, role) values (${id}, ${memberName}, ${country}, 'admin')`;
      await member('11111111-1111-4111-8111-111111111111', 'Network secretariat (bootstrap admin)', 'KZ');
      await member('22222222-2222-4222-8222-222222222222', 'Network secretariat (bootstrap admin)', 'GE');
      await member('33333333-3333-4333-8333-333333333333', 'Aigerim Admin', 'UZ');
      const token = (id: string, memberId: string) =>
        old`insert into api_tokens (id, member_id, token_hash, label) values (${id}, ${memberId}, ${`hash-${id}`}, 'bootstrap')`;
      await token('t1', '11111111-1111-4111-8111-111111111111');
      await token('t2', '22222222-2222-4222-8222-222222222222');
      await token('t3', '33333333-3333-4333-8333-333333333333');
      let seq = 0;
      const audit = (actor: string, action: string, subject: string, details: Record<string, unknown>) =>
        old`insert into audit_log (seq, at, actor, action, subject, details, prev_hash, hash)
            values (${++seq}, ${new Date().toISOString()}, ${actor}, ${action}, ${subject}, ${JSON.stringify(details)}::jsonb, 'x', ${`h${seq}`})`;
      await audit('system', 'member.create', 'member:11111111-1111-4111-8111-111111111111', {
        country: 'KZ',
        role: 'admin',
        contactId: null,
      });
      // Installed the same way, then a person chose its country: it keeps it.
      await audit('system', 'member.create', 'member:22222222-2222-4222-8222-222222222222', {
        country: 'KZ',
        role: 'admin',
        contactId: null,
      });
      await audit('member:x', 'member.update', 'member:22222222-2222-4222-8222-222222222222', {
        fields: ['country'],
      });
      // Created from the CLI with a country, later given the bootstrap token: it keeps it.
      await audit('system', 'member.create', 'member:33333333-3333-4333-8333-333333333333', {
        country: 'UZ',
        role: 'admin',
        contactId: null,
      });
      const consultation = (id: string, asker: string, askerCountry: string) =>
        old`insert into consultations (id, asker_member_id, asker_country, country, competence, status, origin, description_length, created_at, updated_at)
            values (${id}, ${asker}, ${askerCountry}, 'KG', 'extradition', 'closed', 'api', 10, now(), now())`;
      await consultation('c1', '11111111-1111-4111-8111-111111111111', 'KZ');
      await consultation('c3', '33333333-3333-4333-8333-333333333333', 'UZ');
    } finally {
      await old.end();
      await rm(folder, { recursive: true, force: true });
    }

    // The application's own migration run.
    const handle = await openDatabase({ url: url.toString(), dataDir: '/nonexistent', maxConnections: 2 });
    const after = postgres(url.toString(), { max: 1, onnotice: () => undefined });
    try {
      await handle.migrate();
      const members = await after<{ id: string; country: string | null }[]>`
        select id, country from members order by id`;
      expect(members.map((row) => row.country)).toEqual([null, 'GE', 'UZ']);
      const consultations = await after<{ id: string; asker_country: string | null }[]>`
        select id, asker_country from consultations order by id`;
      expect(consultations.map((row) => row.asker_country)).toEqual([null, 'UZ']);
      // And the database itself now refuses a coordinator of no country.
      await expect(
        after`insert into members (id, name, country, role) values ('44444444-4444-4444-8444-444444444444', 'X', null, 'coordinator')`,
      ).rejects.toThrow(/members_country_or_admin/);
    } finally {
      await after.end();
      await handle.close();
      await server.unsafe(`drop database if exists "${name}" with (force)`);
      await server.end();
    }
  }, 120_000);
});
