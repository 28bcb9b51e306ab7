// Many counterparts, each the person behind a registry contact with their own Telegram chat, for
// tests and benchmarks that need hundreds of nudges going to different chats.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Application } from '../../src/application.ts';
import type { TelegramEmulator } from './telegram-emulator.ts';

interface ContactRecord {
  id: string;
  name: Record<string, string>;
  workingHours: { days: number[]; start: string; end: string };
  [key: string]: unknown;
}
interface RegistryFileShape {
  contacts: ContactRecord[];
  [key: string]: unknown;
}

export const aroundTheClock = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' };

/** The demo registry plus `count` Uzbek MLA contact points `uz-c<n>` working around the clock. */
export function registryWithCounterparts(count: number): RegistryFileShape {
  const registry = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', 'config', 'demo-registry.json'), 'utf8'),
  ) as RegistryFileShape;
  const template = registry.contacts.find((contact) => contact.id === 'uz-002');
  if (template === undefined) throw new Error('uz-002 missing from the demo registry');
  for (let index = 0; index < count; index++) {
    registry.contacts.push({
      ...template,
      id: `uz-c${index}`,
      name: { en: `Counterpart ${index} Demo`, ru: `Коллега ${index} Демо` },
      channels: { email: `c${index}@uz-gpo.example.org` },
      workingHours: aroundTheClock,
      deputy: null,
      outOfOffice: null,
    });
  }
  return registry;
}

export interface LinkedCounterpart {
  contactId: string;
  memberId: string;
  chatId: number;
}

/** Members behind contacts `uz-c<n>`, each linked (invite redeemed) to a fresh emulator user's private chat. */
export async function linkCounterparts(
  application: Application,
  emulator: TelegramEmulator,
  count: number,
): Promise<LinkedCounterpart[]> {
  const linked: LinkedCounterpart[] = [];
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
    // Linked below without a /start through the emulator: the story assumes they started the bot.
    const user = emulator.createUser({ firstName: `C${index}`, languageCode: 'en', hasStartedBot: true });
    const outcome = await application.invites.redeem(invite.code, {
      platform: 'telegram',
      platformUserId: String(user.id),
      chatId: String(user.id),
    });
    if (outcome.status !== 'linked') throw new Error(`counterpart ${index} not linked: ${outcome.status}`);
    linked.push({ contactId, memberId: member.id, chatId: user.id });
  }
  return linked;
}
