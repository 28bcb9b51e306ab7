// The stewardship console in Debian's Chromium, as its people use it: a coordinator of Kazakhstan
// keeps their country's registry true and invites a colleague, and cannot touch another country's
// records; the secretariat checks an import, reads the analytics and verifies the audit chain; and
// axe-core finds no serious accessibility problem on any page. Screenshots of each step are kept
// in tests/artifacts/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createInvite, createMember } from './support/chat-fixtures.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifacts,
  chromiumPath,
  launchConsoleBrowser,
  logInWithInvite,
  seriousAxeViolations,
  waitInPage,
  type ConsoleBrowser,
} from './support/console-browser.ts';
import { addDays } from '../src/schedule/index.ts';
import { seedAnswerTimes } from './support/stats-seed.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

if (chromiumPath === undefined) {
  console.warn(
    'stewardship browser test SKIPPED: /usr/bin/chromium is not installed (apt-get install -y chromium)',
  );
}

describe.skipIf(chromiumPath === undefined)('the stewardship console in Chromium', () => {
  let test: TestApp;
  let base: string;
  let browser: ConsoleBrowser;
  const cleanup: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    test = await startTestApp('stewardship_browser');
    cleanup.push(() => test.close());
    base = await test.application.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchConsoleBrowser();
    cleanup.push(() => browser.close());
  });

  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  const contact = async (id: string) =>
    (
      await test.application.app.inject({
        method: 'GET',
        url: `/v1/contacts/${id}`,
        headers: { authorization: `Bearer ${test.adminToken}` },
      })
    ).json<Record<string, unknown>>();

  /** Runs a story in a new tab; on failure keeps a screenshot and adds what the browser said. */
  async function story(name: string, run: (page: Page) => Promise<void>): Promise<void> {
    const { page, problems } = await browser.newPage();
    try {
      await run(page);
      // Refusals the story provokes on purpose (a wrong value: 422, another country: 403) are
      // logged by Chromium as failed loads; anything else the browser complains about is a bug.
      expect(problems.filter((problem) => !/status of (403|422)\b/.test(problem))).toEqual([]);
    } catch (error) {
      await browser.screenshot(page, `${name}-failure`).catch(() => undefined);
      throw new Error(`${(error as Error).message}\nbrowser console errors: ${JSON.stringify(problems)}`, {
        cause: error,
      });
    } finally {
      await page.close();
    }
  }

  it(
    'a coordinator of Kazakhstan keeps the registry true, marks a colleague away, invites a colleague, and cannot touch a Kyrgyz record',
    { timeout: 120_000 },
    async () => {
      await story('stewardship-coordinator', async (page) => {
        const coordinator = await createMember(test, {
          name: 'Saule Steward',
          country: 'KZ',
          role: 'coordinator',
        });
        const { code } = await createInvite(test, coordinator.id);
        await logInWithInvite(page, base, code, '/console/registry');
        await page.getByRole('heading', { level: 1, name: 'Registry' }).waitFor();
        const table = page.locator('#registry-table');
        await expect(table.textContent()).resolves.toContain('Aidos Demo-Nurlanov');
        await browser.screenshot(page, 'stewardship-registry');

        // Stale contacts only: the one verified over a year ago.
        await page.getByRole('checkbox', { name: /^stale/ }).check();
        await page.getByRole('button', { name: 'Apply' }).click();
        await page.waitForURL(/stale=1/);
        await expect(page.locator('#result-count').textContent()).resolves.toMatch(/^1 contact\b/);
        await expect(table.textContent()).resolves.toContain('Daniyar Demo-Omarov');
        await expect(table.textContent()).resolves.not.toContain('Aidos Demo-Nurlanov');
        await browser.screenshot(page, 'stewardship-registry-stale');

        // Its page: a wrong phone is shown next to the field and changes nothing; a right one saves.
        await table.getByRole('link', { name: 'Daniyar Demo-Omarov' }).click();
        await page.getByRole('heading', { level: 1, name: 'Daniyar Demo-Omarov' }).waitFor();
        const before = await contact('kz-004');
        const phone = page.getByRole('textbox', { name: 'Phone' });
        await phone.fill('call the office');
        await page.getByRole('button', { name: 'Save changes' }).click();
        const phoneError = page.locator('.field-error', {
          hasText: 'Enter the phone number in international format',
        });
        await phoneError.waitFor();
        await expect(page.getByRole('textbox', { name: 'Phone' }).getAttribute('aria-invalid')).resolves.toBe(
          'true',
        );
        // The field's description is its error, so a screen reader reads it with the field.
        const describedBy =
          (await page.getByRole('textbox', { name: 'Phone' }).getAttribute('aria-describedby')) ?? '';
        expect(describedBy.split(' ')).toContain((await phoneError.getAttribute('id')) ?? '-');
        expect(await contact('kz-004')).toEqual(before);
        await browser.screenshot(page, 'stewardship-contact-error');

        await page.getByRole('textbox', { name: 'Phone' }).fill('+7 7172 71 04 04');
        await page.getByRole('button', { name: 'Save changes' }).click();
        const saved = page.getByRole('status').filter({ hasText: 'Saved (1 field changed)' });
        await saved.waitFor();
        // The focus moved to the result, so keyboard and screen reader users land on it.
        await expect(page.evaluate<string>('document.activeElement?.textContent ?? ""')).resolves.toContain(
          'Saved (1 field changed)',
        );
        expect(((await contact('kz-004')).channels as Record<string, string>).phone).toBe('+7 7172 71 04 04');

        // Verifies the record: verified today, by them; no longer stale.
        await page.getByRole('button', { name: 'Mark as verified today' }).click();
        await page.getByRole('status').filter({ hasText: 'Verified today' }).waitFor();
        const verified = await contact('kz-004');
        // Kazakhstan's date, not UTC's: from 19:00 UTC it is already tomorrow in Astana.
        expect(verified.verifiedAt).toBe(test.application.registry.todayIn('KZ'));
        expect(verified.verifiedBy).toBe(coordinator.id);
        await expect(page.locator('.verification').textContent()).resolves.toContain('Saule Steward');
        await browser.screenshot(page, 'stewardship-contact-verified');

        // Marks the extradition contact away with a deputy: the answer to a question changes at once.
        const askExtradition = async () =>
          (
            await test.application.app.inject({
              method: 'POST',
              url: '/v1/ask',
              headers: { authorization: `Bearer ${test.adminToken}` },
              payload: { text: 'who handles extradition in Kazakhstan', askerCountry: 'KG' },
            })
          ).json<{ reply: { text: string } }>().reply.text;
        expect(await askExtradition()).not.toContain('Away until');
        await page.goto(`${base}/console/registry/contacts/kz-001`);
        const kazakhToday = test.application.registry.todayIn('KZ');
        await page.getByRole('textbox', { name: 'Away from' }).fill(kazakhToday);
        await page.getByRole('textbox', { name: 'Away until (last day)' }).fill(addDays(kazakhToday, 14));
        await page.getByRole('textbox', { name: 'Note (e.g. annual leave)' }).fill('annual leave');
        await page.getByRole('combobox', { name: 'Deputy' }).selectOption('kz-002');
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: /Saved \(\d fields changed\)/ })
          .waitFor();
        await expect(page.locator('.record-summary').textContent()).resolves.toMatch(/away until/i);
        await browser.screenshot(page, 'stewardship-contact-away');
        const answer = await askExtradition();
        expect(answer).toContain('Away until');
        expect(answer).toContain('annual leave');
        expect(answer).toContain('deputy: Madina Demo-Seitova');
        // The coordinator sees the same in the chat.
        await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Chat' }).click();
        await page.getByLabel('Your question').fill('who handles extradition in Kazakhstan');
        await page.getByLabel('Your question').press('Enter');
        const reply = page.getByRole('log').locator('.message-bot').first();
        await reply.waitFor();
        await expect(reply.textContent()).resolves.toContain('deputy: Madina Demo-Seitova');

        // Invites a colleague: the console link with the code, and its QR code.
        await page.goto(`${base}/console/members`);
        await page.getByRole('textbox', { name: /^Name/ }).fill('Aliya Colleague');
        await page
          .getByRole('combobox', { name: 'The person behind a registry contact' })
          .selectOption('kz-003');
        await page.getByRole('button', { name: 'Add member' }).click();
        await page.getByText('Invite for Aliya Colleague').waitFor();
        const inviteCode = await page.locator('code.secret').first().textContent();
        expect(inviteCode).toMatch(/^[A-Z0-9]{12}$/);
        await expect(
          page
            .getByText(`/login?code=${inviteCode ?? ''}`)
            .first()
            .isVisible(),
        ).resolves.toBe(true);
        const qr = page.getByRole('img', { name: 'QR code of the web console link' });
        await expect(qr.isVisible()).resolves.toBe(true);
        expect((await qr.boundingBox())?.width ?? 0).toBeGreaterThan(100);
        await browser.screenshot(page, 'stewardship-invite');

        // A Kyrgyz contact's page is refused, and so is a write sent without the page.
        const beforeKyrgyz = await contact('kg-001');
        const refused = await page.goto(`${base}/console/registry/contacts/kg-001`);
        expect(refused?.status()).toBe(403);
        await expect(page.getByRole('alert').textContent()).resolves.toContain(
          'You may not open or change this',
        );
        await expect(page.content()).resolves.not.toContain('Bakyt Demo-Toktogulov');
        await browser.screenshot(page, 'stewardship-refused');
        const write = await page.request.post(`${base}/console/registry/contacts/kg-001`, {
          headers: { 'x-counterpart-csrf': '1', 'hx-request': 'true' },
          form: { name_en: 'Taken Over', title: 'x', status: 'retired' },
        });
        expect(write.status()).toBe(403);
        const verify = await page.request.post(`${base}/console/registry/contacts/kg-001/verify`, {
          headers: { 'x-counterpart-csrf': '1', 'hx-request': 'true' },
        });
        expect(verify.status()).toBe(403);
        expect(await contact('kg-001')).toEqual(beforeKyrgyz);
      });
    },
  );

  let seeding: Promise<void> | undefined;
  /** Requests and consultations with known answer times, written once for the whole file. */
  const seeded = () => (seeding ??= seedAnswerTimes(test));

  /** Opens the console as a new member of `role` (a fresh invite each time). */
  async function logIn(page: Page, name: string, role: 'coordinator' | 'admin', next: string) {
    const member = await createMember(test, { name, country: 'KZ', role });
    const { code } = await createInvite(test, member.id);
    await logInWithInvite(page, base, code, next);
    return member;
  }

  const exported = async () =>
    (
      await test.application.app.inject({
        method: 'GET',
        url: '/v1/registry/export',
        headers: { authorization: `Bearer ${test.adminToken}` },
      })
    ).body;

  /** The figures a chart's bars for a category carry. */
  async function barValues(page: Page, chart: string, category: string): Promise<number[]> {
    const bars = await page.locator(`${chart} rect[data-category^="${category}"]`).all();
    return Promise.all(bars.map(async (bar) => Number(await bar.getAttribute('data-value'))));
  }

  /** The cells' texts of the table row that starts with `first`. */
  async function rowOf(page: Page, table: string, first: string): Promise<string[]> {
    const row = page.locator(`#${table} tbody tr`).filter({ has: page.locator('td', { hasText: first }) });
    return (await row.first().locator('td').allTextContents()).map((text) => text.trim());
  }

  it(
    'the secretariat checks a broken import (problems with JSON paths, nothing changes), reads the analytics figures and verifies the audit chain',
    { timeout: 120_000 },
    async () => {
      await seeded();
      await story('stewardship-admin', async (page) => {
        await logIn(page, 'Network Secretariat', 'admin', '/console/registry/import');
        await page.getByRole('heading', { level: 1, name: 'Import a registry file' }).waitFor();

        // A file with two mistakes: the check lists both at their places and changes nothing.
        const broken = JSON.parse(await exported()) as {
          contacts: { channels: Record<string, string>; competences: string[] }[];
        };
        broken.contacts[2]!.channels.email = 'not an address';
        broken.contacts[5]!.competences = ['piracy'];
        const file = join(artifacts, 'broken-registry.json');
        writeFileSync(file, JSON.stringify(broken, null, 1));
        const before = await exported();
        await page.getByLabel('Registry file (JSON)').setInputFiles(file);
        await waitInPage(page, "document.getElementById('import-text').value.length > 1000");
        await page.getByRole('button', { name: 'Check (dry run)' }).click();
        const heading = page.getByRole('heading', { name: /^The file has \d+ problems?$/ });
        await heading.waitFor();
        // The page moves focus to the outcome's heading once it is rendered, a moment after the
        // heading appears: wait for the focus to arrive (the deadline only bounds a hang), then check.
        await waitInPage(page, "/The file has/.test(document.activeElement?.textContent ?? '')");
        const problems = page.locator('#import-problems');
        await expect(problems.textContent()).resolves.toContain('/contacts/2/channels/email');
        await expect(problems.textContent()).resolves.toContain('/contacts/5/competences/0');
        await expect(page.getByText('Nothing was changed.').isVisible()).resolves.toBe(true);
        expect(await exported()).toBe(before);
        await browser.screenshot(page, 'stewardship-import-problems');

        // Analytics: the tables show the figures of the seeded requests and consultations.
        await page
          .getByRole('navigation', { name: 'Sections' })
          .getByRole('link', { name: 'Analytics' })
          .click();
        await page.getByRole('heading', { level: 1, name: 'Analytics' }).waitFor();
        expect(await rowOf(page, 'table-requests', 'KZ → KG')).toEqual([
          'KZ → KG',
          'Mutual legal assistance',
          '3',
          '2 days',
          '2.8 days',
          '4 days',
          '4 days',
        ]);
        expect(await rowOf(page, 'table-requests', 'KG → UZ')).toEqual([
          'KG → UZ',
          'Mutual legal assistance',
          '1',
          '10 days',
          '10 days',
          '–',
          '–',
        ]);
        expect(await rowOf(page, 'table-consultations', 'KZ → KG')).toEqual([
          'KZ → KG',
          'Extradition',
          '2',
          '2',
          '0',
          '3 hours',
          '3.8 hours',
        ]);
        // The charts draw the same figures (each bar carries its value).
        const bars = await barValues(page, '#chart-requests', 'KZ → KG');
        // Acknowledged (median 2 days) and executed (median 4 days).
        expect(bars.sort((a, b) => a - b)).toEqual([172_800, 345_600]);
        const consultationBars = await barValues(page, '#chart-consultations', 'KZ → KG');
        expect(consultationBars.sort((a, b) => a - b)).toEqual([10_800, 13_680]);
        // And the CSV download says the same.
        const csvHref = await page
          .locator('a[href^="/v1/stats/requests?"][href*="format=csv"]')
          .first()
          .getAttribute('href');
        const csv = await (await page.request.get(`${base}${csvHref ?? ''}`)).text();
        expect(csv.split('\r\n')).toContain('KZ,KG,mla,3,3,172800,241920,1,345600,345600');
        await browser.screenshot(page, 'stewardship-analytics');

        // The audit chain: verified on request, in the live region.
        await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Audit' }).click();
        await page.getByRole('button', { name: 'Verify the chain now' }).click();
        const verdict = page.getByText(/The audit log is intact: [\d,]+ entries verified\./);
        await verdict.waitFor();
        await browser.screenshot(page, 'stewardship-audit');
      });
    },
  );

  it(
    'axe-core finds no serious or critical accessibility problem on any console page, in either language, and no page is wider than a phone',
    { timeout: 300_000 },
    async () => {
      await seeded();
      await story('stewardship-axe', async (page) => {
        await logIn(page, 'Accessibility Auditor', 'admin', '/console/registry');
        const found: Record<string, unknown> = {};
        const check = async (label: string) => {
          const violations = await seriousAxeViolations(page);
          if (violations.length > 0) found[label] = violations;
        };
        const pages = [
          '/console/registry',
          '/console/registry?stale=1&sort=verified',
          '/console/registry/contacts/kz-001',
          '/console/registry/treaties',
          '/console/registry/treaties/untoc',
          '/console/registry/treaties/new',
          '/console/registry/import',
          '/console/members',
          '/console/requests',
          '/console/consultations',
          '/console/analytics',
          '/console/audit',
        ];
        for (const lang of ['en', 'ru']) {
          for (const path of pages) {
            await page.goto(`${base}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
            await check(`${path} (${lang})`);
          }
        }
        await page.goto(`${base}/console/registry?lang=en`);

        // After actions: a form with problems, an import's problems, an invite with its QR code.
        await page.goto(`${base}/console/registry/contacts/kz-002`);
        await page.getByRole('textbox', { name: 'Phone' }).fill('call the office');
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page.locator('.error-summary').waitFor();
        await check('contact form with a problem');
        await page.goto(`${base}/console/registry/import`);
        await page.getByLabel("The registry file's text").fill('{"format": "counterpart-registry"}');
        await page.getByRole('button', { name: 'Check (dry run)' }).click();
        await page.locator('#import-problems').waitFor();
        await check('import with problems');
        await page.goto(`${base}/console/members`);
        await page.getByRole('textbox', { name: /^Name/ }).fill('Axe Colleague');
        await page.getByRole('button', { name: 'Add member' }).click();
        await page.getByRole('img', { name: 'QR code of the web console link' }).waitFor();
        await check('members with a new invite');
        // Printed whole, so a failure says which rule failed where.
        expect(JSON.stringify(found, null, 1)).toBe('{}');

        // On a phone, tables become lists: nothing is wider than the screen.
        await page.setViewportSize({ width: 390, height: 844 });
        const wide: string[] = [];
        for (const path of pages) {
          await page.goto(`${base}${path}`);
          const overflow = await page.evaluate<number>(
            'document.documentElement.scrollWidth - window.innerWidth',
          );
          if (overflow > 0) wide.push(`${path}: ${overflow}px`);
        }
        await browser.screenshot(page, 'stewardship-registry-phone');
        expect(wide).toEqual([]);
      });
    },
  );
});
