-- The tree's derived columns (parent_level, path, code_path) are written only here, so a
-- subtree query can trust them whoever wrote the row: API, import or raw SQL.
-- path is an ltree of internal node numbers; code_path the codes joined by '/'.
CREATE OR REPLACE FUNCTION units_derive_tree_columns() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent record;
BEGIN
  -- Depth > 1 means we are inside an ancestor's cascade, which already computed both paths.
  IF pg_trigger_depth() > 1 THEN
    RETURN NEW;
  END IF;

  IF TG_OP = 'UPDATE' THEN
    IF NEW.parent_id IS DISTINCT FROM OLD.parent_id OR NEW.code IS DISTINCT FROM OLD.code THEN
      -- A move or re-code rewrites a whole subtree; block concurrent inserts beneath it so
      -- none of them copies a parent path that is about to change.
      LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE;
    END IF;
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
  END IF;

  IF NEW.parent_id IS NULL THEN
    NEW.parent_level := NULL;
    NEW.path := text2ltree(NEW.node::text);
    NEW.code_path := NEW.code;
  ELSE
    SELECT u.level, u.path, u.code_path INTO parent FROM units u WHERE u.id = NEW.parent_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'parent unit does not exist'
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'units_parent_fkey', TABLE = 'units';
    END IF;
    NEW.parent_level := parent.level;
    NEW.path := parent.path || text2ltree(NEW.node::text);
    NEW.code_path := parent.code_path || '/' || NEW.code;
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER units_derive_tree_columns
  BEFORE INSERT OR UPDATE ON units
  FOR EACH ROW EXECUTE FUNCTION units_derive_tree_columns();

-- After a move or re-code, every descendant gets the new prefix in the same statement, so
-- the subtree is never seen half-moved.
CREATE OR REPLACE FUNCTION units_cascade_paths() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  UPDATE units
     SET path = NEW.path || subpath(path, nlevel(OLD.path)),
         code_path = NEW.code_path || substr(code_path, length(OLD.code_path) + 1)
   WHERE path <@ OLD.path AND id <> NEW.id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER units_cascade_paths
  AFTER UPDATE ON units
  FOR EACH ROW
  WHEN (OLD.path IS DISTINCT FROM NEW.path OR OLD.code_path IS DISTINCT FROM NEW.code_path)
  EXECUTE FUNCTION units_cascade_paths();

-- The node numbers on a path: a unit and its ancestors are the units whose node is in it
-- (`a.node = ANY (path_nodes(u.path))`, one probe of units_node_key each).
CREATE OR REPLACE FUNCTION path_nodes(p ltree) RETURNS bigint[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT string_to_array(ltree2text(p), '.')::bigint[]
$$;

-- A unit and its ancestors, by the node numbers in its path.
CREATE OR REPLACE FUNCTION unit_lineage(p ltree) RETURNS uuid[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(u.id), '{}') FROM units u WHERE u.node = ANY (path_nodes(p))
$$;

-- The district's node on a path (NULL on a state's): the key of a booth's constituency
-- pair (33_assembly_stats.sql).
CREATE OR REPLACE FUNCTION path_district_node(p ltree) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (path_nodes(p))[2]
$$;
