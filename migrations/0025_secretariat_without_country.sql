-- The secretariat is not a country: an admin may belong to none (members.country null), and a
-- consultation asked by such an admin is filed under no asking country.
ALTER TABLE "members" ALTER COLUMN "country" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "consultations" ALTER COLUMN "asker_country" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_country_or_admin" CHECK ("members"."country" is not null or "members"."role" = 'admin');--> statement-breakpoint
-- The bootstrap admin used to be given the registry's first country (or "ZZ") only because a
-- member needed one; it moves to no country, and so do the consultations it asked (they took the
-- asker's country implicitly). It is the member the bootstrap install path created, known by all
-- of: role admin, the name that path gives ("Network secretariat (bootstrap admin)"), no registry
-- contact, an API token labelled "bootstrap", a member.create audit entry by "system" with the
-- country it still has, and no member.update audit entry that changed its country. An admin
-- renamed or given a country by a person keeps its country. Formal requests keep their
-- from_country: a request is always from a country, and whether it was named cannot be told.
WITH "bootstrap" AS (
  SELECT "m"."id" FROM "members" "m"
  WHERE "m"."role" = 'admin'
    AND "m"."name" = 'Network secretariat (bootstrap admin)'
    AND "m"."contact_id" IS NULL
    AND "m"."country" IS NOT NULL
    AND EXISTS (SELECT 1 FROM "api_tokens" "t" WHERE "t"."member_id" = "m"."id" AND "t"."label" = 'bootstrap')
    AND EXISTS (
      SELECT 1 FROM "audit_log" "a"
      WHERE "a"."action" = 'member.create' AND "a"."subject" = 'member:' || "m"."id"
        AND "a"."actor" = 'system' AND "a"."details"->>'country' = "m"."country"
    )
    AND NOT EXISTS (
      SELECT 1 FROM "audit_log" "a"
      WHERE "a"."action" = 'member.update' AND "a"."subject" = 'member:' || "m"."id"
        AND ("a"."details"->'fields') @> '["country"]'::jsonb
    )
), "asked" AS (
  UPDATE "consultations" SET "asker_country" = NULL
  WHERE "asker_member_id" IN (SELECT "id" FROM "bootstrap")
  RETURNING "id"
)
UPDATE "members" SET "country" = NULL WHERE "id" IN (SELECT "id" FROM "bootstrap");
