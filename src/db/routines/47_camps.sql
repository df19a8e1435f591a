-- TRAINING CAMPS: camps, their invitations and attendance, and the training counters.
-- Held here for every writer (API, sign-in sheet import, raw SQL):
--   * a camp stays with its unit, in the caller's scope (camps_unit_fixed); a held camp or
--     one with attendance is kept (camps_kept); a camp with attendance is not cancelled
--     (camps_cancelled_attended), nor are its dates moved off an attended day;
--   * an invitation is written by a caller whose scope holds the camp's unit, for a
--     person whose home booth lies under it (invitations_within_camp), and keeps its camp
--     and person (invitations_fixed);
--   * "attended" is the status of an invitation with at least one day of attendance, and
--     only of such (invitation_attendance): recording a day sets it; a day lies within
--     the camp's dates, not after today, at a camp not cancelled (attendance_within_camp);
--   * confirmations stay within the capacity: invitations (walk-ins aside) confirmed or
--     attended, counted under a lock on the camp (camp_capacity). Walk-ins are not bound.
-- camp_audience() reads a camp's audience rule; invite_audience() materialises it.
--
-- TRAINING COUNTERS: a person holding a current post other than booth committee member
-- counts once at each unit above booths on their home booth's lineage (the people a key
-- scoped there calls its own). training_people keeps each such person's summary: their
-- posts' wings, and per topic ('' for any) the last day they attended; refresh_training()
-- recomputes the summaries of the people a statement touched and moves training_stats by
-- the difference, so people are counted, not posts. training_rates counts the
-- invitations of held camps (walk-ins and cancelled invitations aside) and those attended,
-- by the invitee's home booth, and the held camps organised at each unit or below it
-- (apply_camps_held_delta). rebuild_training_stats() recounts everything; the tests
-- compare it with the maintained counters.

-- A person's terms are read with `a.person_id = ANY (ARRAY[x])`, not `= x`: until
-- migration 0031 the planner took the exclusion's GiST index for `= x` (~0.7 ms a person
-- instead of ~0.03 ms). Migration 0033 dropped that index; the form stays, harmless.

-- The roles whose holders a training report leaves out unless asked: the booth committee.
CREATE OR REPLACE FUNCTION training_counts_role(p_role text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_role <> 'committee_member'
$$;

-- An invitation the camp stands by: asked for (not a walk-in) and not cancelled. These
-- make a camp's invited figure and, at held camps, the attendance rates.
CREATE OR REPLACE FUNCTION invitation_counted(p_source invitation_source, p_status invitation_status) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_source <> 'walk_in' AND p_status <> 'cancelled'
$$;

-- An invitation holding one of the camp's seats: confirmed or attended, walk-ins aside.
CREATE OR REPLACE FUNCTION invitation_holds_seat(p_source invitation_source, p_status invitation_status) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_source <> 'walk_in' AND p_status IN ('confirmed', 'attended')
$$;

-- A day of attendance a camp can have: within its dates, not after today, at a camp not
-- cancelled (attendance_within_camp). The attendance trigger and camp_violations() ask it.
CREATE OR REPLACE FUNCTION attendance_day_allowed(p_status camp_status, p_start date, p_end date, p_day date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p_status <> 'cancelled' AND p_day BETWEEN p_start AND p_end AND p_day <= india_today()
$$;

-- More seats taken than the camp has (camp_capacity): the capacity trigger and
-- camp_violations() ask it.
CREATE OR REPLACE FUNCTION camp_over_capacity(p_camp uuid, p_capacity integer) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p_capacity IS NOT NULL
     AND (SELECT count(*) FROM invitations i WHERE i.camp_id = p_camp AND invitation_holds_seat(i.source, i.status)) > p_capacity
$$;

CREATE OR REPLACE FUNCTION camps_before_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'held' OR EXISTS (SELECT 1 FROM invitations i JOIN attendance a ON a.invitation_id = i.id WHERE i.camp_id = OLD.id) THEN
      RAISE EXCEPTION 'a held or attended camp is kept'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'camps_kept', TABLE = 'camps';
    END IF;
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.unit_id <> OLD.unit_id THEN
      RAISE EXCEPTION 'a camp stays with its unit'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'camps_unit_fixed', TABLE = 'camps';
    END IF;
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    IF NEW.status = 'cancelled' AND OLD.status <> 'cancelled'
       AND EXISTS (SELECT 1 FROM invitations i JOIN attendance a ON a.invitation_id = i.id WHERE i.camp_id = NEW.id) THEN
      RAISE EXCEPTION 'a camp with attendance is not cancelled'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'camps_cancelled_attended', TABLE = 'camps';
    END IF;
    IF (NEW.start_date, NEW.end_date) IS DISTINCT FROM (OLD.start_date, OLD.end_date)
       AND EXISTS (SELECT 1 FROM invitations i JOIN attendance a ON a.invitation_id = i.id
                    WHERE i.camp_id = NEW.id AND a.day NOT BETWEEN NEW.start_date AND NEW.end_date) THEN
      RAISE EXCEPTION 'attendance lies within the camp''s dates'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'attendance_within_camp', TABLE = 'camps';
    END IF;
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER camps_before_write
  BEFORE INSERT OR UPDATE OR DELETE ON camps
  FOR EACH ROW EXECUTE FUNCTION camps_before_write();

-- The caller's scope holds the camp's unit; a camp that becomes held (or stops being)
-- brings its invitations into the rates (or takes them out), and counts among the held
-- camps of its unit and the units above. (A held camp is never deleted: camps_kept.)
CREATE OR REPLACE FUNCTION camps_after_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sign integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM assert_units_within_scope(ARRAY[OLD.unit_id]);
    RETURN OLD;
  END IF;
  PERFORM assert_units_within_scope(ARRAY[NEW.unit_id]);
  IF TG_OP = 'INSERT' AND NEW.status = 'held' THEN
    PERFORM apply_camps_held_delta(NEW.unit_id, 1);
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.status = 'held') <> (OLD.status = 'held') THEN
    sign := CASE WHEN NEW.status = 'held' THEN 1 ELSE -1 END;
    PERFORM apply_training_rate_deltas(array_agg(p.home_booth_id), array_agg(sign), array_agg(sign * (i.status = 'attended')::int))
       FROM invitations i JOIN people p ON p.id = i.person_id
      WHERE i.camp_id = NEW.id AND invitation_counted(i.source, i.status);
    PERFORM apply_camps_held_delta(NEW.unit_id, sign);
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER camps_after_write
  AFTER INSERT OR UPDATE OR DELETE ON camps
  FOR EACH ROW EXECUTE FUNCTION camps_after_write();

-- A camp's topics: its attendees' "trained on a topic" moves with them.
CREATE OR REPLACE FUNCTION camp_topics_after_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS camp_topics_touched (camp_id uuid) ON COMMIT DROP;
  DELETE FROM camp_topics_touched;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO camp_topics_touched SELECT DISTINCT camp_id FROM new_rows;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO camp_topics_touched SELECT DISTINCT camp_id FROM old_rows;
  END IF;
  PERFORM assert_units_within_scope(ARRAY(SELECT c.unit_id FROM camps c WHERE c.id IN (SELECT camp_id FROM camp_topics_touched)));
  PERFORM refresh_training(ARRAY(
    SELECT DISTINCT i.person_id FROM invitations i
     WHERE i.camp_id IN (SELECT camp_id FROM camp_topics_touched)
       AND EXISTS (SELECT 1 FROM attendance a WHERE a.invitation_id = i.id)));
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER camp_topics_after_insert AFTER INSERT ON camp_topics
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION camp_topics_after_write();
CREATE OR REPLACE TRIGGER camp_topics_after_delete AFTER DELETE ON camp_topics
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION camp_topics_after_write();

-- Trainers who are people in the service are people the caller may see at the camp.
CREATE OR REPLACE FUNCTION camp_trainers_after_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT c.unit_id FROM camps c WHERE c.id IN (SELECT camp_id FROM new_rows)));
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER camp_trainers_after_insert AFTER INSERT ON camp_trainers
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION camp_trainers_after_write();

