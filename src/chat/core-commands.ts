// The engine's own commands: linking, help, language, whoami, unlink. Other modules register
// theirs on the same table (engine.registerCommand).
import { countryName } from '../registry/index.ts';
import type { InboundMessage, OutboundMessage } from './chat-types.ts';
import { messengerName } from './messenger-names.ts';
import type {
  AnyoneCommandContext,
  ChatCommand,
  ChatReply,
  CommandTable,
  MemberCommandContext,
} from './command-table.ts';
import type { Principal } from '../access/index.ts';
import { isLocale, supportedLocales, type Locale, type Translator } from '../i18n/index.ts';
import type { IdentityService, InviteService, RedeemOutcome } from '../members/index.ts';

export interface CoreCommandDeps {
  table: CommandTable;
  translator: Translator;
  invites: Pick<InviteService, 'redeem'>;
  identities: Pick<IdentityService, 'listForMember' | 'unlinkAccount' | 'setLocale'>;
}

/** The polite refusal for an account nobody linked, saying how to link (the messenger's own link command). */
export function refusalFor(translator: Translator, locale: Locale, linkCommand: string): OutboundMessage {
  return {
    text: translator.t(locale, 'chat-refusal-unknown', { link: linkCommand }),
    locale,
  };
}

const codeArgument = { name: 'code', labelId: 'chat-argument-code', required: true } as const;

