-- Triggers on memberships: the caller's scope (04_scope.sql), the own-booth rule
-- (20_own_booth_rule.sql) for every person a statement touches, and the member counters
-- (30_counters.sql).

CREATE OR REPLACE FUNCTION memberships_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d_booth uuid[];
  d_grade membership_grade[];
  d_joined date[];
  d_sign integer[];
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT DISTINCT booth_id FROM new_rows));
  PERFORM assert_own_booth_rule(ARRAY(SELECT DISTINCT person_id FROM new_rows));
  SELECT array_agg(booth_id), array_agg(grade), array_agg(joined_on), array_agg(1)
    INTO d_booth, d_grade, d_joined, d_sign FROM new_rows WHERE status = 'current';
  PERFORM apply_membership_deltas(d_booth, d_grade, d_joined, d_sign);
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION memberships_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d_booth uuid[];
  d_grade membership_grade[];
  d_joined date[];
  d_sign integer[];
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT booth_id FROM old_rows UNION SELECT booth_id FROM new_rows));
  PERFORM assert_own_booth_rule(ARRAY(SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows));
  -- EXECUTE: planned for this statement's rows (see 42_people.sql: a static join of the
  -- transition tables keeps the plan of the session's first, often one-row, statement).
  EXECUTE 'WITH relevant AS (
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.booth_id <> o.booth_id OR n.grade <> o.grade OR n.status <> o.status OR n.joined_on <> o.joined_on),
  changes AS (
    SELECT o.booth_id, o.grade, o.joined_on, -1 AS sign FROM old_rows o JOIN relevant r ON r.id = o.id WHERE o.status = ''current''
    UNION ALL
    SELECT n.booth_id, n.grade, n.joined_on, 1 FROM new_rows n JOIN relevant r ON r.id = n.id WHERE n.status = ''current'')
  SELECT array_agg(booth_id), array_agg(grade), array_agg(joined_on), array_agg(sign) FROM changes'
    INTO d_booth, d_grade, d_joined, d_sign;
  PERFORM apply_membership_deltas(d_booth, d_grade, d_joined, d_sign);
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION memberships_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d_booth uuid[];
  d_grade membership_grade[];
  d_joined date[];
  d_sign integer[];
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT DISTINCT booth_id FROM old_rows));
  PERFORM assert_own_booth_rule(ARRAY(SELECT DISTINCT person_id FROM old_rows));
  SELECT array_agg(booth_id), array_agg(grade), array_agg(joined_on), array_agg(-1)
    INTO d_booth, d_grade, d_joined, d_sign FROM old_rows WHERE status = 'current';
  PERFORM apply_membership_deltas(d_booth, d_grade, d_joined, d_sign);
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER memberships_after_insert AFTER INSERT ON memberships
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_after_insert();

CREATE OR REPLACE TRIGGER memberships_after_update AFTER UPDATE ON memberships
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_after_update();

CREATE OR REPLACE TRIGGER memberships_after_delete AFTER DELETE ON memberships
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_after_delete();