-- INVITATIONS

CREATE OR REPLACE FUNCTION invitations_before_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  attended boolean;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW.camp_id <> OLD.camp_id OR NEW.person_id <> OLD.person_id THEN
      RAISE EXCEPTION 'an invitation keeps its camp and person'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'invitations_fixed', TABLE = 'invitations';
    END IF;
    IF NEW.status = OLD.status AND NEW.qualified_by = OLD.qualified_by THEN
      RETURN NEW;
    END IF;
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    attended := EXISTS (SELECT 1 FROM attendance a WHERE a.invitation_id = NEW.id);
  ELSE
    attended := false;
  END IF;
  IF (NEW.status = 'attended') <> attended THEN
    RAISE EXCEPTION 'an invitation is attended exactly when a day of attendance is recorded'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invitation_attendance', TABLE = 'invitations';
  END IF;
  RETURN NEW;
END
$$;

-- A new invitation has no attendance yet: only one that claims it runs the check (a
-- WHEN condition costs nothing per row; a bulk invitation of 200,000 people runs no
-- plpgsql per row).
DROP TRIGGER IF EXISTS invitations_before_write ON invitations;
CREATE OR REPLACE TRIGGER invitations_before_insert
  BEFORE INSERT ON invitations
  FOR EACH ROW WHEN (NEW.status = 'attended') EXECUTE FUNCTION invitations_before_write();
CREATE OR REPLACE TRIGGER invitations_before_update
  BEFORE UPDATE ON invitations
  FOR EACH ROW EXECUTE FUNCTION invitations_before_write();

