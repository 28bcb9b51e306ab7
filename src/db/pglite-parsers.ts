// drizzle hands PGlite its own result parsers with every query (dates, timestamps and intervals
// kept as the text Postgres sent). PGlite then merges them into a fresh copy of its whole parser
// table, several hundred entries once the array types are known, for each statement: about 100 µs
// of CPU a statement, as much as running a simple one. Installed once on the client, the same
// parsers give the same rows without the copy.
import { types, type PGlite } from '@electric-sql/pglite';

const keepText = (value: string): string => value;

/** The types drizzle reads as text (drizzle-orm/pglite/session.js), as PGlite type ids. */
const textTypes: readonly number[] = [
  types.TIMESTAMP,
  types.TIMESTAMPTZ,
  types.INTERVAL,
  types.DATE,
  1231, // numeric[]
  1115, // timestamp[]
  1185, // timestamptz[]
  1187, // interval[]
  1182, // date[]
];
const textTypeKeys = new Set(textTypes.map(String));

type QueryOptions = { parsers?: Record<string, unknown> } & Record<string, unknown>;

/** Options without drizzle's parsers when they are exactly the ones installed on the client. */
function withoutKnownParsers(options: QueryOptions | undefined): QueryOptions | undefined {
  const parsers = options?.parsers;
  if (options === undefined || parsers === undefined) return options;
  // Parsers of another kind (a newer drizzle, a caller of its own) are passed on untouched.
  for (const key of Object.keys(parsers)) if (!textTypeKeys.has(key)) return options;
  const { parsers: _, ...rest } = options;
  return rest;
}

/** `query` of a client or transaction, minus the per-statement parser copy. */
function lighterQuery<Target extends { query: PGlite['query'] }>(target: Target): Target['query'] {
  const query = target.query.bind(target) as (
    text: string,
    params?: unknown[],
    options?: QueryOptions,
  ) => unknown;
  return ((text: string, params?: unknown[], options?: QueryOptions) =>
    query(text, params, withoutKnownParsers(options))) as Target['query'];
}

/**
 * The client as drizzle should see it: drizzle's text parsers installed on the client itself, and
 * its per-query copies dropped, in queries and in transactions alike.
 */
export function withClientParsers(client: PGlite): PGlite {
  for (const type of textTypes) client.parsers[type] = keepText;
  const query = lighterQuery(client);
  const transaction: PGlite['transaction'] = (callback) =>
    client.transaction((tx) => {
      const txQuery = lighterQuery(tx);
      return callback(
        new Proxy(tx, {
          get: (target, property): unknown =>
            property === 'query' ? txQuery : Reflect.get(target, property),
        }),
      );
    });
  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') return query;
      if (property === 'transaction') return transaction;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
