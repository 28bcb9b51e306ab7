import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { docxMediaType } from './draft-docx.ts';
import type { DraftsService } from './drafts-service.ts';
import { multilineText } from '../text/index.ts';
import { requireRole, errorResponses } from '../http/index.ts';

/** The longest text accepted for one element: a long statement of facts fits, a whole file does not. */
export const draftAnswerMaxLength = 20_000;

const DraftBody = Type.Object(
  {
    country: Type.String({
      pattern: '^[A-Za-z]{2}$',
      description: 'The requested country (ISO 3166-1 alpha-2).',
    }),
    competence: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'e.g. mla, extradition.' }),
    answers: Type.Record(
      Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
      Type.String({ ...multilineText, maxLength: draftAnswerMaxLength }),
      {
        maxProperties: 40,
        description:
          "The user's text per element id of the country's requirement sheet (see GET /v1/requirements).",
      },
    ),
    askerCountry: Type.Optional(
      Type.String({ pattern: '^[A-Z]{2}$', description: 'Admins only: draft on behalf of this country.' }),
    ),
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Your reference.' })),
    locale: Type.Optional(
      Type.Union([Type.Literal('en'), Type.Literal('ru')], { description: 'Checklist language.' }),
    ),
  },
  { additionalProperties: false },
);

const DraftAnswer = Type.Object({
  checklist: Type.Array(
    Type.Object({
      element: Type.String(),
      label: Type.String(),
      hint: Type.Union([Type.String(), Type.Null()]),
      required: Type.Boolean(),
      done: Type.Boolean(),
    }),
  ),
  missing: Type.Array(Type.String(), { description: 'Required elements with no text yet.' }),
  locale: Type.String({ description: 'The language of the skeleton.' }),
  text: Type.String({ description: 'The request skeleton as plain text.' }),
});

/** Guided drafts: a checklist and a request skeleton, never stored. */
export function draftsRoutes({ drafts }: { drafts: DraftsService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/drafts',
      {
        schema: {
          tags: ['practical tools'],
          summary: 'A request skeleton and checklist from the requested country’s requirement sheet',
          description: `JSON by default; with \`Accept: ${docxMediaType}\` the skeleton as a Word document. Nothing is stored; the audit log records that a draft was made, for which country and competence.`,
          body: DraftBody,
          response: { 200: DraftAnswer, ...errorResponses(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const principal = requireRole(request, 'member');
        // Case material: no cache may keep it.
        void reply.header('cache-control', 'no-store');
        if ((request.headers.accept ?? '').includes(docxMediaType)) {
          const { file } = await drafts.docx(principal, request.body);
          const name = `request-${request.body.country.toUpperCase()}-${request.body.competence}.docx`;
          return reply
            .type(docxMediaType)
            .header('content-disposition', `attachment; filename="${name}"`)
            .send(file as never);
        }
        const draft = drafts.json(principal, request.body);
        return {
          checklist: draft.checklist,
          missing: draft.missing,
          locale: draft.document.locale,
          text: draft.text,
        };
      },
    );
  };
}
