// The registry module's public surface: other modules import from here only.
export { createRegistryService, registryChangedChannel } from './registry-service.ts';
export type {
  ContactRetirement,
  Departure,
  ImportOptions,
  OpenWork,
  ImportSummary,
  RegistryListener,
  RegistryService,
  RegistryServiceDeps,
} from './registry-service.ts';
export { registryRoutes, importBodyLimitBytes } from './registry-routes.ts';
export {
  latestVerificationDay,
  validateRegistryFile,
  isKnownLanguage,
  type Problem,
  type ValidationResult,
} from './registry-validator.ts';
export { schemaProblems } from './schema-problems.ts';
export {
  LocalizedTextSchema,
  IsoDate,
  RecordId,
  VocabularyId,
  requestElementIds,
} from './registry-format.ts';
export { findSheets, type SheetAnswer, type SheetQuery } from './requirement-sheets.ts';
export type { RegistryView } from './registry-snapshot.ts';
export type { RegistryWriteHooks } from './registry-edits.ts';
export {
  countryTimezone,
  isStale,
  freshSinceDay,
  monthsBeforeDay,
  staleAfterMonths,
  isoDay,
} from './registry-snapshot.ts';
export { treatiesLinking } from './registry-queries.ts';
export { channelProblem, commonChannelKinds, type ChannelProblem } from './channel-rules.ts';
export type { ContactFilter, AuthorityFilter, TreatyFilter, Page, TodayIn } from './registry-queries.ts';
export { countryName } from './country-names.ts';
export { readableIn, readsIn, type TextInLanguage } from './readable-text.ts';
export type {
  AuthorityRecord,
  CompetenceRecord,
  ContactChanges,
  ContactRecord,
  CountryRecord,
  NewContactRecord,
  RegistryFile,
  RequirementElement,
  RequirementRecord,
  TreatyRecord,
} from './registry-format.ts';
export type * from './registry-types.ts';
export { channelHref, displayChannelValue } from './channel-rules.ts';
export type {
  Authority,
  Competence,
  Contact,
  Country,
  LocalizedText,
  RegistrySnapshot,
  WorkingHours,
} from './registry-types.ts';
