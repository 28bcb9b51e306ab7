// The coordinators' weekly digest: what in their country's part of the registry needs them (stale
// entries, changes waiting for approval, escalated requests nobody answered, contacts we cannot
// reach), on their messenger, in their language and working hours. One durable timer per
// coordinator (`digest:<memberId>`); firing sends this week's digest once (the outbox key names
// the week) and sets the timer for the next week in the same transaction. Its entries carry the
// same one-tap actions as the flag and `/stale` (coordinator-actions.ts).
import { plain, richToPlainText, type Button, type RichBlock, type RichContent } from '../chat/index.ts';
import type { Clock } from '../clock/index.ts';
import type { Principal } from '../access/index.ts';
import type { OutboxPush } from '../outbox/index.ts';
import type { Contact, RegistryService } from '../registry/index.ts';
import type { OpenEscalation } from '../requests/index.ts';
import { timerKeysStartingWith, type DurableTimers } from '../timers/index.ts';
import { actionButtons, contactsPerPage, coordinatorActionPrefix } from './coordinator-actions.ts';
import type { ProposalService } from './proposal-service.ts';
import type { TruthPushes } from './truth-pushes.ts';
import type { DigestSchedule } from './verification-policy.ts';
import type { VerificationService, VerificationStateItem } from './verification-service.ts';
import type { Database } from '../db/index.ts';
import type { Locale } from '../i18n/index.ts';
import { reachableMembers, type MemberReach } from '../members/index.ts';
import { addDays, defaultWorkingHours, type WorkingTime } from '../schedule/index.ts';

export interface DigestDeps {
  db: Database;
  registry: Pick<RegistryService, 'snapshot'>;
  timers: DurableTimers;
  pushes: TruthPushes;
  verification: Pick<VerificationService, 'list'>;
  proposals: Pick<ProposalService, 'list'>;
  escalations: (country: string) => Promise<{ items: OpenEscalation[]; total: number }>;
  workingTime: WorkingTime;
  schedule: DigestSchedule;
  clock: Clock;
  /** The longest button action every messenger of the deployment carries (`sharedMessageLimits`). */
  maxButtonActionBytes: number;
  /** An invite can be issued from a coordinator's buttons. */
  invites: boolean;
}

/** What one country's digest says; every list is complete in its count, shortened in its lines. */
export interface DigestContent {
  country: string;
  stale: VerificationStateItem[];
  proposals: { contactId: string; fields: string[] }[];
  escalations: { items: OpenEscalation[]; total: number };
  unreachable: VerificationStateItem[];
  unlinked: VerificationStateItem[];
}

const timerKey = (memberId: string) => `digest:${memberId}`;
const linesPerSection = 10;

export type CoordinatorDigest = ReturnType<typeof createCoordinatorDigest>;

