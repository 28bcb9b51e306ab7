-- The conversation engine remembers, on the embedded database, conversations with nothing in
-- progress (src/chat/quiet-conversations.ts). Any write to a conversation flow or a consultation
-- may give a member's free text a meaning again, so it tells the engine to forget them all. Per
-- statement, not per row: the engine only needs to know that something changed.
CREATE OR REPLACE FUNCTION notify_conversation_activity() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('conversation_activity', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER conversation_flows_activity AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON conversation_flows FOR EACH STATEMENT EXECUTE FUNCTION notify_conversation_activity();
--> statement-breakpoint
CREATE TRIGGER consultations_activity AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON consultations FOR EACH STATEMENT EXECUTE FUNCTION notify_conversation_activity();
