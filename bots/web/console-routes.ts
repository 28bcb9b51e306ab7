// The web console's HTTP side: the page, its assets, login/logout, the conversation endpoint and
// the event stream. The console is an adapter like the Telegram bot: it translates HTTP to
// InboundMessage and back, and the conversation engine does the rest.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { InboundMessage, OutboundMessage } from '../../src/chat/chat-types.ts';
import { RichContentSchema } from '../../src/chat/rich-content.ts';
import {
  checkCsrf,
  clearSessionCookie,
  cookieIsSecure,
  setSessionCookie,
  type SessionCookieOptions,
} from '../../src/http/session-auth.ts';
import { isLocale, type Locale, type Translator } from '../../src/i18n/i18n.ts';
import { principalOf, type Member } from '../../src/members/members-service.ts';
import type { SessionService } from '../../src/members/session-service.ts';
import {
  countryName,
  createPageRenderer,
  localeCookieName,
  pageLocale,
  publicFolder,
} from './console-page.ts';
import { maxStreamsPerSession, openEventStream, type EventStreams } from './console-events.ts';
import { pushIdPattern, type WebPushHub } from './web-push-hub.ts';
import { ErrorBody } from '../../src/http/error-schemas.ts';
import { chatText } from '../../src/text/index.ts';
import { AppError } from '../../src/errors/index.ts';
import type { Principal } from '../../src/access/index.ts';

export interface WebConsoleDeps {
  /** PUBLIC_URL (Secure cookies, expected Origin) and the deployment's default language. */
  config: { http: SessionCookieOptions; defaultLocale: Locale };
  translator: Translator;
  sessions: SessionService;
  members: { authenticateToken(token: string): Promise<Principal | undefined> };
  /** Uses up a one-time invite code; counts wrong ones against `throttleAccount`. */
  invites: {
    consume(
      code: string,
      throttleAccount: string,
    ): Promise<{ status: 'ok'; member: Member } | { status: 'refused' } | { status: 'throttled' }>;
  };
  /** The same wrong-attempt counter the invites use, so wrong tokens and wrong codes add up per address. */
  throttle: { isBlocked(account: string): Promise<boolean>; recordFailure(account: string): Promise<number> };
  chat: { handle(inbound: InboundMessage): Promise<OutboundMessage[]> };
  pushes: WebPushHub;
  streams: EventStreams;
  /** Is the registry the demo data set? The page then says so. */
  isDemo: () => boolean | Promise<boolean>;
}

const LocaleSchema = Type.Union([Type.Literal('en'), Type.Literal('ru')]);
const MeBody = Type.Object({
  member: Type.Object({
    id: Type.String(),
    name: Type.String(),
    role: Type.String(),
    /** null: an admin of no country (the network secretariat). */
    country: Type.Union([Type.String(), Type.Null()]),
    countryName: Type.String(),
    locale: Type.Union([Type.String(), Type.Null()]),
  }),
  /** "Signed in as …", in the page language. */
  whoami: Type.String(),
  session: Type.Object({ id: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }),
  /** The newest stored push: a first event stream resumes after it, so nothing sent meanwhile is missed. */
  latestPush: Type.String({ pattern: pushIdPattern }),
});
const ButtonSchema = Type.Object({ label: Type.String(), action: Type.String() });
const MessageSchema = Type.Object({
  text: Type.String(),
  /** The same content as data (contact cards, links): the console draws it, `text` is its plain form. */
  rich: Type.Optional(RichContentSchema),
  buttons: Type.Optional(Type.Array(ButtonSchema)),
  locale: Type.Optional(LocaleSchema),
  expects: Type.Optional(
    Type.Object(
      {
        kind: Type.Union([
          Type.Literal('choice'),
          Type.Literal('text'),
          Type.Literal('date'),
          Type.Literal('confirmation'),
        ]),
        placeholder: Type.Optional(Type.String()),
      },
      { description: 'What the next message should be (a conversation flow is waiting): shown in the input' },
    ),
  ),
});
const LangQuery = Type.Object({ lang: Type.Optional(LocaleSchema) }, { additionalProperties: false });

const assets: Record<string, string> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
};

// Guessing is throttled per address by the invite counter; this also caps the request rate itself.
const loginRateLimit = {
  max: 20,
  timeWindow: '1 minute',
  keyGenerator: (request: FastifyRequest) => `console-login:${request.ip}`,
};

/** The caller's web session, or 401: the console endpoints are for cookie sessions only. */
function requireSession(request: FastifyRequest): Principal & { sessionId: string } {
  const principal = request.principal;
  if (principal?.sessionId === undefined)
    throw new AppError('unauthorized', 'log in to the web console first');
  return { ...principal, sessionId: principal.sessionId };
}

