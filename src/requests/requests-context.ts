import type { Clock } from '../clock/index.ts';
import type { NudgePlanner } from './nudge-planner.ts';
import type { NudgeScheduler } from './nudge-timers.ts';
import type { RequestMessages } from './request-messages.ts';
import type { ContactRanking, RequestRow } from './request-types.ts';
import type { Principal } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { Database } from '../db/index.ts';
import type { Locale } from '../i18n/index.ts';
import type { Logger } from '../logging/index.ts';
import type { OutboxService } from '../outbox/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';

/** What the request services share, built once in index.ts. */
export interface RequestsContext {
  db: Database;
  audit: AuditService;
  registry: { snapshot(): RegistrySnapshot };
  planner: NudgePlanner;
  scheduler: NudgeScheduler;
  messages: RequestMessages;
  outbox: OutboxService;
  ranking: ContactRanking;
  pushPlatforms: () => readonly string[];
  defaultLocale: Locale;
  logger: Logger;
  clock: Clock;
}

/** Members see their own requests and those addressed to them; coordinators their country's (sent from or to it); admins all. */
export function canSee(principal: Principal, row: RequestRow, snapshot: RegistrySnapshot): boolean {
  if (principal.role === 'admin' || row.requesterMemberId === principal.memberId) return true;
  if (
    principal.role === 'coordinator' &&
    (row.fromCountry === principal.country || row.toCountry === principal.country)
  )
    return true;
  return isAddressedTo(principal, row, snapshot);
}

/** The requester, a coordinator of the requesting country, or an admin may change or withdraw it. */
export const canManage = (principal: Principal, row: RequestRow): boolean =>
  principal.role === 'admin' ||
  row.requesterMemberId === principal.memberId ||
  (principal.role === 'coordinator' && row.fromCountry === principal.country);

/** The receiving contact (or their deputy), a coordinator of the requested country, or an admin may answer. */
export const canAnswer = (principal: Principal, row: RequestRow, snapshot: RegistrySnapshot): boolean =>
  principal.role === 'admin' ||
  (principal.role === 'coordinator' && row.toCountry === principal.country) ||
  isAddressedTo(principal, row, snapshot);

function isAddressedTo(principal: Principal, row: RequestRow, snapshot: RegistrySnapshot): boolean {
  if (principal.contactId === null || row.contactId === null) return false;
  if (principal.contactId === row.contactId) return true;
  return snapshot.contactById.get(row.contactId)?.deputy === principal.contactId;
}
