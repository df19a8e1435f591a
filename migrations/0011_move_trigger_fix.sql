-- A move sets parent_id; path is rewritten by the BEFORE trigger, and a column-list
-- trigger (UPDATE OF path) only fires for columns named in the statement's SET. Fire
-- on every update whose path changed instead.
DROP TRIGGER units_stats_on_move ON units;
--> statement-breakpoint
CREATE TRIGGER units_stats_on_move
  AFTER UPDATE ON units
  FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
  EXECUTE FUNCTION units_stats_on_move();
--> statement-breakpoint
-- Ancestors common to the old and new place (the state, say) appear in both lines:
-- net them out per unit, so no row is touched twice and shared ancestors stay unchanged.
CREATE OR REPLACE FUNCTION units_stats_on_move() RETURNS trigger LANGUAGE plpgsql AS $$
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
  CREATE TEMP TABLE IF NOT EXISTS move_signs (unit_id uuid PRIMARY KEY, v integer) ON COMMIT DROP;
  DELETE FROM move_signs;
  INSERT INTO move_signs (unit_id, v)
  SELECT unit_id, sum(v)::int FROM (SELECT unnest(old_line) AS unit_id, -1 AS v UNION ALL SELECT unnest(new_line), 1) l
   GROUP BY unit_id HAVING sum(v) <> 0;
  UPDATE unit_stats s SET
      total_booths = s.total_booths + l.v * moved.total_booths,
      active_members = s.active_members + l.v * moved.active_members,
      office_bearers = s.office_bearers + l.v * moved.office_bearers,
      office_bearers_with_handle = s.office_bearers_with_handle + l.v * moved.office_bearers_with_handle,
      committee_histogram = int_array_add(s.committee_histogram, moved.committee_histogram, l.v)
    FROM move_signs l
   WHERE s.unit_id = l.unit_id;
  INSERT INTO post_stats (unit_id, role_code, filled_booths)
  SELECT l.unit_id, p.role_code, l.v * p.filled_booths
    FROM post_stats p, move_signs l
   WHERE p.unit_id = NEW.id
  ON CONFLICT (unit_id, role_code) DO UPDATE SET filled_booths = post_stats.filled_booths + EXCLUDED.filled_booths;
  INSERT INTO member_joins (unit_id, joined_on, members)
  SELECT l.unit_id, j.joined_on, l.v * j.members
    FROM member_joins j, move_signs l
   WHERE j.unit_id = NEW.id
  ON CONFLICT (unit_id, joined_on) DO UPDATE SET members = member_joins.members + EXCLUDED.members;
  RETURN NULL;
END
$$;
--> statement-breakpoint
SELECT rebuild_coverage_stats();
