CREATE TABLE "audit_checkpoint" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"at" text NOT NULL
);
