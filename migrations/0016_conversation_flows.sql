CREATE TABLE "conversation_flows" (
	"member_id" text NOT NULL,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"flow" text NOT NULL,
	"step" text NOT NULL,
	"locale" text NOT NULL,
	"data" jsonb NOT NULL,
	"history" jsonb NOT NULL,
	"pending" text,
	"version" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "conversation_flows_member_id_platform_chat_id_pk" PRIMARY KEY("member_id","platform","chat_id")
);
--> statement-breakpoint
ALTER TABLE "conversation_flows" ADD CONSTRAINT "conversation_flows_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversation_flows_expires_idx" ON "conversation_flows" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "consultations_accepted_asker_idx" ON "consultations" USING btree ("asker_member_id") WHERE "consultations"."status" = 'accepted';--> statement-breakpoint
CREATE INDEX "consultations_accepted_counterpart_idx" ON "consultations" USING btree ("counterpart_member_id") WHERE "consultations"."status" = 'accepted';