-- Confirmations within capacity. The camps are locked first (in id order), so two
-- callers confirming the last seat queue, and the second counts the first's.
CREATE OR REPLACE FUNCTION assert_camp_capacity(p_camps uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(p_camps), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM 1 FROM camps WHERE id = ANY (p_camps) ORDER BY id FOR NO KEY UPDATE;
  IF EXISTS (
    SELECT 1 FROM camps c
     WHERE c.id = ANY (p_camps) AND camp_over_capacity(c.id, c.capacity)) THEN
    RAISE EXCEPTION 'the camp is full'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'camp_capacity', TABLE = 'invitations';
  END IF;
END
$$;

-- invitations_within_camp is checked camp by camp (a statement writes one camp's
-- invitations, or a few). Many rows for a camp (its audience, a sign-in sheet): the
-- invitees' home booths against the camp's units, read once into a hash; a lookup of each
-- home booth's path took 0.84 s of a state audience's 2,17,801 invitations. A few rows (a
-- check-in, a walk-in): each home booth's path looked up, as reading a state's 1,73,156
-- units for one row would not pay. Either way the home booth is read by one probe per
-- invitee (a scalar subquery), never by a join the planner could turn into a scan of
-- every person (which a hashed version written as a join got).
CREATE OR REPLACE FUNCTION invitations_after_insert() RETURNS trigger LANGUAGE plpgsql
SET work_mem = '64MB' AS $$
DECLARE
  camp record;
  outside boolean;
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT DISTINCT c.unit_id FROM camps c WHERE c.id IN (SELECT camp_id FROM new_rows)));
  FOR camp IN
    SELECT k.camp_id AS id, cu.path, k.n, coalesce(s.total_booths, 0) AS booths
      FROM (SELECT camp_id, count(*) AS n FROM new_rows GROUP BY camp_id) k
      JOIN camps c ON c.id = k.camp_id JOIN units cu ON cu.id = c.unit_id
      LEFT JOIN unit_stats s ON s.unit_id = c.unit_id
  LOOP
    IF camp.n * 10 >= camp.booths THEN
      outside := EXISTS (
        SELECT 1 FROM new_rows i
         WHERE i.camp_id = camp.id
           AND (SELECT p.home_booth_id FROM people p WHERE p.id = i.person_id) NOT IN (SELECT u.id FROM units u WHERE u.path <@ camp.path));
    ELSE
      outside := EXISTS (
        SELECT 1 FROM new_rows i
         WHERE i.camp_id = camp.id
           AND NOT (SELECT h.path FROM people p JOIN units h ON h.id = p.home_booth_id WHERE p.id = i.person_id) <@ camp.path);
    END IF;
    IF outside THEN
      RAISE EXCEPTION 'a camp invites people whose home booth lies under its unit'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'invitations_within_camp', TABLE = 'invitations';
    END IF;
  END LOOP;
  PERFORM assert_camp_capacity(ARRAY(SELECT DISTINCT camp_id FROM new_rows WHERE status = 'confirmed'));
  PERFORM apply_training_rate_deltas(array_agg(p.home_booth_id), array_agg(1), array_agg((n.status = 'attended')::int))
     FROM new_rows n JOIN camps c ON c.id = n.camp_id AND c.status = 'held' JOIN people p ON p.id = n.person_id
    WHERE invitation_counted(n.source, n.status);
  RETURN NULL;
END
$$;

-- The old rows leave the rates and the new ones come back (rows whose status did not
-- change cancel out): no join of the transition tables, whose plan plpgsql would cache
-- from a one-row check-in for the next sign-in sheet of thousands.
CREATE OR REPLACE FUNCTION invitations_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT DISTINCT c.unit_id FROM camps c WHERE c.id IN (SELECT camp_id FROM new_rows)));
  PERFORM assert_camp_capacity(ARRAY(SELECT DISTINCT camp_id FROM new_rows WHERE status = 'confirmed'));
  PERFORM apply_training_rate_deltas(array_agg(x.booth), array_agg(x.invited), array_agg(x.attended))
     FROM (SELECT p.home_booth_id AS booth, sum(x.invited)::int AS invited, sum(x.attended)::int AS attended
             FROM (SELECT o.person_id, o.camp_id, -1 AS invited, -(o.status = 'attended')::int AS attended
                     FROM old_rows o WHERE invitation_counted(o.source, o.status)
                   UNION ALL
                   SELECT n.person_id, n.camp_id, 1, (n.status = 'attended')::int
                     FROM new_rows n WHERE invitation_counted(n.source, n.status)) x
             JOIN camps c ON c.id = x.camp_id AND c.status = 'held'
             JOIN people p ON p.id = x.person_id
            GROUP BY p.home_booth_id
           HAVING sum(x.invited) <> 0 OR sum(x.attended) <> 0) x;
  RETURN NULL;
END
$$;

-- Only invitations of camps that are neither held nor attended go (camps_kept), so no
-- rate moves; their invitees' attendance went with them (the cascade, before this).
CREATE OR REPLACE FUNCTION invitations_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT DISTINCT c.unit_id FROM camps c WHERE c.id IN (SELECT camp_id FROM old_rows)));
  PERFORM apply_training_rate_deltas(array_agg(p.home_booth_id), array_agg(-1), array_agg(-(o.status = 'attended')::int))
     FROM old_rows o JOIN camps c ON c.id = o.camp_id AND c.status = 'held' JOIN people p ON p.id = o.person_id
    WHERE invitation_counted(o.source, o.status);
  PERFORM refresh_training(ARRAY(SELECT DISTINCT person_id FROM old_rows WHERE status = 'attended'));
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER invitations_after_insert AFTER INSERT ON invitations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invitations_after_insert();
CREATE OR REPLACE TRIGGER invitations_after_update AFTER UPDATE ON invitations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invitations_after_update();
CREATE OR REPLACE TRIGGER invitations_after_delete AFTER DELETE ON invitations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION invitations_after_delete();

-- ATTENDANCE

CREATE OR REPLACE FUNCTION attendance_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(
    SELECT DISTINCT c.unit_id FROM new_rows n JOIN invitations i ON i.id = n.invitation_id JOIN camps c ON c.id = i.camp_id));
  IF EXISTS (SELECT 1 FROM new_rows n JOIN invitations i ON i.id = n.invitation_id JOIN camps c ON c.id = i.camp_id
              WHERE NOT attendance_day_allowed(c.status, c.start_date, c.end_date, n.day)) THEN
    RAISE EXCEPTION 'attendance lies within the dates of a camp not cancelled, up to today'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attendance_within_camp', TABLE = 'attendance';
  END IF;
  UPDATE invitations SET status = 'attended'
   WHERE id IN (SELECT DISTINCT invitation_id FROM new_rows) AND status <> 'attended';
  PERFORM refresh_training(ARRAY(SELECT DISTINCT i.person_id FROM new_rows n JOIN invitations i ON i.id = n.invitation_id));
  RETURN NULL;
END
$$;

