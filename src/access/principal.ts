import countryCodes from 'i18n-iso-countries';
import type { Role } from './roles.ts';
import { AppError } from '../errors/index.ts';

/** Who is calling: resolved from an API token, a web session or a linked messenger account. */
export interface Principal {
  memberId: string;
  name: string;
  role: Role;
  /** Null for an admin who belongs to no country (the network's secretariat). */
  country: string | null;
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

/**
 * The country of a coordinator or a member, who always have one: only an admin may belong to none
 * (the members table checks it), so a coordinator's branch may rely on it.
 */
export function ownCountryOf(principal: Principal): string {
  if (principal.country === null)
    throw new Error(`member ${principal.memberId} (${principal.role}) has no country`);
  return principal.country;
}

/** Admins act everywhere; coordinators only for their own country (a country-less record is an admin's). */
export const canManageCountry = (principal: Principal, country: string | null): boolean =>
  principal.role === 'admin' ||
  (principal.role === 'coordinator' && country !== null && principal.country === country);

/**
 * The country a principal acts for when asking or drafting: their own, or, for an admin (the
 * secretariat), the one they name. Anyone else naming another country is refused, and a name that
 * is no ISO 3166-1 country is refused for everyone (400, nothing done). Undefined when nothing
 * names a real country (an admin of no country who named none, or a legacy "ZZ").
 */
export function askingCountryOf(principal: Principal, requested: string | undefined): string | undefined {
  if (requested !== undefined && requested !== principal.country && !isAdmin(principal)) {
    throw new AppError(
      'forbidden',
      'askerCountry may only be set by an admin; members ask as their own country',
    );
  }
  if (requested !== undefined && !(/^[A-Z]{2}$/.test(requested) && countryCodes.isValid(requested))) {
    throw new AppError('validation_failed', 'invalid askerCountry', [
      { path: '/askerCountry', message: `unknown country ${requested} (an ISO 3166-1 alpha-2 code)` },
    ]);
  }
  const country = requested ?? principal.country;
  return country !== null && countryCodes.isValid(country) ? country : undefined;
}
