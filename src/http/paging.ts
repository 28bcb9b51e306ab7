// Paging parameters of every list route, bounded the same way everywhere: a limit beyond what a
// page should hold or an offset beyond any list we keep is a 400, never a float or a number
// past bigint reaching a query (`?offset=9223372036854775808` used to answer 500).
import { Type } from 'typebox';

export const defaultPageSize = 50;
export const maxPageSize = 500;
/** Far beyond any list the registry or the network will hold; lists that grow past it need a cursor. */
export const maxOffset = 10_000_000;

/** `limit` and `offset` query parameters, with their defaults filled in. */
export const pagingQuery = {
  limit: Type.Integer({
    minimum: 1,
    maximum: maxPageSize,
    default: defaultPageSize,
    description: `Page size, 1 to ${maxPageSize}; default ${defaultPageSize}.`,
  }),
  offset: Type.Integer({
    minimum: 0,
    maximum: maxOffset,
    default: 0,
    description: `Items to skip, 0 to ${maxOffset}; default 0.`,
  }),
};
