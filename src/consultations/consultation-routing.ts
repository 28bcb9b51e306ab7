// Who a consultation goes to next, and sending it there: the best contact by the ask ranking
// (the deputy while they are away), the country's coordinators when that contact has no
// messenger or nobody is left, and an accept deadline in the recipient's working hours.
import { and, eq } from 'drizzle-orm';
import { isAway } from './consultation-candidates.ts';
import type { Core, Effects } from './consultation-core.ts';
import {
  consultationRoutes,
  consultations,
  type ConsultationStatus,
  type RouteKind,
  type RouteReason,
} from './consultations-schema.ts';
import { participantsOf, routesOf } from './consultation-repository.ts';
import { refOf, type ActingFrom, type ConsultationRow, type RouteRow } from './consultation-types.ts';
import { defaultWorkingHours, type WorkingCalendar } from '../schedule/index.ts';
import type { Queryable } from '../db/index.ts';
import type { Contact } from '../registry/index.ts';
import { activeMember, reachableMembers, type MemberRecord, type ReachQuery } from '../members/index.ts';

/** Members matching the query who have a messenger linked, oldest first. */
async function linkedMembers(tx: Queryable, query: ReachQuery): Promise<MemberRecord[]> {
  const reached = await reachableMembers(tx, query);
  return reached.filter((member) => member.accounts.length > 0).map((member) => member.record);
}

export interface PlannedRoute {
  kind: RouteKind;
  reason: RouteReason;
  /** The contact routed to; for a coordinator step, the contact that could not be reached (if any). */
  contactId: string | null;
  standingInFor: string | null;
  members: MemberRecord[];
}

const usable = (contact: Contact | undefined, country: string): contact is Contact =>
  contact !== undefined && contact.status === 'active' && contact.country === country;

/**
 * The next step for a consultation. `explicitContactId` is a chosen person (forward, or a contact
 * picked by the asker); otherwise the best ranked contact not tried yet. Undefined when nobody,
 * not even a coordinator, can be reached.
 */
export async function planRoute(
  core: Core,
  tx: Queryable,
  consultation: ConsultationRow,
  options: { reason: RouteReason; explicitContactId?: string | undefined; tried: ReadonlySet<string> },
): Promise<PlannedRoute | undefined> {
  const snapshot = core.snapshot();
  const now = core.clock.now();
  const asker = await activeMember(tx, consultation.askerMemberId);
  const notAsker = (members: MemberRecord[]) =>
    members.filter((member) => member.id !== consultation.askerMemberId);

  let picked: { contactId: string; standingInFor: string | null } | undefined;
  const standIn = (contact: Contact): { contactId: string; standingInFor: string | null } => {
    const deputy = contact.deputy === null ? undefined : snapshot.contactById.get(contact.deputy);
    const away = (someone: Contact) => isAway(core.workingTime, snapshot, someone, now);
    if (away(contact) && usable(deputy, contact.country) && !away(deputy)) {
      return { contactId: deputy.id, standingInFor: contact.id };
    }
    return { contactId: contact.id, standingInFor: null };
  };
  if (options.explicitContactId !== undefined) {
    const contact = snapshot.contactById.get(options.explicitContactId);
    if (usable(contact, consultation.country)) picked = standIn(contact);
  } else {
    const ranked = core.deps.rankCandidates(snapshot, {
      country: consultation.country,
      competence: consultation.competence,
      askerCountry: consultation.askerCountry,
      askerLocale: asker === undefined ? core.settings.defaultLocale : core.localeOf(asker),
      now,
    });
    for (const candidate of ranked) {
      const contact = snapshot.contactById.get(candidate.contactId);
      if (!usable(contact, consultation.country)) continue;
      const choice = standIn(contact);
      if (options.tried.has(choice.contactId) || options.tried.has(contact.id)) continue;
      picked = choice;
      break;
    }
  }

  if (picked !== undefined) {
    const members = notAsker(await linkedMembers(tx, { contactIds: [picked.contactId] }));
    if (members.length > 0) {
      return {
        kind: picked.standingInFor === null ? 'contact' : 'deputy',
        reason: options.reason,
        contactId: picked.contactId,
        standingInFor: picked.standingInFor,
        members,
      };
    }
  }
  const coordinators = notAsker(await linkedMembers(tx, { coordinatorsOf: [consultation.country] }));
  if (coordinators.length === 0) return undefined;
  return {
    kind: 'coordinator',
    reason: picked === undefined ? options.reason : 'no_messenger',
    contactId: picked?.contactId ?? null,
    standingInFor: null,
    members: coordinators,
  };
}

