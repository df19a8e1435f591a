-- Triggers on people: the caller's scope, by home booth (04_scope.sql); a home booth that
-- moves must take the membership along, in the same statement (20_own_booth_rule.sql);
-- gaining or losing every social handle moves "office-bearers with a handle"
-- (30_counters.sql).

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
  d_sign integer[];
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT home_booth_id FROM old_rows UNION SELECT home_booth_id FROM new_rows));
  PERFORM assert_own_booth_rule(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.home_booth_id <> o.home_booth_id));
  -- A flip of the handle flag is the person's terms leaving (with the old flag) and
  -- returning (with the new): two deltas that cancel everywhere but the handle count.
  WITH flipped AS (
    SELECT n.id, has_social_handle(n.twitter, n.facebook, n.instagram, n.youtube) AS now_has
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE has_social_handle(n.twitter, n.facebook, n.instagram, n.youtube)
        <> has_social_handle(o.twitter, o.facebook, o.instagram, o.youtube))
  SELECT array_agg(a.unit_id), array_agg(a.wing_code), array_agg(CASE WHEN f.now_has THEN 1 ELSE -1 END)
    INTO d_unit, d_wing, d_sign
    FROM flipped f JOIN appointments a ON a.person_id = f.id AND a.end_date IS NULL;
  IF d_unit IS NOT NULL THEN
    PERFORM lock_counters_for(d_unit);
    -- The wing's row exists: it has counted this person's term since it began.
    UPDATE office_stats s SET office_bearers_with_handle = s.office_bearers_with_handle + x.n
      FROM (SELECT a.id AS anc, t.wing_code, sum(t.sign)::int AS n
              FROM unnest(d_unit, d_wing, d_sign) AS t(unit_id, wing_code, sign)
              JOIN units u ON u.id = t.unit_id
              JOIN units a ON a.node = ANY (path_nodes(u.path))
             GROUP BY a.id, t.wing_code) x
     WHERE s.unit_id = x.anc AND s.wing_code = x.wing_code;
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
