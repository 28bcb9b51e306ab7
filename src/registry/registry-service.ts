// The registry service: keeps an in-memory snapshot of the registry for every reader, and makes
// every change (an import or a single edit) in one transaction that is validated whole, audited,
// and announced to other processes through Postgres NOTIFY so their snapshots follow.
import { type Clock, systemClock } from '../clock/index.ts';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createHolidayCalendar, createWorkingTime, type WorkingTime } from '../schedule/index.ts';
import { createRegistryEdits, type RegistryChange, type RegistryWriteHooks } from './registry-edits.ts';
import type { ContactChanges, ContactRecord, RegistryFile } from './registry-format.ts';
import {
  canonicalRegistry,
  contactExists,
  countryExists,
  isForeignKeyViolation,
  isRegistryEmpty,
  loadRegistry,
  planSync,
  syncRegistry,
  type SyncCounts,
} from './registry-repository.ts';
import {
  filterAuthorities,
  filterContacts,
  filterTreaties,
  listCountries,
  type AuthorityFilter,
  type ContactFilter,
  type TreatyFilter,
} from './registry-queries.ts';
import {
  buildRegistryView,
  emptyRegistryFile,
  timezoneOfCountry,
  type RegistryView,
} from './registry-snapshot.ts';
import type { RegistrySnapshot } from './registry-types.ts';
import {
  latestVerificationDay,
  validateRegistryFile,
  type Problem,
  type ValidationResult,
} from './registry-validator.ts';
import { AppError, conflict } from '../errors/index.ts';
import { actorOf, type Principal } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import { inTransaction, type Database, type DatabaseHandle, type Queryable } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';

/** Postgres NOTIFY channel announcing that the registry changed; the payload names the writer. */
export const registryChangedChannel = 'registry_changed';
// Serializes registry writes across processes, so each validates against the true current state.
const registryLockId = 0x726567;

export interface RegistryServiceDeps {
  db: Database;
  audit: AuditService;
  database: Pick<DatabaseHandle, 'listen' | 'notify'>;
  logger: Logger;
  /**
   * Enabled members standing behind any of these contacts (members' `membersLinkedToContacts`):
   * members own their tables, so the registry asks instead of reading them.
   */
  linkedMembers: (
    db: Queryable,
    contactIds: readonly string[],
  ) => Promise<{ memberId: string; contactId: string }[]>;
  /**
   * Open work held by these contacts, read inside the registry's transaction (the modules owning
   * consultations and requests count it; wired for the server and the CLI alike). Absent: no check
   * (a reader of the registry that never writes).
   */
  openWork?: ((db: Queryable, contactIds: readonly string[]) => Promise<OpenWork[]>) | undefined;
  clock?: Clock;
  /**
   * The one working-time model (src/schedule), for the contacts' local dates: a record is verified
   * on the date where the contact is. Default: one of the registry's own (the CLI).
   */
  workingTime?: Pick<WorkingTime, 'localDate'> | undefined;
}

/** Records per section after an import, and how many records it created, changed and removed. */
export interface ImportSummary extends SyncCounts {
  competences: number;
  countries: number;
  authorities: number;
  contacts: number;
  treaties: number;
  requirements: number;
}

export interface ImportOptions {
  /** Validate and count only; nothing is written. */
  dryRun?: boolean;
  /** Audit actor when there is no principal, e.g. `cli`. Default `system`. */
  actor?: string;
}

export type RegistryListener = (snapshot: RegistrySnapshot) => void;

/** Open work a contact still holds, as the modules owning that work count it. */
export interface OpenWork {
  contactId: string;
  consultations: number;
  requests: number;
}

/**
 * A contact's retirement as another module performs it (the registry-truth handover), wired by the
 * composition: the registry imports neither that module nor the ones owning consultations and
 * requests, and asks through this port instead.
 */
export interface ContactRetirement {
  /**
   * Retires the contact and hands their work over in one transaction; `changes` (the rest of a
   * coordinator's edit) are written in that same transaction. Absent (the CLI, which runs no
   * handover): an edit retiring a contact is a plain edit, refused if they hold open work.
   */
  retire?: (
    actor: Principal | undefined,
    contactId: string,
    successorId: string | undefined,
    changes: ContactChanges,
  ) => Promise<void>;
  /**
   * Inside the transaction of any write that retires or removes contacts (a retirement, an edit,
   * an import, a deletion), after the work was handed over: what other modules keep about them
   * ends (their pending proposals are voided, audited, the proposers told). Returns what to do
   * after the commit (start the deliveries).
   */
  departedInTransaction?(
    tx: Queryable,
    departures: readonly Departure[],
    cause: { actor: string; action: string },
  ): Promise<() => Promise<void>>;
}

