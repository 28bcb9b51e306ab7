// Set-up shared by the re-verification campaign tests: a policy file, overdue contacts working
// around the clock, and the people behind them linked to Telegram as if they had started the bot,
// or to Matrix users of the test homeserver.
import { eq } from 'drizzle-orm';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Chat, User } from 'grammy/types';
import type { Application } from '../../src/application.ts';
import { findTimer } from '../../src/timers/timer-store.ts';
import { contactVerifications } from '../../src/verification/verification-schema.ts';
import { eventually } from './eventually.ts';
import { aroundTheClock, registryWithCounterparts } from './nudge-fixtures.ts';
import type { TestHomeserver } from './matrix-homeserver/index.ts';
import { startTestMatrixUser, type TestMatrixUser } from './matrix-test-client.ts';
import type { TelegramEmulator } from './telegram-emulator.ts';

export { aroundTheClock };

/** The text every prompt starts with. */
export const promptText = 'Please check your entry';

/** Writes a verification policy to a fresh directory and returns its path. */
export function writeVerificationPolicy(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'verification-')), 'policy.yaml');
  writeFileSync(file, yaml);
  return file;
}

/**
 * The demo registry plus `count` contacts `uz-c<n>` working around the clock and last verified
 * long ago (due at once), and office-hours contacts `uz-p1` (Monday to Friday) and `uz-p2`
 * (Tuesdays only) for placement checks.
 */
export function overdueRegistry(count: number) {
  const registry = registryWithCounterparts(count);
  for (const contact of registry.contacts)
    if (contact.id.startsWith('uz-c')) contact.verifiedAt = '2025-01-01';
  const template = registry.contacts.find((contact) => contact.id === 'uz-002');
  for (const [id, days] of [
    ['uz-p1', [1, 2, 3, 4, 5]],
    ['uz-p2', [2]],
  ] as const)
    registry.contacts.push({
      ...template!,
      id,
      name: { en: `Placement ${id}`, ru: `Размещение ${id}` },
      channels: { email: `${id}@uz-gpo.example.org` },
      workingHours: { days: [...days], start: '09:00', end: '18:00' },
      deputy: null,
      outOfOffice: null,
      verifiedAt: '2025-01-01',
    });
  return registry;
}

export interface LinkedPerson {
  contactId: string;
  user: User;
  chat: Chat.PrivateChat;
}

/** Members behind `uz-c<n>`, each linked to an emulator user who has started the bot. */
export async function linkOverdueContacts(
  application: Application,
  emulator: TelegramEmulator,
  count: number,
): Promise<LinkedPerson[]> {
  const linked: LinkedPerson[] = [];
  for (let index = 0; index < count; index++) {
    const contactId = `uz-c${index}`;
    const member = await application.members.create(undefined, {
      name: `Counterpart ${index}`,
      country: 'UZ',
      role: 'member',
      contactId,
      locale: 'en',
    });
    const invite = await application.invites.create(undefined, member.id);
    const user = emulator.createUser({ firstName: `C${index}`, languageCode: 'en', hasStartedBot: true });
    const outcome = await application.invites.redeem(invite.code, {
      platform: 'telegram',
      platformUserId: String(user.id),
      chatId: String(user.id),
    });
    if (outcome.status !== 'linked') throw new Error(`${contactId} not linked: ${outcome.status}`);
    linked.push({ contactId, user, chat: emulator.privateChat(user) });
  }
  return linked;
}

export interface MatrixLinkedPerson {
  contactId: string;
  user: TestMatrixUser;
}

/**
 * Members behind `uz-c<from>` … `uz-c<to - 1>`, each linked to a Matrix user of the test
 * homeserver (an encrypting matrix-js-sdk client that joins the rooms it is invited to). The
 * account's chat is the user: the bot's first push opens an encrypted DM with them.
 */
export async function linkOverdueMatrixContacts(
  application: Application,
  homeserver: TestHomeserver,
  from: number,
  to: number,
): Promise<MatrixLinkedPerson[]> {
  const linked: MatrixLinkedPerson[] = [];
  for (let index = from; index < to; index++) {
    const contactId = `uz-c${index}`;
    const member = await application.members.create(undefined, {
      name: `Counterpart ${index}`,
      country: 'UZ',
      role: 'member',
      contactId,
      locale: 'en',
    });
    const invite = await application.invites.create(undefined, member.id);
    const user = await startTestMatrixUser(homeserver, `c${index}`, { autoJoin: true });
    const outcome = await application.invites.redeem(invite.code, {
      platform: 'matrix',
      platformUserId: user.userId,
      chatId: user.userId,
    });
    if (outcome.status !== 'linked') throw new Error(`${contactId} not linked: ${outcome.status}`);
    linked.push({ contactId, user });
  }
  return linked;
}

/** The contact's verification row (next step, when, sequence number), as stored. */
export async function verificationRow(application: Application, contactId: string) {
  const [row] = await application.database.db
    .select()
    .from(contactVerifications)
    .where(eq(contactVerifications.contactId, contactId));
  return row;
}

/**
 * Fires the contact's verification timer now, as its due time would: the same key and payload
 * (the step's sequence number), due at once, through the durable-timer service.
 */
export async function fireVerificationTimerNow(application: Application, contactId: string) {
  const timer = await findTimer(application.database.db, `verify:${contactId}`);
  if (timer === undefined) throw new Error(`no verification timer for ${contactId}`);
  await application.timers.timers.schedule(
    timer.key,
    new Date(0),
    timer.payload as Parameters<typeof application.timers.timers.schedule>[2],
  );
}

/** Waits until the contact's step has moved on past `seq` (its timer's job ran and decided). */
export async function verificationSteppedPast(application: Application, contactId: string, seq: number) {
  await eventually(
    async () => (((await verificationRow(application, contactId))?.seq ?? 0) > seq ? true : undefined),
    `the verification step of ${contactId} to move past ${String(seq)}`,
    90_000,
  );
}

/** Makes the contact due now and working around the clock; the registry edit plans the prompt itself. */
export async function makeDueNow(application: Application, contactId: string) {
  // verifiedAt is no editable field (the API refuses it); in process the edit merges it as given.
  const changes: Record<string, unknown> = { workingHours: aroundTheClock, verifiedAt: '2025-01-01' };
  await application.registry.updateContact(undefined, contactId, changes);
}
