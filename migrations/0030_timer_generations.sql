-- Timer generations come from one sequence instead of counting per key from 1: a key whose row was
-- deleted (its timer fired or was cancelled) and that is scheduled again must not reuse a
-- generation, because BullMQ keeps finished jobs for a while and ignores a new job whose id (key and
-- generation) it still holds; such a timer waited for the reconciler (minutes). The sequence starts
-- above any per-key count the earlier numbering reached.
CREATE SEQUENCE "public"."durable_timer_generations" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1000000 CACHE 1;--> statement-breakpoint
ALTER TABLE "durable_timers" ALTER COLUMN "generation" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "durable_timers" ALTER COLUMN "generation" DROP DEFAULT;