// Who is calling and what they may do: below the transports (HTTP, chat, CLI) and the domain modules,
// so every one of them can ask without importing the others.
export { hasRole, type Role } from './roles.ts';
export {
  actorOf,
  askingCountryOf,
  canManageCountry,
  isAdmin,
  ownCountryOf,
  type Principal,
} from './principal.ts';
