// The one place where text enters over HTTP is checked (issue #10): headers and cookies before the
// caller is identified, then, once the route knows the caller may be there at all, the raw query
// string (percent-encoded UTF-8), path parameters, the query and the body. Every route gets this,
// with or without a schema (the console's form routes have none), so no handler, query or audit
// entry ever sees NUL, other control characters, unpaired surrogates or broken UTF-8. A route
// marks strings that may span lines or that are chat text in its schema (see src/text).
import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { quotableText, textProblems, unsafeTextReason, type TextProblem } from '../text/index.ts';
import type { App } from './app.ts';
import { AppError } from '../errors/index.ts';
import { isApiPath } from './error-handling.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Who may reach the route's validation and handler without credentials. Default: routes under
     * /v1 need a principal (401 before anything about the request is checked); others are public
     * and check credentials themselves.
     */
    access?: 'public' | 'principal';
  }
}

const refusal = (problems: readonly TextProblem[]): AppError =>
  new AppError('validation_failed', 'the request holds text that is not allowed', problems);

/**
 * A caller's `X-Request-Id` is kept (it ties our logs to theirs) only when it looks like an id;
 * anything else gets a fresh one, so no header text reaches the logs unchecked.
 */
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;
export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const presented = request.headers['x-request-id'];
  return typeof presented === 'string' && requestIdPattern.test(presented) ? presented : randomUUID();
}

/** Every header value and cookie, before any of them is used to find the caller. */
function headerProblems(request: FastifyRequest): TextProblem[] {
  const problems: TextProblem[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    for (const text of Array.isArray(value) ? value : [value]) {
      if (typeof text !== 'string') continue;
      // HTTP allows a tab inside a header value; Node refuses every other control character on
      // the wire already, this is for what an in-process caller or a proxy might pass on.
      const reason = unsafeTextReason(text.replaceAll('\t', ' '));
      if (reason !== undefined) problems.push({ path: `headers/${quotableText(name, 64)}`, message: reason });
    }
  }
  const cookies = (request as { cookies?: Record<string, string | undefined> }).cookies ?? {};
  for (const [name, value] of Object.entries(cookies)) {
    const reason = unsafeTextReason(name) ?? (value === undefined ? undefined : unsafeTextReason(value));
    if (reason !== undefined) problems.push({ path: `cookies/${quotableText(name, 64)}`, message: reason });
  }
  return problems;
}

/**
 * The raw query string decoded strictly: a value whose percent escapes are not UTF-8 (`%FF`,
 * an encoded surrogate `%ED%A0%80`) or are malformed (`%G1`) is refused, where the lenient parser
 * would pass the escape through as text or replace it.
 */
function queryEncodingProblems(url: string): TextProblem[] {
  const start = url.indexOf('?');
  if (start < 0) return [];
  const problems: TextProblem[] = [];
  for (const pair of url.slice(start + 1).split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const rawName = separator < 0 ? pair : pair.slice(0, separator);
    const decode = (raw: string): string | undefined => {
      try {
        return decodeURIComponent(raw.replaceAll('+', ' '));
      } catch {
        return undefined;
      }
    };
    const name = decode(rawName);
    const value = separator < 0 ? '' : decode(pair.slice(separator + 1));
    if (name === undefined || value === undefined)
      problems.push({
        path: `querystring/${quotableText(name ?? rawName, 64)}`,
        message: 'must be percent-encoded UTF-8',
      });
  }
  return problems;
}

function requiresPrincipal(request: FastifyRequest): boolean {
  const { url, config } = request.routeOptions;
  if (config.access !== undefined) return config.access === 'principal';
  // No route (a 404 to be): the path says whether it is the API's.
  return url === undefined ? isApiPath(request.url) : url.startsWith('/v1/');
}

/** JSON bodies are read as bytes so that broken UTF-8 is refused instead of silently replaced. */
export function createJsonBodyParser(
  app: App,
  options: { emptyBody?: 'refuse' | 'none' } = {},
): (request: FastifyRequest, body: Buffer, done: (error: Error | null, value?: unknown) => void) => void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    if (!isUtf8(body)) {
      done(refusal([{ path: 'body', message: 'must be UTF-8 encoded' }]));
      return;
    }
    const text = body.toString('utf8');
    if (options.emptyBody === 'none' && text.trim() === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  };
}

/**
 * Fastify's own refusals before routing (a bad escape in the path, a path segment over its
 * limit). These come before any hook, so before authentication: on an API path the caller's
 * credentials are checked here first, and without them the answer is the same 401 as anywhere
 * else in the API (nothing about the request is said).
 */
export function frameworkErrorHandler(
  authenticated: (request: FastifyRequest) => Promise<boolean>,
): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    if (!isApiPath(request.url)) {
      refuseUrl(error, request, reply);
      return;
    }
    authenticated(request).then(
      (known) => {
        if (known) refuseUrl(error, request, reply);
        else
          void reply.code(401).send({
            error: {
              code: 'unauthorized',
              message: 'a valid API token or session is required',
              requestId: request.id,
            },
          });
      },
      (failure: unknown) => {
        request.log.warn({ err: failure }, 'could not authenticate a request refused before routing');
        refuseUrl(error, request, reply);
      },
    );
  };
}

function refuseUrl(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void reply.code(400).send({
    error: {
      code: 'validation_failed',
      message: tooLong ? 'a path segment is too long' : 'the request path is not valid',
      details: [
        {
          path: 'url',
          message: tooLong ? 'a path parameter is too long' : 'must be percent-encoded UTF-8',
        },
      ],
      requestId: request.id,
    },
  });
}

/**
 * Registers the checks. Call before the authentication hook (header checks must run first) and
 * after the cookie plugin (cookies are checked once parsed).
 */
export function registerInputRules(app: App): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, createJsonBodyParser(app));

  app.addHook('onRequest', async (request) => {
    const problems = headerProblems(request);
    if (problems.length > 0) throw refusal(problems);
  });

  // Before the body is even read: a caller without credentials learns nothing about the request.
  app.addHook('preParsing', async (request) => {
    if (request.principal === undefined && requiresPrincipal(request))
      throw new AppError('unauthorized', 'a valid API token or session is required');
  });

  app.addHook('preValidation', async (request) => {
    const schema = (request.routeOptions.schema ?? {}) as Record<string, unknown>;
    const problems = [
      ...queryEncodingProblems(request.url),
      ...textProblems(request.params, schema.params, { basePath: 'params' }),
      ...textProblems(request.query, schema.querystring, { basePath: 'querystring' }),
      ...(request.body === undefined ? [] : textProblems(request.body, schema.body, { basePath: 'body' })),
    ];
    if (problems.length > 0) throw refusal(problems);
  });
}
