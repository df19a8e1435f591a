-- THE SOCIAL MEDIA DUTY
--
-- handle_duties says which posts must run which platforms: holders of (wing, role) posts
-- at units of a level. A bound term is an unended term of such a post; it is compliant
-- when its holder has a handle (people.handle_platforms, 22_handles.sql) on every
-- platform its post requires. Counted per unit above booths, in the same transaction as
-- every change, like the coverage counters (30_counters.sql), whose locks they share:
--   duty_stats           per bound post kind (wing, role, level): bound terms, compliant
--   duty_platform_stats  the same per required platform: bound terms, those holding it
-- Callers: apply_appointment_deltas (a term begins or ends), people_after_update (a
-- person's platforms change), units_stats_on_move (a subtree moves); a change of the
-- policy itself recounts (handle_duties triggers below). A booth keeps no rows: its
-- figures come from its own terms (duty_figures).

-- Counters from a set of term changes: +1 a bound term appears, -1 it goes, each with its
-- holder's platforms at that moment (comma-separated codes). The caller holds the counter
-- locks (lock_counters_for). A booth's term counts from its parent up.
CREATE OR REPLACE FUNCTION apply_duty_deltas(p_unit uuid[], p_wing text[], p_role text[], p_platforms text[], p_sign integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(p_unit), 0) = 0 OR NOT EXISTS (SELECT 1 FROM handle_duties) THEN
    RETURN;
  END IF;
  WITH d AS (
    SELECT * FROM unnest(p_unit, p_wing, p_role, p_platforms, p_sign) WITH ORDINALITY AS t(unit_id, wing_code, role_code, platforms, sign, n)),
  -- One row per bound term and platform it must run: joins over the change set.
  req AS (
    SELECT d.n, CASE WHEN u.level = 'booth' THEN u.parent_id ELSE u.id END AS counted,
           d.wing_code, d.role_code, u.level, d.sign, hd.platform_code,
           hd.platform_code = ANY (string_to_array(d.platforms, ',')) AS held
      FROM d JOIN units u ON u.id = d.unit_id
      JOIN handle_duties hd ON hd.wing_code = d.wing_code AND hd.role_code = d.role_code AND hd.level = u.level),
  terms AS (
    SELECT counted, wing_code, role_code, level, sign, bool_and(held) AS compliant
      FROM req GROUP BY n, counted, wing_code, role_code, level, sign),
  lineage AS (
    SELECT c.counted, a.id AS anc
      FROM (SELECT DISTINCT counted FROM req) c JOIN units cu ON cu.id = c.counted
      JOIN units a ON a.node = ANY (path_nodes(cu.path))),
  per_post AS (
    INSERT INTO duty_stats AS s (unit_id, wing_code, role_code, level, bound, compliant)
    SELECT l.anc, t.wing_code, t.role_code, t.level, sum(t.sign)::int, coalesce(sum(t.sign) FILTER (WHERE t.compliant), 0)::int
      FROM terms t JOIN lineage l USING (counted)
     GROUP BY 1, 2, 3, 4
    HAVING sum(t.sign) <> 0 OR coalesce(sum(t.sign) FILTER (WHERE t.compliant), 0) <> 0
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (unit_id, wing_code, role_code, level) DO UPDATE SET
        bound = s.bound + EXCLUDED.bound, compliant = s.compliant + EXCLUDED.compliant)
  INSERT INTO duty_platform_stats AS s (unit_id, wing_code, role_code, level, platform_code, bound, held)
  SELECT l.anc, r.wing_code, r.role_code, r.level, r.platform_code, sum(r.sign)::int, coalesce(sum(r.sign) FILTER (WHERE r.held), 0)::int
    FROM req r JOIN lineage l USING (counted)
   GROUP BY 1, 2, 3, 4, 5
  HAVING sum(r.sign) <> 0 OR coalesce(sum(r.sign) FILTER (WHERE r.held), 0) <> 0
   ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (unit_id, wing_code, role_code, level, platform_code) DO UPDATE SET
      bound = s.bound + EXCLUDED.bound, held = s.held + EXCLUDED.held;
END
$$;

-- Every bound term with each platform its post requires and whether its holder has it:
-- the recount, the booths' own figures and the list of the non-compliant all read this.
CREATE OR REPLACE VIEW bound_terms AS
SELECT a.id AS appointment_id, a.unit_id, a.wing_code, a.role_code, u.level, a.person_id,
       hd.platform_code, hd.platform_code = ANY (p.handle_platforms) AS held
  FROM appointments a
  JOIN units u ON u.id = a.unit_id
  JOIN handle_duties hd ON hd.wing_code = a.wing_code AND hd.role_code = a.role_code AND hd.level = u.level
  JOIN people p ON p.id = a.person_id
 WHERE a.end_date IS NULL;

-- Recounts both tables from the base tables, set-based. Holds every counter lock first
-- (the order every writer takes them in), so no concurrent change is counted twice or
-- missed.
CREATE OR REPLACE FUNCTION rebuild_duty_stats() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM unit_stats ORDER BY unit_id FOR UPDATE;
  DELETE FROM duty_platform_stats;
  DELETE FROM duty_stats;
  -- Each bound term's requirements at the lowest unit counting them (a booth's at its
  -- ward), then rolled up level by level (roll_up_levels, 30_counters.sql).
  CREATE TEMP TABLE duty_req ON COMMIT DROP AS
    SELECT b.appointment_id, b.wing_code, b.role_code, b.level, b.platform_code, b.held,
           CASE WHEN u.level = 'booth' THEN u.parent_id ELSE u.id END AS unit_id
      FROM bound_terms b JOIN units u ON u.id = b.unit_id;
  CREATE TEMP TABLE duty_terms_at ON COMMIT DROP AS
    SELECT unit_id, wing_code, role_code, level, count(*)::int AS bound, count(*) FILTER (WHERE compliant)::int AS compliant
      FROM (SELECT unit_id, wing_code, role_code, level, bool_and(held) AS compliant
              FROM duty_req GROUP BY unit_id, appointment_id, wing_code, role_code, level) t
     GROUP BY 1, 2, 3, 4;
  PERFORM roll_up_levels('duty_terms_at', '{wing_code,role_code,level}', '{bound,compliant}');
  INSERT INTO duty_stats (unit_id, wing_code, role_code, level, bound, compliant)
  SELECT unit_id, wing_code, role_code, level, sum(bound)::int, sum(compliant)::int
    FROM duty_terms_at GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
  CREATE TEMP TABLE duty_platforms_at ON COMMIT DROP AS
    SELECT unit_id, wing_code, role_code, level, platform_code, count(*)::int AS bound, count(*) FILTER (WHERE held)::int AS held
      FROM duty_req GROUP BY 1, 2, 3, 4, 5;
  PERFORM roll_up_levels('duty_platforms_at', '{wing_code,role_code,level,platform_code}', '{bound,held}');
  INSERT INTO duty_platform_stats (unit_id, wing_code, role_code, level, platform_code, bound, held)
  SELECT unit_id, wing_code, role_code, level, platform_code, sum(bound)::int, sum(held)::int
    FROM duty_platforms_at GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;
  DROP TABLE duty_req, duty_terms_at, duty_platforms_at;
