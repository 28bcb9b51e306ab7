// The stewardship console's HTTP side: pages rendered on the server in the reader's language, the
// actions they post (htmx, with the session's CSRF header), and the console's own static files.
// Every page needs a console session; the role decides what a page shows, and every action goes
// through the same services (and authorization) as the REST API.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createPageContexts, formatting, LoginRequired, type PageContext } from './console-context.ts';
import { renderLayout, type LayoutInput } from './console-layout.ts';
import { html, type SafeHtml } from './html.ts';
import { AppError } from '../errors/index.ts';
import type { Role } from '../access/index.ts';
import {
  type App,
  cookieIsSecure,
  type SessionCookieOptions,
  localeCookieName,
  pageLocale,
} from '../http/index.ts';
import { isLocale, type Locale, type Translator } from '../i18n/index.ts';

const publicFolder = join(import.meta.dirname, 'public');
const require = createRequire(import.meta.url);

/** The console's files, each served as is or gzipped (read and compressed once, at start). */
function loadAssets(): Map<string, { body: Buffer; gzip: Buffer; type: string; etag: string }> {
  const sources: [string, string, string][] = [
    ['stewardship.js', join(publicFolder, 'stewardship.js'), 'text/javascript; charset=utf-8'],
    ['stewardship.css', join(publicFolder, 'stewardship.css'), 'text/css; charset=utf-8'],
    ['htmx.min.js', require.resolve('htmx.org/dist/htmx.min.js'), 'text/javascript; charset=utf-8'],
  ];
  return new Map(
    sources.map(([name, path, type]) => {
      const body = readFileSync(path);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      return [name, { body, gzip: gzipSync(body, { level: 9 }), type, etag }];
    }),
  );
}

export interface ConsoleShared {
  translator: Translator;
  /** The reader of a page who holds at least `minimum`; throws LoginRequired or a 403. */
  pageContext: (request: FastifyRequest, minimum: Role) => PageContext;
  /** Sends a whole page. */
  sendPage: (reply: FastifyReply, context: PageContext, input: LayoutInput, status?: number) => FastifyReply;
  /** Sends a fragment for htmx to swap in. */
  sendFragment: (reply: FastifyReply, fragment: SafeHtml, status?: number) => FastifyReply;
}

export interface ConsolePluginOptions {
  config: { http: SessionCookieOptions; defaultLocale: Locale };
  translator: Translator;
  /** Groups of pages, each registering its routes. */
  pages: readonly ((app: App, shared: ConsoleShared) => void)[];
}

const isHtmx = (request: FastifyRequest) => request.headers['hx-request'] === 'true';

export function consolePlugin(options: ConsolePluginOptions): FastifyPluginAsync {
  const { translator, config } = options;
  const assets = loadAssets();
  const pageContext = createPageContexts({ translator, defaultLocale: config.defaultLocale });

  const sendPage: ConsoleShared['sendPage'] = (reply, context, input, status = 200) =>
    reply
      .code(status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(renderLayout(context, input));
  const sendFragment: ConsoleShared['sendFragment'] = (reply, fragment, status = 200) =>
    reply
      .code(status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(fragment.value);

  return async (instance) => {
    const app = instance as unknown as App;
    await app.register(fastifyFormbody, { bodyLimit: 256 * 1024 });

    // A language picked with ?lang= is remembered, as on the chat page.
    app.addHook('onRequest', async (request, reply) => {
      const lang = (request.query as { lang?: unknown } | undefined)?.lang;
      if (isLocale(lang) && request.method === 'GET') {
        void reply.setCookie(localeCookieName, lang, {
          path: '/',
          sameSite: 'lax',
          httpOnly: true,
          secure: cookieIsSecure(request, config.http),
          maxAge: 365 * 24 * 3600,
        });
      }
    });

    // Errors become pages (or, for an action, a message in the page's live region), in the
    // reader's language; the REST API keeps its JSON errors.
    app.setErrorHandler((error, request, reply) => {
      if (error instanceof LoginRequired) {
        const target = `/login?next=${encodeURIComponent(error.next)}`;
        if (isHtmx(request)) return reply.code(401).header('hx-redirect', target).send('');
        return reply.code(303).header('location', target).send('');
      }
      const appError = error instanceof AppError ? error : undefined;
      const status = appError?.status ?? (error as { statusCode?: number }).statusCode ?? 500;
      if (status >= 500) request.log.error({ err: error }, 'console page failed');
      const code =
        appError?.code ?? (status === 404 ? 'not_found' : status >= 500 ? 'internal' : 'bad_request');
      const locale = pageLocale(request, config.defaultLocale);
      const message =
        translator.t(locale, `console-error-${code}`) === `console-error-${code}`
          ? translator.t(locale, 'console-error-internal')
          : translator.t(locale, `console-error-${code}`);
      if (isHtmx(request)) {
        return reply
          .code(status)
          .header('hx-retarget', '#flash')
          .header('hx-reswap', 'innerHTML')
          .type('text/html; charset=utf-8')
          .send(html`<p class="flash-error" tabindex="-1" data-focus>${message}</p>`.value);
      }
      const principal = request.principal;
      if (principal?.sessionId === undefined) {
        return reply.code(status).type('text/plain; charset=utf-8').send(message);
      }
      const context = formatting(principal, locale, request.url, translator);
      return sendPage(
        reply,
        context,
        {
          section: 'none',
          title: translator.t(locale, status === 404 ? 'console-title-not-found' : 'console-title-refused'),
          body: html`<p class="notice notice-error" role="alert">${message}</p>
            <p><a href="/console/registry">${translator.t(locale, 'console-back-to-registry')}</a></p>`,
        },
        status,
      );
    });

    app.get('/console/static/:file', { schema: { hide: true } }, async (request, reply) => {
      const asset = assets.get((request.params as { file: string }).file);
      if (asset === undefined) throw new AppError('not_found', 'no such file');
      void reply
        .header('etag', asset.etag)
        .header('cache-control', 'no-cache')
        .header('vary', 'accept-encoding')
        .type(asset.type);
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? ''))
        return reply.header('content-encoding', 'gzip').send(asset.gzip);
      return reply.send(asset.body);
    });

    const shared: ConsoleShared = { translator, pageContext, sendPage, sendFragment };
    for (const registerPages of options.pages) registerPages(app, shared);
  };
}

/** Total compressed size of the console's scripts (the budget the README states). */
export function consoleScriptBytes(): { raw: number; gzip: number } {
  const assets = loadAssets();
  let raw = 0;
  let gzip = 0;
  for (const [name, asset] of assets) {
    if (!name.endsWith('.js')) continue;
    raw += asset.body.length;
    gzip += asset.gzip.length;
  }
  return { raw, gzip };
}
