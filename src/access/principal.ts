import countryCodes from 'i18n-iso-countries';
import type { Role } from './roles.ts';
import { AppError } from '../errors/index.ts';

/** Who is calling: resolved from an API token, a web session or a linked messenger account. */
export interface Principal {
  memberId: string;
  name: string;
  role: Role;
  country: string;
  contactId: string | null;
  locale: string | null;
  /** The API token used, when the call came through one. */
  tokenId?: string;
  /** The web console session used, when the call came through its cookie. */
  sessionId?: string;
}

/** Audit actor name for a principal. */
export const actorOf = (principal: Principal | undefined): string =>
  principal === undefined ? 'system' : `member:${principal.memberId}`;

export const isAdmin = (principal: Principal): boolean => principal.role === 'admin';

/** Admins act everywhere; coordinators only for their own country. */
export const canManageCountry = (principal: Principal, country: string): boolean =>
  principal.role === 'admin' || (principal.role === 'coordinator' && principal.country === country);

/**
 * The country a principal acts for when asking or drafting: their own, or, for an admin (the
 * secretariat), the one they name. Anyone else naming another country is refused. Undefined when
 * the principal has no real country (the bootstrap admin's "ZZ").
 */
export function askingCountryOf(principal: Principal, requested: string | undefined): string | undefined {
  if (requested !== undefined && requested !== principal.country && !isAdmin(principal)) {
    throw new AppError(
      'forbidden',
      'askerCountry may only be set by an admin; members ask as their own country',
    );
  }
  const country = requested ?? principal.country;
  return countryCodes.isValid(country) ? country : undefined;
}
