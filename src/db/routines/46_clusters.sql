-- BOOTH CLUSTERS: a few booths under one unit (a ward or a block), between the ward and
-- the booth: sectors, shakti kendras; and clusters of clusters (a zone groups sectors).
-- Held here for every writer (API, import, raw SQL):
--   * a cluster belongs to a unit of a level its kind allows, in the caller's scope, and
--     stays with it (clusters_unit_level, clusters_unit_fixed);
--   * a cluster's parent groups it: the same unit, of the kind that groups its kind
--     (clusters_parent_match);
--   * a booth is in at most one cluster of each kind (cluster_booths' key), lies in its
--     cluster's unit, and joins a cluster of a kind that holds booths, not clusters
--     (cluster_booths_within_unit, cluster_booths_kind_groups);
--   * a move that takes a booth out of its cluster's unit is refused, unless the
--     transaction says it leaves its clusters (SET LOCAL sangathan.leave_clusters = 'on':
--     the API's move with leaveClusters), when its memberships go with the move.
-- A cluster's posts are terms with cluster_id (21_posts.sql): the own-booth rule, seats
-- and scope hold for them as for any other, and they count at the cluster's unit.

CREATE OR REPLACE FUNCTION clusters_before_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  allowed unit_level[];
  at unit_level;
  parent clusters%ROWTYPE;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW.unit_id <> OLD.unit_id THEN
      RAISE EXCEPTION 'a cluster stays with its unit'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'clusters_unit_fixed', TABLE = 'clusters';
    END IF;
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
  END IF;
  SELECT k.levels INTO allowed FROM cluster_kinds k WHERE k.code = NEW.kind_code;
  SELECT u.level INTO at FROM units u WHERE u.id = NEW.unit_id;
  IF at IS NOT NULL AND allowed IS NOT NULL AND NOT (at = ANY (allowed)) THEN
    RAISE EXCEPTION 'a cluster of kind % belongs to a unit at % level, not %', NEW.kind_code, array_to_string(allowed, ' or '), at
      USING ERRCODE = 'check_violation', CONSTRAINT = 'clusters_unit_level', TABLE = 'clusters';
  END IF;
  IF NEW.parent_id IS NOT NULL THEN
    SELECT * INTO parent FROM clusters c WHERE c.id = NEW.parent_id;
    IF parent.unit_id IS DISTINCT FROM NEW.unit_id
       OR NOT EXISTS (SELECT 1 FROM cluster_kinds k WHERE k.code = parent.kind_code AND k.groups_kind = NEW.kind_code) THEN
      RAISE EXCEPTION 'cluster % cannot group cluster %', NEW.parent_id, NEW.code
        USING ERRCODE = 'check_violation', CONSTRAINT = 'clusters_parent_match', TABLE = 'clusters';
    END IF;
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER clusters_before_write
  BEFORE INSERT OR UPDATE ON clusters
  FOR EACH ROW EXECUTE FUNCTION clusters_before_write();

-- A cluster is in the subtree of its unit: the caller's scope holds it there.
CREATE OR REPLACE FUNCTION clusters_within_scope() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM assert_units_within_scope(ARRAY[OLD.unit_id]);
    RETURN OLD;
  END IF;
  PERFORM assert_units_within_scope(ARRAY[NEW.unit_id]);
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER clusters_within_scope
  AFTER INSERT OR UPDATE OR DELETE ON clusters
  FOR EACH ROW EXECUTE FUNCTION clusters_within_scope();

-- The rule a booth's membership of a cluster breaks, or NULL: the booth is not a booth
-- under its cluster's unit, or its cluster's kind groups clusters.
CREATE OR REPLACE FUNCTION cluster_booth_violation(p_groups_kind text, p_booth_level unit_level, p_booth_path ltree, p_unit_path ltree) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_groups_kind IS NOT NULL THEN 'cluster_booths_kind_groups'
              WHEN p_booth_level <> 'booth' OR NOT (p_booth_path <@ p_unit_path) THEN 'cluster_booths_within_unit' END
$$;

-- The memberships of these booths that break a rule. (The booths are joined, not
-- filtered with "IS NULL OR": a filter like that keeps the key's index out of the plan.)
CREATE OR REPLACE FUNCTION cluster_booth_violations(p_booths uuid[])
RETURNS TABLE (booth_id uuid, cluster_id uuid, violation text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT cb.booth_id, cb.cluster_id, cluster_booth_violation(k.groups_kind, b.level, b.path, cu.path)
    FROM (SELECT DISTINCT x FROM unnest(p_booths) AS x) given
    JOIN cluster_booths cb ON cb.booth_id = given.x
    JOIN clusters c ON c.id = cb.cluster_id
    JOIN cluster_kinds k ON k.code = c.kind_code
    JOIN units cu ON cu.id = c.unit_id
    JOIN units b ON b.id = cb.booth_id
   WHERE cluster_booth_violation(k.groups_kind, b.level, b.path, cu.path) IS NOT NULL
$$;

-- Every membership that breaks a rule (the seed's verification): a join of the whole
-- tables, which the planner hashes (the booths passed as an array it takes for ten, and
-- probed india's 10 lakh one by one: 27 s).
CREATE OR REPLACE FUNCTION cluster_booth_violations()
RETURNS TABLE (booth_id uuid, cluster_id uuid, violation text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT cb.booth_id, cb.cluster_id, cluster_booth_violation(k.groups_kind, b.level, b.path, cu.path)
    FROM cluster_booths cb
    JOIN clusters c ON c.id = cb.cluster_id
    JOIN cluster_kinds k ON k.code = c.kind_code
    JOIN units cu ON cu.id = c.unit_id
    JOIN units b ON b.id = cb.booth_id
   WHERE cluster_booth_violation(k.groups_kind, b.level, b.path, cu.path) IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION assert_cluster_booths(p_booths uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT * INTO bad FROM cluster_booth_violations(p_booths) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'booth % cannot be in cluster %', bad.booth_id, bad.cluster_id
      USING ERRCODE = 'check_violation', CONSTRAINT = bad.violation, TABLE = 'cluster_booths';
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION cluster_booths_after_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT booth_id FROM new_rows UNION SELECT c.unit_id FROM new_rows n JOIN clusters c ON c.id = n.cluster_id));
  PERFORM assert_cluster_booths(ARRAY(SELECT booth_id FROM new_rows));
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER cluster_booths_after_insert AFTER INSERT ON cluster_booths
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cluster_booths_after_write();

CREATE OR REPLACE TRIGGER cluster_booths_after_update AFTER UPDATE ON cluster_booths
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cluster_booths_after_write();

CREATE OR REPLACE FUNCTION cluster_booths_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT booth_id FROM old_rows));
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER cluster_booths_after_delete AFTER DELETE ON cluster_booths
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cluster_booths_after_delete();

-- Booths a statement on units moved (called by units_after_update, 43_units.sql): those
-- now outside their cluster's unit leave it when the transaction said so, or the move is
-- refused.
CREATE OR REPLACE FUNCTION clusters_after_move(p_booths uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(p_booths), 0) = 0 OR NOT EXISTS (SELECT 1 FROM cluster_booths WHERE booth_id = ANY (p_booths)) THEN
    RETURN;
  END IF;
  IF current_setting('sangathan.leave_clusters', true) = 'on' THEN
    DELETE FROM cluster_booths cb USING cluster_booth_violations(p_booths) v
     WHERE cb.booth_id = v.booth_id AND cb.cluster_id = v.cluster_id;
  END IF;
  PERFORM assert_cluster_booths(p_booths);
END
$$;
