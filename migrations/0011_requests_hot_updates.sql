DROP INDEX "formal_requests_next_nudge_idx";--> statement-breakpoint
ALTER TABLE "formal_requests" SET (fillfactor = 80);
