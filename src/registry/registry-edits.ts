// Single-record edits of the registry, each expressed as "the registry before" -> "the registry
// after". The service validates the whole result, so a contact's references (authority, country,
// deputy, competences) stay valid whatever is edited, exactly as on import.
import type { Clock } from '../clock/index.ts';
import type {
  AuthorityChanges,
  AuthorityRecord,
  ContactChanges,
  ContactRecord,
  NewContactRecord,
  NewRequirementRecord,
  RegistryFile,
  RequirementChanges,
  RequirementRecord,
  TreatyChanges,
  TreatyRecord,
} from './registry-format.ts';
import type { SyncCounts } from './registry-repository.ts';
import { conflict, forbidden, notFound } from '../errors/index.ts';
import { actorOf, canManageCountry, type Principal } from '../access/index.ts';
import type { AuditEntry } from '../audit/index.ts';
import type { Queryable } from '../db/index.ts';

/** One registry change, computed from the current registry inside the write transaction. */
export interface RegistryChange<T> {
  next: RegistryFile;
  /** Locates the edited record, so its problems are reported relative to the request body. */
  focus?: { section: 'authorities' | 'contacts' | 'treaties' | 'requirements'; index: number };
  audit: (counts: SyncCounts) => AuditEntry[];
  /** The outcome, read from the validated, canonical registry. */
  result: (next: RegistryFile) => T;
}

/** Work of another module done inside the registry's write transaction (see `updateContact`). */
export interface RegistryWriteHooks {
  /**
   * Runs after the registry rows are written (their audit entry, as every audit entry of the
   * transaction, is appended at its end); throwing rolls everything back.
   */
  inTransaction?: ((tx: Queryable, next: RegistryFile) => Promise<void>) | undefined;
}

export type RegistryWrite = <T>(
  compute: (current: RegistryFile) => RegistryChange<T>,
  hooks?: RegistryWriteHooks,
) => Promise<T>;

interface EditsDeps {
  write: RegistryWrite;
  clock: Clock;
  /** The local calendar date (YYYY-MM-DD) of an instant in a time zone (src/schedule's WorkingTime). */
  localDate: (at: number, timezone: string) => string;
}

/** Principal undefined means the system itself (CLI, seeding): allowed everywhere. */
function mayManage(actor: Principal | undefined, country: string, what: string): void {
  if (actor !== undefined && !canManageCountry(actor, country)) {
    throw forbidden(`you may change ${what} of your own country (${actor.country}) only`);
  }
}

function mayEditTreaties(actor: Principal | undefined): void {
  if (actor !== undefined && actor.role !== 'admin') throw forbidden('only admins change treaties');
}

function indexOf(records: readonly { id: string }[], id: string, noun: string): number {
  const index = records.findIndex((record) => record.id === id);
  if (index < 0) throw notFound(noun, id);
  return index;
}

const replaced = <T>(records: readonly T[], index: number, record: T): T[] =>
  records.map((old, at) => (at === index ? record : old));
const without = <T>(records: readonly T[], index: number): T[] => records.filter((_, at) => at !== index);
const found = <T extends { id: string }>(records: readonly T[], id: string): T => {
  const record = records.find((candidate) => candidate.id === id);
  if (record === undefined) throw new Error(`record ${id} vanished while saving`);
  return record;
};

