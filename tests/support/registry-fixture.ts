// The demo registry file and small helpers the registry tests share.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Application } from '../../src/application.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import type { RegistryFile } from '../../src/registry/index.ts';

export const fixturePath = resolve(import.meta.dirname, '../../config/demo-registry.json');
export const fixtureText = readFileSync(fixturePath, 'utf8');
/** A fresh deep copy of the demo registry each call, so a test may break it freely. */
export const fixture = (): RegistryFile => JSON.parse(fixtureText) as RegistryFile;

export interface Caller {
  token: string;
  memberId: string;
}

/** Creates a member of `role` in `country` and an API token for them. */
export async function createCaller(
  application: Application,
  role: 'admin' | 'coordinator' | 'member',
  country: string,
): Promise<Caller> {
  const member = await application.members.create(undefined, {
    name: `A ${role} of ${country}`,
    country,
    role,
  });
  const issued = await application.members.createToken(undefined, member.id, 'tests');
  return { token: issued.token, memberId: member.id };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The registry as the export route returns it (the source of truth for "nothing changed"). */
export async function exported(application: Application): Promise<RegistryFile> {
  return application.registry.exportRegistry(undefined);
}

/**
 * A hash of every registry row, in one query: cheaper than an export when a test only needs to
 * know that a refused request changed nothing.
 */
export async function registryFingerprint(database: DatabaseHandle): Promise<string> {
  const rows = await database.db.execute<{ fingerprint: string }>(sql`
    select md5(
      (select coalesce(json_agg(t order by t.key)::text, '') from registry_meta t) ||
      (select coalesce(json_agg(t order by t.id)::text, '') from competences t) ||
      (select coalesce(json_agg(t order by t.iso2)::text, '') from countries t) ||
      (select coalesce(json_agg(t order by t.id)::text, '') from authorities t) ||
      (select coalesce(json_agg(t order by t.id)::text, '') from contacts t) ||
      (select coalesce(json_agg(t order by t.id)::text, '') from treaties t) ||
      (select coalesce(json_agg(t order by t.id)::text, '') from requirement_sheets t)
    ) as fingerprint`);
  const [row] = rows as { fingerprint: string }[];
  if (row === undefined) throw new Error('no fingerprint');
  return row.fingerprint;
}

/**
 * Six more extradition contacts in Uzbekistan, as `POST /v1/contacts` bodies (copies of uz-001
 * under ids `<prefix>1`…`<prefix>6`), so an answer has more than it shows at once; the last one
 * named `lastName` when given (registry text with markup, for escaping stories).
 */
export function extraUzbekContacts(prefix: string, lastName?: string): Record<string, unknown>[] {
  const { verifiedAt: _verifiedAt, ...model } = fixture().contacts.find(
    (contact) => contact.id === 'uz-001',
  )!;
  return [1, 2, 3, 4, 5, 6].map((index) => ({
    ...model,
    id: `${prefix}${String(index)}`,
    name:
      index === 6 && lastName !== undefined
        ? { en: lastName, ru: lastName }
        : { en: `Extra ${String(index)}`, ru: `Доп. ${String(index)}` },
  }));
}
