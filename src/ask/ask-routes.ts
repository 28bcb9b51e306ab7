import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AskService } from './ask-service.ts';
import { multilineText } from '../text/index.ts';
import {
  createSerializedBodies,
  requireRole,
  sendJsonBytes,
  serializeAs200,
  ErrorBody,
} from '../http/index.ts';

/** Longest question accepted; only the first 500 characters are read (question-text.ts). */
export const askTextMaxLength = 10_000;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const AskBody = Type.Object(
  {
    text: Type.String({
      ...multilineText,
      maxLength: askTextMaxLength,
      description: 'The question as typed, in English or Russian.',
    }),
    locale: Type.Optional(
      Type.Union([Type.Literal('en'), Type.Literal('ru')], {
        description: 'Answer language; default: the question’s.',
      }),
    ),
    askerCountry: Type.Optional(
      Type.String({
        pattern: '^[A-Z]{2}$',
        description:
          'Ask on behalf of this country (ISO 3166-1 alpha-2); admins only. Members always ask as their own country.',
      }),
    ),
  },
  { additionalProperties: false },
);

const Interpretation = Type.Object({
  intent: Type.Union([Type.Literal('find_contact'), Type.Literal('other')]),
  countries: Type.Array(Type.String()),
  competence: Nullable(Type.String()),
  asks: Type.Union([Type.Literal('contacts'), Type.Literal('requirements'), Type.Literal('tips')], {
    description:
      'What the question wants: contacts (who handles it), requirements (what a request must meet: "what do I need to send an MLA request to Uzbekistan"), or tips (the network’s practical advice: "tips on electronic evidence").',
  }),
});

const RankedContact = Type.Object({
  id: Type.String(),
  name: Type.String(),
  title: Type.String(),
  authority: Type.Object({ id: Type.String(), name: Type.String() }),
  competences: Type.Array(Type.String()),
  languages: Type.Array(Type.String()),
  sharedLanguages: Type.Array(Type.String()),
  channels: Type.Record(Type.String(), Type.String()),
  available: Type.Boolean(),
  outOfOffice: Nullable(
    Type.Object({ start: Type.String(), end: Type.String(), note: Nullable(Type.String()) }),
  ),
  deputy: Nullable(Type.Object({ id: Type.String(), name: Type.String(), available: Type.Boolean() })),
  timezone: Type.String(),
  localTime: Type.String(),
  withinWorkingHours: Type.Boolean(),
  verifiedAt: Type.String(),
  possiblyStale: Type.Boolean(),
});

const CentralAuthority = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  stages: Type.Array(Type.String()),
  requestLanguages: Type.Array(Type.String()),
  acceptedChannels: Type.Array(Type.String()),
  urgentProcedure: Nullable(Type.String()),
});

const CountryResult = Type.Object({
  country: Type.String(),
  countryName: Type.String(),
  inRegistry: Type.Boolean(),
  competence: Nullable(Type.String()),
  contacts: Type.Array(RankedContact),
  centralAuthorities: Type.Array(CentralAuthority),
  legalBases: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
});

const AskResponse = Type.Object({
  interpretation: Interpretation,
  locale: Type.Union([Type.Literal('en'), Type.Literal('ru')]),
  results: Type.Array(CountryResult),
  reply: Type.Object({
    text: Type.String(),
    buttons: Type.Array(Type.Object({ label: Type.String(), action: Type.String() })),
  }),
});

/** `POST /v1/ask`: the question as typed, answered like the bots answer it. */
export function askRoutes({ ask }: { ask: AskService }): FastifyPluginAsyncTypebox {
  // A remembered contacts answer (the service keeps one per question reading for the rest of the
  // minute) is the same `results` array each time: its body is serialized once.
  const bodies = createSerializedBodies<object>();
  return async (app) => {
    app.post(
      '/v1/ask',
      {
        schema: {
          tags: ['ask'],
          summary: 'Who handles what, where: interpret a question and list the right contacts',
          description:
            'A member asks as their own country (legal bases link it with the target). `askerCountry` lets an admin ask on behalf of one; for anyone else a different country is refused with 403.',
          body: AskBody,
          response: { 200: AskResponse, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (request, reply) => {
        const principal = requireRole(request, 'member');
        const { text, locale, askerCountry } = request.body;
        const answer = await ask.ask({ principal, text, locale, askerCountry });
        // The reading and the language are the key; the reply's text and buttons, remembered with
        // the results, are compared (the same strings and array: cheap), so a body is never sent
        // for another reply. A fresh answer has a new results array and is serialized anew.
        const { interpretation, reply: message } = answer;
        const body = bodies.body(
          answer.results,
          `${answer.locale}|${interpretation.intent}|${interpretation.countries.join(',')}|${interpretation.competence ?? ''}|${interpretation.asks}`,
          () => serializeAs200(reply, answer),
          [message.text, message.buttons.length === 0 ? 0 : message.buttons],
        );
        sendJsonBytes(reply, body);
        return undefined;
      },
    );
  };
}
