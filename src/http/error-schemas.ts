import { Type } from '@fastify/type-provider-typebox';

/** The one error shape every route answers with (see error-handling.ts), for response schemas. */
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
    requestId: Type.Optional(Type.String()),
  }),
});

/** Response schemas for the given error statuses, e.g. `...errorResponses(400, 401, 404)`. */
export function errorResponses<const Status extends number>(
  ...statuses: Status[]
): Record<Status, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBody])) as Record<
    Status,
    typeof ErrorBody
  >;
}
