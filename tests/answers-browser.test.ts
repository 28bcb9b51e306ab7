// A Russian-speaking member in the web console, in Debian's Chromium: asks who handles extradition
// in Uzbekistan and gets Russian contact cards whose phone and e-mail are working tel:/mailto:
// links (and Telegram/Matrix chats as t.me/matrix.to links) with a copy button; registers a request
// with every prompt in Russian; later marks it executed from /запросы, and the nudge timer for it is
// gone. Screenshots are kept in tests/artifacts/.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvite, createMember, createToken } from './support/chat-fixtures.ts';
import { chromiumPath, launchConsoleBrowser, type ConsoleBrowser } from './support/console-browser.ts';
import { api } from './support/consultation-helpers.ts';
import { extraUzbekContacts } from './support/registry-fixture.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

// In CI (CI=1 or true, as .ci/run exports) a missing browser fails the run; elsewhere it skips, loudly.
const inCi = ['1', 'true'].includes((process.env.CI ?? '').toLowerCase());
if (chromiumPath === undefined && !inCi)
  console.warn('answers browser test SKIPPED: Chromium is not installed');

const cyrillic = /[А-Яа-яЁё]/;
// The first nudge comes within the hour, so its timer is in Redis while the story runs.
const policies = 'default: { firstNudgeAfter: PT30M, repeatEvery: PT1H, escalateAfterUnanswered: 3 }\n';

