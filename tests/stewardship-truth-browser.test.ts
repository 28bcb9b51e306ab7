// The contact page's "keeping the registry true" sections in Debian's Chromium: a coordinator of
// Kazakhstan sends a re-verification prompt, approves one proposal and rejects another, and retires
// a contact naming a successor, whose pending request moves to the successor. Screenshots of each
// step are kept in tests/artifacts/.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { contactVerifications } from '../src/verification/verification-schema.ts';
import { createInvite, createMember, createToken } from './support/chat-fixtures.ts';
import { api } from './support/consultation-helpers.ts';
import {
  chromiumPath,
  launchConsoleBrowser,
  logInWithInvite,
  type ConsoleBrowser,
} from './support/console-browser.ts';
import { eventually } from './support/eventually.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

if (chromiumPath === undefined) {
  console.warn('registry-truth browser test SKIPPED: /usr/bin/chromium is not installed');
}

describe.skipIf(chromiumPath === undefined)('the contact page keeps the registry true, in Chromium', () => {
  let test: TestApp;
  let base: string;
  let browser: ConsoleBrowser;
  const cleanup: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    test = await startTestApp('stewardship_truth_browser');
    cleanup.push(() => test.close());
    base = await test.application.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchConsoleBrowser();
    cleanup.push(() => browser.close());
  }, 180_000);

  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  const contact = async (id: string) => (await api(test, test.adminToken, 'GET', `/v1/contacts/${id}`)).body;

  async function story(name: string, run: (page: Page) => Promise<void>): Promise<void> {
    const { page, problems } = await browser.newPage();
    try {
      await run(page);
      expect(problems).toEqual([]);
    } catch (error) {
      await browser.screenshot(page, `${name}-failure`).catch(() => undefined);
      throw new Error(`${(error as Error).message}\nbrowser console errors: ${JSON.stringify(problems)}`, {
        cause: error,
      });
    } finally {
      await page.close();
    }
  }

  it('re-verify, approve and reject proposals, retire with a successor', { timeout: 120_000 }, async () => {
    await story('truth-contact', async (page) => {
      // Madina (kz-002) proposes a new title and, separately, a new phone.
      const madina = await createMember(test, { name: 'Madina Member', country: 'KZ', contactId: 'kz-002' });
      const token = await createToken(test, madina.id);
      for (const changes of [
        { title: 'Head of the Extradition Unit' },
        { channels: { ...((await contact('kz-002')).channels as object), phone: '+7 7172 55 00 11' } },
      ])
        expect(
          (await api(test, token, 'POST', '/v1/proposals', { contactId: 'kz-002', changes })).status,
        ).toBe(201);
      const phoneBefore = ((await contact('kz-002')).channels as Record<string, string>).phone;
      // A pending request addressed to kz-003, who will retire.
      const request = await api<{ id: string }>(test, test.adminToken, 'POST', '/v1/requests', {
        type: 'mla',
        toCountry: 'KZ',
        fromCountry: 'UZ',
        contactId: 'kz-003',
        ourReference: 'UZ-MLA-2026-0101',
        subject: 'Bank records',
        sentAt: '2026-11-20T06:00:00Z',
      });
      expect(request.status, JSON.stringify(request.body)).toBe(201);

      const coordinator = await createMember(test, {
        name: 'Saule Steward',
        country: 'KZ',
        role: 'coordinator',
      });
      const { code } = await createInvite(test, coordinator.id);
      await logInWithInvite(page, base, code, '/console/registry/contacts/kz-002');
      await page.getByRole('heading', { level: 1, name: 'Madina Demo-Seitova' }).waitFor();
      const proposals = page.locator('section[aria-labelledby="proposals-heading"] li');
      await expect(proposals.count()).resolves.toBe(2);
      await browser.screenshot(page, 'truth-contact-proposals');

      // Approve the title.
      await proposals
        .filter({ hasText: 'Proposes new title' })
        .getByRole('button', { name: 'Approve' })
        .click();
      await page.getByRole('status').filter({ hasText: 'The proposal was approved and applied.' }).waitFor();
      expect((await contact('kz-002')).title).toBe('Head of the Extradition Unit');
      // Reject the phone: the record keeps its number.
      await page
        .locator('section[aria-labelledby="proposals-heading"] li')
        .filter({ hasText: 'Proposes new channels' })
        .getByRole('button', { name: 'Reject' })
        .click();
      await page.getByRole('status').filter({ hasText: 'The proposal was rejected.' }).waitFor();
      expect(((await contact('kz-002')).channels as Record<string, string>).phone).toBe(phoneBefore);
      await expect(
        page.locator('section[aria-labelledby="proposals-heading"]').textContent(),
      ).resolves.toContain('No proposals are waiting.');
      await browser.screenshot(page, 'truth-contact-decided');

      // Re-verify now: Madina has no messenger linked, so the coordinators are told at once.
      await page.getByRole('button', { name: 'Send a re-verification prompt' }).click();
      await page.getByRole('status').filter({ hasText: 'The re-verification prompt was sent.' }).waitFor();
      await eventually(async () => {
        const [row] = await test.application.database.db
          .select()
          .from(contactVerifications)
          .where(eq(contactVerifications.contactId, 'kz-002'));
        return row?.flaggedAt ?? undefined;
      }, 'the forced prompt to fire (flagged: no linked messenger)');

      // Retire kz-003 with kz-001 as successor: the request moves.
      await page.goto(`${base}/console/registry/contacts/kz-003`);
      await page.getByRole('heading', { level: 2, name: 'Retire and hand over' }).waitFor();
      await page.getByRole('combobox', { name: /successor/i }).selectOption('kz-001');
      await page.getByRole('button', { name: 'Retire this contact' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: 'The contact was retired and their work handed over.' })
        .waitFor();
      expect((await contact('kz-003')).status).toBe('retired');
      const moved = await api<{ contactId: string }>(
        test,
        test.adminToken,
        'GET',
        `/v1/requests/${request.body.id}`,
      );
      expect(moved.body.contactId).toBe('kz-001');
      await browser.screenshot(page, 'truth-contact-retired');
    });
  });
});
