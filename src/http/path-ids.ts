// Ids in paths are checked against the form their module gives them before any query runs: a
// malformed id is a 400 that says what an id looks like, a well-formed one that matches nothing
// is a 404. Nothing a caller puts in a path reaches a query unless it could be an id.
import { Type } from 'typebox';

/** Ids made by `crypto.randomUUID()` (members, tokens, invites, linked accounts, consultations). */
export const uuidPattern = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** A path parameter of the given form. */
export const pathId = (pattern: string, description: string) =>
  Type.String({ pattern, maxLength: 100, description });

/** `{ id }` path parameters of the given form. */
export const pathIdParams = (pattern: string, description: string) =>
  Type.Object({ id: pathId(pattern, description) }, { additionalProperties: false });