-- A day taken back: an invitation left with none is confirmed again.
CREATE OR REPLACE FUNCTION attendance_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(
    SELECT DISTINCT c.unit_id FROM old_rows o JOIN invitations i ON i.id = o.invitation_id JOIN camps c ON c.id = i.camp_id));
  UPDATE invitations i SET status = 'confirmed'
   WHERE i.id IN (SELECT DISTINCT invitation_id FROM old_rows) AND i.status = 'attended'
     AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.invitation_id = i.id);
  PERFORM refresh_training(ARRAY(SELECT DISTINCT i.person_id FROM old_rows o JOIN invitations i ON i.id = o.invitation_id));
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER attendance_after_insert AFTER INSERT ON attendance
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_after_insert();
CREATE OR REPLACE TRIGGER attendance_after_delete AFTER DELETE ON attendance
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_after_delete();

-- THE AUDIENCE RULE

-- The current posts that put people in a camp's audience: a post under the camp's unit
-- matching a clause (its unit's level, role, wing, cluster kind; a constituency: a booth
-- post at one of its booths, any other by its holder's home booth; booth committee
-- members only when the clause says committee or names the role), held by a person whose
-- home booth lies under the camp's unit. One row per person, the posts in level order.
CREATE OR REPLACE FUNCTION camp_audience(p_camp uuid)
RETURNS TABLE (person_id uuid, qualified_by jsonb, post_level unit_level, post_wing text, post_role text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  -- levels: the levels some clause asks for, NULL when a clause takes every level.
  WITH camp AS (
    SELECT c.id, cu.path, c.audience,
           CASE WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(c.audience) e WHERE coalesce(jsonb_array_length(e -> 'levels'), 0) = 0) THEN NULL
                ELSE ARRAY(SELECT DISTINCT l::unit_level FROM jsonb_array_elements(c.audience) e, jsonb_array_elements_text(e -> 'levels') l) END AS levels
      FROM camps c JOIN units cu ON cu.id = c.unit_id WHERE c.id = p_camp),
  clauses AS (
    SELECT coalesce(r.levels, '{}') AS levels, coalesce(r.roles, '{}') AS roles, coalesce(r.wings, '{}') AS wings,
           coalesce(r."clusterKinds", '{}') AS kinds, r."assemblyId" AS assembly_id, coalesce(r.committee, false) AS committee
      FROM camp, jsonb_to_recordset(camp.audience) AS r(levels unit_level[], roles text[], wings text[], "clusterKinds" text[], "assemblyId" uuid, committee boolean)),
  -- The units under the camp's unit (its subtree, through the path index), at a level
  -- some clause asks for; their unended terms matching a clause (EXISTS: a term two
  -- clauses match is one row, with no DISTINCT to sort). MATERIALIZED: the clauses pick
  -- before the holders are looked up; inlined, the planner (which cannot estimate the
  -- clauses) looked up the holder of every term under the state first, 16,02,175 people
  -- for 2,17,798 kept (5.8 s against 3.5 s).
  posts AS MATERIALIZED (
    SELECT a.id, a.person_id, a.unit_id, u.level, a.wing_code, a.role_code, a.cluster_id
      FROM camp
      JOIN units u ON u.path <@ camp.path AND (camp.levels IS NULL OR u.level = ANY (camp.levels))
      JOIN appointments a ON a.unit_id = u.id AND a.end_date IS NULL
     WHERE EXISTS (
       SELECT 1 FROM clauses k
        WHERE (cardinality(k.levels) = 0 OR u.level = ANY (k.levels))
          AND (cardinality(k.roles) = 0 OR a.role_code = ANY (k.roles))
          AND (cardinality(k.wings) = 0 OR a.wing_code = ANY (k.wings))
          AND (k.committee OR training_counts_role(a.role_code) OR a.role_code = ANY (k.roles))
          AND (cardinality(k.kinds) = 0 OR EXISTS (SELECT 1 FROM clusters cl WHERE cl.id = a.cluster_id AND cl.kind_code = ANY (k.kinds)))
          -- Above a booth, the holder's home constituency: a scalar lookup, one probe per
          -- term. Written as EXISTS it became a hashed subplan that read all of people
          -- and their booths (1.4 s for a block camp of 88 on up, every time).
          AND (k.assembly_id IS NULL OR (CASE WHEN u.level = 'booth' THEN u.assembly_id = k.assembly_id
               ELSE (SELECT hb.assembly_id FROM people hp JOIN units hb ON hb.id = hp.home_booth_id WHERE hp.id = a.person_id) = k.assembly_id END))))
  SELECT ps.person_id,
         jsonb_agg(jsonb_build_object('appointmentId', ps.id, 'unitId', ps.unit_id, 'level', ps.level, 'wing', ps.wing_code, 'role', ps.role_code, 'clusterId', ps.cluster_id)
                   ORDER BY ps.level, ps.wing_code, ps.role_code, ps.id),
         (array_agg(ps.level ORDER BY ps.level, ps.wing_code, ps.role_code, ps.id))[1],
         (array_agg(ps.wing_code ORDER BY ps.level, ps.wing_code, ps.role_code, ps.id))[1],
         (array_agg(ps.role_code ORDER BY ps.level, ps.wing_code, ps.role_code, ps.id))[1]
    FROM posts ps
   -- The holder's home booth, probed per post: joined, the planner hashed every person
   -- under the camp's unit (17,26,019 under a state, 1.1 s) for a camp of 1,880.
   WHERE (SELECT h.path FROM people p JOIN units h ON h.id = p.home_booth_id WHERE p.id = ps.person_id) <@ (SELECT path FROM camp)
   GROUP BY ps.person_id
$$;