describe.skipIf(chromiumPath === undefined && !inCi)(
  'answers and requests in the Russian web console',
  () => {
    let test: TestApp;
    let base: string;
    let browser: ConsoleBrowser;

    beforeAll(async () => {
      const directory = mkdtempSync(join(tmpdir(), 'answers-browser-'));
      writeFileSync(join(directory, 'policies.yaml'), policies);
      test = await startTestApp('answers_browser', {
        env: { NUDGE_POLICIES_FILE: join(directory, 'policies.yaml') },
      });
      base = await test.application.app.listen({ host: '127.0.0.1', port: 0 });
      // The office works around the clock, so the first nudge is due in 30 minutes whenever this runs.
      const hours = await api(test, test.adminToken, 'PATCH', '/v1/contacts/uz-002', {
        workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' },
      });
      expect(hours.status).toBe(200);
      browser = await launchConsoleBrowser();
      await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    });

    afterAll(async () => {
      await browser.close();
      await test.close();
    });

    /** The delayed BullMQ timers of a request's nudges. */
    async function nudgeTimers(requestId: string): Promise<string[]> {
      const jobs = await test.application.queues.queue('nudges').getJobs(['delayed', 'waiting']);
      return jobs
        .filter((job) => (job.data as { requestId?: string }).requestId === requestId)
        .map((job) => job.id ?? '');
    }

    /** Waits for the bot's next message after `before` of them and returns it. */
    async function nextBotMessage(page: Page, before: number) {
      const message = page.locator('#log .message-bot').nth(before);
      await message.waitFor({ timeout: 60_000 });
      return message;
    }
    const botCount = (page: Page) => page.locator('#log .message-bot').count();
    async function say(page: Page, text: string) {
      const before = await botCount(page);
      await page.locator('#question').fill(text);
      await page.locator('#question').press('Enter');
      return nextBotMessage(page, before);
    }
    async function tap(page: Page, action: string) {
      const before = await botCount(page);
      await page.locator(`#log button[data-action="${action}"]`).last().click();
      return nextBotMessage(page, before);
    }

    it('asks, sees Russian cards with working links, registers a request in Russian and marks it executed from /запросы', async () => {
      const member = await createMember(test, { name: 'Айгерим Браузерова', country: 'KZ' });
      const { code } = await createInvite(test, member.id);
      const token = await createToken(test, member.id);
      const { page, problems } = await browser.newPage();
      await page.goto(`${base}/login?lang=ru`);
      await page.locator('#login-secret').fill(code);
      await page.locator('#login-secret').press('Enter');
      await page.locator('#log').waitFor({ state: 'visible' });

      // Asking: a card per contact, in Russian, its channels real links.
      const answer = await say(page, 'кто занимается экстрадицией в Узбекистане');
      const card = answer.locator('.contact-card').first();
      await card.waitFor();
      await expect(card.locator('.contact-name').textContent()).resolves.toBe('1. Сардор Демо-Юсупов');
      await expect(card.locator('.contact-title').textContent()).resolves.toBe(
        'Начальник отдела экстрадиции, Международно-правовое управление',
      );
      const anchors = card.locator('a');
      const hrefs: (string | null)[] = [];
      for (let index = 0; index < (await anchors.count()); index++)
        hrefs.push(await anchors.nth(index).getAttribute('href'));
      expect(hrefs).toEqual([
        'https://t.me/sardor_demo',
        'https://matrix.to/#/@sardor:casc.example',
        'mailto:demo-yusupov@uz-gpo.example.org',
        'tel:+00001877322',
      ]);
      await expect(card.locator('a[href^="tel:"]').textContent()).resolves.toBe('+000 01 877322');
      await expect(card.textContent()).resolves.toMatch(/Местное время \d\d:\d\d/);
      await expect(answer.locator('.answer-heading').first().textContent()).resolves.toBe(
        'Экстрадиция (выдача) — Узбекистан',
      );
      // The copy button puts the card's text on the clipboard.
      const copy = card.getByRole('button', { name: 'Копировать: Сардор Демо-Юсупов' });
      await copy.click();
      await expect.poll(() => copy.textContent(), { timeout: 30_000 }).toBe('Скопировано');
      const copied = String(await page.evaluate('navigator.clipboard.readText()'));
      expect(copied.split('\n')[0]).toBe(
        '1. Сардор Демо-Юсупов — Начальник отдела экстрадиции, Международно-правовое управление',
      );
      expect(copied).toContain('demo-yusupov@uz-gpo.example.org');
      await browser.screenshot(page, 'answers-ru-cards');

      // Registering a request: every prompt, and every placeholder, in Russian.
      const prompts = [await say(page, '/новыйзапрос')];
      prompts.push(await tap(page, 'req:new:t:mla'));
      prompts.push(await tap(page, 'req:new:c:UZ'));
      prompts.push(await tap(page, 'req:new:s:0'));
      prompts.push(await tap(page, 'req:new:u:0'));
      const placeholder = await page.locator('#question').getAttribute('placeholder');
      expect(placeholder).toMatch(cyrillic);
      prompts.push(await say(page, 'KZ-MLA-2026/91'));
      const done = await say(page, 'Выписки по счетам подставной компании');
      for (const prompt of prompts) {
        const text = (await prompt.textContent()) ?? '';
        expect(text, text).toMatch(cyrillic);
        expect(text).not.toMatch(/\b(Request|Which|When|Registered)\b|г\.\./);
      }
      await expect(done.textContent()).resolves.toContain('Зарегистрирован: KZ-MLA-2026/91');
      const mine = await api<{ items: { id: string }[] }>(test, token, 'GET', '/v1/requests?mine=true');
      const id = mine.body.items[0]!.id;
      expect(await nudgeTimers(id)).toHaveLength(1);

      // Later, from /запросы: executed; the nudge timer is gone.
      await say(page, '/запросы');
      const opened = await tap(page, `rqm:${id}`);
      await expect(opened.textContent()).resolves.toContain('Запрос KZ-MLA-2026/91');
      const closed = await tap(page, `rqm:${id}:done`);
      await expect(closed.textContent()).resolves.toContain(
        'Запрос KZ-MLA-2026/91 закрыт: исполнен. Напоминания остановлены, адресат уведомлён.',
      );
      await browser.screenshot(page, 'answers-ru-request-executed');
      const detail = await api<{ status: string; nextNudgeAt: string | null }>(
        test,
        token,
        'GET',
        `/v1/requests/${id}`,
      );
      expect(detail.body).toMatchObject({ status: 'executed', nextNudgeAt: null });
      expect(await nudgeTimers(id)).toEqual([]);
      expect(problems).toEqual([]);
    });

    it('a long list folds behind "show all" in a disclosure, and registry text with <, & and quotes shows as typed', async () => {
      // Six more extradition contacts in Uzbekistan, one of them named with markup.
      const hostile = `<b>O'Brien & "Sons"</b><img src=x>`;
      for (const contact of extraUzbekContacts('uz-10', hostile)) {
        const created = await api(test, test.adminToken, 'POST', '/v1/contacts', contact);
        expect(created.status).toBe(201);
      }
      const member = await createMember(test, { name: 'Bolat Browser', country: 'KZ' });
      const { code } = await createInvite(test, member.id);
      const { page, problems } = await browser.newPage();
      await page.goto(`${base}/login?lang=en`);
      await page.locator('#login-secret').fill(code);
      await page.locator('#login-secret').press('Enter');
      await page.locator('#log').waitFor({ state: 'visible' });

      const answer = await say(page, 'who handles extradition in Uzbekistan');
      const shown = answer.locator('.message-answer > .contact-card');
      await shown.first().waitFor();
      await expect(shown.count()).resolves.toBe(5);
      const more = answer.locator('details.answer-more');
      await expect(more.locator('summary').textContent()).resolves.toBe('Show all 7 — Uzbekistan');
      await expect(more.getAttribute('open')).resolves.toBeNull();
      // The folded cards are in the page; the "show all" button other messengers need is not.
      await expect(answer.locator('button[data-action="ask:every:UZ:extradition"]').count()).resolves.toBe(0);
      await more.locator('summary').click();
      await expect(more.locator('.contact-card').count()).resolves.toBe(2);
      await expect(
        answer.locator('.contact-card .contact-name', { hasText: "O'Brien" }).textContent(),
      ).resolves.toMatch(/^\d\. <b>O'Brien & "Sons"<\/b><img src=x>$/);
      await expect(answer.locator('.contact-card img, .contact-card b').count()).resolves.toBe(0);
      await browser.screenshot(page, 'answers-show-all-open');
      expect(problems).toEqual([]);
    });
  },
);
