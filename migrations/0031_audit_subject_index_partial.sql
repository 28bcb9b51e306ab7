-- Entries without a subject (the registry's reads, most of the log) leave the subject index: each of
-- their appends then skips it. A filter for one subject still uses it (a subject equal to a value is not null).
DROP INDEX "audit_log_subject_idx";--> statement-breakpoint
CREATE INDEX "audit_log_subject_idx" ON "audit_log" USING btree ("subject","seq") WHERE "audit_log"."subject" is not null;