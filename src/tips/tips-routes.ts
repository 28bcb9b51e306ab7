import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TipsService } from './tips-service.ts';
import { errorResponses, requireRole } from '../http/index.ts';
import { isLocale } from '../i18n/index.ts';

const TipQuery = Type.Object(
  {
    topic: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_]{0,63}$',
        description: 'A competence id, e.g. digital_evidence.',
      }),
    ),
    locale: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('ru')])),
  },
  { additionalProperties: false },
);

const TipListing = Type.Object({
  id: Type.String(),
  topics: Type.Array(Type.String()),
  locale: Type.String({
    description: 'The language of title and body (English when not written in the one asked).',
  }),
  title: Type.String(),
  body: Type.String(),
  sources: Type.Array(Type.Object({ name: Type.String(), url: Type.Optional(Type.String()) })),
  verifiedAt: Type.String(),
});

/** The tips library: practical notes on the network's topics. */
export function tipsRoutes({ tips }: { tips: TipsService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/tips',
      {
        schema: {
          tags: ['practical tools'],
          summary: 'Practical tips on a topic (a competence id), in English or Russian',
          querystring: TipQuery,
          response: {
            200: Type.Object({ items: Type.Array(TipListing), total: Type.Integer() }),
            ...errorResponses(400, 401),
          },
        },
      },
      async (request) => {
        const principal = requireRole(request, 'member');
        const locale = request.query.locale ?? (isLocale(principal.locale) ? principal.locale : 'en');
        const items = tips.list({ topic: request.query.topic, locale });
        return { items, total: items.length };
      },
    );
  };
}
