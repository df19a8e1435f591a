-- The own-booth rule, seat limits and coverage counters, checked and maintained once per
-- statement over its transition tables instead of once per row: a bulk import of 100,000
-- rows runs a handful of set-based queries, and a single-row API write costs the same.

DROP TRIGGER appointments_own_booth_rule ON appointments;
--> statement-breakpoint
DROP TRIGGER memberships_own_booth_rule ON memberships;
--> statement-breakpoint
DROP TRIGGER people_own_booth_rule ON people;
--> statement-breakpoint
DROP TRIGGER appointments_check_post ON appointments;
--> statement-breakpoint
DROP TRIGGER units_stats_maintain ON units;
--> statement-breakpoint
DROP TRIGGER memberships_stats_maintain ON memberships;
--> statement-breakpoint
DROP TRIGGER appointments_stats_maintain ON appointments;
--> statement-breakpoint
DROP TRIGGER people_stats_maintain ON people;
--> statement-breakpoint
DROP FUNCTION appointments_own_booth_rule();
--> statement-breakpoint
DROP FUNCTION memberships_own_booth_rule();
--> statement-breakpoint
DROP FUNCTION people_own_booth_rule();
--> statement-breakpoint
DROP FUNCTION assert_own_booth_rule(uuid);
--> statement-breakpoint
DROP FUNCTION appointments_check_post();
--> statement-breakpoint
DROP FUNCTION units_stats_maintain();
--> statement-breakpoint
DROP FUNCTION memberships_stats_maintain();
--> statement-breakpoint
DROP FUNCTION membership_effect(uuid, membership_grade, membership_status, date, integer);
--> statement-breakpoint
DROP FUNCTION appointments_stats_maintain();
--> statement-breakpoint
DROP FUNCTION appointment_effect(uuid, text, uuid, integer);
--> statement-breakpoint
DROP FUNCTION people_stats_maintain();
--> statement-breakpoint
-- The rule: every office-bearer whose term has not ended holds a current, active
-- membership at their own home booth.
CREATE FUNCTION assert_own_booth_rule(p_people uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  offending uuid;
BEGIN
  IF coalesce(cardinality(p_people), 0) = 0 THEN
    RETURN;
  END IF;
  -- Every change that can break the rule locks its people (in id order, against
  -- deadlocks), so concurrent changes to one person queue up and each check below sees
  -- the others' committed result.
  PERFORM 1 FROM people WHERE id = ANY (p_people) ORDER BY id FOR NO KEY UPDATE;
  SELECT a.id INTO offending
    FROM appointments a
   WHERE a.person_id = ANY (p_people)
     AND (a.end_date IS NULL OR a.end_date > india_today())
     AND NOT EXISTS (
       SELECT 1 FROM people pe
         JOIN memberships m ON m.person_id = pe.id
        WHERE pe.id = a.person_id AND m.status = 'current' AND m.grade = 'active' AND m.booth_id = pe.home_booth_id)
   LIMIT 1;
  IF offending IS NOT NULL THEN
    RAISE EXCEPTION 'appointment % would be held by someone who is not an active member at their home booth', offending
      USING ERRCODE = 'check_violation', CONSTRAINT = 'own_booth_rule';
  END IF;
END
$$;
--> statement-breakpoint
-- A post exists only at the levels its role names, and holds at most `seats` terms at once.
CREATE FUNCTION assert_posts(p_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  IF coalesce(cardinality(p_ids), 0) = 0 THEN
    RETURN;
  END IF;
  SELECT a.role_code, u.level INTO bad
    FROM appointments a JOIN roles r ON r.code = a.role_code JOIN units u ON u.id = a.unit_id
   WHERE a.id = ANY (p_ids) AND NOT (u.level = ANY (r.levels))
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'role % does not exist at level %', bad.role_code, bad.level
      USING ERRCODE = 'check_violation', CONSTRAINT = 'appointments_role_level', TABLE = 'appointments';
  END IF;
  -- One writer per post at a time (in a fixed order), so two transactions cannot both
  -- take the last seat; the count below then sees the previous writer's commit.
  PERFORM pg_advisory_xact_lock(k)
     FROM (SELECT DISTINCT hashtextextended(a.unit_id::text || '/' || a.role_code, 0) AS k
             FROM appointments a JOIN roles r ON r.code = a.role_code
            WHERE a.id = ANY (p_ids) AND r.seats IS NOT NULL) posts
    ORDER BY k;
  SELECT a.role_code, a.unit_id INTO bad
    FROM appointments a JOIN roles r ON r.code = a.role_code
   WHERE a.id = ANY (p_ids) AND r.seats IS NOT NULL
     AND (SELECT count(*) FROM appointments o
           WHERE o.unit_id = a.unit_id AND o.role_code = a.role_code AND o.id <> a.id
             AND daterange(o.start_date, o.end_date, '[)') && daterange(a.start_date, a.end_date, '[)')) >= r.seats
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'post % at unit % has no free seat', bad.role_code, bad.unit_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'appointments_seats', TABLE = 'appointments';
  END IF;
END
$$;
--> statement-breakpoint
-- Coverage counters from a set of appointment changes (+1 an unended term appears, -1 it goes).
CREATE FUNCTION apply_appointment_deltas(p_unit uuid[], p_role text[], p_person uuid[], p_sign integer[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ancestors uuid[];
BEGIN
  IF coalesce(cardinality(p_unit), 0) = 0 THEN
    RETURN;
  END IF;
  SELECT array_agg(DISTINCT a.id ORDER BY a.id) INTO ancestors
    FROM (SELECT DISTINCT unnest(p_unit) AS unit_id) d
    JOIN units u ON u.id = d.unit_id
    JOIN units a ON a.node = ANY (string_to_array(ltree2text(u.path), '.')::bigint[]);
  -- Counter rows are locked in one fixed order, so concurrent writers cannot deadlock on them.
  PERFORM 1 FROM unit_stats WHERE unit_id = ANY (ancestors) ORDER BY unit_id FOR UPDATE;

  WITH d AS (SELECT * FROM unnest(p_unit, p_role, p_person, p_sign) AS t(unit_id, role_code, person_id, sign)),
  per_unit AS (
    SELECT d.unit_id, sum(d.sign)::int AS ob,
           sum(CASE WHEN coalesce(p.twitter, p.facebook, p.instagram, p.youtube) IS NOT NULL THEN d.sign ELSE 0 END)::int AS obh
      FROM d JOIN people p ON p.id = d.person_id
     GROUP BY d.unit_id),
  lineage AS (
    SELECT pu.unit_id, a.id AS anc
      FROM per_unit pu JOIN units u ON u.id = pu.unit_id
      JOIN units a ON a.node = ANY (string_to_array(ltree2text(u.path), '.')::bigint[])),
  -- A booth's committee is every unended term at it: its size moves it between buckets.
  moved_booths AS (
    SELECT pu.unit_id, committee_bucket(s.office_bearers) AS b_before, committee_bucket(s.office_bearers + pu.ob) AS b_after
      FROM per_unit pu JOIN units u ON u.id = pu.unit_id AND u.level = 'booth'
      JOIN unit_stats s ON s.unit_id = pu.unit_id
     WHERE committee_bucket(s.office_bearers) <> committee_bucket(s.office_bearers + pu.ob)),
  cells AS (
    SELECT l.anc, m.b_before AS b, -1 AS v FROM moved_booths m JOIN lineage l ON l.unit_id = m.unit_id
    UNION ALL
    SELECT l.anc, m.b_after, 1 FROM moved_booths m JOIN lineage l ON l.unit_id = m.unit_id),
  hist AS (
    SELECT c.anc, array_agg(coalesce(cs.v, 0) ORDER BY g.b) AS delta
      FROM (SELECT DISTINCT anc FROM cells) c
     CROSS JOIN generate_series(1, 33) AS g(b)
      LEFT JOIN (SELECT anc, b, sum(v)::int AS v FROM cells GROUP BY anc, b) cs ON cs.anc = c.anc AND cs.b = g.b
     GROUP BY c.anc),
  ob AS (
    SELECT l.anc, sum(pu.ob)::int AS ob, sum(pu.obh)::int AS obh
      FROM per_unit pu JOIN lineage l ON l.unit_id = pu.unit_id GROUP BY l.anc)
  UPDATE unit_stats s SET
      office_bearers = s.office_bearers + coalesce(ob.ob, 0),
      office_bearers_with_handle = s.office_bearers_with_handle + coalesce(ob.obh, 0),
      committee_histogram = CASE WHEN hist.delta IS NULL THEN s.committee_histogram
                                 ELSE int_array_add(s.committee_histogram, hist.delta, 1) END
    FROM ob FULL JOIN hist ON hist.anc = ob.anc
   WHERE s.unit_id = coalesce(ob.anc, hist.anc);

  -- Booth posts: holders per booth and role; a post filled or emptied counts up the tree.
  WITH d AS (SELECT * FROM unnest(p_unit, p_role, p_sign) AS t(unit_id, role_code, sign)),
  pd AS (
    SELECT d.unit_id AS booth_id, d.role_code, sum(d.sign)::int AS delta
      FROM d JOIN units u ON u.id = d.unit_id AND u.level = 'booth'
     GROUP BY 1, 2 HAVING sum(d.sign) <> 0),
  up AS (
    INSERT INTO booth_posts (booth_id, role_code, holders)
    SELECT booth_id, role_code, delta FROM pd
    ON CONFLICT (booth_id, role_code) DO UPDATE SET holders = booth_posts.holders + EXCLUDED.holders
    RETURNING booth_id, role_code, holders),
  flips AS (
    SELECT up.booth_id, up.role_code,
           (CASE WHEN up.holders >= coalesce(r.seats, 1) THEN 1 ELSE 0 END)
         - (CASE WHEN up.holders - pd.delta >= coalesce(r.seats, 1) THEN 1 ELSE 0 END) AS v
      FROM up JOIN pd USING (booth_id, role_code) JOIN roles r ON r.code = up.role_code)
  INSERT INTO post_stats (unit_id, role_code, filled_booths)
  SELECT a.id, f.role_code, sum(f.v)::int
    FROM flips f JOIN units b ON b.id = f.booth_id
    JOIN units a ON a.node = ANY (string_to_array(ltree2text(b.path), '.')::bigint[])
   WHERE f.v <> 0
   GROUP BY 1, 2
  ON CONFLICT (unit_id, role_code) DO UPDATE SET filled_booths = post_stats.filled_booths + EXCLUDED.filled_booths;
END
$$;
--> statement-breakpoint
-- Coverage counters from a set of membership changes (+1 a current membership appears, -1 it goes).
CREATE FUNCTION apply_membership_deltas(p_booth uuid[], p_grade membership_grade[], p_joined date[], p_sign integer[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ancestors uuid[];
BEGIN
  IF coalesce(cardinality(p_booth), 0) = 0 THEN
    RETURN;
  END IF;
  SELECT array_agg(DISTINCT a.id ORDER BY a.id) INTO ancestors
    FROM (SELECT DISTINCT unnest(p_booth) AS booth_id) d
    JOIN units b ON b.id = d.booth_id
    JOIN units a ON a.node = ANY (string_to_array(ltree2text(b.path), '.')::bigint[]);
  PERFORM 1 FROM unit_stats WHERE unit_id = ANY (ancestors) ORDER BY unit_id FOR UPDATE;

  WITH d AS (SELECT * FROM unnest(p_booth, p_grade, p_sign) AS t(booth_id, grade, sign)),
  per_booth AS (
    SELECT booth_id, sum(sign)::int AS n FROM d WHERE grade = 'active' GROUP BY booth_id HAVING sum(sign) <> 0)
  UPDATE unit_stats s SET active_members = s.active_members + x.n
    FROM (SELECT a.id AS anc, sum(pb.n)::int AS n
            FROM per_booth pb JOIN units b ON b.id = pb.booth_id
            JOIN units a ON a.node = ANY (string_to_array(ltree2text(b.path), '.')::bigint[])
           GROUP BY a.id) x
   WHERE s.unit_id = x.anc;

  WITH d AS (SELECT * FROM unnest(p_booth, p_joined, p_sign) AS t(booth_id, joined_on, sign)),
  per AS (SELECT booth_id, joined_on, sum(sign)::int AS n FROM d GROUP BY 1, 2 HAVING sum(sign) <> 0)
  INSERT INTO member_joins (unit_id, joined_on, members)
  SELECT a.id, per.joined_on, sum(per.n)::int
    FROM per JOIN units b ON b.id = per.booth_id
    JOIN units a ON a.node = ANY (string_to_array(ltree2text(b.path), '.')::bigint[])
   GROUP BY 1, 2
  ON CONFLICT (unit_id, joined_on) DO UPDATE SET members = member_joins.members + EXCLUDED.members;
END
$$;
--> statement-breakpoint
-- Appointments: rule, posts and counters.
CREATE FUNCTION appointments_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_posts(ARRAY(SELECT id FROM new_rows));
  PERFORM assert_own_booth_rule(ARRAY(SELECT DISTINCT person_id FROM new_rows));
  PERFORM apply_appointment_deltas(
    ARRAY(SELECT unit_id FROM new_rows WHERE end_date IS NULL),
    ARRAY(SELECT role_code FROM new_rows WHERE end_date IS NULL),
    ARRAY(SELECT person_id FROM new_rows WHERE end_date IS NULL),
    ARRAY(SELECT 1 FROM new_rows WHERE end_date IS NULL));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION appointments_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d_unit uuid[];
  d_role text[];
  d_person uuid[];
  d_sign integer[];
BEGIN
  -- Shortening a term (ending it) can never overfill a post or change its level.
  PERFORM assert_posts(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.unit_id <> o.unit_id OR n.role_code <> o.role_code
        OR NOT (daterange(n.start_date, n.end_date, '[)') <@ daterange(o.start_date, o.end_date, '[)'))));
  PERFORM assert_own_booth_rule(ARRAY(SELECT DISTINCT person_id FROM new_rows));
  WITH relevant AS (
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.unit_id <> o.unit_id OR n.role_code <> o.role_code OR n.person_id <> o.person_id
        OR (n.end_date IS NULL) <> (o.end_date IS NULL)),
  changes AS (
    SELECT o.unit_id, o.role_code, o.person_id, -1 AS sign FROM old_rows o JOIN relevant r ON r.id = o.id WHERE o.end_date IS NULL
    UNION ALL
    SELECT n.unit_id, n.role_code, n.person_id, 1 FROM new_rows n JOIN relevant r ON r.id = n.id WHERE n.end_date IS NULL)
  SELECT array_agg(unit_id), array_agg(role_code), array_agg(person_id), array_agg(sign)
    INTO d_unit, d_role, d_person, d_sign FROM changes;
  PERFORM apply_appointment_deltas(d_unit, d_role, d_person, d_sign);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION appointments_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM apply_appointment_deltas(
    ARRAY(SELECT unit_id FROM old_rows WHERE end_date IS NULL ORDER BY id),
    ARRAY(SELECT role_code FROM old_rows WHERE end_date IS NULL ORDER BY id),
    ARRAY(SELECT person_id FROM old_rows WHERE end_date IS NULL ORDER BY id),
    ARRAY(SELECT -1 FROM old_rows WHERE end_date IS NULL ORDER BY id));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER appointments_after_insert AFTER INSERT ON appointments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION appointments_after_insert();
--> statement-breakpoint
CREATE TRIGGER appointments_after_update AFTER UPDATE ON appointments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION appointments_after_update();
--> statement-breakpoint
CREATE TRIGGER appointments_after_delete AFTER DELETE ON appointments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION appointments_after_delete();
--> statement-breakpoint
-- Memberships: the rule for every person touched, and the member counters.
CREATE FUNCTION memberships_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d_booth uuid[];
  d_grade membership_grade[];
  d_joined date[];
  d_sign integer[];
BEGIN
  PERFORM assert_own_booth_rule(ARRAY(SELECT DISTINCT person_id FROM new_rows));
  SELECT array_agg(booth_id), array_agg(grade), array_agg(joined_on), array_agg(1)
    INTO d_booth, d_grade, d_joined, d_sign FROM new_rows WHERE status = 'current';
  PERFORM apply_membership_deltas(d_booth, d_grade, d_joined, d_sign);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION memberships_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d_booth uuid[];
  d_grade membership_grade[];
  d_joined date[];
  d_sign integer[];
BEGIN
  PERFORM assert_own_booth_rule(ARRAY(SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows));
  WITH relevant AS (
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.booth_id <> o.booth_id OR n.grade <> o.grade OR n.status <> o.status OR n.joined_on <> o.joined_on),
  changes AS (
    SELECT o.booth_id, o.grade, o.joined_on, -1 AS sign FROM old_rows o JOIN relevant r ON r.id = o.id WHERE o.status = 'current'
    UNION ALL
    SELECT n.booth_id, n.grade, n.joined_on, 1 FROM new_rows n JOIN relevant r ON r.id = n.id WHERE n.status = 'current')
  SELECT array_agg(booth_id), array_agg(grade), array_agg(joined_on), array_agg(sign)
    INTO d_booth, d_grade, d_joined, d_sign FROM changes;
  PERFORM apply_membership_deltas(d_booth, d_grade, d_joined, d_sign);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION memberships_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d_booth uuid[];
  d_grade membership_grade[];
  d_joined date[];
  d_sign integer[];
BEGIN
  PERFORM assert_own_booth_rule(ARRAY(SELECT DISTINCT person_id FROM old_rows));
  SELECT array_agg(booth_id), array_agg(grade), array_agg(joined_on), array_agg(-1)
    INTO d_booth, d_grade, d_joined, d_sign FROM old_rows WHERE status = 'current';
  PERFORM apply_membership_deltas(d_booth, d_grade, d_joined, d_sign);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER memberships_after_insert AFTER INSERT ON memberships
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_after_insert();
--> statement-breakpoint
CREATE TRIGGER memberships_after_update AFTER UPDATE ON memberships
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_after_update();
--> statement-breakpoint
CREATE TRIGGER memberships_after_delete AFTER DELETE ON memberships
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_after_delete();
--> statement-breakpoint
-- People: a home booth that moves must take the membership along (in the same
-- statement); gaining or losing every social handle moves "office-bearers with a handle".
CREATE FUNCTION people_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d_unit uuid[];
  d_role text[];
  d_person uuid[];
  d_sign integer[];
BEGIN
  PERFORM assert_own_booth_rule(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.home_booth_id <> o.home_booth_id));
  -- A flip of the handle flag is the person's terms leaving (with the old flag) and
  -- returning (with the new): two deltas that cancel everywhere but the handle count.
  WITH flipped AS (
    SELECT n.id,
           (coalesce(n.twitter, n.facebook, n.instagram, n.youtube) IS NOT NULL) AS now_has
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE (coalesce(n.twitter, n.facebook, n.instagram, n.youtube) IS NOT NULL)
        <> (coalesce(o.twitter, o.facebook, o.instagram, o.youtube) IS NOT NULL))
  SELECT array_agg(a.unit_id), array_agg(a.person_id), array_agg(CASE WHEN f.now_has THEN 1 ELSE -1 END)
    INTO d_unit, d_person, d_sign
    FROM flipped f JOIN appointments a ON a.person_id = f.id AND a.end_date IS NULL;
  IF d_unit IS NOT NULL THEN
    PERFORM 1 FROM unit_stats WHERE unit_id IN (
      SELECT a.id FROM units u JOIN units a ON a.node = ANY (string_to_array(ltree2text(u.path), '.')::bigint[])
       WHERE u.id = ANY (d_unit)) ORDER BY unit_id FOR UPDATE;
    UPDATE unit_stats s SET office_bearers_with_handle = s.office_bearers_with_handle + x.n
      FROM (SELECT a.id AS anc, sum(t.sign)::int AS n
              FROM unnest(d_unit, d_sign) AS t(unit_id, sign)
              JOIN units u ON u.id = t.unit_id
              JOIN units a ON a.node = ANY (string_to_array(ltree2text(u.path), '.')::bigint[])
             GROUP BY a.id) x
     WHERE s.unit_id = x.anc;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER people_after_update AFTER UPDATE ON people
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION people_after_update();
--> statement-breakpoint
-- Units: a counters row for each new unit; booths counted up the tree.
CREATE FUNCTION units_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO unit_stats (unit_id) SELECT id FROM new_rows;
  UPDATE unit_stats s SET total_booths = s.total_booths + x.n,
         committee_histogram[1] = s.committee_histogram[1] + x.n
    FROM (SELECT a.id AS anc, count(*)::int AS n
            FROM new_rows b JOIN units a ON a.node = ANY (string_to_array(ltree2text(b.path), '.')::bigint[])
           WHERE b.level = 'booth' GROUP BY a.id) x
   WHERE s.unit_id = x.anc;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION units_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Foreign keys guarantee a deleted booth has no members or terms left: committee size 0.
  UPDATE unit_stats s SET total_booths = s.total_booths - x.n,
         committee_histogram[1] = s.committee_histogram[1] - x.n
    FROM (SELECT a.id AS anc, count(*)::int AS n
            FROM old_rows b JOIN units a ON a.node = ANY (string_to_array(ltree2text(b.path), '.')::bigint[])
           WHERE b.level = 'booth' GROUP BY a.id) x
   WHERE s.unit_id = x.anc;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER units_after_insert AFTER INSERT ON units
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION units_after_insert();
--> statement-breakpoint
CREATE TRIGGER units_after_delete AFTER DELETE ON units
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION units_after_delete();
--> statement-breakpoint
-- Moves stay per row: a move is one root whose subtree totals leave the old ancestors
-- and join the new ones (descendants' paths change in the cascade, at depth > 1).
CREATE FUNCTION units_stats_on_move() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  moved unit_stats%ROWTYPE;
  old_line uuid[];
  new_line uuid[];
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  SELECT * INTO moved FROM unit_stats WHERE unit_id = NEW.id;
  old_line := unit_lineage(subpath(OLD.path, 0, nlevel(OLD.path) - 1));
  new_line := unit_lineage(subpath(NEW.path, 0, nlevel(NEW.path) - 1));
  PERFORM 1 FROM unit_stats WHERE unit_id = ANY (old_line || new_line) ORDER BY unit_id FOR UPDATE;
  UPDATE unit_stats s SET
      total_booths = s.total_booths + l.v * moved.total_booths,
      active_members = s.active_members + l.v * moved.active_members,
      office_bearers = s.office_bearers + l.v * moved.office_bearers,
      office_bearers_with_handle = s.office_bearers_with_handle + l.v * moved.office_bearers_with_handle,
      committee_histogram = int_array_add(s.committee_histogram, moved.committee_histogram, l.v)
    FROM (SELECT unnest(old_line) AS unit_id, -1 AS v UNION ALL SELECT unnest(new_line), 1) l
   WHERE s.unit_id = l.unit_id;
  INSERT INTO post_stats (unit_id, role_code, filled_booths)
  SELECT l.unit_id, p.role_code, l.v * p.filled_booths
    FROM post_stats p, (SELECT unnest(old_line) AS unit_id, -1 AS v UNION ALL SELECT unnest(new_line), 1) l
   WHERE p.unit_id = NEW.id
  ON CONFLICT (unit_id, role_code) DO UPDATE SET filled_booths = post_stats.filled_booths + EXCLUDED.filled_booths;
  INSERT INTO member_joins (unit_id, joined_on, members)
  SELECT l.unit_id, j.joined_on, l.v * j.members
    FROM member_joins j, (SELECT unnest(old_line) AS unit_id, -1 AS v UNION ALL SELECT unnest(new_line), 1) l
   WHERE j.unit_id = NEW.id
  ON CONFLICT (unit_id, joined_on) DO UPDATE SET members = member_joins.members + EXCLUDED.members;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER units_stats_on_move
  AFTER UPDATE OF path ON units
  FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
  EXECUTE FUNCTION units_stats_on_move();
