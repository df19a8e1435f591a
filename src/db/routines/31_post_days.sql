-- COVERAGE BY DAY: the trend of booth posts filled over time
--
-- post_days holds, per unit above booths, wing, required booth-level role (president,
-- BLA) and day, how many more (or fewer) of its booths had that post filled on that day
-- than the day before. A post is filled on a day when as many terms are in force on it
-- ([start_date, end_date)) as the role has seats. So:
--   filled on day D  = the sum of delta up to D
--                    = post_stats.filled_booths - the sum of delta after D
-- (post_stats counts posts filled by unended terms: every delta summed). A trend over
-- the last weeks reads only those weeks' rows. Kept exact in the same transaction as
-- every change to terms (40_appointments.sql), units (a move, 43_units.sql) and roles
-- (seats, required: 44_roles.sql); rebuild_post_days() recounts it.

-- The days on which booth posts turned filled (+1) or empty (-1), over a set of terms
-- (booth, wing, role, start, end). Only required booth-level roles are counted.
CREATE OR REPLACE FUNCTION post_steps(p_booth uuid[], p_wing text[], p_role text[], p_start date[], p_end date[])
RETURNS TABLE (booth_id uuid, wing_code text, role_code text, day date, delta integer)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH terms AS (
    SELECT t.* FROM unnest(p_booth, p_wing, p_role, p_start, p_end) AS t(booth_id, wing_code, role_code, start_date, end_date)
     WHERE t.start_date < coalesce(t.end_date, 'infinity')),
  events AS (
    SELECT t.booth_id, t.wing_code, t.role_code, e.day, sum(e.v)::int AS v
      FROM terms t CROSS JOIN LATERAL (VALUES (t.start_date, 1), (t.end_date, -1)) AS e(day, v)
     WHERE e.day IS NOT NULL
     GROUP BY 1, 2, 3, 4),
  filled AS (
    SELECT e.booth_id, e.wing_code, e.role_code, e.day,
           (sum(e.v) OVER (PARTITION BY e.booth_id, e.wing_code, e.role_code ORDER BY e.day) >= coalesce(r.seats, 1))::int AS f
      FROM events e JOIN roles r ON r.wing_code = e.wing_code AND r.code = e.role_code AND r.required AND 'booth' = ANY (r.levels)),
  steps AS (
    SELECT f.booth_id, f.wing_code, f.role_code, f.day,
           f.f - coalesce(lag(f.f) OVER (PARTITION BY f.booth_id, f.wing_code, f.role_code ORDER BY f.day), 0) AS delta
      FROM filled f)
  SELECT s.booth_id, s.wing_code, s.role_code, s.day, s.delta FROM steps s WHERE s.delta <> 0
$$;

-- Applies a change of terms at booth posts: the posts' steps now (their terms in the table)
-- less their steps before the statement (the same terms, without p_new_ids, with the old
-- rows given back), to every unit above booths on each booth's lineage. The caller holds
-- Takes the counters' locks first (lock_counters_for): writers at the same booths queue,
-- and each reads the others' committed terms.
CREATE OR REPLACE FUNCTION apply_post_day_changes(
  p_posts_booth uuid[], p_posts_wing text[], p_posts_role text[], p_new_ids uuid[],
  p_old_booth uuid[], p_old_wing text[], p_old_role text[], p_old_start date[], p_old_end date[])
RETURNS void LANGUAGE plpgsql
-- Room for the new ids' hash below: a million of them hash in ~40 MB.
SET work_mem = '64MB' AS $$
DECLARE
  a_booth uuid[]; a_wing text[]; a_role text[]; a_start date[]; a_end date[];
  b_booth uuid[]; b_wing text[]; b_role text[]; b_start date[]; b_end date[];
