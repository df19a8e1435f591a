-- Calendar dates in this service are India dates.
CREATE FUNCTION india_today() RETURNS date LANGUAGE sql STABLE AS $$
  SELECT (now() AT TIME ZONE 'Asia/Kolkata')::date
$$;
--> statement-breakpoint
-- Version counters back the ETags; the database bumps them so no writer can forget.
CREATE FUNCTION bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER people_bump_version BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION bump_version();
--> statement-breakpoint
CREATE TRIGGER memberships_bump_version BEFORE UPDATE ON memberships FOR EACH ROW EXECUTE FUNCTION bump_version();
--> statement-breakpoint
CREATE TRIGGER appointments_bump_version BEFORE UPDATE ON appointments FOR EACH ROW EXECUTE FUNCTION bump_version();
--> statement-breakpoint
CREATE TRIGGER roles_bump_version BEFORE UPDATE ON roles FOR EACH ROW EXECUTE FUNCTION bump_version();
--> statement-breakpoint
-- The same person cannot hold the same post twice over overlapping dates.
ALTER TABLE appointments ADD CONSTRAINT appointments_no_double_term
  EXCLUDE USING gist (person_id WITH =, unit_id WITH =, role_code WITH =, daterange(start_date, end_date, '[)') WITH &&);
--> statement-breakpoint
-- A post exists only at the levels its role names, and holds at most `seats` terms at once.
CREATE FUNCTION appointments_check_post() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
  unit_lvl unit_level;
  taken integer;
BEGIN
  -- Shortening a term (ending it) can never overfill a post or change its level.
  IF TG_OP = 'UPDATE' AND NEW.unit_id = OLD.unit_id AND NEW.role_code = OLD.role_code
     AND daterange(NEW.start_date, NEW.end_date, '[)') <@ daterange(OLD.start_date, OLD.end_date, '[)') THEN
    RETURN NEW;
  END IF;
  SELECT levels, seats INTO r FROM roles WHERE code = NEW.role_code;
  IF NOT FOUND THEN
    RETURN NEW; -- the foreign key reports an unknown role
  END IF;
  SELECT level INTO unit_lvl FROM units WHERE id = NEW.unit_id;
  IF unit_lvl IS NOT NULL AND NOT (unit_lvl = ANY (r.levels)) THEN
    RAISE EXCEPTION 'role % does not exist at level %', NEW.role_code, unit_lvl
      USING ERRCODE = 'check_violation', CONSTRAINT = 'appointments_role_level', TABLE = 'appointments';
  END IF;
  IF r.seats IS NOT NULL THEN
    -- One writer per post at a time, so two requests cannot both take the last seat.
    PERFORM pg_advisory_xact_lock(hashtextextended(NEW.unit_id::text || '/' || NEW.role_code, 0));
    SELECT count(*) INTO taken FROM appointments a
     WHERE a.unit_id = NEW.unit_id AND a.role_code = NEW.role_code AND a.id <> NEW.id
       AND daterange(a.start_date, a.end_date, '[)') && daterange(NEW.start_date, NEW.end_date, '[)');
    IF taken >= r.seats THEN
      RAISE EXCEPTION 'post % at unit % has no free seat', NEW.role_code, NEW.unit_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'appointments_seats', TABLE = 'appointments';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER appointments_check_post
  BEFORE INSERT OR UPDATE ON appointments
  FOR EACH ROW EXECUTE FUNCTION appointments_check_post();
--> statement-breakpoint
-- The rule: every office-bearer whose term has not ended holds a current, active
-- membership at their own home booth.
CREATE FUNCTION assert_own_booth_rule(p_person uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  offending uuid;
BEGIN
  -- Every change that can break the rule locks the person first, so concurrent changes
  -- to one person queue up and each check sees the others' committed result.
  PERFORM 1 FROM people WHERE id = p_person FOR NO KEY UPDATE;
  SELECT a.id INTO offending
    FROM appointments a
   WHERE a.person_id = p_person
     AND (a.end_date IS NULL OR a.end_date > india_today())
     AND NOT EXISTS (
       SELECT 1 FROM people pe
         JOIN memberships m ON m.person_id = pe.id
        WHERE pe.id = p_person AND m.status = 'current' AND m.grade = 'active' AND m.booth_id = pe.home_booth_id)
   LIMIT 1;
  IF offending IS NOT NULL THEN
    RAISE EXCEPTION 'appointment % would be held by someone who is not an active member at their home booth', offending
      USING ERRCODE = 'check_violation', CONSTRAINT = 'own_booth_rule';
  END IF;
END
$$;
--> statement-breakpoint
CREATE FUNCTION appointments_own_booth_rule() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_own_booth_rule(NEW.person_id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Constraint triggers, checked at once by default; a transaction that must pass through
-- an intermediate state (moving a home booth and its membership together) defers them
-- to commit with SET CONSTRAINTS.
CREATE CONSTRAINT TRIGGER appointments_own_booth_rule
  AFTER INSERT OR UPDATE ON appointments
  DEFERRABLE INITIALLY IMMEDIATE
  FOR EACH ROW EXECUTE FUNCTION appointments_own_booth_rule();
--> statement-breakpoint
CREATE FUNCTION memberships_own_booth_rule() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM assert_own_booth_rule(OLD.person_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.person_id <> OLD.person_id) THEN
    PERFORM assert_own_booth_rule(NEW.person_id);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER memberships_own_booth_rule
  AFTER INSERT OR UPDATE OR DELETE ON memberships
  DEFERRABLE INITIALLY IMMEDIATE
  FOR EACH ROW EXECUTE FUNCTION memberships_own_booth_rule();
--> statement-breakpoint
CREATE FUNCTION people_own_booth_rule() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_own_booth_rule(NEW.id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER people_own_booth_rule
  AFTER UPDATE OF home_booth_id ON people
  DEFERRABLE INITIALLY IMMEDIATE
  FOR EACH ROW WHEN (OLD.home_booth_id IS DISTINCT FROM NEW.home_booth_id)
  EXECUTE FUNCTION people_own_booth_rule();
--> statement-breakpoint
-- The default catalogue; admins may change it through /v1/roles.
INSERT INTO roles (code, name, levels, seats, required, sort_order) VALUES
  ('president', 'President', '{state,district,block,ward,booth}', 1, true, 10),
  ('vice_president', 'Vice President', '{state,district,block,ward,booth}', 4, false, 20),
  ('general_secretary', 'General Secretary', '{state,district,block,ward}', 2, false, 30),
  ('secretary', 'Secretary', '{state,district,block,ward,booth}', 6, false, 40),
  ('treasurer', 'Treasurer', '{state,district,block,ward,booth}', 1, false, 50),
  ('social_media_coordinator', 'Social Media Coordinator', '{state,district,block,ward,booth}', 1, false, 60),
  ('bla', 'Booth Level Agent (BLA-2)', '{booth}', 1, true, 70),
  ('committee_member', 'Booth Committee Member', '{booth}', NULL, false, 80);