export function createCoreCommands({
  table,
  translator,
  invites,
  identities,
}: CoreCommandDeps): ChatCommand[] {
  const say = (locale: Locale, id: string, args?: Record<string, string>): OutboundMessage => ({
    text: translator.t(locale, id, args),
    locale,
  });

  async function link(context: AnyoneCommandContext): Promise<ChatReply> {
    const { inbound, locale, prefix } = context;
    const linkCommand = context.capabilities.linkCommand;
    // A code posted in a group is seen by everyone there; refuse it so nobody else can use it.
    if (inbound.chatType === 'group')
      return say(
        locale,
        context.args.length > 0 ? 'chat-link-private-only' : 'chat-group-command-private-only',
      );
    const code = context.argumentText;
    if (code === '') {
      if (context.principal !== undefined)
        return say(locale, 'chat-start-member', { name: context.principal.name, prefix });
      return context.invokedAs === 'start' || context.invokedAs === 'старт'
        ? refusalFor(translator, locale, linkCommand)
        : say(locale, 'chat-link-missing-code', { link: linkCommand });
    }
    const outcome: RedeemOutcome = await invites.redeem(code, {
      platform: inbound.platform,
      platformUserId: inbound.platformUserId,
      chatId: inbound.chatId,
    });
    switch (outcome.status) {
      case 'linked': {
        // Greet in the member's own language when the coordinator set one.
        const memberLocale = isLocale(outcome.member.locale) ? outcome.member.locale : locale;
        return say(memberLocale, 'chat-link-done', { name: outcome.member.name, prefix });
      }
      case 'already-linked':
        return say(locale, 'chat-link-already', { name: outcome.member.name });
      case 'account-taken':
        return say(locale, 'chat-link-account-taken', { prefix });
      case 'throttled':
        return say(locale, 'chat-link-throttled');
      case 'refused':
        return say(locale, 'chat-link-refused');
    }
  }

  const languageButtons = (locale: Locale): OutboundMessage => ({
    text: translator.t(locale, 'chat-language-choose'),
    buttons: supportedLocales.map((choice) => ({
      label: translator.t(choice, `chat-language-name-${choice}`),
      action: `chat:lang:${choice}`,
    })),
    locale,
  });

  async function setLanguage(principal: Principal, choice: Locale): Promise<OutboundMessage> {
    await identities.setLocale(principal.memberId, choice);
    return say(choice, 'chat-language-set');
  }

  async function whoami(context: MemberCommandContext): Promise<OutboundMessage> {
    const { principal, locale } = context;
    const accounts = await identities.listForMember(principal, principal.memberId);
    const platforms = [...new Set(accounts.map((account) => account.platform))];
    const lines = [
      translator.t(locale, 'chat-whoami', {
        name: principal.name,
        role: translator.t(locale, `chat-role-${principal.role}`),
        country:
          principal.country === null
            ? translator.t(locale, 'no-country-secretariat')
            : `${countryName(principal.country)[locale] ?? principal.country} (${principal.country})`,
        accounts: platforms.map((platform) => messengerName(translator, locale, platform)).join(', ') || '—',
        language: isLocale(principal.locale)
          ? translator.t(locale, `chat-language-name-${principal.locale}`)
          : translator.t(locale, 'chat-language-auto'),
      }),
    ];
    if (principal.contactId !== null)
      lines.push(translator.t(locale, 'chat-whoami-contact', { contactId: principal.contactId }));
    return { text: lines.join('\n'), locale };
  }

  const unlinkQuestion = (locale: Locale): OutboundMessage => ({
    text: translator.t(locale, 'chat-unlink-confirm'),
    buttons: [
      { label: translator.t(locale, 'chat-unlink-yes'), action: 'chat:unlink:yes' },
      { label: translator.t(locale, 'chat-unlink-no'), action: 'chat:unlink:no' },
    ],
    locale,
  });

  return [
    {
      id: 'start',
      names: { en: ['start'], ru: ['старт'] },
      arguments: [{ ...codeArgument, required: false }],
      role: 'anyone',
      helpId: 'chat-command-start',
      inGroups: true,
      // Messengers with deep links show /start themselves; help lists `link`, which does the same.
      listed: false,
      run: link,
    },
    {
      id: 'link',
      names: { en: ['link'], ru: ['привязать'] },
      arguments: [codeArgument],
      role: 'anyone',
      helpId: 'chat-command-link',
      inGroups: true,
      run: link,
    },
    {
      id: 'help',
      names: { en: ['help'], ru: ['помощь', 'справка'] },
      role: 'anyone',
      helpId: 'chat-command-help',
      inGroups: true,
      run: ({ locale, principal, prefix }) => ({
        text: table.help({ translator, locale, principal, prefix }),
        locale,
      }),
    },
    {
      id: 'language',
      names: { en: ['language', 'lang'], ru: ['язык'] },
      arguments: [{ name: 'language', labelId: 'chat-argument-language', required: false }],
      role: 'member',
      helpId: 'chat-command-language',
      run: async ({ principal, locale, args, prefix }) => {
        const wanted = args[0]?.toLowerCase();
        if (wanted === undefined) return languageButtons(locale);
        const choice = (
          { en: 'en', english: 'en', ru: 'ru', russian: 'ru', русский: 'ru', английский: 'en' } as Record<
            string,
            Locale | undefined
          >
        )[wanted];
        if (choice === undefined) return say(locale, 'chat-language-unknown', { prefix });
        return setLanguage(principal, choice);
      },
    },
    {
      id: 'whoami',
      names: { en: ['whoami', 'me'], ru: ['ктоя'] },
      role: 'member',
      helpId: 'chat-command-whoami',
      run: whoami,
    },
    {
      id: 'unlink',
      names: { en: ['unlink'], ru: ['отвязать'] },
      role: 'member',
      helpId: 'chat-command-unlink',
      run: ({ locale }) => unlinkQuestion(locale),
    },
  ];
}

/** Buttons of the engine's own messages: `chat:lang:<locale>`, `chat:unlink:yes|no`. */
export function createCoreActionHandler({
  translator,
  identities,
}: Pick<CoreCommandDeps, 'translator' | 'identities'>) {
  return async (context: {
    inbound: InboundMessage;
    principal: Principal;
    locale: Locale;
    action: string;
  }): Promise<ChatReply> => {
    const [, verb, argument] = context.action.split(':');
    const { locale } = context;
    if (verb === 'lang' && isLocale(argument)) {
      await identities.setLocale(context.principal.memberId, argument);
      return { text: translator.t(argument, 'chat-language-set'), locale: argument };
    }
    if (verb === 'unlink' && argument === 'yes') {
      await identities.unlinkAccount({
        platform: context.inbound.platform,
        platformUserId: context.inbound.platformUserId,
      });
      return { text: translator.t(locale, 'chat-unlink-done'), locale };
    }
    if (verb === 'unlink' && argument === 'no')
      return { text: translator.t(locale, 'chat-unlink-kept'), locale };
    return undefined;
  };
}
