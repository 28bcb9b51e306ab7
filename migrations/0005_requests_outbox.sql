CREATE TABLE "formal_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"requester_member_id" text NOT NULL,
	"from_country" text NOT NULL,
	"to_country" text NOT NULL,
	"authority_id" text,
	"contact_id" text,
	"our_reference" text NOT NULL,
	"their_reference" text,
	"subject" text NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"urgent" boolean DEFAULT false NOT NULL,
	"status" text NOT NULL,
	"unanswered_nudges" integer DEFAULT 0 NOT NULL,
	"nudge_seq" integer DEFAULT 0 NOT NULL,
	"next_nudge_at" timestamp with time zone,
	"last_nudge_at" timestamp with time zone,
	"escalated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "request_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"actor" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"kind" text NOT NULL,
	"subject" text,
	"member_id" text,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"message" jsonb,
	"context" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"claim_token" text,
	"claimed_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"platform_message_id" text,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outbox_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
ALTER TABLE "request_events" ADD CONSTRAINT "request_events_request_id_formal_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."formal_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "formal_requests_next_nudge_idx" ON "formal_requests" USING btree ("next_nudge_at") WHERE "formal_requests"."next_nudge_at" is not null;--> statement-breakpoint
CREATE INDEX "formal_requests_requester_idx" ON "formal_requests" USING btree ("requester_member_id");--> statement-breakpoint
CREATE INDEX "formal_requests_from_country_idx" ON "formal_requests" USING btree ("from_country");--> statement-breakpoint
CREATE INDEX "formal_requests_to_country_idx" ON "formal_requests" USING btree ("to_country");--> statement-breakpoint
CREATE INDEX "formal_requests_contact_idx" ON "formal_requests" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "request_events_request_idx" ON "request_events" USING btree ("request_id","id");--> statement-breakpoint
CREATE INDEX "outbox_open_idx" ON "outbox" USING btree ("updated_at") WHERE "outbox"."state" in ('pending', 'sending');--> statement-breakpoint
CREATE INDEX "outbox_subject_idx" ON "outbox" USING btree ("subject");