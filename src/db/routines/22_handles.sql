-- SOCIAL MEDIA HANDLES
--
-- A person's handles live in person_handles, one per platform of the social_platforms
-- catalogue, always in canonical form: canonical_handle() below is the one definition of
-- what a handle is (the API, the imports and the migration of the old columns all go
-- through it, by writing the row). A handle belongs to one person per platform
-- (person_handles_platform_handle_key). people.handle_platforms mirrors which platforms a
-- person has, so the counters (30_counters.sql, 32_duties.sql) read it without a join.

-- A platform's canonical handle from what a person typed: "@Name", "name" or a profile
-- address on one of the platform's hosts (https://x.com/Name, youtube.com/@name,
-- facebook.com/name?ref=...) all become "name"; NULL when it is not a valid handle.
CREATE OR REPLACE FUNCTION canonical_handle(p_platform text, p_raw text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  pattern text;
  hosts text[];
  v text := btrim(p_raw);
  parts text[];
  host text;
  i integer := 2;
BEGIN
  SELECT handle_pattern, url_hosts INTO pattern, hosts FROM social_platforms WHERE code = p_platform;
  IF pattern IS NULL OR v IS NULL OR v = '' THEN
    RETURN NULL;
  END IF;
  -- A profile address: with its scheme, or a host and a path ("full.one" alone is a handle).
  IF v ~* '^https?://' OR v ~* '^([a-z0-9-]+[.])+[a-z]{2,}/' THEN
    parts := string_to_array(regexp_replace(regexp_replace(v, '^https?://', '', 'i'), '[?#].*$', ''), '/');
    host := regexp_replace(lower(parts[1]), '^(www|m|mobile)[.]', '');
    IF NOT host = ANY (hosts) THEN
      RETURN NULL;
    END IF;
    IF lower(parts[2]) IN ('c', 'user') THEN
      i := 3;
    END IF;
    v := parts[i];
    IF v IS NULL OR lower(v) IN ('profile.php', 'channel', 'watch', 'share', 'home', 'intent', 'hashtag', 'groups', 'pages', 'search', 'p', 'reel', 'i') THEN
      RETURN NULL;
    END IF;
  END IF;
  v := lower(regexp_replace(v, '^@', ''));
  IF v !~ ('^(' || pattern || ')$') THEN
    RETURN NULL;
  END IF;
  RETURN v;
END
$$;

-- Every row is written canonical, or refused (check_violation naming
-- person_handles_handle_check, which the API reports as invalid_handle).
CREATE OR REPLACE FUNCTION person_handles_canonical() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  canonical text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM social_platforms WHERE code = NEW.platform_code) THEN
    RETURN NEW; -- the foreign key names the unknown platform
  END IF;
  canonical := canonical_handle(NEW.platform_code, NEW.handle);
  IF canonical IS NULL THEN
    RAISE EXCEPTION '% is not a valid % handle', quote_literal(left(NEW.handle, 100)), NEW.platform_code
      USING ERRCODE = 'check_violation', CONSTRAINT = 'person_handles_handle_check';
  END IF;
  NEW.handle := canonical;
  IF TG_OP = 'UPDATE' THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER person_handles_canonical
  BEFORE INSERT OR UPDATE ON person_handles
  FOR EACH ROW EXECUTE FUNCTION person_handles_canonical();

-- After any change, the people touched: their home booths in the caller's scope, and
-- their handle_platforms set again. The people rows are locked (lock_people, the lock an
-- appointment takes too) before person_handles is read, so two writers adding handles to
-- one person cannot each miss the other's; the update bumps the person's version (their
-- ETag covers their handles) and fires people_after_update, which moves the counters.
CREATE OR REPLACE FUNCTION refresh_handle_platforms(p_people uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(cardinality(p_people), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM lock_people(p_people);
  UPDATE people p SET handle_platforms = x.platforms
    FROM (SELECT i.id, coalesce(array_agg(h.platform_code ORDER BY h.platform_code) FILTER (WHERE h.platform_code IS NOT NULL), '{}') AS platforms
            FROM (SELECT DISTINCT unnest(p_people) AS id) i
            LEFT JOIN person_handles h ON h.person_id = i.id
           GROUP BY i.id) x
   WHERE p.id = x.id;
END
$$;

CREATE OR REPLACE FUNCTION person_handles_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_handle_platforms(ARRAY(SELECT person_id FROM new_rows));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION person_handles_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_handle_platforms(ARRAY(SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION person_handles_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A person being deleted takes their handles along (a cascade): nothing to refresh.
  PERFORM refresh_handle_platforms(ARRAY(SELECT o.person_id FROM old_rows o JOIN people p ON p.id = o.person_id));
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER person_handles_after_insert AFTER INSERT ON person_handles
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_handles_after_insert();

CREATE OR REPLACE TRIGGER person_handles_after_update AFTER UPDATE ON person_handles
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_handles_after_update();

CREATE OR REPLACE TRIGGER person_handles_after_delete AFTER DELETE ON person_handles
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_handles_after_delete();