/** A contact a registry write retires or removes, as the registry held it before. */
export interface Departure {
  contactId: string;
  record: ContactRecord;
  /** Removed from the registry (else retired). */
  removed: boolean;
}

export type RegistryService = ReturnType<typeof createRegistryService>;

export function createRegistryService({
  db,
  audit,
  database,
  logger,
  linkedMembers,
  openWork,
  clock = systemClock,
  workingTime,
}: RegistryServiceDeps) {
  const origin = randomUUID();
  // Listeners are modules subscribing at start. The snapshot below is the registry itself (its
  // size is the registry's, hundreds to a few thousand records), replaced whole on every change.
  const listeners = new Set<RegistryListener>();
  let version = 0;
  let view: RegistryView = buildRegistryView(emptyRegistryFile(), version);
  let started = false;
  let unlisten: (() => Promise<void>) | undefined;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let retirement: ContactRetirement | undefined;

  async function loadView(): Promise<void> {
    const file = await db.transaction((tx) => loadRegistry(tx), { isolationLevel: 'repeatable read' });
    version += 1;
    view = buildRegistryView(file, version);
    for (const listener of listeners) {
      try {
        listener(view.snapshot);
      } catch (error) {
        logger.error({ err: error }, 'registry change listener failed');
      }
    }
  }

  /** Reloads the snapshot; a request during a reload waits for it, then loads again (it may have read old rows). */
  function reload(): Promise<void> {
    if (queued !== null) return queued;
    if (running === null) {
      running = loadView().finally(() => {
        running = null;
      });
      return running;
    }
    queued = running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return reload();
      });
    return queued;
  }

  async function announce(): Promise<void> {
    if (started) await reload();
    try {
      await database.notify(registryChangedChannel, JSON.stringify({ origin }));
    } catch (error) {
      logger.error({ err: error }, 'could not announce a registry change; other processes reload on restart');
    }
  }

  /**
   * A write's transaction. Its audit entries (the registry's and the hooks') are appended at its
   * end (see the db module's inTransaction): a handover locks the retiree's consultations and
   * requests, which the retiree's own answers lock before they append to the audit chain, so
   * taking the chain's lock first deadlocked with them. Work deferred until the commit (a timer
   * told to Redis) that fails is left to the reconcilers.
   */
  const transaction = <T>(work: Parameters<typeof inTransaction<T>>[1]): Promise<T> =>
    inTransaction(db, work, (error) => {
      logger.warn({ err: error }, 'work after a registry change failed; the reconcilers will catch up');
    });

  /**
   * Applies one change: lock, read the current registry, compute, validate whole, write the
   * difference, audit. `hooks.inTransaction` runs in the same transaction after the registry is
   * written, so another module's consequences (a handover of open work) commit with it or not at all.
   */
  async function write<T>(
    compute: (current: RegistryFile) => RegistryChange<T>,
    hooks: RegistryWriteHooks = {},
  ): Promise<T> {
    const { result, afterCommit } = await transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${registryLockId})`);
      const current = await loadRegistry(tx);
      const change = compute(current);
      const validation = validateRegistryFile(change.next, {
        latestVerificationDay: latestVerificationDay(clock.now()),
      });
      if (!validation.ok) throw invalid(validation.problems, change.focus);
      const next = canonicalRegistry(validation.registry);
      await checkMemberLinks(tx, current, next);
      let counts: SyncCounts;
      try {
        counts = await syncRegistry(tx, current, next, clock.now());
      } catch (error) {
        if (isForeignKeyViolation(error))
          throw conflict('a record to be removed is still referenced elsewhere');
        throw error;
      }
      const entries = change.audit(counts);
      await audit.appendInTransaction(tx, entries);
      if (hooks.inTransaction !== undefined) await hooks.inTransaction(tx, next);
      // After the hooks: a retirement's handover has moved the work by now.
      const departures = departuresOf(current, next);
      await checkNoWorkLeftBehind(tx, departures);
      const cause = { actor: entries[0]?.actor ?? 'system', action: entries[0]?.action ?? 'registry.write' };
      const after =
        departures.length === 0 || retirement?.departedInTransaction === undefined
          ? undefined
          : await retirement.departedInTransaction(tx, departures, cause);
      return { result: change.result(next), afterCommit: after };
    });
    await announce();
    await afterCommit?.();
    return result;
  }

  /** Contacts a write removes, or marks retired, with their records as they were. */
  function departuresOf(current: RegistryFile, next: RegistryFile): Departure[] {
    const after = new Map(next.contacts.map((contact) => [contact.id, contact.status]));
    return current.contacts.flatMap((record): Departure[] => {
      const status = after.get(record.id);
      if (status === undefined) return [{ contactId: record.id, record, removed: true }];
      return status === 'retired' && record.status !== 'retired'
        ? [{ contactId: record.id, record, removed: false }]
        : [];
    });
  }

  /** A contact a member stands behind cannot vanish: their pushes would go nowhere. */
  async function checkMemberLinks(
    tx: Parameters<Parameters<Database['transaction']>[0]>[0],
    current: RegistryFile,
    next: RegistryFile,
  ) {
    const kept = new Set(next.contacts.map((contact) => contact.id));
    const removed = current.contacts.map((contact) => contact.id).filter((id) => !kept.has(id));
    if (removed.length === 0) return;
    const linked = await linkedMembers(tx, removed);
    if (linked.length === 0) return;
    throw conflict(
      'contacts linked to members cannot be removed; unlink the members first',
      linked.map((member) => ({
        path: '/contacts',
        message: `contact ${JSON.stringify(member.contactId)} is linked to member ${member.memberId}`,
      })),
    );
  }

  /**
   * No write leaves open work with a contact it removes or retires: only the handover (which moves
   * the work in the same transaction) retires a contact holding consultations or requests. A
   * deletion or an import doing so is refused, all of it (an import's dry run says the same).
   */
  async function checkNoWorkLeftBehind(tx: Queryable, departures: readonly Departure[]) {
    if (openWork === undefined || departures.length === 0) return;
    const held = (
      await openWork(
        tx,
        departures.map((departure) => departure.contactId),
      )
    ).filter((work) => work.consultations + work.requests > 0);
    if (held.length === 0) return;
    throw conflict(
      'contacts holding open consultations or pending requests must be retired first (POST /v1/contacts/:id/retire, or status retired in an edit), which hands their work over',
      held.map((work) => ({
        path: '/contacts',
        message: `contact ${JSON.stringify(work.contactId)} holds ${String(work.consultations)} open consultation(s) and ${String(work.requests)} pending request(s)`,
      })),
    );
  }

  let ownWorkingTime: Pick<WorkingTime, 'localDate'> | undefined;
  const localDate = (at: number, timezone: string): string =>
    (workingTime ?? (ownWorkingTime ??= createWorkingTime({ holidays: createHolidayCalendar() }))).localDate(
      at,
      timezone,
    );
  const edits = createRegistryEdits({ write, clock, localDate });
  /** The date where `country` is at `at`: the calendar its records are verified on and judged stale by. */
  const dayIn = (country: string, at: Date): string =>
    localDate(at.getTime(), timezoneOfCountry(view, country));
  const todayIn = (country: string): string => dayIn(country, clock.now());

  return {
    ...edits,

    /** Wires the retirement port (the composition, once the modules owning open work exist). */
    handRetirementTo(port: ContactRetirement): void {
      retirement = port;
    },

    /**
     * A coordinator's edit (API PATCH, console form). One that retires the contact performs the
     * handover, as `POST /v1/contacts/:id/retire` does; a `deputy` in it names the successor.
     */
    async editContact(
      actor: Principal | undefined,
      id: string,
      changes: ContactChanges,
    ): Promise<ContactRecord> {
      const existing = view.snapshot.contactById.get(id);
      const retire = retirement?.retire;
      if (
        retire === undefined ||
        changes.status !== 'retired' ||
        existing === undefined ||
        existing.status === 'retired'
      )
        return edits.updateContact(actor, id, changes);
      // A deputy named in the edit is the successor; `deputy: null` only clears the field.
      const { status: _retired, ...rest } = changes;
      await retire(actor, id, changes.deputy ?? undefined, rest);
      if (!started) await reload();
      const record = view.contactRecordById.get(id);
      if (record === undefined) throw new Error(`contact ${id} vanished while retiring`);
      return record;
    },

    /** Loads the snapshot and follows changes made by other processes. */
    async start(): Promise<void> {
      unlisten = await database.listen(registryChangedChannel, (payload) => {
        let writer: unknown;
        try {
          writer = (JSON.parse(payload) as { origin?: unknown }).origin;
        } catch {
          writer = undefined;
        }
        if (writer === origin) return;
        reload().catch((error: unknown) => {
          logger.error({ err: error }, 'registry reload after a change elsewhere failed');
        });
      });
      started = true;
      await reload();
      logger.info(
        { contacts: view.snapshot.contacts.length, countries: view.snapshot.countries.length },
        'registry loaded',
      );
    },

    async stop(): Promise<void> {
      started = false;
      const stopListening = unlisten;
      unlisten = undefined;
      if (stopListening !== undefined) await stopListening();
      await (queued ?? running ?? Promise.resolve()).catch(() => undefined);
    },

    /** The current registry; immutable, replaced (not changed) when the registry changes. */
    snapshot: (): RegistrySnapshot => view.snapshot,

    /** The snapshot with the records in file form, for the API. */
    view: (): RegistryView => view,

    /** Called with each new snapshot (after a change here or in another process). Returns an unsubscribe function. */
    onChange(listener: RegistryListener): () => void {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    /** The service's clock, for readers that judge freshness. */
    now: () => clock.now(),

    /**
     * Today's local date (YYYY-MM-DD) in a country (UTC for one the registry does not know): the
     * date its records are verified on, so freshness is judged on it too (stale lists, requirement
     * sheets, statistics).
     */
    todayIn,
    /** The local date (YYYY-MM-DD) in a country at an instant, as `todayIn` tells it for now. */
    dayIn,

    /** Re-reads the registry from the database now. */
    reload,

    // Reads, served from memory, records in file form.
    countries: () => listCountries(view),
    competences: () => view.file.competences,
    authorities: (filter: AuthorityFilter = {}) => filterAuthorities(view, filter),
    contacts: (filter: ContactFilter = {}) => filterContacts(view, filter, todayIn),
    treaties: (filter: TreatyFilter = {}) => filterTreaties(view, filter),

    isEmpty: () => isRegistryEmpty(db),
    countryExists: (iso2: string) => countryExists(db, iso2),
    contactExists: (id: string) => contactExists(db, id),

    validate: (data: unknown): ValidationResult =>
      validateRegistryFile(data, { latestVerificationDay: latestVerificationDay(clock.now()) }),

    /** Replaces the whole registry with `data` (a registry file), or nothing at all on any problem. */
    async importRegistry(
      actor: Principal | undefined,
      data: unknown,
      options: ImportOptions = {},
    ): Promise<ImportSummary> {
      const validation = validateRegistryFile(data, {
        latestVerificationDay: latestVerificationDay(clock.now()),
      });
      if (!validation.ok) throw invalid(validation.problems);
      const next = canonicalRegistry(validation.registry);
      const sizes = {
        competences: next.competences.length,
        countries: next.countries.length,
        authorities: next.authorities.length,
        contacts: next.contacts.length,
        treaties: next.treaties.length,
        requirements: next.requirements?.length ?? 0,
      };
      // A dry run refuses what the import would refuse (members linked to removed contacts, open
      // work left with departing ones), in a transaction that writes nothing.
      if (options.dryRun === true)
        return db.transaction(async (tx) => {
          const current = await loadRegistry(tx);
          await checkMemberLinks(tx, current, next);
          await checkNoWorkLeftBehind(tx, departuresOf(current, next));
          return { ...sizes, ...planSync(current, next).counts };
        });
      return write((current) => ({
        next,
        result: () => ({ ...sizes, ...planSync(current, next).counts }),
        audit: (counts) => [
          {
            actor: actor === undefined ? (options.actor ?? 'system') : actorOf(actor),
            action: 'registry.import',
            details: { ...sizes, ...counts },
          },
        ],
      }));
    },

    /** The whole registry as a file, read from the database (the service need not be started). */
    async exportRegistry(
      actor: Principal | undefined,
      options: { actor?: string } = {},
    ): Promise<RegistryFile> {
      const file = await db.transaction((tx) => loadRegistry(tx), { isolationLevel: 'repeatable read' });
      audit.enqueue({
        actor: actor === undefined ? (options.actor ?? 'system') : actorOf(actor),
        action: 'registry.export',
        details: { contacts: file.contacts.length },
      });
      return file;
    },
  };
}

function invalid(problems: readonly Problem[], focus?: RegistryChange<unknown>['focus']): AppError {
  const prefix = focus === undefined ? undefined : `/${focus.section}/${focus.index}`;
  const located = problems.map((problem) =>
    prefix !== undefined && (problem.path === prefix || problem.path.startsWith(`${prefix}/`))
      ? { path: problem.path.slice(prefix.length), message: problem.message }
      : problem,
  );
  const count = located.length;
  return new AppError(
    'validation_failed',
    `the registry has ${count} problem${count === 1 ? '' : 's'}`,
    located,
  );
}
