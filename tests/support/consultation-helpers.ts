// Helpers for consultation stories: members linked to Telegram through invites, waiting for what
// the bot shows them, and the consultation API as a member or coordinator calls it.
import { hangDeadlineMs } from './hang-deadline.ts';
import type { Chat, Message, User } from 'grammy/types';
import { createInvite, createMember, createToken, type CreatedMember } from './chat-fixtures.ts';
import type { TelegramEmulator } from './telegram-emulator.ts';
import type { TestApp } from './test-app.ts';

export interface TelegramPerson {
  member: CreatedMember;
  token: string;
  user: User;
  chat: Chat.PrivateChat;
}

/** A member (optionally the person behind a registry contact) with Telegram linked via an invite. */
export async function telegramPerson(
  testApp: TestApp,
  emulator: TelegramEmulator,
  input: {
    name: string;
    /** null: an admin of no country (the network's secretariat). */
    country: string | null;
    contactId?: string;
    role?: 'member' | 'coordinator' | 'admin';
    locale?: 'en' | 'ru';
  },
): Promise<TelegramPerson> {
  const member = await createMember(testApp, { locale: 'en', ...input });
  const invite = await createInvite(testApp, member.id);
  const user = emulator.createUser({
    firstName: input.name.split(' ')[0] ?? input.name,
    languageCode: input.locale ?? 'en',
  });
  const chat = emulator.privateChat(user);
  emulator.sendUserMessage(user, chat, `/start ${invite.code}`);
  await emulator.waitForMessages(chat, 1);
  return { member, token: await createToken(testApp, member.id), user, chat };
}

/** What the bot has sent to a chat so far, oldest first. */
export const textsIn = (emulator: TelegramEmulator, chat: Chat): string[] =>
  emulator.sentMessages(chat).map((message) => message.text ?? '');

/** Waits until the bot sent a message containing `needle` to the chat (at least `count` such). */
export async function waitForMessage(
  emulator: TelegramEmulator,
  chat: Chat,
  needle: string | RegExp,
  options: { count?: number; timeoutMs?: number } = {},
): Promise<Message> {
  const count = options.count ?? 1;
  const deadline = Date.now() + (options.timeoutMs ?? hangDeadlineMs);
  const matches = (message: Message) =>
    typeof needle === 'string' ? (message.text ?? '').includes(needle) : needle.test(message.text ?? '');
  for (;;) {
    const found = emulator.sentMessages(chat).filter(matches);
    const last = found[count - 1];
    if (last !== undefined) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `no message matching ${String(needle)} (x${count}) in chat ${chat.id}; it has:\n${textsIn(emulator, chat).join('\n---\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Presses the button whose action starts with `prefix` on a message. */
export function press(emulator: TelegramEmulator, person: TelegramPerson, message: Message, prefix: string) {
  const button = emulator
    .buttons(message)
    .find((candidate) => 'callback_data' in candidate && candidate.callback_data.startsWith(prefix));
  if (button === undefined || !('callback_data' in button)) {
    throw new Error(
      `no button ${prefix} on "${message.text ?? ''}"; buttons: ${JSON.stringify(emulator.buttons(message))}`,
    );
  }
  return emulator.pressButton(person.user, message, button.callback_data);
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the body it expects
export async function api<T = Record<string, unknown>>(
  testApp: TestApp,
  token: string,
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  payload?: Record<string, unknown>,
): Promise<{ status: number; body: T }> {
  const response = await testApp.application.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: response.statusCode, body: response.json<T>() };
}

export interface ConsultationDetailBody {
  id: string;
  ref: string;
  status: string;
  sensitive: boolean;
  counterpart: { memberId: string; contactId: string | null } | null;
  messages: { fromAsker: number; fromCounterpart: number };
  routes: {
    seq: number;
    kind: string;
    reason: string;
    contactId: string | null;
    standingInFor: string | null;
    outcome: string;
    memberIds: string[];
  }[];
  messageLog: { seq: number; from: string; platform: string; length: number; relayed: boolean }[];
  firstAnswerAt: string | null;
}

/** Waits until the consultation (seen by the admin) satisfies `predicate`. */
export async function waitForConsultation(
  testApp: TestApp,
  ref: string,
  predicate: (detail: ConsultationDetailBody) => boolean,
  timeoutMs = hangDeadlineMs,
): Promise<ConsultationDetailBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await api<ConsultationDetailBody>(
      testApp,
      testApp.adminToken,
      'GET',
      `/v1/consultations/${ref}`,
    );
    if (status === 200 && predicate(body)) return body;
    if (Date.now() > deadline)
      throw new Error(`consultation ${ref} never got there: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Marks a contact out of office from yesterday to next week, so the story holds whatever today is. */
export async function sendOnLeave(testApp: TestApp, contactId: string): Promise<void> {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const response = await testApp.application.app.inject({
    method: 'PATCH',
    url: `/v1/contacts/${contactId}`,
    headers: { authorization: `Bearer ${testApp.adminToken}` },
    payload: { outOfOffice: { start: day(-1), end: day(7), note: 'Annual leave' } },
  });
  if (response.statusCode !== 200)
    throw new Error(`leave not recorded: ${response.statusCode} ${response.body}`);
}
