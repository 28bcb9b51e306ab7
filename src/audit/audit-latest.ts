// Other modules ask when someone last did something without reading the audit table themselves.
import { sql, type SQL } from 'drizzle-orm';
import { auditLog } from './audit-schema.ts';

/**
 * A subquery for a lateral join: the newest entry (`at`) of the actor named by `actor` (an SQL
 * expression of the outer query). One probe of audit_log_actor_idx per actor.
 */
export const latestEntryOf = (actor: SQL): SQL =>
  sql`select ${auditLog.at} as at from ${auditLog} where ${auditLog.actor} = ${actor} order by ${auditLog.seq} desc limit 1`;
