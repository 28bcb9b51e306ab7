// The same story on Matrix (the test homeserver, a real matrix-js-sdk member in an encrypted DM): a
// Russian-speaking member asks and gets the answer as formatted_body HTML (cards, t.me/matrix.to and
// mailto: links) with the plain text as body; registers a request with every prompt in Russian
// through numbered choices; later steers it from !запросы and marks it executed: the nudge timer
// is gone.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extraUzbekContacts } from './support/registry-fixture.ts';
import { body, startMatrixBotFixture, type MatrixBotFixture } from './support/matrix-bot-fixture.ts';
import type { ReceivedMessage, TestMatrixUser } from './support/matrix-test-client.ts';

let fixture: MatrixBotFixture;
let user: TestMatrixUser;
let dm: string;

const cyrillic = /[А-Яа-яЁё]/;

beforeAll(async () => {
  const directory = mkdtempSync(join(tmpdir(), 'answers-matrix-'));
  writeFileSync(
    join(directory, 'policies.yaml'),
    'default: { firstNudgeAfter: PT30M, repeatEvery: PT1H, escalateAfterUnanswered: 3 }\n',
  );
  fixture = await startMatrixBotFixture('answers_matrix', {
    env: { NUDGE_POLICIES_FILE: join(directory, 'policies.yaml') },
  });
  // The office works around the clock, so the first nudge is due in 30 minutes whenever this runs.
  const hours = await fixture.testApp.application.app.inject({
    method: 'PATCH',
    url: '/v1/contacts/uz-002',
    headers: { authorization: `Bearer ${fixture.testApp.adminToken}` },
    payload: { workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' } },
  });
  expect(hours.statusCode).toBe(200);
  ({ user, dm } = await fixture.linkedMember('aigerim', 'Айгерим Матрикс', 'KZ'));
}, 180_000);

afterAll(async () => {
  await fixture.close();
});

/** Says something in the DM and waits for the bot's next message. */
async function converse(text: string): Promise<ReceivedMessage> {
  const seen = fixture.botMessages(user, dm).length;
  await user.client.sendTextMessage(dm, text);
  return fixture.nextFromBot(user, dm, seen);
}

/** The number of the numbered choice whose label matches. */
function choice(message: ReceivedMessage, label: RegExp): string {
  const line = body(message)
    .split('\n')
    .find((candidate) => /^\d+\. /.test(candidate) && label.test(candidate));
  if (line === undefined) throw new Error(`no choice ${String(label)} in:\n${body(message)}`);
  return line.split('.')[0]!;
}

async function nudgeTimers(requestId: string): Promise<string[]> {
  const jobs = await fixture.testApp.application.queues.queue('nudges').getJobs(['delayed', 'waiting']);
  return jobs
    .filter((job) => (job.data as { requestId?: string }).requestId === requestId)
    .map((job) => job.id ?? '');
}

describe('answers and requests on Matrix, in Russian', () => {
  it('the answer comes as HTML cards with links and a plain body; a request registered in Russian is marked executed from !запросы', async () => {
    const answer = await converse('кто занимается экстрадицией в Узбекистане');
    const content = answer.content;
    expect(content.format).toBe('org.matrix.custom.html');
    const html = String(content.formatted_body);
    expect(html).toContain('<h4>Экстрадиция (выдача) — Узбекистан</h4>');
    expect(html).toContain('<strong>1. Сардор Демо-Юсупов</strong>');
    expect(html).toContain('<a href="https://t.me/sardor_demo">@sardor_demo</a>');
    expect(html).toContain('<a href="https://matrix.to/#/@sardor:casc.example">');
    expect(html).toContain('<a href="mailto:demo-yusupov@uz-gpo.example.org">');
    // The plain body says the same for clients without HTML.
    expect(body(answer)).toContain(
      '1. Сардор Демо-Юсупов — Начальник отдела экстрадиции, Международно-правовое управление',
    );
    expect(body(answer)).toContain('Телефон: +000 01 877322');
    expect(body(answer)).toMatch(/\d\. Запросить консультацию/);

    const type = await converse('!новыйзапрос');
    const country = await converse(choice(type, /правов/i));
    const sent = await converse(choice(country, /Узбекистан/));
    const urgent = await converse('1');
    const reference = await converse(choice(urgent, /^\d+\. Нет/));
    const subject = await converse('KZ-MLA-2026/92');
    const done = await converse('Выписки по счетам');
    for (const prompt of [type, country, sent, urgent, reference, subject, done]) {
      expect(body(prompt), body(prompt)).toMatch(cyrillic);
      expect(body(prompt)).not.toMatch(/\b(Request|Which|When|Registered)\b|г\.\./);
    }
    expect(body(done)).toContain('Зарегистрирован: KZ-MLA-2026/92');
    const listed = await fixture.api('GET', '/v1/requests?limit=50');
    const request = (listed.body.items as { id: string; ourReference: string }[]).find(
      (item) => item.ourReference === 'KZ-MLA-2026/92',
    );
    expect(request).toBeDefined();
    expect(await nudgeTimers(request!.id)).toHaveLength(1);

    const list = await converse('!запросы');
    expect(body(list)).toContain('KZ-MLA-2026/92');
    const card = await converse(choice(list, /KZ-MLA-2026\/92/));
    expect(body(card)).toContain('Запрос KZ-MLA-2026/92');
    const closed = await converse(choice(card, /исполнен/));
    expect(body(closed)).toBe(
      'Запрос KZ-MLA-2026/92 закрыт: исполнен. Напоминания остановлены, адресат уведомлён.',
    );
    const detail = await fixture.api('GET', `/v1/requests/${request!.id}`);
    expect(detail.body).toMatchObject({ status: 'executed', nextNudgeAt: null });
    expect(await nudgeTimers(request!.id)).toEqual([]);
  });
  it('a long list shows five cards and "Show all" as a numbered choice, which brings every card', async () => {
    for (const contact of extraUzbekContacts('uz-30')) {
      const created = await fixture.api('POST', '/v1/contacts', contact);
      expect(created.status).toBe(201);
    }
    const cards = (message: ReceivedMessage) =>
      (String(message.content.formatted_body).match(/<p><strong>\d+\. /g) ?? []).length;
    const answer = await converse('who handles extradition in Uzbekistan');
    expect(cards(answer)).toBe(5);
    expect(body(answer)).toContain('…and 2 more.');
    const all = await converse(choice(answer, /Show all 7 — Uzbekistan/));
    expect(cards(all)).toBe(7);
    expect(body(all)).not.toContain('more.');
  });
});