-- A UUID whose first 48 bits are the time in milliseconds, laid out as RFC 9562's version 7
-- (PostgreSQL 18 has uuidv7(); the server is 15): ids made together sort together, so a
-- bulk insert appends to its primary key's right edge instead of dirtying a random page of
-- it per row (2,17,798 invitations: 2.8 s against 3.2 s with no triggers). The other 74
-- bits stay random.
CREATE OR REPLACE FUNCTION time_ordered_uuid() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
           PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
         52, 1), 53, 1), 'hex')::uuid
$$;

-- Invites a camp's audience as it is now: one invitation per person not yet invited
-- (re-running adds newcomers and changes nothing else). Returns how many were added.
-- work_mem: the camp's invitations so far as one hash, and the statement's new rows (the
-- triggers' transition table, ~340 bytes an invitation) held in memory, not spilled.
CREATE OR REPLACE FUNCTION invite_audience(p_camp uuid) RETURNS integer LANGUAGE plpgsql
SET work_mem = '256MB' AS $$
DECLARE
  added integer;
BEGIN
  -- One writer of a camp's invitations at a time (check-ins hold the camp FOR SHARE): the
  -- people already invited are then left out by a hashed NOT IN (one read of the camp's
  -- invitations, then a hash probe per person), not ON CONFLICT, whose speculative
  -- insertion costs a quarter more per row (15.1 s against 11.9 s for 2,17,798), nor
  -- NOT EXISTS, which the planner turns into an index probe per person.
  PERFORM 1 FROM camps WHERE id = p_camp FOR NO KEY UPDATE;
  INSERT INTO invitations (id, camp_id, person_id, source, qualified_by, post_level, post_wing, post_role)
  SELECT time_ordered_uuid(), p_camp, a.person_id, 'rule', a.qualified_by, a.post_level, a.post_wing, a.post_role
    FROM camp_audience(p_camp) a
   WHERE a.person_id NOT IN (SELECT i.person_id FROM invitations i WHERE i.camp_id = p_camp)
   ORDER BY a.person_id;
  GET DIAGNOSTICS added = ROW_COUNT;
  RETURN added;
END
$$;

-- A person's current posts as an invitation records them (walk-ins, people invited one
-- by one): every unended term, in level order.
CREATE OR REPLACE FUNCTION person_posts(p_person uuid)
RETURNS TABLE (qualified_by jsonb, post_level unit_level, post_wing text, post_role text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('appointmentId', a.id, 'unitId', a.unit_id, 'level', u.level, 'wing', a.wing_code, 'role', a.role_code, 'clusterId', a.cluster_id)
                   ORDER BY u.level, a.wing_code, a.role_code, a.id), '[]'),
         (array_agg(u.level ORDER BY u.level, a.wing_code, a.role_code, a.id))[1],
         (array_agg(a.wing_code ORDER BY u.level, a.wing_code, a.role_code, a.id))[1],
         (array_agg(a.role_code ORDER BY u.level, a.wing_code, a.role_code, a.id))[1]
    FROM appointments a JOIN units u ON u.id = a.unit_id
   WHERE a.person_id = ANY (ARRAY[p_person]) AND a.end_date IS NULL
$$;

-- TRAINING COUNTERS

-- The summaries of these people as they are now: those holding a counted post. Set-based
-- (one pass over their terms and one over their attendance), not a probe per person: a
-- bulk load of 100,000 terms asks for 100,000 people at once, and a per-person plan that
-- a stale estimate turns into a scan would run 100,000 times.
CREATE OR REPLACE FUNCTION training_summaries(p_people uuid[])
RETURNS TABLE (person_id uuid, booth_id uuid, wings text[], topics text[], last_days date[]) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH w AS (
    SELECT a.person_id, array_agg(DISTINCT a.wing_code ORDER BY a.wing_code) AS wings
      FROM appointments a
     WHERE a.person_id = ANY (p_people) AND a.end_date IS NULL AND training_counts_role(a.role_code)
     GROUP BY a.person_id),
  days AS (
    SELECT i.person_id, ''::text AS topic, max(d.day) AS day
      FROM invitations i JOIN attendance d ON d.invitation_id = i.id
     WHERE i.person_id = ANY (p_people)
     GROUP BY i.person_id
    UNION ALL
    SELECT i.person_id, ct.topic_code, max(d.day)
      FROM invitations i JOIN attendance d ON d.invitation_id = i.id JOIN camp_topics ct ON ct.camp_id = i.camp_id
     WHERE i.person_id = ANY (p_people)
     GROUP BY i.person_id, ct.topic_code),
  t AS (
    SELECT days.person_id, array_agg(days.topic ORDER BY days.topic) AS topics, array_agg(days.day ORDER BY days.topic) AS last_days
      FROM days GROUP BY days.person_id)
  SELECT w.person_id, p.home_booth_id, w.wings, coalesce(t.topics, '{""}'), coalesce(t.last_days, '{-infinity}')
    FROM w JOIN people p ON p.id = w.person_id
    LEFT JOIN t ON t.person_id = w.person_id
$$;

