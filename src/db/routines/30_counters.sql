-- COVERAGE COUNTERS
--
-- Every unit above the booths has counters aggregating its subtree, kept exact in the
-- same transaction as every change by the statement-level triggers of 40_appointments.sql,
-- 41_memberships.sql, 42_people.sql and 43_units.sql:
--   unit_stats    booths and active members (one row per unit: the lock every writer takes)
--   office_stats  per wing: office-bearers (unended terms), those with a social handle,
--                 and a histogram of booth committee sizes (the wing's terms at a booth)
--   post_stats    per wing and booth-level role: booths whose post is filled
--   member_joins  current members by join date ("new members in the last N days")
--   duty_stats    per bound post kind, the social media duty's terms and the compliant
--                 (its own file, 32_duties.sql, called from here)
--   post_days     per wing and required booth-level role, filled booths by day (the
--                 trend; its own file, 31_post_days.sql)
-- A wing counts only its own posts: the main body's figures are the wing 'main'.
-- A booth keeps no counter rows: its own figures are a few index probes (booth_figures).
-- Counter rows are always locked in one order (lock_counters_for, on unit_stats), so
-- concurrent writers queue instead of deadlocking. rebuild_coverage_stats() recounts
-- everything; the tests compare it with the maintained counters.

CREATE OR REPLACE FUNCTION int_array_add(a integer[], b integer[], sign integer) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(x + sign * y ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;

-- Histogram bucket (1-based) for a committee of `size` members: index 1 holds size 0,
-- index 33 holds 32 or more. "Committees of at least K" sums a tail.
CREATE OR REPLACE FUNCTION committee_bucket(size integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT least(greatest(size, 0), 32) + 1
$$;

-- A committee histogram's change from buckets left (-1) and entered (+1): one array of
-- 33 (see committee_bucket), summed per bucket. An aggregate's input: array_agg of both.
CREATE OR REPLACE FUNCTION histogram_delta(buckets integer[], signs integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(coalesce(h.v, 0) ORDER BY g.b)
    FROM generate_series(1, 33) AS g(b)
    LEFT JOIN (SELECT x.b, sum(x.v)::int AS v FROM unnest(buckets, signs) AS x(b, v) GROUP BY x.b) h ON h.b = g.b
$$;

-- A booth's figures, read from its own rows: the wing's unended terms (all its roles,
-- those whose holder has a social handle, those in p_role), current active members,
-- current members who joined after p_since. A set-returning SQL function, so a query
-- that calls it per row gets it inlined.
CREATE OR REPLACE FUNCTION booth_figures(p_booth uuid, p_wing text, p_role text, p_since date)
RETURNS TABLE (committee integer, with_handle integer, holders integer, active_members integer, new_members integer)
LANGUAGE sql STABLE AS $$
  SELECT t.committee, t.with_handle, t.holders,
         (SELECT count(*)::int FROM memberships m
           WHERE m.booth_id = p_booth AND m.status = 'current' AND m.grade = 'active'),
         (SELECT count(*)::int FROM memberships m
           WHERE m.booth_id = p_booth AND m.status = 'current' AND m.joined_on > p_since)
    FROM (SELECT count(*)::int AS committee,
                 count(*) FILTER (WHERE p.handle_platforms <> '{}')::int AS with_handle,
                 count(*) FILTER (WHERE a.role_code = p_role)::int AS holders
            FROM appointments a JOIN people p ON p.id = a.person_id
           WHERE a.unit_id = p_booth AND a.wing_code = p_wing AND a.end_date IS NULL) t
$$;

-- Locks the counter rows a change at these units moves: every unit above booths on their
-- lineage (a booth counts from its parent up), in one fixed order (by id). (plpgsql:
-- PERFORM runs the query to the end; a SQL function would stop at its first row.)
CREATE OR REPLACE FUNCTION lock_counters_for(p_units uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM unit_stats
    WHERE unit_id IN (
      SELECT a.id
        FROM (SELECT DISTINCT CASE WHEN u.level = 'booth' THEN u.parent_id ELSE u.id END AS counted
                FROM units u WHERE u.id = ANY (p_units)) c
        JOIN units cu ON cu.id = c.counted
        JOIN units a ON a.node = ANY (path_nodes(cu.path)))
    ORDER BY unit_id FOR UPDATE;
END
$$;

-- Counters from a set of appointment changes (+1 an unended term appears, -1 it goes). A
-- booth's change counts from its parent up; any other unit's from itself up; each in
-- its own wing.
CREATE OR REPLACE FUNCTION apply_appointment_deltas(p_unit uuid[], p_wing text[], p_role text[], p_person uuid[], p_sign integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(p_unit), 0) = 0 THEN
    RETURN;
  END IF;
  -- Holding its parent's counters, the booth committees and posts counted below (a new
  -- snapshot) include every other writer's committed terms at those booths.
  PERFORM lock_counters_for(p_unit);

  WITH d AS (
    SELECT * FROM unnest(p_unit, p_wing, p_role, p_person, p_sign) AS t(unit_id, wing_code, role_code, person_id, sign)),
  -- Each change with where it counts (a booth's parent, another unit itself) and whether
  -- its holder has a social handle: joins over the whole change set, not a probe per row.
  placed AS (
    SELECT d.unit_id, d.wing_code, d.role_code, d.sign, u.level = 'booth' AS is_booth,
           CASE WHEN u.level = 'booth' THEN u.parent_id ELSE u.id END AS counted,
           -- A booth's constituency pair, when it is in one (33_assembly_stats.sql).
           CASE WHEN u.level = 'booth' THEN u.assembly_id END AS assembly_id, path_district_node(u.path) AS district_node,
           CASE WHEN p.handle_platforms <> '{}' THEN d.sign ELSE 0 END AS handle_sign
      FROM d JOIN units u ON u.id = d.unit_id JOIN people p ON p.id = d.person_id),
  per_counted AS (
    SELECT counted, wing_code, sum(sign)::int AS ob, sum(handle_sign)::int AS obh FROM placed GROUP BY counted, wing_code),
  per_pair AS (
    SELECT assembly_id, district_node, wing_code, sum(sign)::int AS ob, sum(handle_sign)::int AS obh
      FROM placed WHERE assembly_id IS NOT NULL GROUP BY 1, 2, 3),
  -- Net change per booth post. A booth whose wing committee changed size has at least one.
  posts AS (
    SELECT unit_id, counted, assembly_id, district_node, wing_code, role_code, sum(sign)::int AS delta
      FROM placed WHERE is_booth
     GROUP BY unit_id, counted, assembly_id, district_node, wing_code, role_code HAVING sum(sign) <> 0),
  -- Unended terms at those posts now, after this statement: a probe of the open-terms
  -- index per post and per committee, not a join of two CTEs. Those carry no statistics,
  -- and a plan that guessed one post nested-looped 15,000 posts over 30,000 holders (105 s).
  posts_held AS MATERIALIZED (
    SELECT p.*, (SELECT count(*) FROM appointments a
                  WHERE a.end_date IS NULL AND a.unit_id = p.unit_id AND a.wing_code = p.wing_code
                    AND a.role_code = p.role_code)::int AS holders,
           coalesce((SELECT r.seats FROM roles r WHERE r.wing_code = p.wing_code AND r.code = p.role_code), 1) AS seats
      FROM posts p),
  -- A booth's wing committee is the wing's unended terms there: its size before this
  -- statement is the size now less the net change. A change of bucket moves it in the
  -- histograms above (bucket 1, no terms, is implicit: total_booths less the rest).
  committees AS (
    SELECT c.counted, c.assembly_id, c.district_node, c.wing_code,
           committee_bucket(c.size - c.delta) AS b_before, committee_bucket(c.size) AS b_after
      FROM (SELECT c.*, (SELECT count(*) FROM appointments a
                          WHERE a.end_date IS NULL AND a.unit_id = c.unit_id AND a.wing_code = c.wing_code)::int AS size
              FROM (SELECT unit_id, counted, assembly_id, district_node, wing_code, sum(delta)::int AS delta
                      FROM posts GROUP BY unit_id, counted, assembly_id, district_node, wing_code) c
             WHERE c.delta <> 0 OFFSET 0) c),
  cells AS (
    SELECT counted, wing_code, b, sum(v)::int AS v
      FROM (SELECT counted, wing_code, b_before AS b, -1 AS v FROM committees WHERE b_before <> b_after AND b_before > 1
            UNION ALL
            SELECT counted, wing_code, b_after, 1 FROM committees WHERE b_before <> b_after AND b_after > 1) x
     GROUP BY counted, wing_code, b HAVING sum(v) <> 0),
  -- A booth's post is filled when its unended holders reach the role's seats.
  booth_flips AS (
    SELECT p.counted, p.assembly_id, p.district_node, p.wing_code, p.role_code,
           (p.holders >= p.seats)::int - (p.holders - p.delta >= p.seats)::int AS v
      FROM posts_held p),
  flips AS (
    SELECT counted, wing_code, role_code, sum(v)::int AS v FROM booth_flips GROUP BY counted, wing_code, role_code),
  lineage AS (
    SELECT c.counted, a.id AS anc
      FROM (SELECT DISTINCT counted FROM per_counted) c JOIN units cu ON cu.id = c.counted
      JOIN units a ON a.node = ANY (path_nodes(cu.path))),
  totals AS (
    SELECT l.anc, c.wing_code, sum(c.ob)::int AS ob, sum(c.obh)::int AS obh
      FROM per_counted c JOIN lineage l USING (counted) GROUP BY l.anc, c.wing_code),
  hist AS (
    SELECT l.anc, c.wing_code, c.b, sum(c.v)::int AS v
      FROM cells c JOIN lineage l USING (counted) GROUP BY l.anc, c.wing_code, c.b),
  -- Each touched histogram's change as a whole array, in one aggregate (a join, not a
  -- probe per counter row: a bulk write touches thousands of them).
  hist_delta AS (
    SELECT k.anc, k.wing_code, array_agg(coalesce(h.v, 0) ORDER BY g.b) AS delta
      FROM (SELECT DISTINCT anc, wing_code FROM hist) k
     CROSS JOIN generate_series(1, 33) AS g(b)
      LEFT JOIN hist h ON h.anc = k.anc AND h.wing_code = k.wing_code AND h.b = g.b
     GROUP BY k.anc, k.wing_code),
  -- The rows are guarded by the unit_stats locks above: no other writer inserts them.
  offices AS (
    INSERT INTO office_stats AS s (unit_id, wing_code, office_bearers, office_bearers_with_handle, committee_histogram)
    SELECT t.anc, t.wing_code, t.ob, t.obh, coalesce(d.delta, array_fill(0, ARRAY[33]))
      FROM totals t LEFT JOIN hist_delta d ON d.anc = t.anc AND d.wing_code = t.wing_code
     ORDER BY t.anc, t.wing_code
    ON CONFLICT (unit_id, wing_code) DO UPDATE SET
        office_bearers = s.office_bearers + EXCLUDED.office_bearers,
        office_bearers_with_handle = s.office_bearers_with_handle + EXCLUDED.office_bearers_with_handle,
        committee_histogram = CASE WHEN EXCLUDED.committee_histogram = array_fill(0, ARRAY[33]) THEN s.committee_histogram
                                   ELSE int_array_add(s.committee_histogram, EXCLUDED.committee_histogram, 1) END),
  filled AS (
    INSERT INTO post_stats (unit_id, wing_code, role_code, filled_booths)
    SELECT l.anc, f.wing_code, f.role_code, sum(f.v)::int
      FROM flips f JOIN lineage l USING (counted)
     WHERE f.v <> 0
     GROUP BY 1, 2, 3
    ON CONFLICT (unit_id, wing_code, role_code) DO UPDATE SET filled_booths = post_stats.filled_booths + EXCLUDED.filled_booths),
  -- The same changes in the booths' constituency pairs (33_assembly_stats.sql): each
  -- booth in one pair, so a change lands once, not up a lineage.
  pair_offices AS (
    INSERT INTO assembly_office_stats AS s (assembly_id, district_node, wing_code, office_bearers, office_bearers_with_handle, committee_histogram)
    SELECT t.assembly_id, t.district_node, t.wing_code, t.ob, t.obh, coalesce(h.delta, array_fill(0, ARRAY[33]))
      FROM per_pair t
      LEFT JOIN (SELECT assembly_id, district_node, wing_code, histogram_delta(array_agg(b), array_agg(v)) AS delta
                   FROM (SELECT assembly_id, district_node, wing_code, b_before AS b, -1 AS v FROM committees WHERE b_before <> b_after AND b_before > 1
                         UNION ALL
                         SELECT assembly_id, district_node, wing_code, b_after, 1 FROM committees WHERE b_before <> b_after AND b_after > 1) m
                  WHERE assembly_id IS NOT NULL
                  GROUP BY 1, 2, 3) h USING (assembly_id, district_node, wing_code)
     ORDER BY 1, 2, 3
    ON CONFLICT (assembly_id, district_node, wing_code) DO UPDATE SET
        office_bearers = s.office_bearers + EXCLUDED.office_bearers,
        office_bearers_with_handle = s.office_bearers_with_handle + EXCLUDED.office_bearers_with_handle,
        committee_histogram = int_array_add(s.committee_histogram, EXCLUDED.committee_histogram, 1))
  INSERT INTO assembly_post_stats AS s (assembly_id, district_node, wing_code, role_code, filled_booths)
  SELECT assembly_id, district_node, wing_code, role_code, sum(v)::int
    FROM booth_flips WHERE assembly_id IS NOT NULL
   GROUP BY 1, 2, 3, 4 HAVING sum(v) <> 0
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (assembly_id, district_node, wing_code, role_code) DO UPDATE SET filled_booths = s.filled_booths + EXCLUDED.filled_booths;
  -- The social media duty (32_duties.sql), with each holder's platforms as they are now.
  PERFORM apply_duty_deltas(array_agg(d.unit_id ORDER BY d.n), array_agg(d.wing_code ORDER BY d.n), array_agg(d.role_code ORDER BY d.n),
                            array_agg(array_to_string(p.handle_platforms, ',') ORDER BY d.n), array_agg(d.sign ORDER BY d.n))
     FROM unnest(p_unit, p_wing, p_role, p_person, p_sign) WITH ORDINALITY AS d(unit_id, wing_code, role_code, person_id, sign, n)
     JOIN people p ON p.id = d.person_id;
END
$$;

-- Counters from a set of membership changes (+1 a current membership appears, -1 it
-- goes). Memberships are at booths: counting starts at the booth's parent.
CREATE OR REPLACE FUNCTION apply_membership_deltas(p_booth uuid[], p_grade membership_grade[], p_joined date[], p_sign integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(p_booth), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM lock_counters_for(p_booth);

  WITH d AS (
    SELECT * FROM unnest(p_booth, p_grade, p_joined, p_sign) AS t(booth_id, grade, joined_on, sign)),
  per AS (
    SELECT b.parent_id AS counted, d.joined_on,
           coalesce(sum(d.sign) FILTER (WHERE d.grade = 'active'), 0)::int AS active, sum(d.sign)::int AS members
      FROM d JOIN units b ON b.id = d.booth_id
     GROUP BY b.parent_id, d.joined_on),
  -- The booths' constituency pairs (33_assembly_stats.sql).
  per_pair AS (
    SELECT b.assembly_id, path_district_node(b.path) AS district_node, d.joined_on,
           coalesce(sum(d.sign) FILTER (WHERE d.grade = 'active'), 0)::int AS active, sum(d.sign)::int AS members
      FROM d JOIN units b ON b.id = d.booth_id
     WHERE b.assembly_id IS NOT NULL
     GROUP BY 1, 2, 3),
  pair_counters AS (
    UPDATE assembly_stats s SET active_members = s.active_members + x.n
      FROM (SELECT assembly_id, district_node, sum(active)::int AS n FROM per_pair GROUP BY 1, 2 HAVING sum(active) <> 0) x
     WHERE s.assembly_id = x.assembly_id AND s.district_node = x.district_node),
  pair_joins AS (
    INSERT INTO assembly_member_joins AS j (assembly_id, district_node, joined_on, members)
    SELECT assembly_id, district_node, joined_on, members FROM per_pair WHERE members <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (assembly_id, district_node, joined_on) DO UPDATE SET members = j.members + EXCLUDED.members),
  lineage AS (
    SELECT c.counted, a.id AS anc
      FROM (SELECT DISTINCT counted FROM per) c JOIN units cu ON cu.id = c.counted
      JOIN units a ON a.node = ANY (path_nodes(cu.path))),
  counters AS (
    UPDATE unit_stats s SET active_members = s.active_members + x.n
      FROM (SELECT l.anc, sum(p.active)::int AS n
              FROM per p JOIN lineage l USING (counted)
             GROUP BY l.anc HAVING sum(p.active) <> 0) x
     WHERE s.unit_id = x.anc)
  INSERT INTO member_joins (unit_id, joined_on, members)
  SELECT l.anc, p.joined_on, sum(p.members)::int
    FROM per p JOIN lineage l USING (counted)
   GROUP BY 1, 2 HAVING sum(p.members) <> 0
  ON CONFLICT (unit_id, joined_on) DO UPDATE SET members = member_joins.members + EXCLUDED.members;
END
$$;

-- Recounts every counter from the base tables, set-based: after a bulk load that ran with
-- the triggers off, and in tests, which compare it with the maintained counters.
CREATE OR REPLACE FUNCTION rebuild_coverage_stats() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  below unit_level;
BEGIN
  DELETE FROM post_stats;
  DELETE FROM member_joins;
  DELETE FROM office_stats;
  DELETE FROM unit_stats;
  -- Every unit with the units above booths on its lineage (itself too, when it is one).
  CREATE TEMP TABLE lineage ON COMMIT DROP AS
    SELECT u.id AS unit_id, a.id AS ancestor_id
      FROM units u JOIN units a ON a.node = ANY (path_nodes(u.path))
     WHERE a.level <> 'booth';
  CREATE INDEX ON lineage (unit_id);
  ANALYZE lineage;
  -- Booth committees per wing: the wing's unended terms at the booth (none: no row).
  CREATE TEMP TABLE committee ON COMMIT DROP AS
    SELECT a.unit_id AS booth_id, a.wing_code, count(*)::int AS size
      FROM appointments a JOIN units b ON b.id = a.unit_id AND b.level = 'booth'
     WHERE a.end_date IS NULL GROUP BY a.unit_id, a.wing_code;
  INSERT INTO unit_stats (unit_id) SELECT id FROM units WHERE level <> 'booth';
  UPDATE unit_stats s SET total_booths = t.n FROM (
    SELECT l.ancestor_id, count(*)::int AS n FROM lineage l JOIN units b ON b.id = l.unit_id AND b.level = 'booth' GROUP BY 1) t
   WHERE s.unit_id = t.ancestor_id;
  UPDATE unit_stats s SET active_members = t.n FROM (
    SELECT l.ancestor_id, count(*)::int AS n FROM memberships m JOIN lineage l ON l.unit_id = m.booth_id
     WHERE m.status = 'current' AND m.grade = 'active' GROUP BY 1) t
   WHERE s.unit_id = t.ancestor_id;
  INSERT INTO office_stats (unit_id, wing_code, office_bearers, office_bearers_with_handle)
  SELECT l.ancestor_id, a.wing_code, count(*)::int,
         count(*) FILTER (WHERE p.handle_platforms <> '{}')::int
    FROM appointments a JOIN people p ON p.id = a.person_id JOIN lineage l ON l.unit_id = a.unit_id
   WHERE a.end_date IS NULL GROUP BY 1, 2 ORDER BY 1, 2;
  UPDATE office_stats s SET committee_histogram = t.hist FROM (
    SELECT x.ancestor_id, x.wing_code, array_agg(coalesce(c.n, 0) ORDER BY g.b) AS hist
      FROM (SELECT DISTINCT l.ancestor_id, c.wing_code FROM committee c JOIN lineage l ON l.unit_id = c.booth_id) x
      CROSS JOIN generate_series(1, 33) g(b)
      LEFT JOIN (SELECT l.ancestor_id, c.wing_code, committee_bucket(c.size) AS b, count(*)::int AS n
                   FROM committee c JOIN lineage l ON l.unit_id = c.booth_id GROUP BY 1, 2, 3) c
        ON c.ancestor_id = x.ancestor_id AND c.wing_code = x.wing_code AND c.b = g.b
     GROUP BY x.ancestor_id, x.wing_code) t
   WHERE s.unit_id = t.ancestor_id AND s.wing_code = t.wing_code;
  INSERT INTO post_stats (unit_id, wing_code, role_code, filled_booths)
  SELECT l.ancestor_id, h.wing_code, h.role_code, count(*)::int
    FROM (SELECT a.unit_id, a.wing_code, a.role_code, count(*) AS holders
            FROM appointments a JOIN units b ON b.id = a.unit_id AND b.level = 'booth'
           WHERE a.end_date IS NULL GROUP BY 1, 2, 3) h
    JOIN roles r ON r.wing_code = h.wing_code AND r.code = h.role_code
    JOIN lineage l ON l.unit_id = h.unit_id
   WHERE h.holders >= coalesce(r.seats, 1) GROUP BY 1, 2, 3;
  -- Members by the day they joined: the wards' from their booths, then each level's from
  -- the level below (a unit sums its children's rows), not every membership once per
  -- ancestor (on up 43 lakh rows grouped instead of 70 lakh, 16 s -> 5 s).
  CREATE TEMP TABLE joins ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, m.joined_on, count(*)::int AS members
      FROM memberships m JOIN units b ON b.id = m.booth_id
     WHERE m.status = 'current' GROUP BY 1, 2;
  FOREACH below IN ARRAY ARRAY['ward', 'block', 'district']::unit_level[] LOOP
    INSERT INTO joins
    SELECT u.parent_id, j.joined_on, sum(j.members)::int
      FROM joins j JOIN units u ON u.id = j.unit_id AND u.level = below
     GROUP BY 1, 2;
  END LOOP;
  -- In key order: "joined in the last N days" then reads a unit's rows from a page or two.
  INSERT INTO member_joins (unit_id, joined_on, members) SELECT * FROM joins ORDER BY 1, 2;
  DROP TABLE joins;
  DROP TABLE lineage;
  DROP TABLE committee;
  PERFORM rebuild_post_days();
  PERFORM rebuild_duty_stats();
  PERFORM recount_assembly_stats();
  PERFORM rebuild_training_stats();
END
$$;
