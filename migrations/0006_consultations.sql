CREATE TABLE "consultation_deliveries" (
	"dedupe_key" text PRIMARY KEY NOT NULL,
	"consultation_id" text NOT NULL,
	"member_id" text,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"platform_message_id" text NOT NULL,
	"delivered_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "consultation_drafts" (
	"member_id" text PRIMARY KEY NOT NULL,
	"step" text NOT NULL,
	"country" text,
	"competence" text,
	"sensitive" boolean,
	"consultation_number" integer,
	"held_ciphertext" text,
	"held_source_key" text,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "consultation_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"consultation_id" text NOT NULL,
	"seq" integer NOT NULL,
	"sender_member_id" text NOT NULL,
	"sender_role" text NOT NULL,
	"platform" text NOT NULL,
	"source_key" text NOT NULL,
	"length" integer NOT NULL,
	"relayed" boolean NOT NULL,
	"body_ciphertext" text,
	"body_purge_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "consultation_participants" (
	"consultation_id" text NOT NULL,
	"member_id" text NOT NULL,
	"role" text NOT NULL,
	"contact_id" text,
	"platform" text,
	"chat_id" text,
	"joined_at" timestamp with time zone NOT NULL,
	"left_at" timestamp with time zone,
	CONSTRAINT "consultation_participants_consultation_id_member_id_pk" PRIMARY KEY("consultation_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "consultation_routes" (
	"consultation_id" text NOT NULL,
	"seq" integer NOT NULL,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"contact_id" text,
	"standing_in_for" text,
	"member_ids" text[] NOT NULL,
	"outcome" text NOT NULL,
	"routed_at" timestamp with time zone NOT NULL,
	"deadline_at" timestamp with time zone,
	"answered_at" timestamp with time zone,
	"answered_by" text,
	CONSTRAINT "consultation_routes_consultation_id_seq_pk" PRIMARY KEY("consultation_id","seq")
);
--> statement-breakpoint
CREATE TABLE "consultations" (
	"id" text PRIMARY KEY NOT NULL,
	"number" serial NOT NULL,
	"asker_member_id" text NOT NULL,
	"asker_country" text NOT NULL,
	"country" text NOT NULL,
	"competence" text NOT NULL,
	"sensitive" boolean DEFAULT false NOT NULL,
	"status" text NOT NULL,
	"origin" text NOT NULL,
	"route_seq" integer DEFAULT 0 NOT NULL,
	"accept_deadline_at" timestamp with time zone,
	"counterpart_member_id" text,
	"counterpart_contact_id" text,
	"description_ciphertext" text,
	"description_length" integer NOT NULL,
	"description_purge_at" timestamp with time zone,
	"messages_from_asker" integer DEFAULT 0 NOT NULL,
	"messages_from_counterpart" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"first_answer_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"closed_by" text,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "consultations_number_unique" UNIQUE("number")
);
--> statement-breakpoint
ALTER TABLE "consultation_deliveries" ADD CONSTRAINT "consultation_deliveries_consultation_id_consultations_id_fk" FOREIGN KEY ("consultation_id") REFERENCES "public"."consultations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consultation_drafts" ADD CONSTRAINT "consultation_drafts_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consultation_messages" ADD CONSTRAINT "consultation_messages_consultation_id_consultations_id_fk" FOREIGN KEY ("consultation_id") REFERENCES "public"."consultations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consultation_messages" ADD CONSTRAINT "consultation_messages_sender_member_id_members_id_fk" FOREIGN KEY ("sender_member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consultation_participants" ADD CONSTRAINT "consultation_participants_consultation_id_consultations_id_fk" FOREIGN KEY ("consultation_id") REFERENCES "public"."consultations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consultation_participants" ADD CONSTRAINT "consultation_participants_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consultation_routes" ADD CONSTRAINT "consultation_routes_consultation_id_consultations_id_fk" FOREIGN KEY ("consultation_id") REFERENCES "public"."consultations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consultations" ADD CONSTRAINT "consultations_asker_member_id_members_id_fk" FOREIGN KEY ("asker_member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consultations" ADD CONSTRAINT "consultations_counterpart_member_id_members_id_fk" FOREIGN KEY ("counterpart_member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consultation_deliveries_message_idx" ON "consultation_deliveries" USING btree ("platform","chat_id","platform_message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "consultation_messages_seq_idx" ON "consultation_messages" USING btree ("consultation_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "consultation_messages_source_idx" ON "consultation_messages" USING btree ("source_key");--> statement-breakpoint
CREATE INDEX "consultation_messages_purge_idx" ON "consultation_messages" USING btree ("body_purge_at");--> statement-breakpoint
CREATE INDEX "consultation_participants_member_idx" ON "consultation_participants" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "consultations_asker_idx" ON "consultations" USING btree ("asker_member_id");--> statement-breakpoint
CREATE INDEX "consultations_counterpart_idx" ON "consultations" USING btree ("counterpart_member_id");--> statement-breakpoint
CREATE INDEX "consultations_country_idx" ON "consultations" USING btree ("country","competence");--> statement-breakpoint
CREATE INDEX "consultations_status_deadline_idx" ON "consultations" USING btree ("status","accept_deadline_at");