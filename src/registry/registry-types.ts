// The registry as the rest of the application reads it: an immutable in-memory snapshot, rebuilt
// whenever the registry changes (in any process: changes are announced through Postgres NOTIFY).
import type { LocalizedText, OutOfOffice, ReadableText, WorkingHours } from './registry-schema.ts';

export type { LocalizedText, OutOfOffice, ReadableText, WorkingHours };

export type ContactStatus = 'active' | 'retired' | 'suspended';

export interface Competence {
  id: string;
  label: LocalizedText;
}

export interface Country {
  iso2: string;
  /** From ISO 3166 data, at least `en` and `ru`: `{ en: "Kyrgyzstan", ru: "Киргизия" }`. */
  name: LocalizedText;
  timezone: string;
  languages: string[];
  capital: string | null;
}

export interface Authority {
  id: string;
  country: string;
  name: LocalizedText;
  kind: string;
  centralAuthorityFor: string[];
  stages: string[];
  requestLanguages: string[];
  acceptedChannels: string[];
  urgentProcedure: ReadableText | null;
}

export interface Contact {
  id: string;
  authority: string;
  country: string;
  name: LocalizedText;
  title: ReadableText;
  competences: string[];
  languages: string[];
  channels: Record<string, string>;
  workingHours: WorkingHours;
  /** YYYY-MM-DD */
  verifiedAt: string;
  verifiedBy: string | null;
  status: ContactStatus;
  outOfOffice: OutOfOffice | null;
  deputy: string | null;
}

export interface Treaty {
  id: string;
  name: LocalizedText;
  covers: string[];
  /** "all" when every state may be party. */
  parties: 'all' | string[];
}

export interface RegistrySnapshot {
  /** Increases with every change; caches keyed on it stay valid until it moves. */
  readonly version: number;
  readonly competences: readonly Competence[];
  readonly countries: readonly Country[];
  readonly authorities: readonly Authority[];
  readonly contacts: readonly Contact[];
  readonly treaties: readonly Treaty[];
  readonly countryByIso2: ReadonlyMap<string, Country>;
  readonly authorityById: ReadonlyMap<string, Authority>;
  readonly contactById: ReadonlyMap<string, Contact>;
}
