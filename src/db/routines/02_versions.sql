-- Version counters back the ETags; the database bumps them so no writer can forget.
-- (units bump theirs in units_derive_tree_columns, 10_tree.sql.)
CREATE OR REPLACE FUNCTION bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER people_bump_version BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE OR REPLACE TRIGGER memberships_bump_version BEFORE UPDATE ON memberships FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE OR REPLACE TRIGGER appointments_bump_version BEFORE UPDATE ON appointments FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE OR REPLACE TRIGGER roles_bump_version BEFORE UPDATE ON roles FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE OR REPLACE TRIGGER wings_bump_version BEFORE UPDATE ON wings FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE OR REPLACE TRIGGER social_platforms_bump_version BEFORE UPDATE ON social_platforms FOR EACH ROW EXECUTE FUNCTION bump_version();
