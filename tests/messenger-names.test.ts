// The core speaks of messengers without naming one: each adapter brings its name in English and
// Russian, and the texts about sensitive consultations name whichever messengers declare
// themselves end-to-end encrypted (one, several, or none), with their own command signs.
import { describe, expect, it } from 'vitest';
import { messengerAdapters } from '../bots/index.ts';
import { webLocalesFolder, webMessenger } from '../bots/web/index.ts';
import { encryptedMessengerArguments, messengerName, type Messenger } from '../src/chat/index.ts';
import { createTranslator, supportedLocales, type Locale } from '../src/i18n/index.ts';

const adapterFolders = [
  ...Object.values(messengerAdapters).flatMap((module) => module.localesFolder ?? []),
  webLocalesFolder,
];
const translator = createTranslator(adapterFolders);
const deployment: Messenger[] = [...Object.values(messengerAdapters).map((m) => m.messenger), webMessenger];
const matrix = deployment.find((messenger) => messenger.capabilities.endToEndEncrypted);
if (matrix === undefined) throw new Error('the registry has no end-to-end encrypted messenger');
// A second encrypted messenger whose client keeps "/" for commands, as a deployment could add.
const courier: Messenger = {
  ...matrix,
  platform: 'courier',
  capabilities: { ...matrix.capabilities, commandPrefix: '/' },
};

const say = (locale: Locale, id: string, messengers: readonly Messenger[]) =>
  translator.t(locale, id, {
    ...encryptedMessengerArguments(translator, locale, messengers, 'consult'),
    ref: 'C-7',
    name: 'Bakyt Demo-Toktogulov',
  });

describe('messenger names', () => {
  it('come from each adapter, in English and Russian, for every messenger the deployment knows', () => {
    for (const messenger of deployment) {
      for (const locale of supportedLocales) {
        expect(
          translator.has(locale, `messenger-name-${messenger.platform}`),
          `${messenger.platform} ${locale}`,
        ).toBe(true);
      }
    }
    expect(messengerName(translator, 'en', 'matrix')).toBe('Matrix');
    expect(messengerName(translator, 'ru', 'web')).toBe('веб-консоль');
    // Without the adapters' folders the core knows no messenger's name: it shows the platform id.
    expect(createTranslator().has('en', 'messenger-name-telegram')).toBe(false);
    expect(messengerName(createTranslator(), 'en', 'telegram')).toBe('telegram');
  });

  it('a sensitive consultation names the one encrypted messenger of the registry, with its command sign', () => {
    expect(say('en', 'consult-sensitive-needs-encrypted', deployment)).toBe(
      'Sensitive consultations take place in end-to-end encrypted Matrix chats only. Open your Matrix chat with me and send !consult there. Nothing was sent.',
    );
    expect(say('ru', 'consult-sensitive-yes', deployment)).toBe('Чувствительная (только Matrix)');
    expect(say('en', 'consult-sensitive-send-from-encrypted', deployment)).toBe(
      'Consultation C-7 is sensitive: send your messages from Matrix. This message was not relayed.',
    );
  });

  it('names every encrypted messenger, joined as alternatives in the reader’s language', () => {
    const both = [...deployment, courier];
    expect(say('en', 'consult-sensitive-needs-encrypted', both)).toContain(
      'Open your Matrix or courier chat with me and send !consult or /consult there.',
    );
    expect(say('ru', 'consult-relay-recipient-not-encrypted', both)).toBe(
      'У Bakyt Demo-Toktogulov нет подключённой учётной записи Matrix или courier, поэтому ваше сообщение в чувствительной консультации C-7 не передано; получателя попросили перейти в Matrix или courier.',
    );
  });

  it('says plainly that nothing here is encrypted when no messenger is', () => {
    const none = deployment.filter((messenger) => !messenger.capabilities.endToEndEncrypted);
    for (const locale of supportedLocales) {
      for (const id of [
        'consult-ask-sensitivity',
        'consult-sensitive-yes',
        'consult-sensitive-needs-encrypted',
        'consult-relay-withheld',
        'consult-sensitive-send-from-encrypted',
        'consult-relay-recipient-not-encrypted',
        'consult-reason-withheld',
      ]) {
        const text = say(locale, id, none);
        expect(text, `${locale} ${id}`).not.toMatch(/matrix|telegram|\{|\$/i);
      }
    }
    expect(say('en', 'consult-sensitive-needs-encrypted', none)).toBe(
      'Sensitive consultations take place in end-to-end encrypted chats only, and no messenger connected here is end-to-end encrypted. Nothing was sent.',
    );
  });
});