-- Moves training_stats by the summaries in training_diff (v = -1 or +1 each): at every
-- unit above booths on the booth's lineage, per wing ('' and each of theirs), per topic
-- ('' and each attended) with the last day. Rows that reach zero go.
CREATE OR REPLACE FUNCTION apply_training_diff() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS training_touched (unit_id uuid, wing_key text, topic_key text, last_day date) ON COMMIT DROP;
  DELETE FROM training_touched;
  WITH cells AS (
    SELECT s.booth_id, w.wing_key, x.topic_key, x.last_day, sum(s.v)::int AS v
      FROM training_diff s
      CROSS JOIN LATERAL unnest(array_prepend('', s.wings)) AS w(wing_key)
      CROSS JOIN LATERAL unnest(s.topics, s.last_days) AS x(topic_key, last_day)
     GROUP BY 1, 2, 3, 4),
  lineage AS (
    SELECT b.id AS booth_id, a.id AS anc
      FROM (SELECT DISTINCT booth_id FROM cells) c JOIN units b ON b.id = c.booth_id
      JOIN units a ON a.node = ANY (path_nodes(b.path)) AND a.level <> 'booth'),
  deltas AS (
    SELECT l.anc, c.wing_key, c.topic_key, c.last_day, sum(c.v)::int AS v
      FROM cells c JOIN lineage l USING (booth_id)
     GROUP BY 1, 2, 3, 4 HAVING sum(c.v) <> 0),
  upserted AS (
    INSERT INTO training_stats AS s (unit_id, wing_key, topic_key, last_day, people)
    SELECT anc, wing_key, topic_key, last_day, v FROM deltas ORDER BY 1, 2, 3, 4
    ON CONFLICT (unit_id, wing_key, topic_key, last_day) DO UPDATE SET people = s.people + EXCLUDED.people
    RETURNING s.unit_id, s.wing_key, s.topic_key, s.last_day, s.people)
  INSERT INTO training_touched SELECT unit_id, wing_key, topic_key, last_day FROM upserted WHERE people = 0;
  DELETE FROM training_stats s USING training_touched t
   WHERE s.unit_id = t.unit_id AND s.wing_key = t.wing_key AND s.topic_key = t.topic_key AND s.last_day = t.last_day AND s.people = 0;
END
$$;