BEGIN
  IF coalesce(cardinality(p_posts_booth), 0) = 0 THEN
    RETURN;
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS post_day_posts (booth_id uuid, wing_code text, role_code text) ON COMMIT DROP;
  DELETE FROM post_day_posts;
  INSERT INTO post_day_posts
  SELECT DISTINCT p.booth_id, p.wing_code, p.role_code
    FROM unnest(p_posts_booth, p_posts_wing, p_posts_role) AS p(booth_id, wing_code, role_code)
    JOIN units u ON u.id = p.booth_id AND u.level = 'booth'
    JOIN roles r ON r.wing_code = p.wing_code AND r.code = p.role_code AND r.required;
  IF NOT EXISTS (SELECT 1 FROM post_day_posts) THEN
    RETURN;
  END IF;
  PERFORM lock_counters_for(ARRAY(SELECT DISTINCT booth_id FROM post_day_posts));
  -- The posts' terms now, and before: now less the statement's new rows, plus its old rows.
  SELECT array_agg(a.unit_id), array_agg(a.wing_code), array_agg(a.role_code), array_agg(a.start_date), array_agg(a.end_date)
    INTO a_booth, a_wing, a_role, a_start, a_end
    FROM appointments a JOIN post_day_posts p ON p.booth_id = a.unit_id AND p.wing_code = a.wing_code AND p.role_code = a.role_code;
  -- NOT IN over a subquery is a hashed subplan whatever the estimates: an anti join planned
  -- for one outer row compared each of 30,000 terms with 30,000 new ids (52 s).
  SELECT array_agg(x.unit_id), array_agg(x.wing_code), array_agg(x.role_code), array_agg(x.start_date), array_agg(x.end_date)
    INTO b_booth, b_wing, b_role, b_start, b_end
    FROM (SELECT a.unit_id, a.wing_code, a.role_code, a.start_date, a.end_date
            FROM appointments a JOIN post_day_posts p ON p.booth_id = a.unit_id AND p.wing_code = a.wing_code AND p.role_code = a.role_code
           WHERE a.id NOT IN (SELECT unnest(coalesce(p_new_ids, '{}')))
          UNION ALL
          SELECT o.booth_id, o.wing_code, o.role_code, o.start_date, o.end_date
            FROM unnest(p_old_booth, p_old_wing, p_old_role, p_old_start, p_old_end) AS o(booth_id, wing_code, role_code, start_date, end_date)
            JOIN post_day_posts p ON p.booth_id = o.booth_id AND p.wing_code = o.wing_code AND p.role_code = o.role_code) x;
  WITH net AS (
    SELECT booth_id, wing_code, role_code, day, sum(delta)::int AS delta
      FROM (SELECT * FROM post_steps(a_booth, a_wing, a_role, a_start, a_end)
            UNION ALL
            SELECT s.booth_id, s.wing_code, s.role_code, s.day, -s.delta FROM post_steps(b_booth, b_wing, b_role, b_start, b_end) s) x
     GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0)
  INSERT INTO post_days AS d (unit_id, wing_code, role_code, day, delta)
  SELECT a.id, n.wing_code, n.role_code, n.day, sum(n.delta)::int
    FROM net n JOIN units b ON b.id = n.booth_id
    JOIN units a ON a.node = ANY (path_nodes(b.path)) AND a.level <> 'booth'
   GROUP BY 1, 2, 3, 4
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (unit_id, wing_code, role_code, day) DO UPDATE SET delta = d.delta + EXCLUDED.delta;
END
$$;

-- Recounts post_days from the terms (all of them, or one wing's role): after a bulk load,
-- a change to a role's seats, and in tests, which compare it with the maintained rows.
CREATE OR REPLACE FUNCTION rebuild_post_days(p_wing text DEFAULT NULL, p_role text DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t_booth uuid[]; t_wing text[]; t_role text[]; t_start date[]; t_end date[];
BEGIN
  DELETE FROM post_days WHERE (p_wing IS NULL OR wing_code = p_wing) AND (p_role IS NULL OR role_code = p_role);
  SELECT array_agg(a.unit_id), array_agg(a.wing_code), array_agg(a.role_code), array_agg(a.start_date), array_agg(a.end_date)
    INTO t_booth, t_wing, t_role, t_start, t_end
    FROM appointments a
    JOIN roles r ON r.wing_code = a.wing_code AND r.code = a.role_code AND r.required AND 'booth' = ANY (r.levels)
    JOIN units b ON b.id = a.unit_id AND b.level = 'booth'
   WHERE (p_wing IS NULL OR a.wing_code = p_wing) AND (p_role IS NULL OR a.role_code = p_role);
  -- Each booth's steps at its ward, then rolled up level by level (roll_up_levels,
  -- 30_counters.sql), not once per ancestor.
  CREATE TEMP TABLE days_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, s.wing_code, s.role_code, s.day, sum(s.delta)::int AS delta
      FROM post_steps(t_booth, t_wing, t_role, t_start, t_end) s
      JOIN units b ON b.id = s.booth_id
     GROUP BY 1, 2, 3, 4;
  PERFORM roll_up_levels('days_at', '{wing_code,role_code,day}', '{delta}');
  -- Every step starts at a ward: one row per unit and key already (roll_up_levels).
  INSERT INTO post_days (unit_id, wing_code, role_code, day, delta)
  SELECT unit_id, wing_code, role_code, day, delta FROM days_at WHERE delta <> 0 ORDER BY 1, 2, 3, 4;
  DROP TABLE days_at;
END
$$;

-- A database from before post_days existed has terms but no rows here yet: count them
-- once. (Runs whenever this file is applied; on a counted database it only probes.)
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM post_days)
     AND EXISTS (SELECT 1 FROM appointments a JOIN units b ON b.id = a.unit_id AND b.level = 'booth') THEN
    PERFORM rebuild_post_days();
  END IF;
END
$$;
