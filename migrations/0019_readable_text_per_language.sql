-- Titles, leave notes and urgent procedures may be given per language ({"en": ..., "ru": ...}) or
-- as one plain string; json keeps either as written (a string stays a JSON string) and keeps the
-- languages in the order the file gave them.
ALTER TABLE "authorities" ALTER COLUMN "urgent_procedure" SET DATA TYPE json USING to_json("urgent_procedure");--> statement-breakpoint
ALTER TABLE "contacts" ALTER COLUMN "title" SET DATA TYPE json USING to_json("title");--> statement-breakpoint
ALTER TABLE "contacts" ALTER COLUMN "out_of_office" SET DATA TYPE json USING "out_of_office"::json;
