// Looking for a leak the way a reader would find one: not the whole secret as one exact string (a
// truncated preview or a reworded notice would slip past that), but each distinctive word of it,
// in everything the fake servers saw.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TelegramEmulator } from './telegram-emulator.ts';
import type { TestHomeserver } from './matrix-homeserver/index.ts';

// Words too common to say anything on their own; a test's secret should not rely on them.
const commonWords = new Set([
  'the',
  'and',
  'for',
  'you',
  'your',
  'his',
  'her',
  'him',
  'she',
  'what',
  'can',
  'are',
  'was',
  'this',
  'that',
  'with',
  'from',
  'have',
  'has',
  'not',
  'who',
  'how',
  'please',
  'send',
  'need',
  'our',
  'will',
  'which',
  'при',
  'для',
  'что',
  'это',
  'как',
  // Parts of every demo address and handle, not of any one person.
  'demo',
  'example',
  'org',
  'com',
  '000',
]);

/**
 * The distinctive words of a secret: every run of letters or digits of three characters or more
 * (names, numbers, codes), lowercased, except a few common words. "4000-1234" gives "4000" and "1234".
 */
export function distinctiveWords(secret: string): string[] {
  const words = secret.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [];
  return [...new Set(words.filter((word) => !commonWords.has(word)))];
}

/**
 * A machine-made random string: an event or transaction id, a key, a ciphertext (base64 or base64url,
 * 16 characters or more, mixing capitals, small letters and digits). Lowercased, such strings hold
 * some three-letter word between two separators now and then ("…-gPo_…" in an event id), which is
 * noise, not a leak; a person's name, handle, address or number is not written that way.
 */
const randomToken = /[A-Za-z0-9+/=_-]{16,}/g;
const looksRandom = (token: string): boolean =>
  /[A-Z]/.test(token) && /[a-z]/.test(token) && /\d/.test(token);

/**
 * The distinctive words of `secrets` that occur, as whole words, in any of `texts` (case-insensitive),
 * machine-made random strings left out.
 */
export function leakedWords(secrets: readonly string[], texts: readonly string[]): string[] {
  const haystack = texts
    .join('\n')
    .replace(randomToken, (token) => (looksRandom(token) ? ' ' : token))
    .toLowerCase();
  return secrets
    .flatMap(distinctiveWords)
    .filter((word) => new RegExp(`(?<![\\p{L}\\p{N}])${escape(word)}(?![\\p{L}\\p{N}])`, 'u').test(haystack));
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every parameter of every Bot API call the bot made (messages, edits, captions, callback answers, commands). */
export function everythingTelegramSaw(emulator: TelegramEmulator): string[] {
  return emulator.apiCalls().map((call) => `${call.method} ${JSON.stringify(call.params)}`);
}

/**
 * Every request body the homeserver received, from anyone (room messages, state events, room
 * creation with its name and topic, to-device messages, account data, profiles), and every event
 * it stores, in the form a client sees it.
 */
export function everythingMatrixSaw(homeserver: TestHomeserver): string[] {
  return [
    ...homeserver.requests.map((request) => `${request.method} ${request.path} ${request.body ?? ''}`),
    ...homeserver
      .roomIds()
      .flatMap((roomId) => homeserver.roomEvents(roomId).map((event) => JSON.stringify(event))),
  ];
}

interface RegistryContact {
  id: string;
  country: string;
  name: Record<string, string>;
  title?: string;
  channels?: Record<string, string>;
}

/**
 * What the demo registry says about a country's contacts (names in every script, titles, messenger
 * handles, e-mail addresses, phone numbers): a refusal to a stranger must contain none of it.
 */
export function registryDetailsOf(country: string): string[] {
  const file = join(import.meta.dirname, '..', '..', 'config', 'demo-registry.json');
  const registry = JSON.parse(readFileSync(file, 'utf8')) as { contacts: RegistryContact[] };
  return registry.contacts
    .filter((contact) => contact.country === country)
    .flatMap((contact) => [...Object.values(contact.name), ...Object.values(contact.channels ?? {})]);
}
