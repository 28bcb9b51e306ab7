// Can pushes reach each registry contact? Linked: a member stands behind the contact and linked a
// messenger. Unreachable: linked, but the last push to every such member failed for good.
import type { DeliveryHealth } from '../outbox/index.ts';
import type { MemberDirectory } from '../members/index.ts';

export interface ContactReach {
  linked: boolean;
  unreachable: boolean;
}

/** Reach of every contact someone stands behind; cached briefly (it changes slowly and costs an outbox scan). */
export function createContactReach(deps: {
  directory: MemberDirectory;
  deliveries: DeliveryHealth;
  cacheMs?: number;
}) {
  const cacheMs = deps.cacheMs ?? 5000;
  let cache: { at: number; value: Map<string, ContactReach> } | undefined;
  return {
    async all(): Promise<Map<string, ContactReach>> {
      const now = Date.now();
      if (cache !== undefined && now - cache.at < cacheMs) return cache.value;
      const links = await deps.directory.contactLinks();
      const failing = await deps.deliveries.failingMembers(
        [...links.values()].flatMap((link) => link.memberIds),
      );
      const value = new Map(
        [...links].map(([contactId, link]) => [
          contactId,
          {
            linked: link.platforms.length > 0,
            unreachable: link.platforms.length > 0 && link.memberIds.every((id) => failing.has(id)),
          },
        ]),
      );
      cache = { at: now, value };
      return value;
    },
    forget(): void {
      cache = undefined;
    },
  };
}

export type ContactReachService = ReturnType<typeof createContactReach>;
