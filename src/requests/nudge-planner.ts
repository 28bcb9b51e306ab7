// When the next nudge of a request is due and who gets it: the policy's interval, then the
// recipient's working time (their country's time zone, weekends and public holidays), with the
// deputy standing in while the contact is out of office.
import type { NudgePolicies } from './nudge-policy.ts';
import type { EffectiveRecipient, RequestRow } from './request-types.ts';
import { countryTimezone, type Contact, type RegistrySnapshot } from '../registry/index.ts';
import { addDays, defaultWorkingHours, type WorkingCalendar, type WorkingTime } from '../schedule/index.ts';

export type PlanningRequest = Pick<
  RequestRow,
  'type' | 'fromCountry' | 'toCountry' | 'urgent' | 'sentAt' | 'contactId'
>;

export interface NudgePlanner {
  /** Who receives a nudge for `contactId` at `at` (epoch ms). */
  recipientAt(snapshot: RegistrySnapshot, contactId: string | null, at: number): EffectiveRecipient;
  /** The first working instant at or after `base` for this request's (effective) recipient. */
  place(snapshot: RegistrySnapshot, request: PlanningRequest, base: number): number;
  /** The first nudge of a new request: `firstNudgeAfter` past its sending, but never in the past. */
  firstNudgeAt(snapshot: RegistrySnapshot, request: PlanningRequest, now: number): number;
  /** The nudge after one just sent (or after an answer that keeps the request open). */
  repeatNudgeAt(snapshot: RegistrySnapshot, request: PlanningRequest, now: number): number;
  escalateAfter(request: PlanningRequest): number;
}

export function createNudgePlanner({
  policies,
  workingTime,
}: {
  policies: NudgePolicies;
  workingTime: WorkingTime;
}): NudgePlanner {
  const isAway = (contact: Contact, at: number, timezone: string): boolean => {
    const absence = contact.outOfOffice;
    if (absence == null) return false;
    const today = workingTime.localDate(at, timezone);
    return absence.start <= today && today <= absence.end;
  };
  const usable = (contact: Contact | undefined): contact is Contact =>
    contact !== undefined && contact.status === 'active';

  const recipientAt = (
    snapshot: RegistrySnapshot,
    contactId: string | null,
    at: number,
  ): EffectiveRecipient => {
    const contact = contactId === null ? undefined : snapshot.contactById.get(contactId);
    if (contact === undefined) return { contact: undefined, standingInFor: undefined, notBefore: 0 };
    const deputy = contact.deputy === null ? undefined : snapshot.contactById.get(contact.deputy);
    const deputyAvailable = usable(deputy) && !isAway(deputy, at, countryTimezone(snapshot, deputy.country));
    if (contact.status !== 'active') {
      // A retired or suspended contact: their deputy (successor) takes it over, if there is one.
      return deputyAvailable
        ? { contact: deputy, standingInFor: contact, notBefore: 0 }
        : { contact: undefined, standingInFor: contact, notBefore: 0 };
    }
    const timezone = countryTimezone(snapshot, contact.country);
    if (!isAway(contact, at, timezone)) return { contact, standingInFor: undefined, notBefore: 0 };
    if (deputyAvailable) return { contact: deputy, standingInFor: contact, notBefore: 0 };
    // Away with nobody standing in: wait for their return.
    const back = workingTime.localMidnight(
      addDays(contact.outOfOffice?.end ?? workingTime.localDate(at, timezone), 1),
      timezone,
    );
    return { contact, standingInFor: undefined, notBefore: back };
  };

  const calendarOf = (
    snapshot: RegistrySnapshot,
    contact: Contact | undefined,
    country: string,
  ): WorkingCalendar => {
    const home = contact?.country ?? country;
    return {
      timezone: countryTimezone(snapshot, home),
      country: home,
      workingHours: contact?.workingHours ?? defaultWorkingHours,
    };
  };

  const place = (snapshot: RegistrySnapshot, request: PlanningRequest, base: number): number => {
    const { respectWorkingTime } = policies.intervals(
      request.type,
      request.fromCountry,
      request.toCountry,
      request.urgent,
    );
    let at = base;
    // Placing can move the nudge into an absence that starts later (or out of one), which can
    // change the recipient; a few rounds settle it.
    for (let round = 0; round < 5; round++) {
      const recipient = recipientAt(snapshot, request.contactId, at);
      const earliest = Math.max(at, recipient.notBefore);
      const placed = respectWorkingTime
        ? workingTime.nextWorkingInstant(earliest, calendarOf(snapshot, recipient.contact, request.toCountry))
        : earliest;
      if (placed === at) return at;
      at = placed;
    }
    return at;
  };

  return {
    recipientAt,
    place,
    firstNudgeAt(snapshot, request, now) {
      const { firstNudgeAfterMs } = policies.intervals(
        request.type,
        request.fromCountry,
        request.toCountry,
        request.urgent,
      );
      return place(snapshot, request, Math.max(now, request.sentAt.getTime() + firstNudgeAfterMs));
    },
    repeatNudgeAt(snapshot, request, now) {
      const { repeatEveryMs } = policies.intervals(
        request.type,
        request.fromCountry,
        request.toCountry,
        request.urgent,
      );
      return place(snapshot, request, now + repeatEveryMs);
    },
    escalateAfter: (request) =>
      policies.intervals(request.type, request.fromCountry, request.toCountry, request.urgent)
        .escalateAfterUnanswered,
  };
}
