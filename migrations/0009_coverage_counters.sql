-- Coverage counters: every unit's unit_stats row aggregates its subtree, kept exact by
-- the triggers below in the same transaction as the change that moves them.

-- A unit and its ancestors, by the node numbers in its ltree path (unique index on node).
CREATE FUNCTION unit_lineage(p ltree) RETURNS uuid[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(u.id), '{}') FROM units u
   WHERE u.node = ANY (string_to_array(ltree2text(p), '.')::bigint[])
$$;
--> statement-breakpoint
CREATE FUNCTION int_array_add(a integer[], b integer[], sign integer) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(x + sign * y ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;
--> statement-breakpoint
-- Histogram bucket (1-based) for a committee of `size` members.
CREATE FUNCTION committee_bucket(size integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT least(greatest(size, 0), 32) + 1
$$;
--> statement-breakpoint
CREATE FUNCTION has_social_handle(p_person uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(twitter, facebook, instagram, youtube) IS NOT NULL FROM people WHERE id = p_person
$$;
--> statement-breakpoint
-- Units: a stats row for each, booths counted up the tree, subtrees carried on a move.
CREATE FUNCTION units_stats_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  moved unit_stats%ROWTYPE;
  old_line uuid[];
  new_line uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO unit_stats (unit_id) VALUES (NEW.id);
    IF NEW.level = 'booth' THEN
      UPDATE unit_stats SET total_booths = total_booths + 1,
             committee_histogram[1] = committee_histogram[1] + 1
       WHERE unit_id = ANY (unit_lineage(NEW.path));
    END IF;
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    -- Foreign keys guarantee a deleted unit has no children, members or terms left.
    IF OLD.level = 'booth' THEN
      UPDATE unit_stats SET total_booths = total_booths - 1,
             committee_histogram[1] = committee_histogram[1] - 1
       WHERE unit_id = ANY (unit_lineage(OLD.path));
    END IF;
    RETURN NULL;
  END IF;
  -- A move: the subtree's totals leave the old ancestors and join the new ones. Only the
  -- moved root acts (descendants' paths change in the cascade at depth > 1).
  IF pg_trigger_depth() > 1 OR NEW.path = OLD.path THEN
    RETURN NULL;
  END IF;
  SELECT * INTO moved FROM unit_stats WHERE unit_id = NEW.id;
  old_line := array_remove(unit_lineage(subpath(OLD.path, 0, nlevel(OLD.path) - 1)), NULL);
  new_line := array_remove(unit_lineage(subpath(NEW.path, 0, nlevel(NEW.path) - 1)), NULL);
  UPDATE unit_stats s SET
      total_booths = s.total_booths + sign.v * moved.total_booths,
      active_members = s.active_members + sign.v * moved.active_members,
      office_bearers = s.office_bearers + sign.v * moved.office_bearers,
      office_bearers_with_handle = s.office_bearers_with_handle + sign.v * moved.office_bearers_with_handle,
      committee_histogram = int_array_add(s.committee_histogram, moved.committee_histogram, sign.v)
    FROM (SELECT unnest(old_line) AS unit_id, -1 AS v UNION ALL SELECT unnest(new_line), 1) sign
   WHERE s.unit_id = sign.unit_id;
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
CREATE TRIGGER units_stats_maintain
  AFTER INSERT OR DELETE OR UPDATE OF path ON units
  FOR EACH ROW EXECUTE FUNCTION units_stats_maintain();
--> statement-breakpoint
-- Memberships: current ones count as members by join date, active ones as active members.
CREATE FUNCTION membership_effect(p_booth uuid, p_grade membership_grade, p_status membership_status, p_joined date, sign integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  line uuid[];
BEGIN
  IF p_status <> 'current' THEN
    RETURN;
  END IF;
  line := unit_lineage((SELECT path FROM units WHERE id = p_booth));
  IF p_grade = 'active' THEN
    UPDATE unit_stats SET active_members = active_members + sign WHERE unit_id = ANY (line);
  END IF;
  INSERT INTO member_joins (unit_id, joined_on, members)
  SELECT unnest(line), p_joined, sign
  ON CONFLICT (unit_id, joined_on) DO UPDATE SET members = member_joins.members + EXCLUDED.members;
END
$$;
--> statement-breakpoint
CREATE FUNCTION memberships_stats_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.booth_id = OLD.booth_id AND NEW.grade = OLD.grade
     AND NEW.status = OLD.status AND NEW.joined_on = OLD.joined_on THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM membership_effect(OLD.booth_id, OLD.grade, OLD.status, OLD.joined_on, -1);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    PERFORM membership_effect(NEW.booth_id, NEW.grade, NEW.status, NEW.joined_on, 1);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER memberships_stats_maintain
  AFTER INSERT OR UPDATE OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION memberships_stats_maintain();
--> statement-breakpoint
-- Appointments: an unended term counts as an office-bearer up the tree; at a booth it
-- also sizes the committee and may fill the booth's post.
CREATE FUNCTION appointment_effect(p_unit uuid, p_role text, p_person uuid, sign integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  u record;
  line uuid[];
  size_after integer;
  holders_after integer;
  seats_needed integer;
  handle integer;
BEGIN
  SELECT level, path INTO u FROM units WHERE id = p_unit;
  line := unit_lineage(u.path);
  handle := CASE WHEN has_social_handle(p_person) THEN 1 ELSE 0 END;
  UPDATE unit_stats SET office_bearers = office_bearers + sign,
         office_bearers_with_handle = office_bearers_with_handle + sign * handle
   WHERE unit_id = ANY (line);
  IF u.level <> 'booth' THEN
    RETURN;
  END IF;
  SELECT office_bearers INTO size_after FROM unit_stats WHERE unit_id = p_unit;
  UPDATE unit_stats SET
      committee_histogram[committee_bucket(size_after - sign)] = committee_histogram[committee_bucket(size_after - sign)] - 1,
      committee_histogram[committee_bucket(size_after)] = committee_histogram[committee_bucket(size_after)] + 1
   WHERE unit_id = ANY (line) AND committee_bucket(size_after - sign) <> committee_bucket(size_after);
  INSERT INTO booth_posts (booth_id, role_code, holders) VALUES (p_unit, p_role, sign)
  ON CONFLICT (booth_id, role_code) DO UPDATE SET holders = booth_posts.holders + EXCLUDED.holders
  RETURNING holders INTO holders_after;
  SELECT coalesce(seats, 1) INTO seats_needed FROM roles WHERE code = p_role;
  -- The booth's post became filled (or stopped being filled): count it up the tree.
  IF (holders_after >= seats_needed) <> (holders_after - sign >= seats_needed) THEN
    INSERT INTO post_stats (unit_id, role_code, filled_booths)
    SELECT unnest(line), p_role, CASE WHEN holders_after >= seats_needed THEN 1 ELSE -1 END
    ON CONFLICT (unit_id, role_code) DO UPDATE SET filled_booths = post_stats.filled_booths + EXCLUDED.filled_booths;
  END IF;
END
$$;
--> statement-breakpoint
CREATE FUNCTION appointments_stats_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.unit_id = OLD.unit_id AND NEW.role_code = OLD.role_code
     AND NEW.person_id = OLD.person_id AND (NEW.end_date IS NULL) = (OLD.end_date IS NULL) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.end_date IS NULL THEN
    PERFORM appointment_effect(OLD.unit_id, OLD.role_code, OLD.person_id, -1);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.end_date IS NULL THEN
    PERFORM appointment_effect(NEW.unit_id, NEW.role_code, NEW.person_id, 1);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER appointments_stats_maintain
  AFTER INSERT OR UPDATE OR DELETE ON appointments
  FOR EACH ROW EXECUTE FUNCTION appointments_stats_maintain();
--> statement-breakpoint
-- People: gaining or losing every social handle changes "office-bearers with a handle".
CREATE FUNCTION people_stats_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was boolean := coalesce(OLD.twitter, OLD.facebook, OLD.instagram, OLD.youtube) IS NOT NULL;
  now_has boolean := coalesce(NEW.twitter, NEW.facebook, NEW.instagram, NEW.youtube) IS NOT NULL;
BEGIN
  IF was = now_has THEN
    RETURN NULL;
  END IF;
  UPDATE unit_stats s SET office_bearers_with_handle = s.office_bearers_with_handle + (CASE WHEN now_has THEN 1 ELSE -1 END) * t.n
    FROM (SELECT l.unit_id, count(*)::int AS n
            FROM appointments a, units u, unnest(unit_lineage(u.path)) AS l(unit_id)
           WHERE a.person_id = NEW.id AND a.end_date IS NULL AND u.id = a.unit_id
           GROUP BY l.unit_id) t
   WHERE s.unit_id = t.unit_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER people_stats_maintain
  AFTER UPDATE OF twitter, facebook, instagram, youtube ON people
  FOR EACH ROW EXECUTE FUNCTION people_stats_maintain();
--> statement-breakpoint
-- Recounts every counter from the base tables, set-based. Used after a bulk load that
-- ran with these triggers disabled, after a change of a role's seats, and by tests.
CREATE FUNCTION rebuild_coverage_stats() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM post_stats;
  DELETE FROM booth_posts;
  DELETE FROM member_joins;
  DELETE FROM unit_stats;
  CREATE TEMP TABLE lineage ON COMMIT DROP AS
    SELECT u.id AS unit_id, a.id AS ancestor_id
      FROM units u JOIN units a ON a.node = ANY (string_to_array(ltree2text(u.path), '.')::bigint[]);
  CREATE INDEX ON lineage (unit_id);
  ANALYZE lineage;
  CREATE TEMP TABLE committee ON COMMIT DROP AS
    SELECT b.id AS booth_id, count(a.id)::int AS size
      FROM units b LEFT JOIN appointments a ON a.unit_id = b.id AND a.end_date IS NULL
     WHERE b.level = 'booth' GROUP BY b.id;
  INSERT INTO unit_stats (unit_id) SELECT id FROM units;
  UPDATE unit_stats s SET total_booths = t.n FROM (
    SELECT l.ancestor_id, count(*)::int AS n FROM lineage l JOIN units b ON b.id = l.unit_id AND b.level = 'booth' GROUP BY 1) t
   WHERE s.unit_id = t.ancestor_id;
  UPDATE unit_stats s SET active_members = t.n FROM (
    SELECT l.ancestor_id, count(*)::int AS n FROM memberships m JOIN lineage l ON l.unit_id = m.booth_id
     WHERE m.status = 'current' AND m.grade = 'active' GROUP BY 1) t
   WHERE s.unit_id = t.ancestor_id;
  UPDATE unit_stats s SET office_bearers = t.n, office_bearers_with_handle = t.h FROM (
    SELECT l.ancestor_id, count(*)::int AS n,
           count(*) FILTER (WHERE coalesce(p.twitter, p.facebook, p.instagram, p.youtube) IS NOT NULL)::int AS h
      FROM appointments a JOIN people p ON p.id = a.person_id JOIN lineage l ON l.unit_id = a.unit_id
     WHERE a.end_date IS NULL GROUP BY 1) t
   WHERE s.unit_id = t.ancestor_id;
  UPDATE unit_stats s SET committee_histogram = t.hist FROM (
    SELECT x.ancestor_id, array_agg(coalesce(c.n, 0) ORDER BY g.b) AS hist
      FROM (SELECT DISTINCT l.ancestor_id FROM lineage l JOIN units b ON b.id = l.unit_id AND b.level = 'booth') x
      CROSS JOIN generate_series(1, 33) g(b)
      LEFT JOIN (SELECT l.ancestor_id, committee_bucket(c.size) AS b, count(*)::int AS n
                   FROM committee c JOIN lineage l ON l.unit_id = c.booth_id GROUP BY 1, 2) c
        ON c.ancestor_id = x.ancestor_id AND c.b = g.b
     GROUP BY x.ancestor_id) t
   WHERE s.unit_id = t.ancestor_id;
  INSERT INTO booth_posts (booth_id, role_code, holders)
  SELECT a.unit_id, a.role_code, count(*)::int
    FROM appointments a JOIN units b ON b.id = a.unit_id AND b.level = 'booth'
   WHERE a.end_date IS NULL GROUP BY 1, 2;
  INSERT INTO post_stats (unit_id, role_code, filled_booths)
  SELECT l.ancestor_id, bp.role_code, count(*)::int
    FROM booth_posts bp JOIN roles r ON r.code = bp.role_code JOIN lineage l ON l.unit_id = bp.booth_id
   WHERE bp.holders >= coalesce(r.seats, 1) GROUP BY 1, 2;
  INSERT INTO member_joins (unit_id, joined_on, members)
  SELECT l.ancestor_id, m.joined_on, count(*)::int
    FROM memberships m JOIN lineage l ON l.unit_id = m.booth_id
   WHERE m.status = 'current' GROUP BY 1, 2;
  DROP TABLE lineage;
  DROP TABLE committee;
END
$$;
--> statement-breakpoint
-- A change of seats changes which booths count as filled for that role.
CREATE FUNCTION roles_seats_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM post_stats WHERE role_code = NEW.code;
  INSERT INTO post_stats (unit_id, role_code, filled_booths)
  SELECT l.unit_id, bp.role_code, count(*)::int
    FROM booth_posts bp JOIN units b ON b.id = bp.booth_id, unnest(unit_lineage(b.path)) AS l(unit_id)
   WHERE bp.role_code = NEW.code AND bp.holders >= coalesce(NEW.seats, 1)
   GROUP BY 1, 2;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER roles_seats_changed
  AFTER UPDATE OF seats ON roles
  FOR EACH ROW WHEN (OLD.seats IS DISTINCT FROM NEW.seats)
  EXECUTE FUNCTION roles_seats_changed();
--> statement-breakpoint
-- Counters for units that existed before this migration.
SELECT rebuild_coverage_stats();
