// The db module's public surface: other modules import from here only.
export { afterCommit, beforeCommit, inTransaction } from './after-commit.ts';
export { type Database, type DatabaseHandle, openDatabase, type Queryable } from './database.ts';
export { EmbeddedDatabaseBusy } from './embedded-lock.ts';
