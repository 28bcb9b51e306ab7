-- Consultation drafts moved onto conversation_flows (0014). Free text is now routed by one lookup
-- per message (the member's flow and whether they talk in an accepted consultation), so the
-- engine no longer keeps an "idle members" cache and the notices that kept it right go too.
DROP TABLE "consultation_drafts" CASCADE;
--> statement-breakpoint
DROP TRIGGER IF EXISTS consultations_accepted_inserted ON consultations;
--> statement-breakpoint
DROP TRIGGER IF EXISTS consultations_accepted_updated ON consultations;
--> statement-breakpoint
DROP FUNCTION IF EXISTS notify_consultation_accepted_state();
--> statement-breakpoint
DROP FUNCTION IF EXISTS notify_consultation_draft_state();
