/** A member's role: admin (network secretariat), coordinator (own country), member. */
export type Role = 'admin' | 'coordinator' | 'member';

const rank: Record<Role, number> = { member: 0, coordinator: 1, admin: 2 };

/** Whether `role` is at least `minimum` (admin > coordinator > member). */
export const hasRole = (role: Role, minimum: Role): boolean => rank[role] >= rank[minimum];
