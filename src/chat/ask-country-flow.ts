// The network's secretariat is no country: an admin who belongs to none is asked, before the
// answer, which country they ask for. The answer then links that country with the target (legal
// bases, shared languages) and nothing is filed under a country the admin does not belong to.
import { defineFlow, type FlowDefinition, type StepOption } from './flow-types.ts';
import type { OutboundMessage } from './chat-types.ts';
import type { Principal } from '../access/index.ts';
import type { Locale } from '../i18n/index.ts';

/** The question, sealed (it may name a case), and the country chosen. */
export interface AskCountryData {
  question: string;
  askerCountry?: string;
}

export const askCountryFlowId = 'ask-country';

export interface AskCountryFlowDeps {
  /** The countries one may ask for, named in the reader's language. */
  countryChoices(locale: Locale): StepOption[];
  /** A typed answer as a country ("Kazakhstan", "Казахстан", "kz"), or undefined. */
  readCountry(text: string): string | undefined;
  /** The ask module's answer for that country. */
  answer(principal: Principal, text: string, locale: Locale, askerCountry: string): Promise<OutboundMessage>;
}

export function createAskCountryFlow(deps: AskCountryFlowDeps): FlowDefinition<AskCountryData> {
  return defineFlow<AskCountryData>({
    id: askCountryFlowId,
    actionPrefix: 'askfor',
    titleId: 'chat-ask-country-title',
    goneId: 'chat-ask-country-gone',
    cancelledId: 'chat-ask-country-cancelled',
    steps: [
      {
        id: 'country',
        kind: 'choice',
        action: 'c',
        when: (context) => context.data.askerCountry === undefined,
        prompt: (context) => context.t('chat-ask-country-prompt'),
        options: (context) => deps.countryChoices(context.locale),
        read: (text, context) => {
          const country = deps.readCountry(text);
          return country !== undefined &&
            deps.countryChoices(context.locale).some((option) => option.value === country)
            ? country
            : undefined;
        },
        accept: (askerCountry, context) => ({ next: { ...context.data, askerCountry } }),
      },
    ],
    async finish(context) {
      const text = context.open(context.data.question);
      const country = context.data.askerCountry;
      if (text === undefined || country === undefined)
        return {
          text: context.t('chat-ask-country-gone', { prefix: context.prefix }),
          locale: context.locale,
        };
      return deps.answer(context.principal, text, context.locale, country);
    },
  });
}
