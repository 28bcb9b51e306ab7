// Shared by the two entry points that open the database: the composition root (src/application.ts,
// through src/composition) and the CLI (src/cli/cli-context.ts).

import { createAuditService } from './audit/index.ts';
import type { Clock } from './clock/index.ts';
import type { Config } from './config/index.ts';
import type { DatabaseHandle } from './db/index.ts';
import type { Logger } from './logging/index.ts';
import {
  consoleBaseUrl,
  createIdentityService,
  createInviteService,
  createInviteThrottle,
  createMembersService,
  createTokenCache,
  membersLinkedToContacts,
  type MemberLinks,
} from './members/index.ts';
import { createRegistryService, type OpenWork } from './registry/index.ts';
import type { Queryable } from './db/index.ts';
import type { RedisHandle } from './redis/index.ts';
import type { WorkingTime } from './schedule/index.ts';

export interface RegistryAndMembersOptions {
  database: DatabaseHandle;
  logger: Logger;
  config: Pick<Config, 'chat' | 'http'>;
  /** Default: the system's. */
  clock?: Clock | undefined;
  /** The server's one working-time model (the registry dates a verification where the contact is). */
  workingTime?: WorkingTime | undefined;
  /**
   * What only a server process needs: link announcements (for the modules that wait for someone to
   * become reachable), cached tokens for busy API clients, and the invite-code throttle in Redis
   * (redemptions happen there). The CLI only issues invites, so Postgres suffices for it.
   */
  server?:
    | {
        links: MemberLinks;
        redis: { client: NonNullable<RedisHandle['client']>; prefix: string } | undefined;
      }
    | undefined;
}

/**
 * The registry and the people around it (audit log, members, their messenger accounts, invites),
 * built the same way by the server and the CLI.
 */
export function createRegistryAndMembers({
  database,
  logger,
  config,
  clock,
  workingTime,
  server,
}: RegistryAndMembersOptions) {
  const clockOption = clock === undefined ? {} : { clock };
  const audit = createAuditService({ db: database.db, logger, ...clockOption });
  const registry = createRegistryService({
    db: database.db,
    audit,
    database,
    logger,
    linkedMembers: membersLinkedToContacts,
    workingTime,
    openWork: openWorkOf,
    ...clockOption,
  });
  const members = createMembersService({
    db: database.db,
    audit,
    registryLookup: registry,
    ...clockOption,
    ...(server === undefined ? {} : { links: server.links, tokenCache: createTokenCache() }),
  });
  const identities = createIdentityService({ db: database.db, audit });
  // One wrong-attempt counter for invite codes and console logins (codes and tokens add up).
  const inviteThrottle = createInviteThrottle({ db: database.db, redis: server?.redis, ...clockOption });
  const invites = createInviteService({
    db: database.db,
    audit,
    throttle: inviteThrottle,
    ttlHours: config.chat.inviteTtlHours,
    consoleUrl: consoleBaseUrl(config.http),
    ...clockOption,
    ...(server === undefined ? {} : { identityCache: identities, links: server.links }),
  });
  return { audit, registry, members, identities, inviteThrottle, invites };
}

/**
 * Open consultations and pending requests each contact holds, as their modules count them: no
 * registry write, in the server or the CLI, leaves work with a contact it removes or retires.
 */
async function openWorkOf(tx: Queryable, contactIds: readonly string[]): Promise<OpenWork[]> {
  // Loaded when first needed: every CLI command starts through here, and these modules' graphs
  // cost a command that never retires anybody about 0.4 s of CPU and 35 MB.
  const [{ heldConsultationCounts }, { openRequestCounts }] = await Promise.all([
    import('./consultations/index.ts'),
    import('./requests/index.ts'),
  ]);
  const held = await heldConsultationCounts(tx, contactIds);
  const pending = await openRequestCounts(tx, contactIds);
  return contactIds.map((contactId) => ({
    contactId,
    consultations: held.get(contactId) ?? 0,
    requests: pending.get(contactId) ?? 0,
  }));
}
