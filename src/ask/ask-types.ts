import type { OutboundMessage } from '../chat/index.ts';
import type { Locale } from '../i18n/index.ts';
// What the ask module answers, shared by the service, the HTTP route and other modules
// (consultations and requests rank contacts the same way).

export type Intent = 'find_contact' | 'other';

/**
 * What the question wants to know about the competence and countries: who handles it
 * (`contacts`), what a request must meet (`requirements`: "what do I need to send an MLA request
 * to Uzbekistan"), or the network's practical advice (`tips`: "tips on electronic evidence").
 */
export type Asks = 'contacts' | 'requirements' | 'tips';

/** What a question was understood to ask. Contract of `POST /v1/ask`. */
export interface Interpretation {
  intent: Intent;
  /** ISO 3166-1 alpha-2 codes, in the order the question names them. */
  countries: string[];
  /** A competence id of the registry's vocabulary, or null when none was named. */
  competence: string | null;
  asks: Asks;
}

export interface RankedContact {
  id: string;
  /**
   * Name and title in the answer language; both in English when the title has no translation, so
   * one line never mixes two languages.
   */
  name: string;
  title: string;
  /** The language of `name` and `title`; null when the registry gave the title as a plain string. */
  titleLanguage: string | null;
  authority: { id: string; name: string };
  competences: string[];
  languages: string[];
  /** Languages of the contact the asker also speaks, the asker's first. */
  sharedLanguages: string[];
  /** The channels the asker may see. */
  channels: Record<string, string>;
  /** In the office today (not within an out-of-office period). */
  available: boolean;
  /** Set only while the contact is away. */
  outOfOffice: {
    start: string;
    end: string;
    note: string | null;
    /** The language of `note`; null when the registry gave it as a plain string. */
    noteLanguage: string | null;
  } | null;
  /** Who stands in, named whenever the record has a deputy. */
  deputy: { id: string; name: string; available: boolean } | null;
  timezone: string;
  /** Local time now, "HH:MM". */
  localTime: string;
  withinWorkingHours: boolean;
  /** YYYY-MM-DD */
  verifiedAt: string;
  /** Last verified more than 12 months ago. */
  possiblyStale: boolean;
}

export interface CentralAuthorityInfo {
  id: string;
  name: string;
  kind: string;
  /** Proceeding stages it handles; where a country splits a competence, this tells which is whose. */
  stages: string[];
  requestLanguages: string[];
  acceptedChannels: string[];
  urgentProcedure: string | null;
  /** The language of `urgentProcedure`; null when the registry gave it as a plain string. */
  urgentProcedureLanguage: string | null;
}

export interface LegalBasis {
  id: string;
  name: string;
}

export interface CountryResult {
  country: string;
  countryName: string;
  /** False for a country the registry does not cover (then everything else is empty). */
  inRegistry: boolean;
  competence: string | null;
  contacts: RankedContact[];
  centralAuthorities: CentralAuthorityInfo[];
  legalBases: LegalBasis[];
}

export interface AskAnswer {
  interpretation: Interpretation;
  /** The language of `reply`. */
  locale: Locale;
  results: CountryResult[];
  reply: OutboundMessage & { buttons: NonNullable<OutboundMessage['buttons']> };
}
