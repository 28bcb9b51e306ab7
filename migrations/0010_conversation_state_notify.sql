-- The conversation engine remembers, for a few seconds, members whose free text no module took,
-- and then answers their questions without asking the modules again. A consultation draft or an
-- accepted consultation (from any process, or by hand) gives the member's free text a meaning, so
-- every process is told to ask the modules again for that member.
CREATE OR REPLACE FUNCTION notify_consultation_draft_state() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('conversation_state_changed', NEW.member_id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER consultation_drafts_conversation_state AFTER INSERT OR UPDATE ON consultation_drafts FOR EACH ROW EXECUTE FUNCTION notify_consultation_draft_state();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION notify_consultation_accepted_state() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('conversation_state_changed', NEW.asker_member_id);
  IF NEW.counterpart_member_id IS NOT NULL THEN
    PERFORM pg_notify('conversation_state_changed', NEW.counterpart_member_id);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER consultations_accepted_inserted AFTER INSERT ON consultations FOR EACH ROW WHEN (NEW.status = 'accepted') EXECUTE FUNCTION notify_consultation_accepted_state();
--> statement-breakpoint
CREATE TRIGGER consultations_accepted_updated AFTER UPDATE ON consultations FOR EACH ROW
  WHEN (NEW.status = 'accepted' AND (OLD.status IS DISTINCT FROM NEW.status
    OR OLD.asker_member_id IS DISTINCT FROM NEW.asker_member_id
    OR OLD.counterpart_member_id IS DISTINCT FROM NEW.counterpart_member_id))
  EXECUTE FUNCTION notify_consultation_accepted_state();
