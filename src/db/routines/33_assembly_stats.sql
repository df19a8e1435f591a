-- COVERAGE COUNTERS OF ASSEMBLY CONSTITUENCIES
--
-- The figures of 30_counters.sql over a constituency's booths, kept per (constituency,
-- district) pair: a constituency's booths lie in one district or a few, a state's report
-- by constituency sums its pairs (a few hundred rows) and a district's reads its own.
--   assembly_stats          booths and active members
--   assembly_office_stats   per wing: terms at the booths, those with a handle, committees
--   assembly_post_stats     per wing and booth-level role: booths whose post is filled
--   assembly_member_joins   current members by join date
-- Written by the statements that write the unit counters (apply_appointment_deltas,
-- apply_membership_deltas, the units, people and roles triggers), always after the
-- district's unit_stats row is locked, so writers at the same district queue as they do
-- for the unit counters. A booth that changes pair (moved to another district, given
-- another AC number, its state changed) has its old and new pairs recounted.
-- rebuild_coverage_stats() recounts them all; the tests compare it with the maintained.

-- Booths joining (+1) or leaving (-1) their pairs: booths and members carry nothing yet
-- (a new booth) or no more (a deleted one: foreign keys keep its rows from outliving it).
-- A pair left with no booth goes, and its rows with it.
CREATE OR REPLACE FUNCTION apply_assembly_booth_deltas(p_assembly uuid[], p_path ltree[], p_sign integer[]) RETURNS void LANGUAGE sql AS $$
  -- Joining: the pair's row appears with its first booth.
  INSERT INTO assembly_stats AS s (assembly_id, district_node, total_booths)
  SELECT t.assembly_id, path_district_node(t.path), sum(t.sign)::int
    FROM unnest(p_assembly, p_path, p_sign) AS t(assembly_id, path, sign)
   WHERE t.assembly_id IS NOT NULL AND t.sign > 0
   GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (assembly_id, district_node) DO UPDATE SET total_booths = s.total_booths + EXCLUDED.total_booths;
  -- Leaving: the pair's row is there (or went with its district, deleted in the same
  -- statement); it goes with its last booth.
  UPDATE assembly_stats s SET total_booths = s.total_booths + d.n
    FROM (SELECT t.assembly_id, path_district_node(t.path) AS district_node, sum(t.sign)::int AS n
            FROM unnest(p_assembly, p_path, p_sign) AS t(assembly_id, path, sign)
           WHERE t.assembly_id IS NOT NULL AND t.sign < 0
           GROUP BY 1, 2) d
   WHERE s.assembly_id = d.assembly_id AND s.district_node = d.district_node;
  DELETE FROM assembly_stats s USING unnest(p_assembly, p_path, p_sign) AS t(assembly_id, path, sign)
   WHERE t.sign < 0 AND s.total_booths = 0 AND s.assembly_id = t.assembly_id AND s.district_node = path_district_node(t.path);
$$;

