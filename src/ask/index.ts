// The ask module's public surface: other modules import from here only.
export { contactsPerCountry, createAskService } from './ask-service.ts';
export type { AskInput, AskService, AskServiceDeps, RegistryReader } from './ask-service.ts';
export type { PracticalReader } from './practical-answers.ts';
export { askRoutes, askTextMaxLength } from './ask-routes.ts';
export { rankContacts, centralAuthorities, legalBases } from './contact-ranking.ts';
export type { RankingQuery } from './contact-ranking.ts';
export type {
  AskAnswer,
  Asks,
  CentralAuthorityInfo,
  CountryResult,
  Intent,
  Interpretation,
  LegalBasis,
  RankedContact,
} from './ask-types.ts';
export type { InterpretedQuestion } from './question-interpreter.ts';
