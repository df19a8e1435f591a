-- Triggers on units: the caller's scope (04_scope.sql), and the coverage counters
-- (30_counters.sql) kept in step with the tree; the tree's own triggers are in 10_tree.sql.

-- A counters row for each new unit above booths; new booths counted from their parents up
-- (grouped by parent first: one lineage per ward, not per booth).
CREATE OR REPLACE FUNCTION units_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_paths_within_scope(ARRAY(SELECT path FROM new_rows));
  INSERT INTO unit_stats (unit_id) SELECT id FROM new_rows WHERE level <> 'booth';
  UPDATE unit_stats s SET total_booths = s.total_booths + x.n
    FROM (SELECT a.id AS anc, sum(c.n)::int AS n
            FROM (SELECT parent_id, count(*)::int AS n FROM new_rows WHERE level = 'booth' GROUP BY parent_id) c
            JOIN units p ON p.id = c.parent_id
            JOIN units a ON a.node = ANY (path_nodes(p.path))
           GROUP BY a.id) x
   WHERE s.unit_id = x.anc;
  PERFORM apply_assembly_booth_deltas(array_agg(assembly_id), array_agg(path), array_agg(1))
     FROM new_rows WHERE level = 'booth' AND assembly_id IS NOT NULL;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION units_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_paths_within_scope(ARRAY(SELECT path FROM old_rows));
  -- Foreign keys guarantee a deleted booth has no members or terms left: it counts in no
  -- committee histogram (office_stats).
  UPDATE unit_stats s SET total_booths = s.total_booths - x.n
    FROM (SELECT a.id AS anc, count(*)::int AS n
            FROM old_rows b JOIN units a ON a.node = ANY (path_nodes(b.path))
           WHERE b.level = 'booth' GROUP BY a.id) x
   WHERE s.unit_id = x.anc;
  PERFORM apply_assembly_booth_deltas(array_agg(assembly_id), array_agg(path), array_agg(-1))
     FROM old_rows WHERE level = 'booth' AND assembly_id IS NOT NULL;
  RETURN NULL;
END
$$;

-- Any change to units (a rename, a move and the paths it cascades to the subtree): every
-- row where it was and where it is must lie in the caller's scope. Booths that changed
-- district or constituency (a move, a new AC number) are recounted in their pairs; booths
-- moved out of their clusters' units leave them or refuse the move.
CREATE OR REPLACE FUNCTION units_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_paths_within_scope(ARRAY(SELECT path FROM old_rows UNION ALL SELECT path FROM new_rows));
  -- The joins of old and new rows run as EXECUTE, planned for this statement's rows (see
  -- 42_people.sql: a move of a district's subtree after a one-row rename in the same
  -- session would otherwise join them pair by pair).
  EXECUTE 'SELECT assembly_pairs_changed(array_agg(o.assembly_id), array_agg(o.path), array_agg(n.assembly_id), array_agg(n.path))
     FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE n.level = ''booth'' AND (o.assembly_id IS DISTINCT FROM n.assembly_id OR path_district_node(o.path) <> path_district_node(n.path))';
  -- Booths moved out of their cluster's unit (46_clusters.sql).
  EXECUTE 'SELECT clusters_after_move(ARRAY(SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.level = ''booth'' AND n.path <> o.path))';
  RETURN NULL;
END
$$;

