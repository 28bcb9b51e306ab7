CREATE TABLE "bot_chat_choices" (
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"offered_by" text NOT NULL,
	"message_id" text,
	"actions" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bot_chat_choices_platform_chat_id_pk" PRIMARY KEY("platform","chat_id")
);
--> statement-breakpoint
CREATE TABLE "bot_processed_events" (
	"platform" text NOT NULL,
	"event_id" text NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bot_processed_events_platform_event_id_pk" PRIMARY KEY("platform","event_id")
);
--> statement-breakpoint
CREATE TABLE "bot_reply_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"account" text NOT NULL,
	"chat_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"payload" text NOT NULL,
	"leave_after" boolean DEFAULT false NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"message_id" text,
	CONSTRAINT "bot_reply_outbox_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "bot_state_blobs" (
	"platform" text NOT NULL,
	"account" text NOT NULL,
	"kind" text NOT NULL,
	"data" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bot_state_blobs_platform_account_kind_pk" PRIMARY KEY("platform","account","kind")
);
--> statement-breakpoint
CREATE INDEX "bot_processed_events_time_idx" ON "bot_processed_events" USING btree ("processed_at");--> statement-breakpoint
CREATE INDEX "bot_reply_outbox_pending_idx" ON "bot_reply_outbox" USING btree ("platform","account","sent_at","id");