import type { FastifyError } from 'fastify';
import type { App } from './app.ts';
import { AppError, errorStatus, type ErrorCode } from '../errors/index.ts';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

/**
 * One error shape for every failure: `{"error": {"code", "message", "details"}}`. Expected errors
 * keep their message; anything unexpected is logged in full and answered with a generic 500 that
 * carries the request id, so a user can report it without us leaking internals.
 */
export function registerErrorHandling(app: App): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    const send = (status: number, code: ErrorCode, message: string, details?: unknown) => {
      const body: ErrorBody = { error: { code, message, requestId: request.id } };
      if (details !== undefined) body.error.details = details;
      return reply.code(status).send(body);
    };
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, 'request failed');
      return send(error.status, error.code, error.message, error.details);
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation !== undefined) {
      const details = fastifyError.validation.map((issue) => ({
        path: `${fastifyError.validationContext ?? ''}${issue.instancePath}`,
        message: issue.message ?? 'invalid',
        ...(issue.keyword === 'additionalProperties'
          ? { field: (issue.params as { additionalProperty?: string }).additionalProperty }
          : {}),
      }));
      return send(400, 'validation_failed', 'the request does not match the schema', details);
    }
    switch (fastifyError.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send(413, 'payload_too_large', 'the request body is too large');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(415, 'unsupported_media_type', 'send JSON with content-type application/json');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return send(400, 'bad_request', 'the body is not valid JSON');
      default:
        break;
    }
    if (fastifyError.statusCode === 429) {
      return send(429, 'rate_limited', 'too many requests; slow down and retry later');
    }
    if (
      error instanceof SyntaxError ||
      (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500)
    ) {
      const status = fastifyError.statusCode ?? 400;
      const code = (Object.entries(errorStatus).find(([, value]) => value === status)?.[0] ??
        'bad_request') as ErrorCode;
      return send(status, code, error.message);
    }
    request.log.error({ err: error }, 'unexpected error');
    return send(500, 'internal', 'an unexpected error occurred; quote the request id when reporting it');
  });

  app.setNotFoundHandler((request, reply) => {
    // Credentials first: without them, the API's paths are not for probing.
    if (request.principal === undefined && isApiPath(request.url))
      return reply.code(401).send({
        error: {
          code: 'unauthorized',
          message: 'a valid API token or session is required',
          requestId: request.id,
        },
      });
    return reply.code(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
        requestId: request.id,
      },
    });
  });
}

/** Paths of the API proper, where credentials come before anything else. */
export const isApiPath = (url: string): boolean =>
  url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');
