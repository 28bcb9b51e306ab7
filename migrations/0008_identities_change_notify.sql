-- Processes cache which member a messenger account belongs to for a few seconds; linking or
-- unlinking an account, from any process or by hand, tells them to forget it (same channel as
-- members and tokens, migration 0007).
CREATE TRIGGER identities_changed AFTER INSERT OR UPDATE OR DELETE ON identities FOR EACH STATEMENT EXECUTE FUNCTION notify_members_changed();
