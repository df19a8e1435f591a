-- SCOPE: a key scoped to a unit sees and changes only that unit's subtree, on every row a
-- change touches, cascades included. The application names the caller's scope unit at the
-- start of every write transaction (set_config('sangathan.scope_unit', id, true):
-- src/db/transaction.ts, src/db/session.ts); the triggers of each table (40_ to 45_) check
-- every row a statement touches, before and after, against it. A row's place is its unit:
-- an appointment's unit, a membership's booth, a person's home booth, a unit itself.
-- Unset (a global key, the system, the seed): no check.

-- The path of the caller's scope unit; NULL without one. A scope unit that no longer exists
-- scopes the caller to nothing.
CREATE OR REPLACE FUNCTION write_scope() RETURNS ltree LANGUAGE plpgsql STABLE AS $$
DECLARE
  scope_unit text := nullif(current_setting('sangathan.scope_unit', true), '');
  scope ltree;
BEGIN
  IF scope_unit IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT u.path INTO scope FROM units u WHERE u.id = scope_unit::uuid;
  RETURN coalesce(scope, 'nothing'::ltree);
END
$$;

-- Refuses (insufficient_privilege, constraint outside_scope) a statement that touches a
-- row placed outside the caller's subtree. The message names nothing outside it.
CREATE OR REPLACE FUNCTION assert_paths_within_scope(p_paths ltree[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  scope ltree := write_scope();
BEGIN
  IF scope IS NULL THEN
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM unnest(p_paths) AS p(path) WHERE p.path IS NOT NULL AND NOT p.path <@ scope) THEN
    RAISE EXCEPTION 'the change touches a record outside the subtree the caller may change'
      USING ERRCODE = 'insufficient_privilege', CONSTRAINT = 'outside_scope';
  END IF;
END
$$;

-- The same, for rows placed by a unit id (terms, memberships, homes).
CREATE OR REPLACE FUNCTION assert_units_within_scope(p_units uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF nullif(current_setting('sangathan.scope_unit', true), '') IS NULL THEN
    RETURN;
  END IF;
  PERFORM assert_paths_within_scope(ARRAY(SELECT u.path FROM units u WHERE u.id = ANY (p_units)));
END
$$;
