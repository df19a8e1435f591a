-- Triggers on the roles catalogue. A change of seats changes which booths count as filled
-- for that wing's role (30_counters.sql): its post_stats rows are recounted, and its
-- constituency pairs' (33_assembly_stats.sql).

CREATE OR REPLACE FUNCTION roles_seats_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM post_stats WHERE wing_code = NEW.wing_code AND role_code = NEW.code;
  INSERT INTO post_stats (unit_id, wing_code, role_code, filled_booths)
  SELECT a.id, NEW.wing_code, NEW.code, count(*)::int
    FROM (SELECT ap.unit_id FROM appointments ap JOIN units b ON b.id = ap.unit_id AND b.level = 'booth'
           WHERE ap.wing_code = NEW.wing_code AND ap.role_code = NEW.code AND ap.end_date IS NULL
           GROUP BY ap.unit_id HAVING count(*) >= coalesce(NEW.seats, 1)) f
    JOIN units b ON b.id = f.unit_id
    JOIN units a ON a.node = ANY (path_nodes(b.path)) AND a.level <> 'booth'
   GROUP BY a.id;
  PERFORM recount_assembly_posts(NEW.wing_code, NEW.code, NEW.seats);
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER roles_seats_changed
  AFTER UPDATE OF seats ON roles
  FOR EACH ROW WHEN (OLD.seats IS DISTINCT FROM NEW.seats)
  EXECUTE FUNCTION roles_seats_changed();

-- Which booths count as filled, and whether a role is counted by day at all, follow its
-- seats, its levels and whether it is required: its post_days rows are recounted
-- (31_post_days.sql).
CREATE OR REPLACE FUNCTION roles_post_days_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rebuild_post_days(NEW.wing_code, NEW.code);
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER roles_post_days_changed
  AFTER UPDATE OF seats, required, levels ON roles
  FOR EACH ROW WHEN (OLD.seats IS DISTINCT FROM NEW.seats OR OLD.required IS DISTINCT FROM NEW.required OR OLD.levels IS DISTINCT FROM NEW.levels)
  EXECUTE FUNCTION roles_post_days_changed();