export function createRegistryEdits({ write, clock, localDate }: EditsDeps) {
  /**
   * Today where a contact of `country` is: a record is verified on the contact's own calendar date
   * (confirmed at 02:00 in Almaty is that day in Almaty, the day before in UTC), so its due date,
   * its staleness and the texts that show it agree with the contact's calendar.
   */
  const todayIn = (current: RegistryFile, country: string): string =>
    localDate(
      clock.now().getTime(),
      current.countries.find((candidate) => candidate.iso2 === country)?.timezone ?? 'UTC',
    );

  const entry = (
    actor: Principal | undefined,
    action: string,
    subject: string,
    details: Record<string, unknown> = {},
  ): AuditEntry[] => [{ actor: actorOf(actor), action, subject, details }];

  return {
    createContact(actor: Principal | undefined, input: NewContactRecord): Promise<ContactRecord> {
      return write((current) => {
        mayManage(actor, input.country, 'contacts');
        if (current.contacts.some((contact) => contact.id === input.id))
          throw conflict(`contact ${JSON.stringify(input.id)} already exists`);
        // A new contact is vouched for by whoever creates it, today.
        const record: ContactRecord = {
          ...input,
          verifiedAt: todayIn(current, input.country),
          ...(actor === undefined ? {} : { verifiedBy: actor.memberId }),
        };
        return {
          next: { ...current, contacts: [...current.contacts, record] },
          focus: { section: 'contacts', index: current.contacts.length },
          audit: () => entry(actor, 'contact.create', `contact:${input.id}`, { country: input.country }),
          result: (next) => found(next.contacts, input.id),
        };
      });
    },

    updateContact(
      actor: Principal | undefined,
      id: string,
      changes: ContactChanges,
      hooks: RegistryWriteHooks & {
        auditAction?: string;
        auditDetails?: Record<string, unknown>;
        /** The audit actor when `actor` is undefined because the caller checked the permission itself. */
        auditActor?: string;
        /**
         * The change confirms the record (an approved proposal): it counts as verified today by
         * `actor`. The only way besides `verifyContact` that verification changes.
         */
        confirms?: boolean;
      } = {},
    ): Promise<ContactRecord> {
      return write((current) => {
        const index = indexOf(current.contacts, id, 'contact');
        const existing = current.contacts[index] as ContactRecord;
        mayManage(actor, existing.country, 'contacts');
        if (changes.country !== undefined) mayManage(actor, changes.country, 'contacts');
        const verification =
          hooks.confirms === true && actor !== undefined
            ? {
                verifiedAt: todayIn(current, changes.country ?? existing.country),
                verifiedBy: actor.memberId,
              }
            : {};
        return {
          next: {
            ...current,
            contacts: replaced(current.contacts, index, { ...existing, ...changes, ...verification, id }),
          },
          focus: { section: 'contacts', index },
          audit: () =>
            entry(actor, hooks.auditAction ?? 'contact.update', `contact:${id}`, {
              country: existing.country,
              fields: Object.keys(changes),
              ...hooks.auditDetails,
            }).map((audited) =>
              actor === undefined && hooks.auditActor !== undefined
                ? { ...audited, actor: hooks.auditActor }
                : audited,
            ),
          result: (next) => found(next.contacts, id),
        };
      }, hooks);
    },

    /**
     * Records that `actor` confirmed the contact's details today (`hooks`: another module's work
     * in the same transaction, e.g. a coordinator's one-tap verify ending the re-verification round).
     */
    verifyContact(actor: Principal, id: string, hooks: RegistryWriteHooks = {}): Promise<ContactRecord> {
      return write((current) => {
        const index = indexOf(current.contacts, id, 'contact');
        const existing = current.contacts[index] as ContactRecord;
        mayManage(actor, existing.country, 'contacts');
        const verifiedAt = todayIn(current, existing.country);
        return {
          next: {
            ...current,
            contacts: replaced(current.contacts, index, {
              ...existing,
              verifiedAt,
              verifiedBy: actor.memberId,
            }),
          },
          focus: { section: 'contacts', index },
          audit: () =>
            entry(actor, 'contact.verify', `contact:${id}`, { country: existing.country, verifiedAt }),
          result: (next) => found(next.contacts, id),
        };
      }, hooks);
    },

    /**
     * The person behind a contact confirms their own record (a re-verification prompt's "All
     * correct"). The caller has checked that `memberId` stands behind the contact; the record is
     * verified by them, today, with `source: self` in the audit entry.
     */
    confirmContactBySelf(
      memberId: string,
      id: string,
      hooks: RegistryWriteHooks = {},
    ): Promise<ContactRecord> {
      return write((current) => {
        const index = indexOf(current.contacts, id, 'contact');
        const existing = current.contacts[index] as ContactRecord;
        const verifiedAt = todayIn(current, existing.country);
        return {
          next: {
            ...current,
            contacts: replaced(current.contacts, index, { ...existing, verifiedAt, verifiedBy: memberId }),
          },
          focus: { section: 'contacts', index },
          audit: () => [
            {
              actor: `member:${memberId}`,
              action: 'contact.verify',
              subject: `contact:${id}`,
              details: { country: existing.country, verifiedAt, source: 'self' },
            },
          ],
          result: (next) => found(next.contacts, id),
        };
      }, hooks);
    },

    deleteContact(actor: Principal | undefined, id: string): Promise<void> {
      return write((current) => {
        const index = indexOf(current.contacts, id, 'contact');
        const existing = current.contacts[index] as ContactRecord;
        mayManage(actor, existing.country, 'contacts');
        const deputising = current.contacts.flatMap((contact, at) =>
          contact.deputy === id
            ? [
                {
                  path: `/contacts/${at}/deputy`,
                  message: `contact ${JSON.stringify(contact.id)} names it as deputy`,
                },
              ]
            : [],
        );
        if (deputising.length > 0)
          throw conflict(`contact ${JSON.stringify(id)} is still a deputy`, deputising);
        return {
          next: { ...current, contacts: without(current.contacts, index) },
          audit: () => entry(actor, 'contact.delete', `contact:${id}`, { country: existing.country }),
          result: () => undefined,
        };
      });
    },

    createAuthority(actor: Principal | undefined, input: AuthorityRecord): Promise<AuthorityRecord> {
      return write((current) => {
        mayManage(actor, input.country, 'authorities');
        if (current.authorities.some((authority) => authority.id === input.id)) {
          throw conflict(`authority ${JSON.stringify(input.id)} already exists`);
        }
        return {
          next: { ...current, authorities: [...current.authorities, input] },
          focus: { section: 'authorities', index: current.authorities.length },
          audit: () => entry(actor, 'authority.create', `authority:${input.id}`, { country: input.country }),
          result: (next) => found(next.authorities, input.id),
        };
      });
    },

    updateAuthority(
      actor: Principal | undefined,
      id: string,
      changes: AuthorityChanges,
    ): Promise<AuthorityRecord> {
      return write((current) => {
        const index = indexOf(current.authorities, id, 'authority');
        const existing = current.authorities[index] as AuthorityRecord;
        mayManage(actor, existing.country, 'authorities');
        if (changes.country !== undefined) mayManage(actor, changes.country, 'authorities');
        return {
          next: {
            ...current,
            authorities: replaced(current.authorities, index, { ...existing, ...changes, id }),
          },
          focus: { section: 'authorities', index },
          audit: () =>
            entry(actor, 'authority.update', `authority:${id}`, {
              country: existing.country,
              fields: Object.keys(changes),
            }),
          result: (next) => found(next.authorities, id),
        };
      });
    },

    deleteAuthority(actor: Principal | undefined, id: string): Promise<void> {
      return write((current) => {
        const index = indexOf(current.authorities, id, 'authority');
        const existing = current.authorities[index] as AuthorityRecord;
        mayManage(actor, existing.country, 'authorities');
        const staff = current.contacts.flatMap((contact, at) =>
          contact.authority === id
            ? [
                {
                  path: `/contacts/${at}/authority`,
                  message: `contact ${JSON.stringify(contact.id)} belongs to it`,
                },
              ]
            : [],
        );
        if (staff.length > 0) throw conflict(`authority ${JSON.stringify(id)} still has contacts`, staff);
        return {
          next: { ...current, authorities: without(current.authorities, index) },
          audit: () => entry(actor, 'authority.delete', `authority:${id}`, { country: existing.country }),
          result: () => undefined,
        };
      });
    },

    createTreaty(actor: Principal | undefined, input: TreatyRecord): Promise<TreatyRecord> {
      return write((current) => {
        mayEditTreaties(actor);
        if (current.treaties.some((treaty) => treaty.id === input.id))
          throw conflict(`treaty ${JSON.stringify(input.id)} already exists`);
        return {
          next: { ...current, treaties: [...current.treaties, input] },
          focus: { section: 'treaties', index: current.treaties.length },
          audit: () => entry(actor, 'treaty.create', `treaty:${input.id}`),
          result: (next) => found(next.treaties, input.id),
        };
      });
    },

    updateTreaty(actor: Principal | undefined, id: string, changes: TreatyChanges): Promise<TreatyRecord> {
      return write((current) => {
        mayEditTreaties(actor);
        const index = indexOf(current.treaties, id, 'treaty');
        const existing = current.treaties[index] as TreatyRecord;
        return {
          next: { ...current, treaties: replaced(current.treaties, index, { ...existing, ...changes, id }) },
          focus: { section: 'treaties', index },
          audit: () => entry(actor, 'treaty.update', `treaty:${id}`, { fields: Object.keys(changes) }),
          result: (next) => found(next.treaties, id),
        };
      });
    },

    deleteTreaty(actor: Principal | undefined, id: string): Promise<void> {
      return write((current) => {
        mayEditTreaties(actor);
        const index = indexOf(current.treaties, id, 'treaty');
        return {
          next: { ...current, treaties: without(current.treaties, index) },
          audit: () => entry(actor, 'treaty.delete', `treaty:${id}`),
          result: () => undefined,
        };
      });
    },

    createRequirement(actor: Principal | undefined, input: NewRequirementRecord): Promise<RequirementRecord> {
      return write((current) => {
        mayManage(actor, input.country, 'requirement sheets');
        const sheets = current.requirements ?? [];
        if (sheets.some((sheet) => sheet.id === input.id))
          throw conflict(`requirement sheet ${JSON.stringify(input.id)} already exists`);
        // Whoever writes a sheet vouches for it today, as for a new contact.
        const record: RequirementRecord = {
          ...input,
          verifiedAt: todayIn(current, input.country),
          ...(actor === undefined ? {} : { verifiedBy: actor.memberId }),
        };
        return {
          next: { ...current, requirements: [...sheets, record] },
          focus: { section: 'requirements', index: sheets.length },
          audit: () =>
            entry(actor, 'requirement.create', `requirement:${input.id}`, {
              country: input.country,
              competence: input.competence,
            }),
          result: (next) => found(next.requirements ?? [], input.id),
        };
      });
    },

    updateRequirement(
      actor: Principal | undefined,
      id: string,
      changes: RequirementChanges,
    ): Promise<RequirementRecord> {
      return write((current) => {
        const sheets = current.requirements ?? [];
        const index = indexOf(sheets, id, 'requirement sheet');
        const existing = sheets[index] as RequirementRecord;
        mayManage(actor, existing.country, 'requirement sheets');
        if (changes.country !== undefined) mayManage(actor, changes.country, 'requirement sheets');
        return {
          next: { ...current, requirements: replaced(sheets, index, { ...existing, ...changes, id }) },
          focus: { section: 'requirements', index },
          audit: () =>
            entry(actor, 'requirement.update', `requirement:${id}`, {
              country: existing.country,
              fields: Object.keys(changes),
            }),
          result: (next) => found(next.requirements ?? [], id),
        };
      });
    },

    /** Records that `actor` confirmed the sheet today. */
    verifyRequirement(actor: Principal, id: string): Promise<RequirementRecord> {
      return write((current) => {
        const sheets = current.requirements ?? [];
        const index = indexOf(sheets, id, 'requirement sheet');
        const existing = sheets[index] as RequirementRecord;
        mayManage(actor, existing.country, 'requirement sheets');
        const verifiedAt = todayIn(current, existing.country);
        return {
          next: {
            ...current,
            requirements: replaced(sheets, index, { ...existing, verifiedAt, verifiedBy: actor.memberId }),
          },
          focus: { section: 'requirements', index },
          audit: () =>
            entry(actor, 'requirement.verify', `requirement:${id}`, {
              country: existing.country,
              verifiedAt,
            }),
          result: (next) => found(next.requirements ?? [], id),
        };
      });
    },

    deleteRequirement(actor: Principal | undefined, id: string): Promise<void> {
      return write((current) => {
        const sheets = current.requirements ?? [];
        const index = indexOf(sheets, id, 'requirement sheet');
        const existing = sheets[index] as RequirementRecord;
        mayManage(actor, existing.country, 'requirement sheets');
        return {
          next: { ...current, requirements: without(sheets, index) },
          audit: () => entry(actor, 'requirement.delete', `requirement:${id}`, { country: existing.country }),
          result: () => undefined,
        };
      });
    },
  };
}
