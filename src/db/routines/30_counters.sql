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

CREATE OR REPLACE FUNCTION int_array_add(a integer[], b integer[], sign integer) RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(x + sign * y ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;

-- Histogram bucket (1-based) for a committee of `size` members: index 1 holds size 0,
-- index 33 holds 32 or more. "Committees of at least K" sums a tail.
CREATE OR REPLACE FUNCTION committee_bucket(size integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT least(greatest(size, 0), 32) + 1
$$;

-- A committee histogram's change from buckets left (-1) and entered (+1): one array of
-- 33 (see committee_bucket), summed per bucket. An aggregate's input: array_agg of both.
CREATE OR REPLACE FUNCTION histogram_delta(buckets integer[], signs integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
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
LANGUAGE sql STABLE PARALLEL SAFE AS $$
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

-- Rolls a temporary table of counts, keyed (unit_id, p_keys...) with the columns p_sums,
-- up the tree: each level's rows, ward to district, summed into their parents' as new rows.
-- Every unit above booths then has rows adding up to its whole subtree (its own and its
-- children's totals; callers sum them per key). The rebuild counts each fact once, at the
-- lowest unit it counts at, and then only per level: india's 1.5 crore memberships grouped
-- once, not once per ancestor. When the table starts with one row per ward and key (facts
-- of booths, counted at their ward) every unit's rows come from one level below, once:
-- one row per unit and key, which callers read as they are, without summing again.
CREATE OR REPLACE FUNCTION roll_up_levels(p_table text, p_keys text[], p_sums text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  below unit_level;
  keys text := coalesce((SELECT string_agg(format(', t.%I', k), '') FROM unnest(p_keys) AS k), '');
  sums text := (SELECT string_agg(format(', sum(t.%I)', c), '') FROM unnest(p_sums) AS c);
BEGIN
  FOREACH below IN ARRAY ARRAY['ward', 'block', 'district']::unit_level[] LOOP
    EXECUTE format('INSERT INTO %I SELECT u.parent_id%s%s FROM %I t JOIN units u ON u.id = t.unit_id AND u.level = $1 GROUP BY u.parent_id%s',
                   p_table, keys, sums, p_table, keys) USING below;
  END LOOP;
END
$$;

-- Recounts every counter from the base tables, set-based: after a bulk load that ran with
-- the triggers off, and in tests, which compare it with the maintained counters. Each
-- count starts at the lowest unit it counts at (a booth's at its ward: units above booths
-- carry counters) and is rolled up level by level (roll_up_levels).
CREATE OR REPLACE FUNCTION rebuild_coverage_stats() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM post_stats;
  DELETE FROM member_joins;
  DELETE FROM office_stats;
  DELETE FROM unit_stats;
  INSERT INTO unit_stats (unit_id) SELECT id FROM units WHERE level <> 'booth';
  CREATE TEMP TABLE booths_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, count(*)::int AS n FROM units b WHERE b.level = 'booth' GROUP BY 1;
  PERFORM roll_up_levels('booths_at', '{}', '{n}');
  UPDATE unit_stats s SET total_booths = t.n
    FROM (SELECT unit_id, sum(n)::int AS n FROM booths_at GROUP BY 1) t WHERE s.unit_id = t.unit_id;
  CREATE TEMP TABLE members_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, count(*)::int AS n
      FROM memberships m JOIN units b ON b.id = m.booth_id
     WHERE m.status = 'current' AND m.grade = 'active' GROUP BY 1;
  PERFORM roll_up_levels('members_at', '{}', '{n}');
  UPDATE unit_stats s SET active_members = t.n
    FROM (SELECT unit_id, sum(n)::int AS n FROM members_at GROUP BY 1) t WHERE s.unit_id = t.unit_id;
  -- Office-bearers: a booth's terms count from its ward up, any other unit's from itself.
  CREATE TEMP TABLE offices_at ON COMMIT DROP AS
    SELECT CASE WHEN u.level = 'booth' THEN u.parent_id ELSE u.id END AS unit_id, a.wing_code,
           count(*)::int AS n, count(*) FILTER (WHERE p.handle_platforms <> '{}')::int AS with_handle
      FROM appointments a JOIN people p ON p.id = a.person_id JOIN units u ON u.id = a.unit_id
     WHERE a.end_date IS NULL GROUP BY 1, 2;
  PERFORM roll_up_levels('offices_at', '{wing_code}', '{n,with_handle}');
  INSERT INTO office_stats (unit_id, wing_code, office_bearers, office_bearers_with_handle)
  SELECT unit_id, wing_code, sum(n)::int, sum(with_handle)::int FROM offices_at GROUP BY 1, 2 ORDER BY 1, 2;
  -- Booth committees (a wing's unended terms at a booth; none: no committee) by size
  -- bucket, per wing.
  -- Here and for the filled posts below, the terms are counted per unit in the order of
  -- appointments_open_idx, and the booths among those units joined after: joined first,
  -- india's crore of terms was hashed or sorted again (filled posts: 25 s against 7 s).
  CREATE TEMP TABLE committees_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, c.wing_code, committee_bucket(c.size) AS bucket, count(*)::int AS n
      FROM (SELECT a.unit_id, a.wing_code, count(*)::int AS size
              FROM appointments a WHERE a.end_date IS NULL GROUP BY 1, 2) c
      JOIN units b ON b.id = c.unit_id AND b.level = 'booth'
     GROUP BY 1, 2, 3;
  PERFORM roll_up_levels('committees_at', '{wing_code,bucket}', '{n}');
  UPDATE office_stats s SET committee_histogram = t.hist FROM (
    SELECT x.unit_id, x.wing_code, array_agg(coalesce(c.n, 0) ORDER BY g.b) AS hist
      FROM (SELECT DISTINCT unit_id, wing_code FROM committees_at) x
      CROSS JOIN generate_series(1, 33) g(b)
      LEFT JOIN (SELECT unit_id, wing_code, bucket, sum(n)::int AS n FROM committees_at GROUP BY 1, 2, 3) c
        ON c.unit_id = x.unit_id AND c.wing_code = x.wing_code AND c.bucket = g.b
     GROUP BY x.unit_id, x.wing_code) t
   WHERE s.unit_id = t.unit_id AND s.wing_code = t.wing_code;
  -- Booths whose post is filled (as many holders as seats), per wing and role.
  CREATE TEMP TABLE filled_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, h.wing_code, h.role_code, count(*)::int AS n
      FROM (SELECT a.unit_id, a.wing_code, a.role_code, count(*) AS holders
              FROM appointments a WHERE a.end_date IS NULL GROUP BY 1, 2, 3) h
      JOIN roles r ON r.wing_code = h.wing_code AND r.code = h.role_code
      JOIN units b ON b.id = h.unit_id AND b.level = 'booth'
     WHERE h.holders >= coalesce(r.seats, 1) GROUP BY 1, 2, 3;
  PERFORM roll_up_levels('filled_at', '{wing_code,role_code}', '{n}');
  INSERT INTO post_stats (unit_id, wing_code, role_code, filled_booths)
  SELECT unit_id, wing_code, role_code, n FROM filled_at;
  -- Members by the day they joined. In key order: "joined in the last N days" then reads
  -- a unit's rows from a page or two. Counted from the wards up: one row per unit and day
  -- already (roll_up_levels), so no grouping of india's 1.58 crore rows again (65 s to 26 s).
  CREATE TEMP TABLE joins ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, m.joined_on, count(*)::int AS members
      FROM memberships m JOIN units b ON b.id = m.booth_id
     WHERE m.status = 'current' GROUP BY 1, 2;
  PERFORM roll_up_levels('joins', '{joined_on}', '{members}');
  INSERT INTO member_joins (unit_id, joined_on, members)
  SELECT unit_id, joined_on, members FROM joins ORDER BY 1, 2;
  DROP TABLE joins, booths_at, members_at, offices_at, committees_at, filled_at;
  PERFORM rebuild_post_days();
  PERFORM rebuild_duty_stats();
  PERFORM recount_assembly_stats();
  PERFORM rebuild_training_stats();
END
$$;
