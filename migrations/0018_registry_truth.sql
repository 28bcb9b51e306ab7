CREATE TABLE "contact_verifications" (
	"contact_id" text PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"next_step" text,
	"next_at" timestamp with time zone,
	"seq" integer DEFAULT 0 NOT NULL,
	"prompted_at" timestamp with time zone,
	"reminders" integer DEFAULT 0 NOT NULL,
	"flagged_at" timestamp with time zone,
	"last_source" text,
	"last_confirmed_at" timestamp with time zone,
	"failures" integer DEFAULT 0 NOT NULL,
	"unreachable_since" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry_proposals" (
	"id" text PRIMARY KEY NOT NULL,
	"contact_id" text NOT NULL,
	"country" text NOT NULL,
	"changes" json NOT NULL,
	"fields" text[] NOT NULL,
	"status" text NOT NULL,
	"proposed_by" text NOT NULL,
	"kind" text DEFAULT 'change' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" text
);
--> statement-breakpoint
CREATE INDEX "contact_verifications_country_idx" ON "contact_verifications" USING btree ("country");--> statement-breakpoint
CREATE INDEX "contact_verifications_next_idx" ON "contact_verifications" USING btree ("next_at");--> statement-breakpoint
CREATE INDEX "registry_proposals_contact_idx" ON "registry_proposals" USING btree ("contact_id","status");--> statement-breakpoint
CREATE INDEX "registry_proposals_country_idx" ON "registry_proposals" USING btree ("country","status");