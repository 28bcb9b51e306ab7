CREATE TABLE "requirement_sheets" (
	"id" text PRIMARY KEY NOT NULL,
	"country" text NOT NULL,
	"competence" text,
	"record" json NOT NULL,
	"verified_at" date NOT NULL,
	"position" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "requirement_sheets" ADD CONSTRAINT "requirement_sheets_country_countries_iso2_fk" FOREIGN KEY ("country") REFERENCES "public"."countries"("iso2") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "requirement_sheets_country_idx" ON "requirement_sheets" USING btree ("country");