// The members module's public surface: other modules import from here only.
export { createIdentityService, type IdentityService } from './identity-service.ts';
export { consoleBaseUrl, qrSvg, qrTerminal } from './invite-links.ts';
export { inviteRoutes } from './invite-routes.ts';
export {
  createInviteService,
  type InviteService,
  type IssuedInvite,
  type RedeemOutcome,
} from './invite-service.ts';
export { createInviteThrottle } from './invite-throttle.ts';
export { createMemberDirectory, type MemberDirectory, type MemberOverview } from './member-directory.ts';
export {
  activeMember,
  contactOfMemberSql,
  linkedContactIds,
  chatsOf,
  membersByIds,
  membersLinkedToContacts,
  reachableMembers,
  type MemberReach,
  type MemberRecord,
  type ReachableAccount,
  type ReachQuery,
} from './member-reach.ts';
export {
  createMemberLinks,
  type MemberLinked,
  type MemberLinkListener,
  type MemberLinks,
} from './member-links.ts';
export { membersRoutes } from './members-routes.ts';
export { createMembersService, type MembersService, principalOf } from './members-service.ts';
export { newId } from './secrets.ts';
export { type ActiveSession, createSessionService } from './session-service.ts';
export { createTokenCache, membersChangedChannel } from './token-cache.ts';
