CREATE TABLE "consultation_link_watches" (
	"consultation_id" text PRIMARY KEY NOT NULL,
	"asker_member_id" text NOT NULL,
	"country" text NOT NULL,
	"competence" text NOT NULL,
	"contact_ids" jsonb NOT NULL,
	"told_member_ids" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"fired_at" timestamp with time zone,
	"fired_by_contact_id" text
);
--> statement-breakpoint
ALTER TABLE "consultation_link_watches" ADD CONSTRAINT "consultation_link_watches_consultation_id_consultations_id_fk" FOREIGN KEY ("consultation_id") REFERENCES "public"."consultations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consultation_link_watches" ADD CONSTRAINT "consultation_link_watches_asker_member_id_members_id_fk" FOREIGN KEY ("asker_member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consultation_link_watches_waiting_idx" ON "consultation_link_watches" USING btree ("country") WHERE "consultation_link_watches"."fired_at" is null;