-- Recounts the given pairs (every pair when p_assembly is NULL) from the base tables.
CREATE OR REPLACE FUNCTION recount_assembly_stats(p_assembly uuid[] DEFAULT NULL, p_district_node bigint[] DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS pair_booths (booth_id uuid PRIMARY KEY, assembly_id uuid, district_node bigint) ON COMMIT DROP;
  DELETE FROM pair_booths;
  IF p_assembly IS NULL THEN
    DELETE FROM assembly_stats;
    INSERT INTO pair_booths
    SELECT b.id, b.assembly_id, path_district_node(b.path) FROM units b WHERE b.level = 'booth' AND b.assembly_id IS NOT NULL;
  ELSE
    DELETE FROM assembly_stats s USING unnest(p_assembly, p_district_node) AS p(a, d)
     WHERE s.assembly_id = p.a AND s.district_node = p.d;
    INSERT INTO pair_booths
    SELECT b.id, b.assembly_id, path_district_node(b.path)
      FROM units b JOIN unnest(p_assembly, p_district_node) AS p(a, d) ON b.assembly_id = p.a AND path_district_node(b.path) = p.d
     WHERE b.level = 'booth'
    ON CONFLICT DO NOTHING;
  END IF;
  ANALYZE pair_booths;
  INSERT INTO assembly_stats (assembly_id, district_node, total_booths, active_members)
  SELECT pb.assembly_id, pb.district_node, count(*)::int, coalesce(sum(m.n), 0)::int
    FROM pair_booths pb
    LEFT JOIN (SELECT booth_id, count(*) AS n FROM memberships WHERE status = 'current' AND grade = 'active' GROUP BY booth_id) m
      ON m.booth_id = pb.booth_id
   GROUP BY 1, 2 ORDER BY 1, 2;
  -- The wing's unended terms at each booth: its committee.
  WITH terms AS (
    SELECT pb.assembly_id, pb.district_node, a.unit_id, a.wing_code, count(*)::int AS size,
           count(*) FILTER (WHERE p.handle_platforms <> '{}')::int AS with_handle
      FROM pair_booths pb JOIN appointments a ON a.unit_id = pb.booth_id AND a.end_date IS NULL
      JOIN people p ON p.id = a.person_id
     GROUP BY 1, 2, 3, 4)
  INSERT INTO assembly_office_stats (assembly_id, district_node, wing_code, office_bearers, office_bearers_with_handle, committee_histogram)
  SELECT assembly_id, district_node, wing_code, sum(size)::int, sum(with_handle)::int,
         histogram_delta(array_agg(committee_bucket(size)), array_agg(1))
    FROM terms GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
  INSERT INTO assembly_post_stats (assembly_id, district_node, wing_code, role_code, filled_booths)
  SELECT h.assembly_id, h.district_node, h.wing_code, h.role_code, count(*)::int
    FROM (SELECT pb.assembly_id, pb.district_node, a.unit_id, a.wing_code, a.role_code, count(*) AS holders
            FROM pair_booths pb JOIN appointments a ON a.unit_id = pb.booth_id AND a.end_date IS NULL
           GROUP BY 1, 2, 3, 4, 5) h
    JOIN roles r ON r.wing_code = h.wing_code AND r.code = h.role_code
   WHERE h.holders >= coalesce(r.seats, 1)
   GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
  INSERT INTO assembly_member_joins (assembly_id, district_node, joined_on, members)
  SELECT pb.assembly_id, pb.district_node, m.joined_on, count(*)::int
    FROM pair_booths pb JOIN memberships m ON m.booth_id = pb.booth_id AND m.status = 'current'
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
  DELETE FROM pair_booths;
END
$$;

-- Booths whose pair changed in one statement on units (old and new rows as arrays): both
-- pairs of each are recounted, after their districts' counters are locked (id order, as
-- lock_counters_for does).
CREATE OR REPLACE FUNCTION assembly_pairs_changed(p_old_assembly uuid[], p_old_path ltree[], p_new_assembly uuid[], p_new_path ltree[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  pairs_a uuid[];
  pairs_d bigint[];
BEGIN
  WITH changed AS (
    SELECT * FROM unnest(p_old_assembly, p_old_path, p_new_assembly, p_new_path) AS t(old_a, old_p, new_a, new_p)
     WHERE t.old_a IS DISTINCT FROM t.new_a OR path_district_node(t.old_p) <> path_district_node(t.new_p)),
  pairs AS (
    SELECT old_a AS a, path_district_node(old_p) AS d FROM changed WHERE old_a IS NOT NULL
    UNION
    SELECT new_a, path_district_node(new_p) FROM changed WHERE new_a IS NOT NULL)
  SELECT array_agg(a), array_agg(d) INTO pairs_a, pairs_d FROM pairs;
  IF pairs_a IS NULL THEN
    RETURN;
  END IF;
  PERFORM 1 FROM unit_stats s JOIN units u ON u.id = s.unit_id
    WHERE u.node = ANY (pairs_d) ORDER BY s.unit_id FOR UPDATE OF s;
  PERFORM recount_assembly_stats(pairs_a, pairs_d);
END
$$;

-- A change of people's platforms: their unended booth terms move between "with a handle"
-- and not in their pairs (as office_stats, 42_people.sql).
CREATE OR REPLACE FUNCTION apply_assembly_handle_deltas(p_unit uuid[], p_wing text[], p_platforms text[], p_sign integer[]) RETURNS void LANGUAGE sql AS $$
  UPDATE assembly_office_stats s SET office_bearers_with_handle = s.office_bearers_with_handle + x.n
    FROM (SELECT u.assembly_id, path_district_node(u.path) AS district_node, t.wing_code, sum(t.sign)::int AS n
            FROM unnest(p_unit, p_wing, p_platforms, p_sign) AS t(unit_id, wing_code, platforms, sign)
            JOIN units u ON u.id = t.unit_id AND u.level = 'booth' AND u.assembly_id IS NOT NULL
           WHERE t.platforms <> ''
           GROUP BY 1, 2, 3 HAVING sum(t.sign) <> 0) x
   WHERE s.assembly_id = x.assembly_id AND s.district_node = x.district_node AND s.wing_code = x.wing_code
$$;

-- A change of a role's seats: which booths count as filled, recounted for that role.
CREATE OR REPLACE FUNCTION recount_assembly_posts(p_wing text, p_role text, p_seats integer) RETURNS void LANGUAGE sql AS $$
  DELETE FROM assembly_post_stats WHERE wing_code = p_wing AND role_code = p_role;
  INSERT INTO assembly_post_stats (assembly_id, district_node, wing_code, role_code, filled_booths)
  SELECT b.assembly_id, path_district_node(b.path), p_wing, p_role, count(*)::int
    FROM (SELECT ap.unit_id FROM appointments ap
           WHERE ap.wing_code = p_wing AND ap.role_code = p_role AND ap.end_date IS NULL
           GROUP BY ap.unit_id HAVING count(*) >= coalesce(p_seats, 1)) f
    JOIN units b ON b.id = f.unit_id AND b.level = 'booth' AND b.assembly_id IS NOT NULL
   GROUP BY 1, 2;
$$;

-- Filled once, when the tables arrive (migration 0023) in a database that has booths in
-- constituencies already; in a consistent database this finds pairs and does nothing.
SELECT recount_assembly_stats()
 WHERE NOT EXISTS (SELECT 1 FROM assembly_stats) AND EXISTS (SELECT 1 FROM units WHERE assembly_id IS NOT NULL);
