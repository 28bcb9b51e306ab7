-- Processes cache resolved API tokens for a few seconds; any change to a member or a token
-- (revocation, disabling, role or country change), from any process or by hand, tells them to
-- forget what they cached.
CREATE OR REPLACE FUNCTION notify_members_changed() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('members_changed', TG_TABLE_NAME);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER api_tokens_changed AFTER UPDATE OR DELETE ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION notify_members_changed();
--> statement-breakpoint
CREATE TRIGGER members_changed AFTER UPDATE OR DELETE ON members FOR EACH STATEMENT EXECUTE FUNCTION notify_members_changed();