export function webConsoleRoutes(deps: WebConsoleDeps): FastifyPluginAsyncTypebox {
  const { config, translator, sessions } = deps;
  const cookieOptions = config.http;
  const renderPage = createPageRenderer(translator);
  const files = new Map(
    Object.entries(assets).map(([name, type]) => {
      const body = readFileSync(join(publicFolder, name));
      return [
        name,
        { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` },
      ];
    }),
  );

  const meView = async (
    request: FastifyRequest,
    principal: Principal,
    session: { id: string; expiresAt: Date },
  ) => {
    const locale = pageLocale(request, config.defaultLocale);
    // An admin of no country is the network's secretariat.
    const country =
      principal.country === null
        ? translator.t(locale, 'no-country-secretariat')
        : countryName(principal.country, locale);
    return {
      member: {
        id: principal.memberId,
        name: principal.name,
        role: principal.role,
        country: principal.country,
        countryName: country,
        locale: principal.locale,
      },
      whoami: translator.t(locale, 'web-signed-in-as', { name: principal.name, country }),
      session: { id: session.id, expiresAt: session.expiresAt.toISOString() },
      latestPush: await deps.pushes.latestId([principal.memberId, session.id]),
    };
  };

  return async (app) => {
    app.addHook('preClose', async () => {
      deps.streams.closeAll();
    });

    app.get(
      '/',
      {
        schema: {
          hide: true,
          querystring: Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) }),
          response: { 200: Type.String() },
        },
      },
      async (request, reply) => {
        const locale = pageLocale(request, config.defaultLocale);
        if (isLocale(request.query.lang)) {
          // Remembered so the next visit, and the login that follows, keep the chosen language.
          void reply.setCookie(localeCookieName, locale, {
            path: '/',
            sameSite: 'lax',
            httpOnly: true,
            secure: cookieIsSecure(request, cookieOptions),
            maxAge: 365 * 24 * 3600,
          });
        }
        return reply
          .header('cache-control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(renderPage({ locale, principal: request.principal, demo: await deps.isDemo() }));
      },
    );

    // An invite's web link: the login form with the code filled in (it is used only when submitted).
    app.get(
      '/login',
      {
        schema: {
          hide: true,
          querystring: Type.Object({
            code: Type.Optional(Type.String({ maxLength: 200 })),
            lang: Type.Optional(Type.String({ maxLength: 10 })),
          }),
          response: { 200: Type.String() },
        },
      },
      async (request, reply) => {
        const locale = pageLocale(request, config.defaultLocale);
        const code = request.query.code?.trim();
        return (
          reply
            .header('cache-control', 'no-store')
            // The code is in this page's address: it must not travel on to other sites.
            .header('referrer-policy', 'no-referrer')
            .type('text/html; charset=utf-8')
            .send(
              renderPage({
                locale,
                principal: request.principal,
                demo: await deps.isDemo(),
                loginCode: code ?? '',
              }),
            )
        );
      },
    );

    app.get(
      '/console/assets/:file',
      {
        schema: {
          hide: true,
          params: Type.Object({ file: Type.Union(Object.keys(assets).map((name) => Type.Literal(name))) }),
        },
      },
      async (request, reply) => {
        const file = files.get(request.params.file);
        if (file === undefined) throw new AppError('not_found', 'no such asset');
        void reply.header('etag', file.etag).header('cache-control', 'no-cache').type(file.type);
        if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
        return reply.send(file.body);
      },
    );

    app.post(
      '/console/login',
      {
        config: { rateLimit: loginRateLimit },
        schema: {
          tags: ['console'],
          summary:
            'Log in to the web console with a one-time invite code or an API token; sets the session cookie',
          querystring: LangQuery,
          body: Type.Union([
            Type.Object(
              { code: Type.String({ minLength: 1, maxLength: 200 }) },
              { additionalProperties: false },
            ),
            Type.Object(
              { token: Type.String({ minLength: 1, maxLength: 512 }) },
              { additionalProperties: false },
            ),
          ]),
          response: { 200: MeBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
        },
      },
      async (request, reply) => {
        // No session yet, so the cookie rule does not apply by itself; a login from another site's
        // form would otherwise plant the attacker's session ("login CSRF").
        checkCsrf(request, cookieOptions);
        const attempt = `web:${request.ip}`;
        let principal: Principal;
        let origin: 'invite' | 'token';
        if ('code' in request.body) {
          origin = 'invite';
          const outcome = await deps.invites.consume(request.body.code.trim(), attempt);
          if (outcome.status === 'throttled')
            throw new AppError('rate_limited', 'too many wrong attempts; wait a few minutes');
          if (outcome.status === 'refused')
            throw new AppError(
              'unauthorized',
              'this invite code is not valid: it may be mistyped, used or expired',
            );
          principal = principalOf(outcome.member);
        } else {
          origin = 'token';
          if (await deps.throttle.isBlocked(attempt))
            throw new AppError('rate_limited', 'too many wrong attempts; wait a few minutes');
          const authenticated = await deps.members.authenticateToken(request.body.token.trim());
          if (authenticated === undefined) {
            await deps.throttle.recordFailure(attempt);
            throw new AppError('unauthorized', 'this API token is not valid');
          }
          principal = authenticated;
        }
        // Whoever was logged in on this browser before is logged out: one session per cookie.
        if (request.principal?.sessionId !== undefined) await sessions.revoke(request.principal.sessionId);
        const session = await sessions.create(principal.memberId, origin);
        setSessionCookie(reply, request, cookieOptions, session);
        request.log.info(
          { memberId: principal.memberId, sessionId: session.id, origin },
          'web console login',
        );
        return reply.send(await meView(request, principal, session));
      },
    );

    app.post(
      '/console/logout',
      {
        schema: {
          tags: ['console'],
          summary: 'End the web console session and clear its cookie',
          body: Type.Optional(Type.Object({}, { additionalProperties: false })),
          response: { 200: Type.Object({ ok: Type.Boolean() }), 403: ErrorBody },
        },
      },
      async (request, reply) => {
        checkCsrf(request, cookieOptions);
        const sessionId = request.principal?.sessionId;
        if (sessionId !== undefined) {
          await sessions.revoke(sessionId);
          deps.streams.closeSession(sessionId);
        }
        clearSessionCookie(reply, request, cookieOptions);
        return reply.send({ ok: true });
      },
    );

    app.get(
      '/console/me',
      {
        schema: {
          tags: ['console'],
          summary: 'Who is logged in to this web console session',
          querystring: LangQuery,
          response: { 200: MeBody, 401: ErrorBody },
        },
      },
      async (request, reply) => {
        const principal = requireSession(request);
        const session = await sessions.describe(principal.sessionId);
        if (session === undefined) throw new AppError('unauthorized', 'log in to the web console first');
        return reply.header('cache-control', 'no-store').send(await meView(request, principal, session));
      },
    );

    app.post(
      '/console/messages',
      {
        schema: {
          tags: ['console'],
          summary:
            'Send a question (text) or a pressed button (action) to the conversation engine; returns its replies',
          body: Type.Union([
            Type.Object(
              {
                // Typed like a message on any messenger: the engine drops what may not pass.
                text: Type.String({ ...chatText, minLength: 1, maxLength: 2000 }),
                locale: Type.Optional(LocaleSchema),
              },
              { additionalProperties: false },
            ),
            Type.Object(
              {
                action: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\x21-\\x7e]+$' }),
                locale: Type.Optional(LocaleSchema),
              },
              { additionalProperties: false },
            ),
          ]),
          response: {
            200: Type.Object({ messages: Type.Array(MessageSchema) }),
            400: ErrorBody,
            401: ErrorBody,
            403: ErrorBody,
            429: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const principal = requireSession(request);
        const body = request.body;
        const text = 'text' in body ? body.text.trim() : undefined;
        if (text === '')
          throw new AppError('validation_failed', 'the message is empty', [
            { path: '/text', message: 'must not be blank' },
          ]);
        const replies = await deps.chat.handle({
          platform: 'web',
          platformUserId: principal.memberId,
          // The member's web "chat" is every console they have open (the web identity's chat id),
          // not this one session: a consultation relay addressed to where the question came from
          // must still arrive after this tab logs out, in any console the member opens later.
          chatId: principal.memberId,
          chatType: 'private',
          text,
          buttonAction: 'action' in body ? body.action : undefined,
          localeHint: body.locale ?? pageLocale(request, config.defaultLocale),
        });
        return reply.send({ messages: replies.map(messageView) });
      },
    );

    app.get(
      '/console/events',
      {
        schema: {
          tags: ['console'],
          summary:
            'Server-sent events: messages pushed to this member (consultation relays, nudges); resumes after `after` or Last-Event-ID',
          querystring: Type.Object(
            { after: Type.Optional(Type.String({ pattern: pushIdPattern })) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.String({ description: 'text/event-stream' }),
            401: ErrorBody,
            429: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const principal = requireSession(request);
        // Each stream holds a socket and a listener: a session cannot open them without limit.
        if (deps.streams.countOf(principal.sessionId) >= maxStreamsPerSession)
          throw new AppError(
            'rate_limited',
            `at most ${String(maxStreamsPerSession)} event streams per session`,
          );
        const lastEventId = request.headers['last-event-id'];
        const after =
          typeof lastEventId === 'string' && new RegExp(pushIdPattern).test(lastEventId)
            ? lastEventId
            : request.query.after;
        await openEventStream(reply, {
          pushes: deps.pushes,
          streams: deps.streams,
          sessions,
          memberId: principal.memberId,
          sessionId: principal.sessionId,
          after,
          log: request.log,
        });
      },
    );
  };
}

const messageView = (message: OutboundMessage) => ({
  text: message.text,
  ...(message.rich === undefined ? {} : { rich: message.rich }),
  ...(message.buttons === undefined
    ? {}
    : { buttons: message.buttons.map((button) => ({ label: button.label, action: button.action })) }),
  ...(message.locale === undefined ? {} : { locale: message.locale }),
  ...(message.expects === undefined
    ? {}
    : {
        expects: {
          kind: message.expects.kind,
          ...(message.expects.placeholder === undefined ? {} : { placeholder: message.expects.placeholder }),
        },
      }),
});
