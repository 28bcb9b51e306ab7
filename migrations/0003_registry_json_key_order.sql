ALTER TABLE "authorities" ALTER COLUMN "name" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "competences" ALTER COLUMN "label" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "contacts" ALTER COLUMN "name" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "contacts" ALTER COLUMN "channels" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "registry_meta" ALTER COLUMN "value" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "treaties" ALTER COLUMN "name" SET DATA TYPE json;