export function createCoordinatorDigest(deps: DigestDeps) {
  const { db, registry, timers, pushes, workingTime, schedule, clock } = deps;

  /** A coordinator's country: coordinators always have one (only an admin may belong to none). */
  const countryOf = (member: Pick<MemberReach, 'country'>): string => {
    if (member.country === null) throw new Error('a coordinator has no country');
    return member.country;
  };

  const calendarOf = (member: Pick<MemberReach, 'country' | 'contactId'>) => {
    const snapshot = registry.snapshot();
    const own = member.contactId === null ? undefined : snapshot.contactById.get(member.contactId);
    const country = countryOf(member);
    return {
      timezone: snapshot.countryByIso2.get(country)?.timezone ?? 'UTC',
      country,
      workingHours: own?.workingHours ?? defaultWorkingHours,
    };
  };

  /** The next digest after `after`: the weekday and hour in the coordinator's zone, then their working time. */
  function nextAt(member: Pick<MemberReach, 'country' | 'contactId'>, after: number): Date {
    const calendar = calendarOf(member);
    const today = workingTime.localClock(after, calendar.timezone);
    const hour = `${String(schedule.hour).padStart(2, '0')}:00`;
    const day = addDays(today.date, (schedule.weekday - today.weekday + 7) % 7);
    let slot = workingTime.localInstant(day, hour, calendar.timezone);
    if (slot <= after) slot = workingTime.localInstant(addDays(day, 7), hour, calendar.timezone);
    return new Date(workingTime.nextWorkingInstant(slot, calendar));
  }

  const principalOf = (member: MemberReach): Principal => ({
    memberId: member.memberId,
    name: member.name,
    role: 'coordinator',
    country: member.country,
    contactId: member.contactId,
    locale: member.locale,
  });

  async function content(member: MemberReach): Promise<DigestContent> {
    const principal = principalOf(member);
    const country = countryOf(member);
    const states = await deps.verification.list(principal, country);
    const proposals = await deps.proposals.list(principal, { status: 'pending' });
    return {
      country,
      stale: states.filter((item) => item.state === 'overdue' || item.state === 'prompted'),
      proposals: proposals.map((proposal) => ({ contactId: proposal.contactId, fields: proposal.fields })),
      escalations: await deps.escalations(country),
      unreachable: states.filter((item) => item.state === 'unreachable'),
      unlinked: states.filter((item) => !item.linked && item.state !== 'unreachable'),
    };
  }

  /**
   * The one-tap actions of the entries that need one (not re-confirmed, unreachable, no linked
   * messenger), in the digest's order, `contactsPerPage` contacts of them: the keyboard `/stale`
   * shows, built the same way (verify; the prompt again when someone is linked; an invite when
   * nobody is or their pushes fail). More contacts than that: a last button opens `/stale`'s
   * first page, which pages on with its own buttons.
   */
  function buttons(locale: Locale, digest: DigestContent, name: (id: string) => string): Button[] {
    const seen = new Set<string>();
    const entries = [...digest.stale, ...digest.unreachable, ...digest.unlinked].filter((item) => {
      if (seen.has(item.contactId)) return false;
      seen.add(item.contactId);
      return true;
    });
    const limits = { maxActionBytes: deps.maxButtonActionBytes, invites: deps.invites };
    const keyboard = entries.slice(0, contactsPerPage).flatMap((item) =>
      actionButtons(
        pushes.t,
        locale,
        {
          contactId: item.contactId,
          name: name(item.contactId),
          linked: item.linked,
          unreachable: item.state === 'unreachable',
          seq: item.seq,
        },
        limits,
      ),
    );
    if (entries.length > contactsPerPage)
      keyboard.push({
        label: pushes.t(locale, 'truth-digest-all', { count: entries.length }),
        action: `${coordinatorActionPrefix}:n:0`,
      });
    return keyboard;
  }

  /** The digest as rich content (headed sections; each adapter formats it), its plain text and its buttons. */
  function render(
    locale: Locale,
    digest: DigestContent,
  ): { text: string; rich: RichContent; buttons: Button[] } {
    const t = (id: string, args?: Record<string, string | number>) => pushes.t(locale, id, args);
    const snapshot = registry.snapshot();
    const name = (id: string) => {
      const contact: Contact | undefined = snapshot.contactById.get(id);
      return contact === undefined ? id : (contact.name[locale] ?? contact.name.en ?? id);
    };
    const line = (text: string, role?: 'note'): RichBlock => ({
      kind: 'line',
      line: { ...(role === undefined ? {} : { role }), inlines: [plain(text)] },
    });
    const section = <T>(
      title: string,
      total: number,
      items: readonly T[],
      describe: (item: T) => string,
    ): RichBlock[] => {
      if (total === 0) return [];
      const shown = items.slice(0, linesPerSection).map((item) => line(describe(item)));
      const more = total - shown.length;
      return [
        { kind: 'gap' },
        { kind: 'heading', text: t(title, { count: total }) },
        ...shown,
        ...(more > 0 ? [line(t('truth-digest-more', { count: more }), 'note')] : []),
      ];
    };
    const day = (iso: string | null) => (iso ?? '').slice(0, 10);
    const body = [
      ...section('truth-digest-stale', digest.stale.length, digest.stale, (item) =>
        t('truth-digest-stale-line', {
          name: name(item.contactId),
          id: item.contactId,
          state: t(`truth-state-${item.state}`),
          verifiedAt: item.verifiedAt,
        }),
      ),
      ...section('truth-digest-proposals', digest.proposals.length, digest.proposals, (item) =>
        t('truth-digest-proposal-line', {
          name: name(item.contactId),
          id: item.contactId,
          fields: item.fields.join(', '),
        }),
      ),
      ...section('truth-digest-escalations', digest.escalations.total, digest.escalations.items, (item) =>
        t('truth-digest-escalation-line', {
          reference: item.ourReference,
          from: item.fromCountry ?? '-',
          contact: item.contactId === null ? '-' : name(item.contactId),
          since: day(item.escalatedAt),
        }),
      ),
      ...section(
        'truth-digest-unreachable',
        digest.unreachable.length + digest.unlinked.length,
        [...digest.unreachable, ...digest.unlinked],
        (item) =>
          item.state === 'unreachable'
            ? t('truth-digest-unreachable-line', {
                name: name(item.contactId),
                id: item.contactId,
                since: day(item.since),
              })
            : t('truth-digest-unlinked-line', { name: name(item.contactId), id: item.contactId }),
      ),
    ];
    const rich: RichContent = {
      blocks: [
        { kind: 'heading', text: t('truth-digest-title', { country: digest.country }) },
        ...(body.length === 0 ? [line(t('truth-digest-nothing'))] : body),
      ],
    };
    return { text: richToPlainText(rich), rich, buttons: buttons(locale, digest, name) };
  }

  /** The timer fired: this week's digest (once), then the next week's timer, in one transaction. */
  async function fire(payload: { memberId: string }, dueAt: Date): Promise<void> {
    const [member] = await reachableMembers(db, { memberIds: [payload.memberId] });
    // Disabled, no longer a coordinator: no more digests (the planner starts them again if that changes).
    if (member?.role !== 'coordinator') return;
    const digest = await content(member);
    const week = workingTime.localDate(dueAt.getTime(), calendarOf(member).timezone);
    const written: OutboxPush[] = pushes.toMember(
      member,
      `digest:${member.memberId}:${week}`,
      (locale) => render(locale, digest),
      { kind: 'truth-digest', subject: `member:${member.memberId}` },
    );
    await db.transaction(async (tx) => {
      await pushes.write(tx, written);
      await timers.schedule(
        timerKey(member.memberId),
        nextAt(member, Math.max(clock.now().getTime(), dueAt.getTime())),
        { memberId: member.memberId },
        { db: tx },
      );
    });
    await pushes.dispatch(written);
  }

  return {
    nextAt,
    content,
    render,
    fire,

    /** Gives every coordinator with a linked messenger a digest timer if they have none. Idempotent. */
    async planOnce(): Promise<number> {
      const countries = [...registry.snapshot().countryByIso2.keys()];
      const coordinators = (await reachableMembers(db, { coordinatorsOf: countries })).filter(
        (member) => member.role === 'coordinator' && member.accounts.length > 0,
      );
      if (coordinators.length === 0) return 0;
      const armed = new Set(await timerKeysStartingWith(db, 'digest:'));
      let planned = 0;
      for (const member of coordinators) {
        if (armed.has(timerKey(member.memberId))) continue;
        await timers.schedule(timerKey(member.memberId), nextAt(member, clock.now().getTime()), {
          memberId: member.memberId,
        });
        planned += 1;
      }
      return planned;
    },
  };
}
