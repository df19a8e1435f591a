-- Assembly constituencies: a booth belongs to the constituency (its state, its ac_number).
-- assembly_id is written only here, whoever wrote the booth (API, import or raw SQL); the
-- seed, which loads with the units triggers off, writes the same ids itself.

-- The state a path starts at.
CREATE OR REPLACE FUNCTION path_state(p ltree) RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT u.id FROM units u WHERE u.node = (path_nodes(p))[1]
$$;

-- The constituency (state, number) named `ac_name`: created when it is new, named when it
-- had only a placeholder name; refused (check_violation, constraint
-- assemblies_name_match) when the booth gives another name than the constituency has.
CREATE OR REPLACE FUNCTION assembly_for(state uuid, ac_number integer, ac_name text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  existing assemblies%ROWTYPE;
  given text := nullif(btrim(ac_name), '');
BEGIN
  SELECT * INTO existing FROM assemblies a WHERE a.state_id = state AND a.number = ac_number;
  IF NOT FOUND THEN
    INSERT INTO assemblies (state_id, number, name, named)
    VALUES (state, ac_number, coalesce(given, 'AC ' || ac_number), given IS NOT NULL)
    ON CONFLICT (state_id, number) DO NOTHING;
    -- A concurrent writer may have created it first (then its name is checked below).
    SELECT * INTO existing FROM assemblies a WHERE a.state_id = state AND a.number = ac_number;
  END IF;
  IF given IS NOT NULL AND given IS DISTINCT FROM existing.name THEN
    IF NOT existing.named THEN
      UPDATE assemblies SET name = given, named = true WHERE id = existing.id;
    ELSE
      RAISE EXCEPTION 'assembly constituency % is named differently', ac_number
        USING ERRCODE = 'check_violation', CONSTRAINT = 'assemblies_name_match', TABLE = 'units';
    END IF;
  END IF;
  RETURN existing.id;
END
$$;

CREATE OR REPLACE FUNCTION units_join_assembly() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.level <> 'booth' OR NEW.ac_number IS NULL THEN
    NEW.assembly_id := NULL;
    RETURN NEW;
  END IF;
  -- Unchanged number, name and state: the booth stays where it is (moves within a state,
  -- renames, and every row of a cascade that does not cross states).
  IF TG_OP = 'UPDATE' AND OLD.assembly_id IS NOT NULL
     AND NEW.ac_number = OLD.ac_number AND NEW.ac_name IS NOT DISTINCT FROM OLD.ac_name
     AND subpath(NEW.path, 0, 1) = subpath(OLD.path, 0, 1) THEN
    NEW.assembly_id := OLD.assembly_id;
    RETURN NEW;
  END IF;
  NEW.assembly_id := assembly_for(path_state(NEW.path), NEW.ac_number, NEW.ac_name);
  RETURN NEW;
END
$$;

-- Named to fire after units_derive_tree_columns (BEFORE triggers fire in name order), so
-- NEW.path is the booth's new path.
CREATE OR REPLACE TRIGGER units_join_assembly
  BEFORE INSERT OR UPDATE ON units
  FOR EACH ROW EXECUTE FUNCTION units_join_assembly();

-- A constituency's name is its booths' ac_name: a rename carries to them (a new version
-- of each, in the same statement; a key's scope must hold all of them). Naming a
-- placeholder does not: it happens inside a booth's own write (assembly_for), and the
-- booths that gave no name keep none.
CREATE OR REPLACE FUNCTION assemblies_before_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  NEW.updated_at := now();
  IF NEW.name IS DISTINCT FROM OLD.name THEN
    NEW.named := true;
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER assemblies_before_update
  BEFORE UPDATE ON assemblies
  FOR EACH ROW EXECUTE FUNCTION assemblies_before_update();

CREATE OR REPLACE FUNCTION assemblies_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE units SET ac_name = NEW.name WHERE assembly_id = NEW.id AND ac_name IS DISTINCT FROM NEW.name;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER assemblies_after_update
  AFTER UPDATE ON assemblies
  FOR EACH ROW WHEN (OLD.named AND OLD.name IS DISTINCT FROM NEW.name)
  EXECUTE FUNCTION assemblies_after_update();