/** Contacts already tried for a consultation (and the absent ones their deputies stood in for). */
export async function triedContacts(tx: Queryable, consultationId: string): Promise<Set<string>> {
  const tried = new Set<string>();
  for (const route of await routesOf(tx, consultationId)) {
    if (route.kind !== 'coordinator' && route.contactId !== null) tried.add(route.contactId);
    if (route.standingInFor !== null) tried.add(route.standingInFor);
  }
  return tried;
}

/** The recipient's working calendar; coordinators are not registry contacts and get an office week. */
function calendarOf(core: Core, route: PlannedRoute, country: string): WorkingCalendar {
  const snapshot = core.snapshot();
  const timezone = snapshot.countryByIso2.get(country)?.timezone ?? 'UTC';
  const contact =
    route.kind === 'coordinator' || route.contactId === null
      ? undefined
      : snapshot.contactById.get(route.contactId);
  return { timezone, country, workingHours: contact?.workingHours ?? defaultWorkingHours };
}

export function acceptDeadline(core: Core, route: PlannedRoute, country: string, from: Date): Date {
  const seconds = core.settings.acceptWithinSeconds;
  if (seconds !== undefined) return new Date(from.getTime() + seconds * 1000);
  return new Date(
    // The one working-time model (src/schedule), with the same public holidays as nudges.
    core.workingTime.addWorkingTime(
      from.getTime(),
      core.settings.acceptWithinWorkingHours * 3_600_000,
      calendarOf(core, route, country),
    ),
  );
}

/**
 * Sends the consultation along a planned route: records the step, moves the status and the
 * deadline, pushes the request (with Accept / Decline / Forward) to every recipient and schedules
 * the deadline timer. The asker's notice is the caller's, since only it knows why this happened.
 */
export async function applyRoute(
  core: Core,
  tx: Queryable,
  effects: Effects,
  consultation: ConsultationRow,
  route: PlannedRoute,
  options: {
    status: ConsultationStatus;
    forwardedBy?: MemberRecord | undefined;
    /** The retired contact whose work this is (a handover). */
    handedOverFrom?: string | undefined;
  },
): Promise<{ seq: number; deadline: Date }> {
  const now = core.clock.now();
  const seq = consultation.routeSeq + 1;
  const deadline = acceptDeadline(core, route, consultation.country, now);
  await tx.insert(consultationRoutes).values({
    consultationId: consultation.id,
    seq,
    kind: route.kind,
    reason: route.reason,
    contactId: route.contactId,
    standingInFor: route.standingInFor,
    memberIds: route.members.map((member) => member.id),
    outcome: 'waiting',
    routedAt: now,
    deadlineAt: deadline,
  });
  await tx
    .update(consultations)
    .set({ routeSeq: seq, status: options.status, acceptDeadlineAt: deadline, updatedAt: now })
    .where(eq(consultations.id, consultation.id));

  const asker = await activeMember(tx, consultation.askerMemberId);
  const text = core.description(consultation) ?? '';
  const timezone = core.snapshot().countryByIso2.get(consultation.country)?.timezone ?? 'UTC';
  for (const member of route.members) {
    const locale = core.localeOf(member);
    const target = await core.addressFor(tx, member.id, { needsEncryption: consultation.sensitive });
    if (target === undefined) continue;
    const askerParty =
      asker === undefined ? { name: '?', authority: '' } : core.notices.memberParty(asker, locale);
    const args = {
      ...core.notices.consultationArgs(consultation, locale),
      asker: askerParty.name,
      askerAuthority: askerParty.authority,
      askerCountry: core.notices.countryName(consultation.askerCountry, locale),
      description: text,
      deadline: core.notices.deadlineText(deadline, timezone, locale),
    };
    const lines = [
      core.t(
        locale,
        consultation.sensitive && !target.encrypted ? 'consult-request-sensitive' : 'consult-request',
        args,
      ),
    ];
    if (route.standingInFor !== null) {
      lines.push(
        core.t(locale, 'consult-request-deputy', {
          absent: core.notices.contactParty(route.standingInFor, locale).name,
        }),
      );
    }
    if (options.forwardedBy !== undefined) {
      lines.push(
        core.t(locale, 'consult-request-forwarded', {
          from: core.notices.memberParty(options.forwardedBy, locale).name,
        }),
      );
    }
    if (options.handedOverFrom !== undefined) {
      lines.push(
        core.t(locale, 'consult-request-handover', {
          from: core.notices.contactParty(options.handedOverFrom, locale).name,
        }),
      );
    }
    if (route.kind === 'coordinator') {
      lines.push(
        route.reason === 'no_messenger' && route.contactId !== null
          ? core.t(locale, 'consult-request-coordinator-no-messenger', {
              name: core.notices.contactParty(route.contactId, locale).name,
            })
          : core.t(locale, 'consult-request-coordinator-timeout'),
      );
    }
    core.push(effects, `consult:${consultation.id}:route:${seq}:to:${member.id}`, member.id, target.address, {
      text: lines.join('\n\n'),
      locale,
      buttons: core.notices.recipientButtons(consultation, locale),
      ...(consultation.sensitive && target.encrypted ? { requiresEncryption: true } : {}),
    });
  }
  effects.timers.push({ consultationId: consultation.id, routeSeq: seq, at: deadline });
  effects.audit.push({
    actor: 'system',
    action: 'consultation.route',
    subject: `consultation:${consultation.id}`,
    details: {
      ref: refOf(consultation.number),
      seq,
      kind: route.kind,
      reason: route.reason,
      contactId: route.contactId,
      standingInFor: route.standingInFor,
      memberIds: route.members.map((member) => member.id),
      deadlineAt: deadline.toISOString(),
    },
  });
  return { seq, deadline };
}