-- A move: the moved unit's subtree totals leave the old ancestors and join the new ones.
-- A moved booth has no counter rows: its figures are read from its own rows, after the
-- ancestors' counters are locked (so no concurrent change at it is missed). Per row, for
-- the moved root only (descendants' paths change in the cascade, at depth > 1).
CREATE OR REPLACE FUNCTION units_stats_on_move() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  moved unit_stats%ROWTYPE;
  old_line uuid[];
  new_line uuid[];
  is_booth boolean := NEW.level = 'booth';
  t_booth uuid[]; t_wing text[]; t_role text[]; t_start date[]; t_end date[];
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  old_line := unit_lineage(subpath(OLD.path, 0, nlevel(OLD.path) - 1));
  new_line := unit_lineage(subpath(NEW.path, 0, nlevel(NEW.path) - 1));
  PERFORM 1 FROM unit_stats WHERE unit_id = ANY (old_line || new_line) ORDER BY unit_id FOR UPDATE;
  IF is_booth THEN
    SELECT NEW.id, 1, f.active_members INTO moved FROM booth_figures(NEW.id, NULL, NULL, NULL) f;
  ELSE
    SELECT * INTO moved FROM unit_stats WHERE unit_id = NEW.id;
  END IF;
  -- Ancestors common to the old and new place net out: no row is touched twice.
  CREATE TEMP TABLE IF NOT EXISTS move_signs (unit_id uuid PRIMARY KEY, v integer) ON COMMIT DROP;
  DELETE FROM move_signs;
  INSERT INTO move_signs (unit_id, v)
  SELECT unit_id, sum(v)::int FROM (SELECT unnest(old_line) AS unit_id, -1 AS v UNION ALL SELECT unnest(new_line), 1) l
   GROUP BY unit_id HAVING sum(v) <> 0;
  UPDATE unit_stats s SET
      total_booths = s.total_booths + l.v * moved.total_booths,
      active_members = s.active_members + l.v * moved.active_members
    FROM move_signs l
   WHERE s.unit_id = l.unit_id;
  -- Per wing: a unit's office counters; a booth's own terms, its committee one bucket.
  INSERT INTO office_stats AS s (unit_id, wing_code, office_bearers, office_bearers_with_handle, committee_histogram)
  SELECT l.unit_id, o.wing_code, l.v * o.office_bearers, l.v * o.office_bearers_with_handle,
         (SELECT array_agg(l.v * x ORDER BY i) FROM unnest(o.committee_histogram) WITH ORDINALITY AS h(x, i))
    FROM move_signs l, (
      SELECT os.wing_code, os.office_bearers, os.office_bearers_with_handle, os.committee_histogram
        FROM office_stats os WHERE os.unit_id = NEW.id AND NOT is_booth
      UNION ALL
      SELECT c.wing_code, c.n, c.h,
             (SELECT array_agg((g.b = committee_bucket(c.n))::int ORDER BY g.b) FROM generate_series(1, 33) AS g(b))
        FROM (SELECT a.wing_code, count(*)::int AS n,
                     count(*) FILTER (WHERE p.handle_platforms <> '{}')::int AS h
                FROM appointments a JOIN people p ON p.id = a.person_id
               WHERE is_booth AND a.unit_id = NEW.id AND a.end_date IS NULL
               GROUP BY a.wing_code) c) o
   ORDER BY 1, 2
  ON CONFLICT (unit_id, wing_code) DO UPDATE SET
      office_bearers = s.office_bearers + EXCLUDED.office_bearers,
      office_bearers_with_handle = s.office_bearers_with_handle + EXCLUDED.office_bearers_with_handle,
      committee_histogram = int_array_add(s.committee_histogram, EXCLUDED.committee_histogram, 1);
  INSERT INTO post_stats (unit_id, wing_code, role_code, filled_booths)
  SELECT l.unit_id, p.wing_code, p.role_code, l.v * p.filled_booths
    FROM move_signs l, (
      SELECT ps.wing_code, ps.role_code, ps.filled_booths FROM post_stats ps WHERE ps.unit_id = NEW.id AND NOT is_booth
      UNION ALL
      SELECT a.wing_code, a.role_code, 1 FROM appointments a JOIN roles r ON r.wing_code = a.wing_code AND r.code = a.role_code
       WHERE is_booth AND a.unit_id = NEW.id AND a.end_date IS NULL
       GROUP BY a.wing_code, a.role_code, r.seats HAVING count(*) >= coalesce(r.seats, 1)) p
  ON CONFLICT (unit_id, wing_code, role_code) DO UPDATE SET filled_booths = post_stats.filled_booths + EXCLUDED.filled_booths;
  INSERT INTO member_joins (unit_id, joined_on, members)
  SELECT l.unit_id, j.joined_on, l.v * j.members
    FROM move_signs l, (
      SELECT mj.joined_on, mj.members FROM member_joins mj WHERE mj.unit_id = NEW.id AND NOT is_booth
      UNION ALL
      SELECT m.joined_on, count(*)::int FROM memberships m
       WHERE is_booth AND m.booth_id = NEW.id AND m.status = 'current'
       GROUP BY m.joined_on) j
  ON CONFLICT (unit_id, joined_on) DO UPDATE SET members = member_joins.members + EXCLUDED.members;
  -- The social media duty (32_duties.sql): a unit's rows are its subtree's; a booth's, its bound terms.
  INSERT INTO duty_stats AS s (unit_id, wing_code, role_code, level, bound, compliant)
  SELECT l.unit_id, x.wing_code, x.role_code, x.level, l.v * x.bound, l.v * x.compliant
    FROM move_signs l, (
      SELECT ds.wing_code, ds.role_code, ds.level, ds.bound, ds.compliant FROM duty_stats ds WHERE ds.unit_id = NEW.id AND NOT is_booth
      UNION ALL
      SELECT t.wing_code, t.role_code, t.level, count(*)::int, count(*) FILTER (WHERE t.ok)::int
        FROM (SELECT b.wing_code, b.role_code, b.level, bool_and(b.held) AS ok FROM bound_terms b
               WHERE is_booth AND b.unit_id = NEW.id GROUP BY b.appointment_id, b.wing_code, b.role_code, b.level) t
       GROUP BY t.wing_code, t.role_code, t.level) x
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (unit_id, wing_code, role_code, level) DO UPDATE SET
      bound = s.bound + EXCLUDED.bound, compliant = s.compliant + EXCLUDED.compliant;
  INSERT INTO duty_platform_stats AS s (unit_id, wing_code, role_code, level, platform_code, bound, held)
  SELECT l.unit_id, x.wing_code, x.role_code, x.level, x.platform_code, l.v * x.bound, l.v * x.held
    FROM move_signs l, (
      SELECT dp.wing_code, dp.role_code, dp.level, dp.platform_code, dp.bound, dp.held FROM duty_platform_stats dp WHERE dp.unit_id = NEW.id AND NOT is_booth
      UNION ALL
      SELECT b.wing_code, b.role_code, b.level, b.platform_code, count(*)::int, count(*) FILTER (WHERE b.held)::int
        FROM bound_terms b WHERE is_booth AND b.unit_id = NEW.id
       GROUP BY b.wing_code, b.role_code, b.level, b.platform_code) x
   ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (unit_id, wing_code, role_code, level, platform_code) DO UPDATE SET
      bound = s.bound + EXCLUDED.bound, held = s.held + EXCLUDED.held;
  -- Coverage by day (31_post_days.sql): a unit's rows are its subtree's; a booth's, its steps.
  IF is_booth THEN
    SELECT array_agg(a.unit_id), array_agg(a.wing_code), array_agg(a.role_code), array_agg(a.start_date), array_agg(a.end_date)
      INTO t_booth, t_wing, t_role, t_start, t_end
      FROM appointments a WHERE a.unit_id = NEW.id;
  END IF;
  INSERT INTO post_days AS d (unit_id, wing_code, role_code, day, delta)
  SELECT l.unit_id, p.wing_code, p.role_code, p.day, sum(l.v * p.delta)::int
    FROM move_signs l, (
      SELECT pd.wing_code, pd.role_code, pd.day, pd.delta FROM post_days pd WHERE pd.unit_id = NEW.id AND NOT is_booth
      UNION ALL
      SELECT s.wing_code, s.role_code, s.day, s.delta FROM post_steps(t_booth, t_wing, t_role, t_start, t_end) s WHERE is_booth) p
   GROUP BY 1, 2, 3, 4
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (unit_id, wing_code, role_code, day) DO UPDATE SET delta = d.delta + EXCLUDED.delta;
  -- The training counters (47_camps.sql).
  PERFORM training_after_move(NEW.id, is_booth);
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER units_after_insert AFTER INSERT ON units
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION units_after_insert();

CREATE OR REPLACE TRIGGER units_after_update AFTER UPDATE ON units
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION units_after_update();

CREATE OR REPLACE TRIGGER units_after_delete AFTER DELETE ON units
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION units_after_delete();

-- A move sets parent_id and the BEFORE trigger rewrites path: a column-list trigger
-- (UPDATE OF path) would not fire, so this one fires on every update whose path changed.
CREATE OR REPLACE TRIGGER units_stats_on_move
  AFTER UPDATE ON units
  FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
  EXECUTE FUNCTION units_stats_on_move();
