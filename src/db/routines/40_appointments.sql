-- Triggers on appointments (terms of office): once per statement, over its transition
-- tables, the caller's scope (04_scope.sql), the post rules (21_posts.sql), the own-booth
-- rule (20_own_booth_rule.sql), the coverage counters (30_counters.sql) and coverage by
-- day (31_post_days.sql). A bulk import of 100,000 terms runs a handful
-- of set-based queries; a single-row API write costs the same.

CREATE OR REPLACE FUNCTION appointments_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
  unit_ids uuid[];
  cluster_ids uuid[];
  wing_codes text[];
  role_codes text[];
  starts date[];
  ends date[];
  holders uuid[];
BEGIN
  SELECT array_agg(id), array_agg(unit_id), array_agg(cluster_id), array_agg(wing_code), array_agg(role_code), array_agg(start_date), array_agg(end_date)
    INTO ids, unit_ids, cluster_ids, wing_codes, role_codes, starts, ends FROM new_rows;
  holders := ARRAY(SELECT DISTINCT person_id FROM new_rows);
  PERFORM assert_units_within_scope(unit_ids);
  -- The people's locks before the posts' (as the API takes them); a double term is named
  -- before a full post, as the exclusion constraint it replaces named it.
  PERFORM assert_single_terms(holders);
  PERFORM assert_posts(ids, unit_ids, cluster_ids, wing_codes, role_codes, starts, ends);
  PERFORM assert_own_booth_rule(holders);
  PERFORM apply_appointment_deltas(
    ARRAY(SELECT unit_id FROM new_rows WHERE end_date IS NULL),
    ARRAY(SELECT wing_code FROM new_rows WHERE end_date IS NULL),
    ARRAY(SELECT role_code FROM new_rows WHERE end_date IS NULL),
    ARRAY(SELECT person_id FROM new_rows WHERE end_date IS NULL),
    ARRAY(SELECT 1 FROM new_rows WHERE end_date IS NULL));
  PERFORM apply_post_day_changes(
    ARRAY(SELECT unit_id FROM new_rows ORDER BY id), ARRAY(SELECT wing_code FROM new_rows ORDER BY id), ARRAY(SELECT role_code FROM new_rows ORDER BY id),
    ARRAY(SELECT id FROM new_rows), NULL, NULL, NULL, NULL, NULL);
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION appointments_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
  unit_ids uuid[];
  cluster_ids uuid[];
  wing_codes text[];
  role_codes text[];
  starts date[];
  ends date[];
  holders uuid[];
  moved uuid[];
  d_unit uuid[];
  d_wing text[];
  d_role text[];
  d_person uuid[];
  d_sign integer[];
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT unit_id FROM old_rows UNION SELECT unit_id FROM new_rows));
  -- The people's locks before the posts' (as the API and the insert trigger take them).
  holders := ARRAY(SELECT DISTINCT person_id FROM new_rows);
  PERFORM lock_people(holders);
  -- Shortening a term (ending it) can never overfill a post, change its level or make it
  -- overlap another of its holder's. The joins of old and new rows run as EXECUTE, planned
  -- for this statement's rows (see 42_people.sql: a static one keeps the plan of the
  -- session's first statement).
  EXECUTE 'SELECT array_agg(n.id), array_agg(n.unit_id), array_agg(n.cluster_id), array_agg(n.wing_code), array_agg(n.role_code), array_agg(n.start_date), array_agg(n.end_date),
                  array_agg(DISTINCT n.person_id)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
   WHERE n.unit_id <> o.unit_id OR n.cluster_id IS DISTINCT FROM o.cluster_id OR n.wing_code <> o.wing_code OR n.role_code <> o.role_code
      OR n.person_id <> o.person_id
      OR NOT (daterange(n.start_date, n.end_date, ''[)'') <@ daterange(o.start_date, o.end_date, ''[)''))'
    INTO ids, unit_ids, cluster_ids, wing_codes, role_codes, starts, ends, moved;
  PERFORM assert_single_terms(moved);
  PERFORM assert_posts(ids, unit_ids, cluster_ids, wing_codes, role_codes, starts, ends);
  PERFORM assert_own_booth_rule(holders);
  EXECUTE 'WITH relevant AS (
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.unit_id <> o.unit_id OR n.wing_code <> o.wing_code OR n.role_code <> o.role_code OR n.person_id <> o.person_id
        OR (n.end_date IS NULL) <> (o.end_date IS NULL)),
  changes AS (
    SELECT o.unit_id, o.wing_code, o.role_code, o.person_id, -1 AS sign FROM old_rows o JOIN relevant r ON r.id = o.id WHERE o.end_date IS NULL
    UNION ALL
    SELECT n.unit_id, n.wing_code, n.role_code, n.person_id, 1 FROM new_rows n JOIN relevant r ON r.id = n.id WHERE n.end_date IS NULL)
  SELECT array_agg(unit_id), array_agg(wing_code), array_agg(role_code), array_agg(person_id), array_agg(sign) FROM changes'
    INTO d_unit, d_wing, d_role, d_person, d_sign;
  PERFORM apply_appointment_deltas(d_unit, d_wing, d_role, d_person, d_sign);
  -- Coverage by day (31_post_days.sql): terms whose post or dates changed.
  CREATE TEMP TABLE IF NOT EXISTS post_day_changed (id uuid) ON COMMIT DROP;
  DELETE FROM post_day_changed;
  EXECUTE 'INSERT INTO post_day_changed
  SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
   WHERE n.unit_id <> o.unit_id OR n.wing_code <> o.wing_code OR n.role_code <> o.role_code
      OR n.start_date <> o.start_date OR n.end_date IS DISTINCT FROM o.end_date';
  IF EXISTS (SELECT 1 FROM post_day_changed) THEN
    CREATE TEMP TABLE IF NOT EXISTS post_day_touched (unit_id uuid, wing_code text, role_code text) ON COMMIT DROP;
    DELETE FROM post_day_touched;
    INSERT INTO post_day_touched
    SELECT o.unit_id, o.wing_code, o.role_code FROM old_rows o JOIN post_day_changed c USING (id)
    UNION
    SELECT n.unit_id, n.wing_code, n.role_code FROM new_rows n JOIN post_day_changed c USING (id);
    PERFORM apply_post_day_changes(
      ARRAY(SELECT unit_id FROM post_day_touched ORDER BY unit_id, wing_code, role_code),
      ARRAY(SELECT wing_code FROM post_day_touched ORDER BY unit_id, wing_code, role_code),
      ARRAY(SELECT role_code FROM post_day_touched ORDER BY unit_id, wing_code, role_code),
      ARRAY(SELECT id FROM post_day_changed),
      ARRAY(SELECT o.unit_id FROM old_rows o JOIN post_day_changed c USING (id) ORDER BY o.id),
      ARRAY(SELECT o.wing_code FROM old_rows o JOIN post_day_changed c USING (id) ORDER BY o.id),
      ARRAY(SELECT o.role_code FROM old_rows o JOIN post_day_changed c USING (id) ORDER BY o.id),
      ARRAY(SELECT o.start_date FROM old_rows o JOIN post_day_changed c USING (id) ORDER BY o.id),
      ARRAY(SELECT o.end_date FROM old_rows o JOIN post_day_changed c USING (id) ORDER BY o.id));
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION appointments_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT DISTINCT unit_id FROM old_rows));
  PERFORM apply_appointment_deltas(
    ARRAY(SELECT unit_id FROM old_rows WHERE end_date IS NULL ORDER BY id),
    ARRAY(SELECT wing_code FROM old_rows WHERE end_date IS NULL ORDER BY id),
    ARRAY(SELECT role_code FROM old_rows WHERE end_date IS NULL ORDER BY id),
    ARRAY(SELECT person_id FROM old_rows WHERE end_date IS NULL ORDER BY id),
    ARRAY(SELECT -1 FROM old_rows WHERE end_date IS NULL ORDER BY id));
  PERFORM apply_post_day_changes(
    ARRAY(SELECT unit_id FROM old_rows ORDER BY id), ARRAY(SELECT wing_code FROM old_rows ORDER BY id), ARRAY(SELECT role_code FROM old_rows ORDER BY id),
    NULL,
    ARRAY(SELECT unit_id FROM old_rows ORDER BY id), ARRAY(SELECT wing_code FROM old_rows ORDER BY id), ARRAY(SELECT role_code FROM old_rows ORDER BY id),
    ARRAY(SELECT start_date FROM old_rows ORDER BY id), ARRAY(SELECT end_date FROM old_rows ORDER BY id));
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER appointments_after_insert AFTER INSERT ON appointments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION appointments_after_insert();

CREATE OR REPLACE TRIGGER appointments_after_update AFTER UPDATE ON appointments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION appointments_after_update();

CREATE OR REPLACE TRIGGER appointments_after_delete AFTER DELETE ON appointments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION appointments_after_delete();
