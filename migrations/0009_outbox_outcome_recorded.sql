DROP INDEX "outbox_open_idx";--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "outcome_recorded_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "outbox_open_idx" ON "outbox" USING btree ("updated_at") WHERE "outbox"."state" in ('pending', 'sending') or "outbox"."outcome_recorded_at" is null;--> statement-breakpoint
UPDATE "outbox" SET "outcome_recorded_at" = "updated_at" WHERE "state" in ('sent', 'failed', 'uncertain');