-- Recomputes these people's summaries and moves the counters by the difference. The
-- counters of their booths' lineages (old and new) are locked first, in the one order
-- every counter writer uses (lock_counters_for), and the old summaries read after it.
CREATE OR REPLACE FUNCTION refresh_training(p_people uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(p_people), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM lock_counters_for(ARRAY(
    SELECT booth_id FROM training_people WHERE person_id = ANY (p_people)
    UNION SELECT home_booth_id FROM people WHERE id = ANY (p_people)));
  CREATE TEMP TABLE IF NOT EXISTS training_now (person_id uuid, booth_id uuid, wings text[], topics text[], last_days date[]) ON COMMIT DROP;
  DELETE FROM training_now;
  INSERT INTO training_now SELECT * FROM training_summaries(p_people);
  CREATE TEMP TABLE IF NOT EXISTS training_diff (booth_id uuid, wings text[], topics text[], last_days date[], v integer) ON COMMIT DROP;
  DELETE FROM training_diff;
  -- Each changed summary leaves (-1, at its old booth) and comes back (+1, at its new).
  INSERT INTO training_diff
  SELECT x.*
    FROM (SELECT * FROM training_people WHERE person_id = ANY (p_people)) o
    FULL JOIN training_now n ON n.person_id = o.person_id
    CROSS JOIN LATERAL (
      SELECT o.booth_id, o.wings, o.topics, o.last_days, -1 WHERE o.person_id IS NOT NULL
      UNION ALL
      SELECT n.booth_id, n.wings, n.topics, n.last_days, 1 WHERE n.person_id IS NOT NULL) x
   WHERE (o.booth_id, o.wings, o.topics, o.last_days) IS DISTINCT FROM (n.booth_id, n.wings, n.topics, n.last_days);
  IF EXISTS (SELECT 1 FROM training_diff) THEN
    PERFORM apply_training_diff();
  END IF;
  DELETE FROM training_people WHERE person_id = ANY (p_people);
  INSERT INTO training_people SELECT * FROM training_now;
END
$$;

-- Moves training_rates: per home booth, invitations (+1/-1) and attended ones.
CREATE OR REPLACE FUNCTION apply_training_rate_deltas(p_booth uuid[], p_invited integer[], p_attended integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(p_booth), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM lock_counters_for(ARRAY(SELECT DISTINCT b FROM unnest(p_booth) AS b));
  INSERT INTO training_rates AS r (unit_id, invited, attended)
  SELECT a.id, sum(d.invited)::int, sum(d.attended)::int
    FROM (SELECT booth_id, sum(invited)::int AS invited, sum(attended)::int AS attended
            FROM unnest(p_booth, p_invited, p_attended) AS t(booth_id, invited, attended) GROUP BY booth_id) d
    JOIN units b ON b.id = d.booth_id
    JOIN units a ON a.node = ANY (path_nodes(b.path)) AND a.level <> 'booth'
   GROUP BY a.id HAVING sum(d.invited) <> 0 OR sum(d.attended) <> 0
   ORDER BY a.id
  ON CONFLICT (unit_id) DO UPDATE SET invited = r.invited + EXCLUDED.invited, attended = r.attended + EXCLUDED.attended;
END
$$;

-- Moves the held camps (+1/-1) of a camp's unit and every unit above it but booths (a
-- booth's own are counted from camps when asked).
CREATE OR REPLACE FUNCTION apply_camps_held_delta(p_unit uuid, p_delta integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lock_counters_for(ARRAY[p_unit]);
  INSERT INTO training_rates AS r (unit_id, camps_held)
  SELECT a.id, p_delta
    FROM units u JOIN units a ON a.node = ANY (path_nodes(u.path)) AND a.level <> 'booth'
   WHERE u.id = p_unit
   ORDER BY a.id
  ON CONFLICT (unit_id) DO UPDATE SET camps_held = r.camps_held + EXCLUDED.camps_held;
END
$$;

-- Terms that begin, end or change post: their holders' summaries.
CREATE OR REPLACE FUNCTION appointments_training() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM refresh_training(ARRAY(SELECT DISTINCT person_id FROM new_rows WHERE end_date IS NULL AND training_counts_role(role_code)));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM refresh_training(ARRAY(SELECT DISTINCT person_id FROM old_rows WHERE end_date IS NULL AND training_counts_role(role_code)));
  ELSE
    -- Every holder the statement touched, before and after (a summary that did not change
    -- moves nothing): no join of the transition tables, whose plan plpgsql would cache.
    PERFORM refresh_training(ARRAY(
      SELECT person_id FROM old_rows WHERE training_counts_role(role_code)
      UNION
      SELECT person_id FROM new_rows WHERE training_counts_role(role_code)));
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER appointments_training_insert AFTER INSERT ON appointments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION appointments_training();
CREATE OR REPLACE TRIGGER appointments_training_update AFTER UPDATE ON appointments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION appointments_training();
CREATE OR REPLACE TRIGGER appointments_training_delete AFTER DELETE ON appointments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION appointments_training();

-- A person whose home booth moves takes their summary and their invitations' rates along.
-- A row trigger with a WHEN condition: the statements that rewrite many people (their
-- handles' platforms, say) never enter it, and no join of the transition tables is planned
-- (and cached) for them.
CREATE OR REPLACE FUNCTION people_training() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_training(ARRAY[NEW.id]);
  PERFORM apply_training_rate_deltas(array_agg(x.booth), array_agg(x.invited), array_agg(x.attended))
     FROM (SELECT OLD.home_booth_id AS booth, -1 AS invited, -(i.status = 'attended')::int AS attended
             FROM invitations i JOIN camps c ON c.id = i.camp_id AND c.status = 'held'
            WHERE i.person_id = NEW.id AND invitation_counted(i.source, i.status)
           UNION ALL
           SELECT NEW.home_booth_id, 1, (i.status = 'attended')::int
             FROM invitations i JOIN camps c ON c.id = i.camp_id AND c.status = 'held'
            WHERE i.person_id = NEW.id AND invitation_counted(i.source, i.status)) x;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER people_training AFTER UPDATE ON people
  FOR EACH ROW WHEN (OLD.home_booth_id IS DISTINCT FROM NEW.home_booth_id) EXECUTE FUNCTION people_training();

-- A unit moved (called by units_stats_on_move, 43_units.sql, with move_signs holding -1
-- for the old ancestors and +1 for the new): the subtree's training totals move along.
-- A unit above booths has them in its own rows; a booth's are its people's summaries.
CREATE OR REPLACE FUNCTION training_after_move(p_root uuid, p_is_booth boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS training_touched (unit_id uuid, wing_key text, topic_key text, last_day date) ON COMMIT DROP;
  DELETE FROM training_touched;
  WITH totals AS (
    SELECT ts.wing_key, ts.topic_key, ts.last_day, ts.people FROM training_stats ts WHERE ts.unit_id = p_root AND NOT p_is_booth
    UNION ALL
    SELECT w.wing_key, x.topic_key, x.last_day, count(*)::int
      FROM training_people tp
      CROSS JOIN LATERAL unnest(array_prepend('', tp.wings)) AS w(wing_key)
      CROSS JOIN LATERAL unnest(tp.topics, tp.last_days) AS x(topic_key, last_day)
     WHERE p_is_booth AND tp.booth_id = p_root
     GROUP BY 1, 2, 3),
  upserted AS (
    INSERT INTO training_stats AS s (unit_id, wing_key, topic_key, last_day, people)
    SELECT l.unit_id, t.wing_key, t.topic_key, t.last_day, sum(l.v * t.people)::int
      FROM move_signs l, totals t
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (unit_id, wing_key, topic_key, last_day) DO UPDATE SET people = s.people + EXCLUDED.people
    RETURNING s.unit_id, s.wing_key, s.topic_key, s.last_day, s.people)
  INSERT INTO training_touched SELECT unit_id, wing_key, topic_key, last_day FROM upserted WHERE people = 0;
  DELETE FROM training_stats s USING training_touched t
   WHERE s.unit_id = t.unit_id AND s.wing_key = t.wing_key AND s.topic_key = t.topic_key AND s.last_day = t.last_day AND s.people = 0;
  INSERT INTO training_rates AS r (unit_id, invited, attended, camps_held)
  SELECT l.unit_id, sum(l.v * t.invited)::int, sum(l.v * t.attended)::int, sum(l.v * t.camps_held)::int
    FROM move_signs l, (
      SELECT tr.invited, tr.attended, tr.camps_held FROM training_rates tr WHERE tr.unit_id = p_root AND NOT p_is_booth
      UNION ALL
      SELECT count(*)::int, count(*) FILTER (WHERE i.status = 'attended')::int, 0
        FROM people p JOIN invitations i ON i.person_id = p.id JOIN camps c ON c.id = i.camp_id AND c.status = 'held'
       WHERE p_is_booth AND p.home_booth_id = p_root AND invitation_counted(i.source, i.status)
      UNION ALL
      SELECT 0, 0, count(*)::int FROM camps c WHERE p_is_booth AND c.unit_id = p_root AND c.status = 'held') t
   GROUP BY 1
   ORDER BY 1
  ON CONFLICT (unit_id) DO UPDATE SET invited = r.invited + EXCLUDED.invited, attended = r.attended + EXCLUDED.attended,
                                      camps_held = r.camps_held + EXCLUDED.camps_held;
END
$$;

-- Recounts the training counters from the base tables, set-based (after the seed's bulk
-- load; the tests compare it with the maintained counters).
CREATE OR REPLACE FUNCTION rebuild_training_stats() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM training_people;
  DELETE FROM training_stats;
  DELETE FROM training_rates;
  INSERT INTO training_people (person_id, booth_id, wings, topics, last_days)
  SELECT w.person_id, p.home_booth_id, w.wings,
         coalesce(t.topics, '{""}'), coalesce(t.last_days, '{-infinity}')
    -- Each person's wings from their distinct (person, wing) pairs: an aggregate with
    -- DISTINCT needs its input in person order, which the planner took from the index by
    -- person, visiting india's crore of terms in random order (33 s).
    FROM (SELECT pw.person_id, array_agg(pw.wing_code ORDER BY pw.wing_code) AS wings
            FROM (SELECT DISTINCT a.person_id, a.wing_code FROM appointments a
                   WHERE a.end_date IS NULL AND training_counts_role(a.role_code)) pw
           GROUP BY pw.person_id) w
    JOIN people p ON p.id = w.person_id
    LEFT JOIN (
      SELECT x.person_id, array_agg(x.topic ORDER BY x.topic) AS topics, array_agg(x.day ORDER BY x.topic) AS last_days
        FROM (SELECT i.person_id, ''::text AS topic, max(d.day) AS day
                FROM invitations i JOIN attendance d ON d.invitation_id = i.id GROUP BY i.person_id
              UNION ALL
              SELECT i.person_id, ct.topic_code, max(d.day)
                FROM invitations i JOIN attendance d ON d.invitation_id = i.id JOIN camp_topics ct ON ct.camp_id = i.camp_id
               GROUP BY i.person_id, ct.topic_code) x
       GROUP BY x.person_id) t ON t.person_id = w.person_id;
  -- The people counted at their home booth's ward, then rolled up level by level: each
  -- person's cells grouped once, not once per ancestor; one row per unit and key then.
  CREATE TEMP TABLE people_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, w.wing_key, x.topic_key, x.last_day, count(*)::int AS people
      FROM training_people tp
      JOIN units b ON b.id = tp.booth_id
      CROSS JOIN LATERAL unnest(array_prepend('', tp.wings)) AS w(wing_key)
      CROSS JOIN LATERAL unnest(tp.topics, tp.last_days) AS x(topic_key, last_day)
     GROUP BY 1, 2, 3, 4;
  PERFORM roll_up_levels('people_at', '{wing_key,topic_key,last_day}', '{people}');
  INSERT INTO training_stats (unit_id, wing_key, topic_key, last_day, people)
  SELECT unit_id, wing_key, topic_key, last_day, people FROM people_at ORDER BY 1, 2, 3, 4;
  DROP TABLE people_at;
  -- Rates: invitations at their invitee's ward, held camps at their unit (a booth's at
  -- its ward), rolled up level by level (roll_up_levels, 30_counters.sql).
  CREATE TEMP TABLE rates_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, count(*)::int AS invited, count(*) FILTER (WHERE i.status = 'attended')::int AS attended, 0 AS camps_held
      FROM invitations i JOIN camps c ON c.id = i.camp_id AND c.status = 'held'
      JOIN people p ON p.id = i.person_id
      JOIN units b ON b.id = p.home_booth_id
     WHERE invitation_counted(i.source, i.status)
     GROUP BY 1
    UNION ALL
    SELECT CASE WHEN cu.level = 'booth' THEN cu.parent_id ELSE cu.id END, 0, 0, count(*)::int
      FROM camps c JOIN units cu ON cu.id = c.unit_id
     WHERE c.status = 'held'
     GROUP BY 1;
  PERFORM roll_up_levels('rates_at', '{}', '{invited,attended,camps_held}');
  INSERT INTO training_rates (unit_id, invited, attended, camps_held)
  SELECT unit_id, sum(invited)::int, sum(attended)::int, sum(camps_held)::int FROM rates_at GROUP BY 1 ORDER BY 1;
  DROP TABLE rates_at;
END
$$;

-- Every camp that breaks one of the rules above, with the rule's name (the seed's
-- verification, which loads with these triggers off): an invitee not at home under the
-- camp's unit, an invitation attended without a day or with days and another status, a
-- day outside the camp's dates, after today or at a cancelled camp, confirmations over
-- the capacity.
CREATE OR REPLACE FUNCTION camp_violations()
RETURNS TABLE (camp_id uuid, violation text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT DISTINCT i.camp_id, 'invitations_within_camp'
    FROM invitations i JOIN camps c ON c.id = i.camp_id JOIN units cu ON cu.id = c.unit_id
    JOIN people p ON p.id = i.person_id JOIN units h ON h.id = p.home_booth_id
   WHERE NOT h.path <@ cu.path
  UNION ALL
  SELECT DISTINCT i.camp_id, 'invitation_attendance'
    FROM invitations i
   WHERE (i.status = 'attended') <> EXISTS (SELECT 1 FROM attendance a WHERE a.invitation_id = i.id)
  UNION ALL
  SELECT DISTINCT c.id, 'attendance_within_camp'
    FROM attendance a JOIN invitations i ON i.id = a.invitation_id JOIN camps c ON c.id = i.camp_id
   WHERE NOT attendance_day_allowed(c.status, c.start_date, c.end_date, a.day)
  UNION ALL
  SELECT c.id, 'camp_capacity'
    FROM camps c
   WHERE camp_over_capacity(c.id, c.capacity)
$$;

-- Filled once, when the tables arrive (migration 0026) in a database that has
-- office-bearers already; in a consistent database this finds summaries and does nothing.
SELECT rebuild_training_stats()
 WHERE NOT EXISTS (SELECT 1 FROM training_people)
   AND EXISTS (SELECT 1 FROM appointments WHERE end_date IS NULL AND training_counts_role(role_code));