/** Ends the current routing step with an outcome. */
export async function closeRoute(
  core: Core,
  tx: Queryable,
  consultation: ConsultationRow,
  outcome: RouteRow['outcome'],
  answeredBy: string | null,
): Promise<void> {
  if (consultation.routeSeq === 0) return;
  await tx
    .update(consultationRoutes)
    .set({ outcome, answeredAt: core.clock.now(), answeredBy })
    .where(
      and(
        eq(consultationRoutes.consultationId, consultation.id),
        eq(consultationRoutes.seq, consultation.routeSeq),
        eq(consultationRoutes.outcome, 'waiting'),
      ),
    );
}

/** The asker's notice about where the consultation went, in their language and on their chat. */
export async function tellAskerAboutRoute(
  core: Core,
  tx: Queryable,
  effects: Effects,
  consultation: ConsultationRow,
  route: PlannedRoute,
  seq: number,
  cause: 'initial' | 'timeout' | { forwardedBy: MemberRecord },
  from?: ActingFrom,
): Promise<void> {
  const asker = await activeMember(tx, consultation.askerMemberId);
  if (asker === undefined) return;
  // Answered in the chat the asker started from: in that conversation's language.
  const locale = (cause === 'initial' ? from?.locale : undefined) ?? core.localeOf(asker);
  const target = await participantAddress(core, tx, consultation.id, asker.id);
  if (target === undefined) return;
  const base = core.notices.consultationArgs(consultation, locale);
  const party =
    route.contactId === null
      ? { name: '', authority: '' }
      : core.notices.contactParty(route.contactId, locale);
  let id: string;
  let extra: Record<string, string> = { name: party.name, authority: party.authority };
  if (route.kind === 'coordinator') {
    id =
      route.reason === 'no_messenger'
        ? cause === 'initial'
          ? 'consult-started-coordinator'
          : 'consult-rerouted-no-messenger'
        : 'consult-rerouted-timeout-coordinator';
  } else if (cause === 'initial') {
    id = route.kind === 'deputy' ? 'consult-started-deputy' : 'consult-started';
    if (route.standingInFor !== null)
      extra = { ...extra, absent: core.notices.contactParty(route.standingInFor, locale).name };
  } else if (cause === 'timeout') {
    id = 'consult-rerouted-timeout';
  } else {
    id = 'consult-forwarded-asker';
    extra = { ...extra, from: core.notices.memberParty(cause.forwardedBy, locale).name };
  }
  core.tellActor(effects, from, `consult:${consultation.id}:route:${seq}:asker`, asker.id, target.address, {
    text: core.t(locale, id, { ...base, ...extra } as Record<string, string>),
    locale,
    buttons: core.notices.closeButtons(consultation, locale, target.address.platform),
  });
}

/**
 * A side's chat for this consultation: the chat they last used for it, else their first
 * messenger; with `needsEncryption` a chat on an end-to-end encrypted messenger when they have one.
 */
export async function participantAddress(
  core: Core,
  tx: Queryable,
  consultationId: string,
  memberId: string,
  needsEncryption = false,
) {
  const participant = (await participantsOf(tx, consultationId)).find((row) => row.memberId === memberId);
  const preferred =
    participant?.platform != null && participant.chatId !== null
      ? { platform: participant.platform, chatId: participant.chatId }
      : undefined;
  return core.addressFor(tx, memberId, { preferred, needsEncryption });
}
