// Reading the audit log: entries filtered by actor, subject, action and time, newest first, in
// pages (for the stewardship console and a contact's history). Writing stays in audit-service.
import { and, desc, eq, gte, like, lt, lte, type SQL } from 'drizzle-orm';
import { auditLog } from './audit-schema.ts';
import type { Database } from '../db/index.ts';

export interface AuditFilter {
  /** `member:<id>`, `system`, `cli`, `web:<address>`...; a trailing `*` matches a prefix. */
  actor?: string | undefined;
  /** `contact:kz-001`; a trailing `*` matches a prefix (`contact:*`). */
  subject?: string | undefined;
  /** `contact.update`; a trailing `*` matches a prefix (`contact.*`). */
  action?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Entries older than this sequence number (the next page). */
  before?: number | undefined;
  limit: number;
}

export interface AuditEntryView {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function matches(
  column: typeof auditLog.actor | typeof auditLog.action | typeof auditLog.subject,
  value: string,
): SQL {
  return value.endsWith('*') ? like(column, `${escapeLike(value.slice(0, -1))}%`) : eq(column, value);
}

export type AuditQueries = ReturnType<typeof createAuditQueries>;

export function createAuditQueries({ db }: { db: Database }) {
  return {
    async list(filter: AuditFilter): Promise<{ entries: AuditEntryView[]; nextBefore: number | undefined }> {
      const rows = await db
        .select({
          seq: auditLog.seq,
          at: auditLog.at,
          actor: auditLog.actor,
          action: auditLog.action,
          subject: auditLog.subject,
          details: auditLog.details,
        })
        .from(auditLog)
        .where(
          and(
            filter.actor === undefined ? undefined : matches(auditLog.actor, filter.actor),
            filter.subject === undefined ? undefined : matches(auditLog.subject, filter.subject),
            filter.action === undefined ? undefined : matches(auditLog.action, filter.action),
            // `at` is ISO 8601 text in UTC, so text order is time order.
            filter.from === undefined ? undefined : gte(auditLog.at, filter.from.toISOString()),
            filter.to === undefined ? undefined : lte(auditLog.at, filter.to.toISOString()),
            filter.before === undefined ? undefined : lt(auditLog.seq, filter.before),
          ),
        )
        .orderBy(desc(auditLog.seq))
        .limit(filter.limit + 1);
      const entries = rows.slice(0, filter.limit);
      return {
        entries,
        nextBefore: rows.length > filter.limit ? entries.at(-1)?.seq : undefined,
      };
    },
  };
}
