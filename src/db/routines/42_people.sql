-- Triggers on people: the caller's scope, by home booth (04_scope.sql); a home booth that
-- moves must take the membership along, in the same statement (20_own_booth_rule.sql);
-- a change of the person's platforms moves "office-bearers with a handle" (30_counters.sql)
-- and the social media duty (32_duties.sql).

CREATE OR REPLACE FUNCTION people_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT DISTINCT home_booth_id FROM new_rows));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION people_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT DISTINCT home_booth_id FROM old_rows));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION people_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d_unit uuid[];
  d_wing text[];
  d_role text[];
  d_platforms text[];
  d_sign integer[];
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT home_booth_id FROM old_rows UNION SELECT home_booth_id FROM new_rows));
  -- The joins of the transition tables run as EXECUTE: planned for this statement's rows.
  -- A static statement's plan is cached by plpgsql from the first call in the session,
  -- and a nested loop planned for a one-row update joins 100,000 people's old and new rows
  -- pair by pair (minutes, in the presidents import's handle update).
  EXECUTE 'SELECT assert_own_booth_rule(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.home_booth_id <> o.home_booth_id))';
  -- A change of platforms (kept from person_handles, 22_handles.sql) is the person's
  -- unended terms leaving with the old platforms (-1) and returning with the new (+1):
  -- deltas that cancel everywhere but the handle counts and the social media duty.
  EXECUTE 'WITH changed AS (
    SELECT n.id, o.handle_platforms AS before, n.handle_platforms AS after
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.handle_platforms <> o.handle_platforms),
  deltas AS (
    SELECT a.unit_id, a.wing_code, a.role_code, c.before AS platforms, -1 AS sign
      FROM changed c JOIN appointments a ON a.person_id = c.id AND a.end_date IS NULL
    UNION ALL
    SELECT a.unit_id, a.wing_code, a.role_code, c.after, 1
      FROM changed c JOIN appointments a ON a.person_id = c.id AND a.end_date IS NULL)
  SELECT array_agg(unit_id), array_agg(wing_code), array_agg(role_code), array_agg(array_to_string(platforms, '','')), array_agg(sign)
    FROM deltas'
    INTO d_unit, d_wing, d_role, d_platforms, d_sign;
  IF d_unit IS NOT NULL THEN
    PERFORM lock_counters_for(d_unit);
    -- "Office-bearers with a handle": the wing's row exists, it has counted this person's
    -- term since it began.
    UPDATE office_stats s SET office_bearers_with_handle = s.office_bearers_with_handle + x.n
      FROM (SELECT a.id AS anc, t.wing_code, sum(t.sign)::int AS n
              FROM unnest(d_unit, d_wing, d_platforms, d_sign) AS t(unit_id, wing_code, platforms, sign)
              JOIN units u ON u.id = t.unit_id
              JOIN units a ON a.node = ANY (path_nodes(u.path))
             WHERE t.platforms <> ''
             GROUP BY a.id, t.wing_code
            HAVING sum(t.sign) <> 0) x
     WHERE s.unit_id = x.anc AND s.wing_code = x.wing_code;
    PERFORM apply_duty_deltas(d_unit, d_wing, d_role, d_platforms, d_sign);
    PERFORM apply_assembly_handle_deltas(d_unit, d_wing, d_platforms, d_sign);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER people_after_insert AFTER INSERT ON people
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION people_after_insert();

CREATE OR REPLACE TRIGGER people_after_delete AFTER DELETE ON people
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION people_after_delete();

CREATE OR REPLACE TRIGGER people_after_update AFTER UPDATE ON people
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION people_after_update();
