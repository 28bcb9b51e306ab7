// The registry's first country, for callers that need any valid country before a snapshot exists
// (the bootstrap admin). Members own their tables, the registry its own: they ask, not read.
import { asc } from 'drizzle-orm';
import { countries } from './registry-schema.ts';
import type { Queryable } from '../db/index.ts';

export async function firstCountry(db: Queryable): Promise<string | undefined> {
  const [first] = await db
    .select({ iso2: countries.iso2 })
    .from(countries)
    .orderBy(asc(countries.position))
    .limit(1);
  return first?.iso2;
}