END
$$;

-- The duty's figures for some units: per unit, per required platform (platform_code) and
-- for the post as a whole (platform_code NULL: bound terms, and `met` the compliant),
-- over the bound post kinds the filters keep (NULL: any). Units above booths read their
-- counters; a booth, its own terms.
CREATE OR REPLACE FUNCTION duty_figures(p_units uuid[], p_wing text, p_role text, p_level unit_level)
RETURNS TABLE (unit_id uuid, platform_code text, bound integer, met integer) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  -- A booth's bound terms, read once; other units find none without probing their terms.
  WITH booth_terms AS MATERIALIZED (
    SELECT b.unit_id, b.appointment_id, b.platform_code, b.held
      FROM bound_terms b
     WHERE b.unit_id IN (SELECT u.id FROM units u WHERE u.id = ANY (p_units) AND u.level = 'booth')
       AND (p_wing IS NULL OR b.wing_code = p_wing) AND (p_role IS NULL OR b.role_code = p_role) AND (p_level IS NULL OR b.level = p_level))
  SELECT s.unit_id, NULL::text, sum(s.bound)::int, sum(s.compliant)::int
    FROM duty_stats s
   WHERE s.unit_id = ANY (p_units)
     AND (p_wing IS NULL OR s.wing_code = p_wing) AND (p_role IS NULL OR s.role_code = p_role) AND (p_level IS NULL OR s.level = p_level)
   GROUP BY s.unit_id
  UNION ALL
  SELECT s.unit_id, s.platform_code, sum(s.bound)::int, sum(s.held)::int
    FROM duty_platform_stats s
   WHERE s.unit_id = ANY (p_units)
     AND (p_wing IS NULL OR s.wing_code = p_wing) AND (p_role IS NULL OR s.role_code = p_role) AND (p_level IS NULL OR s.level = p_level)
   GROUP BY s.unit_id, s.platform_code
  UNION ALL
  SELECT t.unit_id, NULL::text, count(*)::int, count(*) FILTER (WHERE t.ok)::int
    FROM (SELECT bt.unit_id, bool_and(bt.held) AS ok FROM booth_terms bt GROUP BY bt.unit_id, bt.appointment_id) t
   GROUP BY t.unit_id
  UNION ALL
  SELECT bt.unit_id, bt.platform_code, count(*)::int, count(*) FILTER (WHERE bt.held)::int
    FROM booth_terms bt
   GROUP BY bt.unit_id, bt.platform_code
$$;

-- A change of the policy recounts (an admin's rare act; the recount takes seconds at a
-- state's scale).
CREATE OR REPLACE FUNCTION handle_duties_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rebuild_duty_stats();
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER handle_duties_changed
  AFTER INSERT OR UPDATE OR DELETE ON handle_duties
  FOR EACH STATEMENT EXECUTE FUNCTION handle_duties_changed();

-- A database from before the duty existed has bound terms but no counters yet: count
-- them once. (Runs whenever this file is applied; on a counted database it only probes.)
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM duty_stats) AND EXISTS (SELECT 1 FROM bound_terms) THEN
    PERFORM rebuild_duty_stats();
  END IF;
END
$$;
