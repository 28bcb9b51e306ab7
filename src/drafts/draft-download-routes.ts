// The web console's side of a one-time draft link: opening the link shows a page with a Download
// button, and only pressing it hands out the file and uses the link up. Link previews and other
// prefetchers (a messenger fetching the address to show a card) open the page, never the file.
import fastifyFormbody from '@fastify/formbody';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { docxMediaType } from './draft-docx.ts';
import type { DraftDownloads } from './draft-downloads.ts';
import type { DraftsService } from './drafts-service.ts';
import { escapeHtml } from '../console/index.ts';
import type { Config } from '../config/index.ts';
import { pageLocale } from '../http/index.ts';
import type { Locale, Translator } from '../i18n/index.ts';

export const draftDownloadPath = '/console/drafts';

const Params = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }) });

/** The link a member is given for a held draft. */
export const draftDownloadUrl = (consoleUrl: string, token: string): string =>
  `${consoleUrl}${draftDownloadPath}/${token}`;

function page(locale: Locale, title: string, body: string): string {
  return `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/console/assets/console.css"></head>
<body><main class="draft-download"><h1>${escapeHtml(title)}</h1>${body}</main></body>
</html>`;
}

export function draftDownloadRoutes(deps: {
  config: Pick<Config, 'defaultLocale'>;
  translator: Translator;
  downloads: DraftDownloads;
  drafts: Pick<DraftsService, 'docx'>;
}): FastifyPluginAsyncTypebox {
  const { translator, downloads, drafts } = deps;
  return async (app) => {
    await app.register(fastifyFormbody, { bodyLimit: 1024 });
    const gone = (locale: Locale) =>
      page(
        locale,
        translator.t(locale, 'draft-download-gone-title'),
        `<p>${escapeHtml(translator.t(locale, 'draft-download-gone'))}</p>`,
      );

    const handOut = async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
      const locale = pageLocale(request, deps.config.defaultLocale);
      void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      const held = downloads.take(request.params.token);
      if (held === undefined) return reply.code(404).type('text/html; charset=utf-8').send(gone(locale));
      const { file } = await drafts.docx(held.principal, held.request);
      const name = `request-${held.request.country.toUpperCase()}-${held.request.competence}.docx`;
      return reply
        .type(docxMediaType)
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(file);
    };

    // The page's button submits `?download=1` (a form cannot carry the console's CSRF header, and
    // the token is the credential); previews fetch the bare address and get the page.
    app.get(
      `${draftDownloadPath}/:token`,
      {
        schema: {
          hide: true,
          params: Params,
          querystring: Type.Object({ download: Type.Optional(Type.Literal('1')) }),
        },
      },
      async (request, reply) => {
        if (request.query.download === '1') return handOut(request, reply);
        const locale = pageLocale(request, deps.config.defaultLocale);
        void reply
          .header('cache-control', 'no-store')
          // The token is in this page's address: it must not travel on to other sites.
          .header('referrer-policy', 'no-referrer')
          .type('text/html; charset=utf-8');
        if (!downloads.has(request.params.token)) return reply.code(404).send(gone(locale));
        return reply.send(
          page(
            locale,
            translator.t(locale, 'draft-download-title'),
            `<p>${escapeHtml(translator.t(locale, 'draft-download-once'))}</p>
<form method="get"><input type="hidden" name="download" value="1"><button type="submit">${escapeHtml(translator.t(locale, 'draft-download-button'))}</button></form>`,
          ),
        );
      },
    );

    app.post(`${draftDownloadPath}/:token`, { schema: { hide: true, params: Params } }, handOut);
  };
}
