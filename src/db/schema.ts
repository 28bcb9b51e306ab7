// Every table of the application, gathered for drizzle-kit and for typed queries.
// Each domain module owns its slice; add new slices here. (Adapters' own tables, such as an adapter's
// sync state under bots/, are listed in drizzle.config.ts beside this file.)
export * from '../registry/registry-schema.ts';
export * from '../members/members-schema.ts';
export * from '../members/session-schema.ts';
export * from '../audit/audit-schema.ts';
export * from '../requests/requests-schema.ts';
export * from '../outbox/outbox-schema.ts';
export * from '../consultations/consultations-schema.ts';
export * from '../chat/flow-schema.ts';
export * from '../verification/verification-schema.ts';
export * from '../timers/timers-schema.ts';
