-- The current schema, as `npm run db:dump` made it: ordered migrations (migrations/) then
-- routines (src/db/routines/), dumped with pg_dump --schema-only. Generated; do not edit.
--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: drizzle; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA drizzle;

--
-- Name: btree_gist; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

--
-- Name: EXTENSION btree_gist; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION btree_gist IS 'support for indexing common datatypes in GiST';

--
-- Name: ltree; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS ltree WITH SCHEMA public;

--
-- Name: EXTENSION ltree; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION ltree IS 'data type for hierarchical tree-like structures';

--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

--
-- Name: EXTENSION pg_trgm; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';

--
-- Name: camp_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.camp_status AS ENUM (
    'planned',
    'held',
    'cancelled'
);

--
-- Name: gender; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.gender AS ENUM (
    'female',
    'male',
    'other'
);

--
-- Name: import_kind; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.import_kind AS ENUM (
    'units',
    'booth_presidents',
    'clusters',
    'sign_in_sheet'
);

--
-- Name: import_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.import_status AS ENUM (
    'running',
    'succeeded',
    'failed',
    'partial',
    'dry_run'
);

--
-- Name: invitation_source; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.invitation_source AS ENUM (
    'rule',
    'manual',
    'walk_in'
);

--
-- Name: invitation_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.invitation_status AS ENUM (
    'invited',
    'confirmed',
    'declined',
    'attended',
    'no_show',
    'cancelled'
);

--
-- Name: key_role; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.key_role AS ENUM (
    'reader',
    'editor',
    'importer',
    'admin'
);

--
-- Name: membership_grade; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.membership_grade AS ENUM (
    'primary',
    'active'
);

--
-- Name: membership_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.membership_status AS ENUM (
    'current',
    'lapsed'
);

--
-- Name: unit_level; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.unit_level AS ENUM (
    'state',
    'district',
    'block',
    'ward',
    'booth'
);

--
-- Name: webhook_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.webhook_status AS ENUM (
    'active',
    'paused',
    'disabled'
);

--
-- Name: api_key_live(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.api_key_live(p_key uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = p_key AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()))
$$;

--
-- Name: api_keys_pause_webhooks(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.api_keys_pause_webhooks() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  UPDATE webhooks SET status = 'paused', status_reason = 'key_revoked', locked_by = NULL, locked_until = NULL
   WHERE created_by = NEW.id AND status = 'active';
  RETURN NULL;
END
$$;

--
-- Name: apply_appointment_deltas(uuid[], text[], text[], uuid[], integer[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.apply_appointment_deltas(p_unit uuid[], p_wing text[], p_role text[], p_person uuid[], p_sign integer[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF coalesce(cardinality(p_unit), 0) = 0 THEN
    RETURN;
  END IF;
  -- Holding its parent's counters, the booth committees and posts counted below (a new
  -- snapshot) include every other writer's committed terms at those booths.
  PERFORM lock_counters_for(p_unit);

  WITH d AS (
    SELECT * FROM unnest(p_unit, p_wing, p_role, p_person, p_sign) AS t(unit_id, wing_code, role_code, person_id, sign)),
  -- Each change with where it counts (a booth's parent, another unit itself) and whether
  -- its holder has a social handle: joins over the whole change set, not a probe per row.
  placed AS (
    SELECT d.unit_id, d.wing_code, d.role_code, d.sign, u.level = 'booth' AS is_booth,
           CASE WHEN u.level = 'booth' THEN u.parent_id ELSE u.id END AS counted,
           -- A booth's constituency pair, when it is in one (33_assembly_stats.sql).
           CASE WHEN u.level = 'booth' THEN u.assembly_id END AS assembly_id, path_district_node(u.path) AS district_node,
           CASE WHEN p.handle_platforms <> '{}' THEN d.sign ELSE 0 END AS handle_sign
      FROM d JOIN units u ON u.id = d.unit_id JOIN people p ON p.id = d.person_id),
  per_counted AS (
    SELECT counted, wing_code, sum(sign)::int AS ob, sum(handle_sign)::int AS obh FROM placed GROUP BY counted, wing_code),
  per_pair AS (
    SELECT assembly_id, district_node, wing_code, sum(sign)::int AS ob, sum(handle_sign)::int AS obh
      FROM placed WHERE assembly_id IS NOT NULL GROUP BY 1, 2, 3),
  -- Net change per booth post. A booth whose wing committee changed size has at least one.
  posts AS (
    SELECT unit_id, counted, assembly_id, district_node, wing_code, role_code, sum(sign)::int AS delta
      FROM placed WHERE is_booth
     GROUP BY unit_id, counted, assembly_id, district_node, wing_code, role_code HAVING sum(sign) <> 0),
  -- Unended terms at those posts now, after this statement: a probe of the open-terms
  -- index per post and per committee, not a join of two CTEs. Those carry no statistics,
  -- and a plan that guessed one post nested-looped 15,000 posts over 30,000 holders (105 s).
  posts_held AS MATERIALIZED (
    SELECT p.*, (SELECT count(*) FROM appointments a
                  WHERE a.end_date IS NULL AND a.unit_id = p.unit_id AND a.wing_code = p.wing_code
                    AND a.role_code = p.role_code)::int AS holders,
           coalesce((SELECT r.seats FROM roles r WHERE r.wing_code = p.wing_code AND r.code = p.role_code), 1) AS seats
      FROM posts p),
  -- A booth's wing committee is the wing's unended terms there: its size before this
  -- statement is the size now less the net change. A change of bucket moves it in the
  -- histograms above (bucket 1, no terms, is implicit: total_booths less the rest).
  committees AS (
    SELECT c.counted, c.assembly_id, c.district_node, c.wing_code,
           committee_bucket(c.size - c.delta) AS b_before, committee_bucket(c.size) AS b_after
      FROM (SELECT c.*, (SELECT count(*) FROM appointments a
                          WHERE a.end_date IS NULL AND a.unit_id = c.unit_id AND a.wing_code = c.wing_code)::int AS size
              FROM (SELECT unit_id, counted, assembly_id, district_node, wing_code, sum(delta)::int AS delta
                      FROM posts GROUP BY unit_id, counted, assembly_id, district_node, wing_code) c
             WHERE c.delta <> 0 OFFSET 0) c),
  cells AS (
    SELECT counted, wing_code, b, sum(v)::int AS v
      FROM (SELECT counted, wing_code, b_before AS b, -1 AS v FROM committees WHERE b_before <> b_after AND b_before > 1
            UNION ALL
            SELECT counted, wing_code, b_after, 1 FROM committees WHERE b_before <> b_after AND b_after > 1) x
     GROUP BY counted, wing_code, b HAVING sum(v) <> 0),
  -- A booth's post is filled when its unended holders reach the role's seats.
  booth_flips AS (
    SELECT p.counted, p.assembly_id, p.district_node, p.wing_code, p.role_code,
           (p.holders >= p.seats)::int - (p.holders - p.delta >= p.seats)::int AS v
      FROM posts_held p),
  flips AS (
    SELECT counted, wing_code, role_code, sum(v)::int AS v FROM booth_flips GROUP BY counted, wing_code, role_code),
  lineage AS (
    SELECT c.counted, a.id AS anc
      FROM (SELECT DISTINCT counted FROM per_counted) c JOIN units cu ON cu.id = c.counted
      JOIN units a ON a.node = ANY (path_nodes(cu.path))),
  totals AS (
    SELECT l.anc, c.wing_code, sum(c.ob)::int AS ob, sum(c.obh)::int AS obh
      FROM per_counted c JOIN lineage l USING (counted) GROUP BY l.anc, c.wing_code),
  hist AS (
    SELECT l.anc, c.wing_code, c.b, sum(c.v)::int AS v
      FROM cells c JOIN lineage l USING (counted) GROUP BY l.anc, c.wing_code, c.b),
  -- Each touched histogram's change as a whole array, in one aggregate (a join, not a
  -- probe per counter row: a bulk write touches thousands of them).
  hist_delta AS (
    SELECT k.anc, k.wing_code, array_agg(coalesce(h.v, 0) ORDER BY g.b) AS delta
      FROM (SELECT DISTINCT anc, wing_code FROM hist) k
     CROSS JOIN generate_series(1, 33) AS g(b)
      LEFT JOIN hist h ON h.anc = k.anc AND h.wing_code = k.wing_code AND h.b = g.b
     GROUP BY k.anc, k.wing_code),
  -- The rows are guarded by the unit_stats locks above: no other writer inserts them.
  offices AS (
    INSERT INTO office_stats AS s (unit_id, wing_code, office_bearers, office_bearers_with_handle, committee_histogram)
    SELECT t.anc, t.wing_code, t.ob, t.obh, coalesce(d.delta, array_fill(0, ARRAY[33]))
      FROM totals t LEFT JOIN hist_delta d ON d.anc = t.anc AND d.wing_code = t.wing_code
     ORDER BY t.anc, t.wing_code
    ON CONFLICT (unit_id, wing_code) DO UPDATE SET
        office_bearers = s.office_bearers + EXCLUDED.office_bearers,
        office_bearers_with_handle = s.office_bearers_with_handle + EXCLUDED.office_bearers_with_handle,
        committee_histogram = CASE WHEN EXCLUDED.committee_histogram = array_fill(0, ARRAY[33]) THEN s.committee_histogram
                                   ELSE int_array_add(s.committee_histogram, EXCLUDED.committee_histogram, 1) END),
  filled AS (
    INSERT INTO post_stats (unit_id, wing_code, role_code, filled_booths)
    SELECT l.anc, f.wing_code, f.role_code, sum(f.v)::int
      FROM flips f JOIN lineage l USING (counted)
     WHERE f.v <> 0
     GROUP BY 1, 2, 3
    ON CONFLICT (unit_id, wing_code, role_code) DO UPDATE SET filled_booths = post_stats.filled_booths + EXCLUDED.filled_booths),
  -- The same changes in the booths' constituency pairs (33_assembly_stats.sql): each
  -- booth in one pair, so a change lands once, not up a lineage.
  pair_offices AS (
    INSERT INTO assembly_office_stats AS s (assembly_id, district_node, wing_code, office_bearers, office_bearers_with_handle, committee_histogram)
    SELECT t.assembly_id, t.district_node, t.wing_code, t.ob, t.obh, coalesce(h.delta, array_fill(0, ARRAY[33]))
      FROM per_pair t
      LEFT JOIN (SELECT assembly_id, district_node, wing_code, histogram_delta(array_agg(b), array_agg(v)) AS delta
                   FROM (SELECT assembly_id, district_node, wing_code, b_before AS b, -1 AS v FROM committees WHERE b_before <> b_after AND b_before > 1
                         UNION ALL
                         SELECT assembly_id, district_node, wing_code, b_after, 1 FROM committees WHERE b_before <> b_after AND b_after > 1) m
                  WHERE assembly_id IS NOT NULL
                  GROUP BY 1, 2, 3) h USING (assembly_id, district_node, wing_code)
     ORDER BY 1, 2, 3
    ON CONFLICT (assembly_id, district_node, wing_code) DO UPDATE SET
        office_bearers = s.office_bearers + EXCLUDED.office_bearers,
        office_bearers_with_handle = s.office_bearers_with_handle + EXCLUDED.office_bearers_with_handle,
        committee_histogram = int_array_add(s.committee_histogram, EXCLUDED.committee_histogram, 1))
  INSERT INTO assembly_post_stats AS s (assembly_id, district_node, wing_code, role_code, filled_booths)
  SELECT assembly_id, district_node, wing_code, role_code, sum(v)::int
    FROM booth_flips WHERE assembly_id IS NOT NULL
   GROUP BY 1, 2, 3, 4 HAVING sum(v) <> 0
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (assembly_id, district_node, wing_code, role_code) DO UPDATE SET filled_booths = s.filled_booths + EXCLUDED.filled_booths;
  -- The social media duty (32_duties.sql), with each holder's platforms as they are now.
  PERFORM apply_duty_deltas(array_agg(d.unit_id ORDER BY d.n), array_agg(d.wing_code ORDER BY d.n), array_agg(d.role_code ORDER BY d.n),
                            array_agg(array_to_string(p.handle_platforms, ',') ORDER BY d.n), array_agg(d.sign ORDER BY d.n))
     FROM unnest(p_unit, p_wing, p_role, p_person, p_sign) WITH ORDINALITY AS d(unit_id, wing_code, role_code, person_id, sign, n)
     JOIN people p ON p.id = d.person_id;
END
$$;

--
-- Name: apply_assembly_booth_deltas(uuid[], public.ltree[], integer[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.apply_assembly_booth_deltas(p_assembly uuid[], p_path public.ltree[], p_sign integer[]) RETURNS void
    LANGUAGE sql
    AS $$
  -- Joining: the pair's row appears with its first booth.
  INSERT INTO assembly_stats AS s (assembly_id, district_node, total_booths)
  SELECT t.assembly_id, path_district_node(t.path), sum(t.sign)::int
    FROM unnest(p_assembly, p_path, p_sign) AS t(assembly_id, path, sign)
   WHERE t.assembly_id IS NOT NULL AND t.sign > 0
   GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (assembly_id, district_node) DO UPDATE SET total_booths = s.total_booths + EXCLUDED.total_booths;
  -- Leaving: the pair's row is there (or went with its district, deleted in the same
  -- statement); it goes with its last booth.
  UPDATE assembly_stats s SET total_booths = s.total_booths + d.n
    FROM (SELECT t.assembly_id, path_district_node(t.path) AS district_node, sum(t.sign)::int AS n
            FROM unnest(p_assembly, p_path, p_sign) AS t(assembly_id, path, sign)
           WHERE t.assembly_id IS NOT NULL AND t.sign < 0
           GROUP BY 1, 2) d
   WHERE s.assembly_id = d.assembly_id AND s.district_node = d.district_node;
  DELETE FROM assembly_stats s USING unnest(p_assembly, p_path, p_sign) AS t(assembly_id, path, sign)
   WHERE t.sign < 0 AND s.total_booths = 0 AND s.assembly_id = t.assembly_id AND s.district_node = path_district_node(t.path);
$$;

--
-- Name: apply_assembly_handle_deltas(uuid[], text[], text[], integer[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.apply_assembly_handle_deltas(p_unit uuid[], p_wing text[], p_platforms text[], p_sign integer[]) RETURNS void
    LANGUAGE sql
    AS $$
  UPDATE assembly_office_stats s SET office_bearers_with_handle = s.office_bearers_with_handle + x.n
    FROM (SELECT u.assembly_id, path_district_node(u.path) AS district_node, t.wing_code, sum(t.sign)::int AS n
            FROM unnest(p_unit, p_wing, p_platforms, p_sign) AS t(unit_id, wing_code, platforms, sign)
            JOIN units u ON u.id = t.unit_id AND u.level = 'booth' AND u.assembly_id IS NOT NULL
           WHERE t.platforms <> ''
           GROUP BY 1, 2, 3 HAVING sum(t.sign) <> 0) x
   WHERE s.assembly_id = x.assembly_id AND s.district_node = x.district_node AND s.wing_code = x.wing_code
$$;

--
-- Name: apply_camps_held_delta(uuid, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.apply_camps_held_delta(p_unit uuid, p_delta integer) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM lock_counters_for(ARRAY[p_unit]);
  INSERT INTO training_rates AS r (unit_id, camps_held)
  SELECT a.id, p_delta
    FROM units u JOIN units a ON a.node = ANY (path_nodes(u.path)) AND a.level <> 'booth'
   WHERE u.id = p_unit
   ORDER BY a.id
  ON CONFLICT (unit_id) DO UPDATE SET camps_held = r.camps_held + EXCLUDED.camps_held;
END
$$;

--
-- Name: apply_duty_deltas(uuid[], text[], text[], text[], integer[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.apply_duty_deltas(p_unit uuid[], p_wing text[], p_role text[], p_platforms text[], p_sign integer[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF coalesce(cardinality(p_unit), 0) = 0 OR NOT EXISTS (SELECT 1 FROM handle_duties) THEN
    RETURN;
  END IF;
  WITH d AS (
    SELECT * FROM unnest(p_unit, p_wing, p_role, p_platforms, p_sign) WITH ORDINALITY AS t(unit_id, wing_code, role_code, platforms, sign, n)),
  -- One row per bound term and platform it must run: joins over the change set.
  req AS (
    SELECT d.n, CASE WHEN u.level = 'booth' THEN u.parent_id ELSE u.id END AS counted,
           d.wing_code, d.role_code, u.level, d.sign, hd.platform_code,
           hd.platform_code = ANY (string_to_array(d.platforms, ',')) AS held
      FROM d JOIN units u ON u.id = d.unit_id
      JOIN handle_duties hd ON hd.wing_code = d.wing_code AND hd.role_code = d.role_code AND hd.level = u.level),
  terms AS (
    SELECT counted, wing_code, role_code, level, sign, bool_and(held) AS compliant
      FROM req GROUP BY n, counted, wing_code, role_code, level, sign),
  lineage AS (
    SELECT c.counted, a.id AS anc
      FROM (SELECT DISTINCT counted FROM req) c JOIN units cu ON cu.id = c.counted
      JOIN units a ON a.node = ANY (path_nodes(cu.path))),
  per_post AS (
    INSERT INTO duty_stats AS s (unit_id, wing_code, role_code, level, bound, compliant)
    SELECT l.anc, t.wing_code, t.role_code, t.level, sum(t.sign)::int, coalesce(sum(t.sign) FILTER (WHERE t.compliant), 0)::int
      FROM terms t JOIN lineage l USING (counted)
     GROUP BY 1, 2, 3, 4
    HAVING sum(t.sign) <> 0 OR coalesce(sum(t.sign) FILTER (WHERE t.compliant), 0) <> 0
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (unit_id, wing_code, role_code, level) DO UPDATE SET
        bound = s.bound + EXCLUDED.bound, compliant = s.compliant + EXCLUDED.compliant)
  INSERT INTO duty_platform_stats AS s (unit_id, wing_code, role_code, level, platform_code, bound, held)
  SELECT l.anc, r.wing_code, r.role_code, r.level, r.platform_code, sum(r.sign)::int, coalesce(sum(r.sign) FILTER (WHERE r.held), 0)::int
    FROM req r JOIN lineage l USING (counted)
   GROUP BY 1, 2, 3, 4, 5
  HAVING sum(r.sign) <> 0 OR coalesce(sum(r.sign) FILTER (WHERE r.held), 0) <> 0
   ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (unit_id, wing_code, role_code, level, platform_code) DO UPDATE SET
      bound = s.bound + EXCLUDED.bound, held = s.held + EXCLUDED.held;
END
$$;

--
-- Name: apply_membership_deltas(uuid[], public.membership_grade[], date[], integer[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.apply_membership_deltas(p_booth uuid[], p_grade public.membership_grade[], p_joined date[], p_sign integer[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF coalesce(cardinality(p_booth), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM lock_counters_for(p_booth);

  WITH d AS (
    SELECT * FROM unnest(p_booth, p_grade, p_joined, p_sign) AS t(booth_id, grade, joined_on, sign)),
  per AS (
    SELECT b.parent_id AS counted, d.joined_on,
           coalesce(sum(d.sign) FILTER (WHERE d.grade = 'active'), 0)::int AS active, sum(d.sign)::int AS members
      FROM d JOIN units b ON b.id = d.booth_id
     GROUP BY b.parent_id, d.joined_on),
  -- The booths' constituency pairs (33_assembly_stats.sql).
  per_pair AS (
    SELECT b.assembly_id, path_district_node(b.path) AS district_node, d.joined_on,
           coalesce(sum(d.sign) FILTER (WHERE d.grade = 'active'), 0)::int AS active, sum(d.sign)::int AS members
      FROM d JOIN units b ON b.id = d.booth_id
     WHERE b.assembly_id IS NOT NULL
     GROUP BY 1, 2, 3),
  pair_counters AS (
    UPDATE assembly_stats s SET active_members = s.active_members + x.n
      FROM (SELECT assembly_id, district_node, sum(active)::int AS n FROM per_pair GROUP BY 1, 2 HAVING sum(active) <> 0) x
     WHERE s.assembly_id = x.assembly_id AND s.district_node = x.district_node),
  pair_joins AS (
    INSERT INTO assembly_member_joins AS j (assembly_id, district_node, joined_on, members)
    SELECT assembly_id, district_node, joined_on, members FROM per_pair WHERE members <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (assembly_id, district_node, joined_on) DO UPDATE SET members = j.members + EXCLUDED.members),
  lineage AS (
    SELECT c.counted, a.id AS anc
      FROM (SELECT DISTINCT counted FROM per) c JOIN units cu ON cu.id = c.counted
      JOIN units a ON a.node = ANY (path_nodes(cu.path))),
  counters AS (
    UPDATE unit_stats s SET active_members = s.active_members + x.n
      FROM (SELECT l.anc, sum(p.active)::int AS n
              FROM per p JOIN lineage l USING (counted)
             GROUP BY l.anc HAVING sum(p.active) <> 0) x
     WHERE s.unit_id = x.anc)
  INSERT INTO member_joins (unit_id, joined_on, members)
  SELECT l.anc, p.joined_on, sum(p.members)::int
    FROM per p JOIN lineage l USING (counted)
   GROUP BY 1, 2 HAVING sum(p.members) <> 0
  ON CONFLICT (unit_id, joined_on) DO UPDATE SET members = member_joins.members + EXCLUDED.members;
END
$$;

--
-- Name: apply_post_day_changes(uuid[], text[], text[], uuid[], uuid[], text[], text[], date[], date[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.apply_post_day_changes(p_posts_booth uuid[], p_posts_wing text[], p_posts_role text[], p_new_ids uuid[], p_old_booth uuid[], p_old_wing text[], p_old_role text[], p_old_start date[], p_old_end date[]) RETURNS void
    LANGUAGE plpgsql
    SET work_mem TO '64MB'
    AS $$
DECLARE
  a_booth uuid[]; a_wing text[]; a_role text[]; a_start date[]; a_end date[];
  b_booth uuid[]; b_wing text[]; b_role text[]; b_start date[]; b_end date[];
BEGIN
  IF coalesce(cardinality(p_posts_booth), 0) = 0 THEN
    RETURN;
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS post_day_posts (booth_id uuid, wing_code text, role_code text) ON COMMIT DROP;
  DELETE FROM post_day_posts;
  INSERT INTO post_day_posts
  SELECT DISTINCT p.booth_id, p.wing_code, p.role_code
    FROM unnest(p_posts_booth, p_posts_wing, p_posts_role) AS p(booth_id, wing_code, role_code)
    JOIN units u ON u.id = p.booth_id AND u.level = 'booth'
    JOIN roles r ON r.wing_code = p.wing_code AND r.code = p.role_code AND r.required;
  IF NOT EXISTS (SELECT 1 FROM post_day_posts) THEN
    RETURN;
  END IF;
  PERFORM lock_counters_for(ARRAY(SELECT DISTINCT booth_id FROM post_day_posts));
  -- The posts' terms now, and before: now less the statement's new rows, plus its old rows.
  SELECT array_agg(a.unit_id), array_agg(a.wing_code), array_agg(a.role_code), array_agg(a.start_date), array_agg(a.end_date)
    INTO a_booth, a_wing, a_role, a_start, a_end
    FROM appointments a JOIN post_day_posts p ON p.booth_id = a.unit_id AND p.wing_code = a.wing_code AND p.role_code = a.role_code;
  -- NOT IN over a subquery is a hashed subplan whatever the estimates: an anti join planned
  -- for one outer row compared each of 30,000 terms with 30,000 new ids (52 s).
  SELECT array_agg(x.unit_id), array_agg(x.wing_code), array_agg(x.role_code), array_agg(x.start_date), array_agg(x.end_date)
    INTO b_booth, b_wing, b_role, b_start, b_end
    FROM (SELECT a.unit_id, a.wing_code, a.role_code, a.start_date, a.end_date
            FROM appointments a JOIN post_day_posts p ON p.booth_id = a.unit_id AND p.wing_code = a.wing_code AND p.role_code = a.role_code
           WHERE a.id NOT IN (SELECT unnest(coalesce(p_new_ids, '{}')))
          UNION ALL
          SELECT o.booth_id, o.wing_code, o.role_code, o.start_date, o.end_date
            FROM unnest(p_old_booth, p_old_wing, p_old_role, p_old_start, p_old_end) AS o(booth_id, wing_code, role_code, start_date, end_date)
            JOIN post_day_posts p ON p.booth_id = o.booth_id AND p.wing_code = o.wing_code AND p.role_code = o.role_code) x;
  WITH net AS (
    SELECT booth_id, wing_code, role_code, day, sum(delta)::int AS delta
      FROM (SELECT * FROM post_steps(a_booth, a_wing, a_role, a_start, a_end)
            UNION ALL
            SELECT s.booth_id, s.wing_code, s.role_code, s.day, -s.delta FROM post_steps(b_booth, b_wing, b_role, b_start, b_end) s) x
     GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0)
  INSERT INTO post_days AS d (unit_id, wing_code, role_code, day, delta)
  SELECT a.id, n.wing_code, n.role_code, n.day, sum(n.delta)::int
    FROM net n JOIN units b ON b.id = n.booth_id
    JOIN units a ON a.node = ANY (path_nodes(b.path)) AND a.level <> 'booth'
   GROUP BY 1, 2, 3, 4
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (unit_id, wing_code, role_code, day) DO UPDATE SET delta = d.delta + EXCLUDED.delta;
END
$$;

--
-- Name: apply_training_diff(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.apply_training_diff() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS training_touched (unit_id uuid, wing_key text, topic_key text, last_day date) ON COMMIT DROP;
  DELETE FROM training_touched;
  WITH cells AS (
    SELECT s.booth_id, w.wing_key, x.topic_key, x.last_day, sum(s.v)::int AS v
      FROM training_diff s
      CROSS JOIN LATERAL unnest(array_prepend('', s.wings)) AS w(wing_key)
      CROSS JOIN LATERAL unnest(s.topics, s.last_days) AS x(topic_key, last_day)
     GROUP BY 1, 2, 3, 4),
  lineage AS (
    SELECT b.id AS booth_id, a.id AS anc
      FROM (SELECT DISTINCT booth_id FROM cells) c JOIN units b ON b.id = c.booth_id
      JOIN units a ON a.node = ANY (path_nodes(b.path)) AND a.level <> 'booth'),
  deltas AS (
    SELECT l.anc, c.wing_key, c.topic_key, c.last_day, sum(c.v)::int AS v
      FROM cells c JOIN lineage l USING (booth_id)
     GROUP BY 1, 2, 3, 4 HAVING sum(c.v) <> 0),
  upserted AS (
    INSERT INTO training_stats AS s (unit_id, wing_key, topic_key, last_day, people)
    SELECT anc, wing_key, topic_key, last_day, v FROM deltas ORDER BY 1, 2, 3, 4
    ON CONFLICT (unit_id, wing_key, topic_key, last_day) DO UPDATE SET people = s.people + EXCLUDED.people
    RETURNING s.unit_id, s.wing_key, s.topic_key, s.last_day, s.people)
  INSERT INTO training_touched SELECT unit_id, wing_key, topic_key, last_day FROM upserted WHERE people = 0;
  DELETE FROM training_stats s USING training_touched t
   WHERE s.unit_id = t.unit_id AND s.wing_key = t.wing_key AND s.topic_key = t.topic_key AND s.last_day = t.last_day AND s.people = 0;
END
$$;

--
-- Name: apply_training_rate_deltas(uuid[], integer[], integer[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.apply_training_rate_deltas(p_booth uuid[], p_invited integer[], p_attended integer[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF coalesce(cardinality(p_booth), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM lock_counters_for(ARRAY(SELECT DISTINCT b FROM unnest(p_booth) AS b));
  INSERT INTO training_rates AS r (unit_id, invited, attended)
  SELECT a.id, sum(d.invited)::int, sum(d.attended)::int
    FROM (SELECT booth_id, sum(invited)::int AS invited, sum(attended)::int AS attended
            FROM unnest(p_booth, p_invited, p_attended) AS t(booth_id, invited, attended) GROUP BY booth_id) d
    JOIN units b ON b.id = d.booth_id
    JOIN units a ON a.node = ANY (path_nodes(b.path)) AND a.level <> 'booth'
   GROUP BY a.id HAVING sum(d.invited) <> 0 OR sum(d.attended) <> 0
   ORDER BY a.id
  ON CONFLICT (unit_id) DO UPDATE SET invited = r.invited + EXCLUDED.invited, attended = r.attended + EXCLUDED.attended;
END
$$;

--
-- Name: appointments_after_delete(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.appointments_after_delete() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: appointments_after_insert(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.appointments_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: appointments_after_update(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.appointments_after_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: appointments_training(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.appointments_training() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM refresh_training(ARRAY(SELECT DISTINCT person_id FROM new_rows WHERE end_date IS NULL AND training_counts_role(role_code)));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM refresh_training(ARRAY(SELECT DISTINCT person_id FROM old_rows WHERE end_date IS NULL AND training_counts_role(role_code)));
  ELSE
    -- Every holder the statement touched, before and after (a summary that did not change
    -- moves nothing): no join of the transition tables, whose plan plpgsql would cache.
    PERFORM refresh_training(ARRAY(
      SELECT person_id FROM old_rows WHERE training_counts_role(role_code)
      UNION
      SELECT person_id FROM new_rows WHERE training_counts_role(role_code)));
  END IF;
  RETURN NULL;
END
$$;

--
-- Name: assemblies_after_update(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.assemblies_after_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  UPDATE units SET ac_name = NEW.name WHERE assembly_id = NEW.id AND ac_name IS DISTINCT FROM NEW.name;
  RETURN NULL;
END
$$;

--
-- Name: assemblies_before_update(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.assemblies_before_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.version := OLD.version + 1;
  NEW.updated_at := now();
  IF NEW.name IS DISTINCT FROM OLD.name THEN
    NEW.named := true;
  END IF;
  RETURN NEW;
END
$$;

--
-- Name: assembly_for(uuid, integer, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.assembly_for(state uuid, ac_number integer, ac_name text) RETURNS uuid
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: assembly_pairs_changed(uuid[], public.ltree[], uuid[], public.ltree[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.assembly_pairs_changed(p_old_assembly uuid[], p_old_path public.ltree[], p_new_assembly uuid[], p_new_path public.ltree[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  pairs_a uuid[];
  pairs_d bigint[];
BEGIN
  WITH changed AS (
    SELECT * FROM unnest(p_old_assembly, p_old_path, p_new_assembly, p_new_path) AS t(old_a, old_p, new_a, new_p)
     WHERE t.old_a IS DISTINCT FROM t.new_a OR path_district_node(t.old_p) <> path_district_node(t.new_p)),
  pairs AS (
    SELECT old_a AS a, path_district_node(old_p) AS d FROM changed WHERE old_a IS NOT NULL
    UNION
    SELECT new_a, path_district_node(new_p) FROM changed WHERE new_a IS NOT NULL)
  SELECT array_agg(a), array_agg(d) INTO pairs_a, pairs_d FROM pairs;
  IF pairs_a IS NULL THEN
    RETURN;
  END IF;
  PERFORM 1 FROM unit_stats s JOIN units u ON u.id = s.unit_id
    WHERE u.node = ANY (pairs_d) ORDER BY s.unit_id FOR UPDATE OF s;
  PERFORM recount_assembly_stats(pairs_a, pairs_d);
END
$$;

--
-- Name: assert_camp_capacity(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.assert_camp_capacity(p_camps uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF coalesce(cardinality(p_camps), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM 1 FROM camps WHERE id = ANY (p_camps) ORDER BY id FOR NO KEY UPDATE;
  IF EXISTS (
    SELECT 1 FROM camps c
     WHERE c.id = ANY (p_camps) AND camp_over_capacity(c.id, c.capacity)) THEN
    RAISE EXCEPTION 'the camp is full'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'camp_capacity', TABLE = 'invitations';
  END IF;
END
$$;

--
-- Name: assert_cluster_booths(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.assert_cluster_booths(p_booths uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: assert_own_booth_rule(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.assert_own_booth_rule(p_people uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  offending record;
BEGIN
  IF coalesce(cardinality(p_people), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM lock_people(p_people);
  SELECT * INTO offending FROM own_booth_violations(p_people) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'appointment % would be held by someone who is not an active member at their home booth (%)',
        offending.appointment_id, offending.ineligibility
      USING ERRCODE = 'check_violation', CONSTRAINT = 'own_booth_rule';
  END IF;
END
$$;

--
-- Name: assert_paths_within_scope(public.ltree[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.assert_paths_within_scope(p_paths public.ltree[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: assert_posts(uuid[], uuid[], uuid[], text[], text[], date[], date[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.assert_posts(p_id uuid[], p_unit uuid[], p_cluster uuid[], p_wing text[], p_role text[], p_start date[], p_end date[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  bad record;
BEGIN
  IF coalesce(cardinality(p_id), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM lock_posts(p_unit, p_wing, p_role);
  SELECT * INTO bad FROM post_violations(p_id, p_unit, p_cluster, p_wing, p_role, p_start, p_end) v
   ORDER BY v.violation <> 'role_not_at_level'
   LIMIT 1;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF bad.violation = 'role_not_at_level' THEN
    RAISE EXCEPTION 'role % of wing % does not exist at the level of unit %', bad.role_code, bad.wing_code, bad.unit_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'appointments_role_level', TABLE = 'appointments';
  END IF;
  RAISE EXCEPTION 'post % of wing % at unit % has no free seat', bad.role_code, bad.wing_code, bad.unit_id
    USING ERRCODE = 'check_violation', CONSTRAINT = 'appointments_seats', TABLE = 'appointments';
END
$$;

--
-- Name: assert_single_terms(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.assert_single_terms(p_people uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  bad record;
BEGIN
  IF coalesce(cardinality(p_people), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM lock_people(p_people);
  SELECT * INTO bad FROM double_terms(p_people) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'person % already holds post % of wing % at unit % over those dates', bad.person_id, bad.role_code, bad.wing_code, bad.unit_id
      USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'appointments_no_double_term', TABLE = 'appointments';
  END IF;
END
$$;

--
-- Name: assert_units_within_scope(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.assert_units_within_scope(p_units uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF nullif(current_setting('sangathan.scope_unit', true), '') IS NULL THEN
    RETURN;
  END IF;
  PERFORM assert_paths_within_scope(ARRAY(SELECT u.path FROM units u WHERE u.id = ANY (p_units)));
END
$$;

--
-- Name: attendance_after_delete(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.attendance_after_delete() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(
    SELECT DISTINCT c.unit_id FROM old_rows o JOIN invitations i ON i.id = o.invitation_id JOIN camps c ON c.id = i.camp_id));
  UPDATE invitations i SET status = 'confirmed'
   WHERE i.id IN (SELECT DISTINCT invitation_id FROM old_rows) AND i.status = 'attended'
     AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.invitation_id = i.id);
  PERFORM refresh_training(ARRAY(SELECT DISTINCT i.person_id FROM old_rows o JOIN invitations i ON i.id = o.invitation_id));
  RETURN NULL;
END
$$;

--
-- Name: attendance_after_insert(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.attendance_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(
    SELECT DISTINCT c.unit_id FROM new_rows n JOIN invitations i ON i.id = n.invitation_id JOIN camps c ON c.id = i.camp_id));
  IF EXISTS (SELECT 1 FROM new_rows n JOIN invitations i ON i.id = n.invitation_id JOIN camps c ON c.id = i.camp_id
              WHERE NOT attendance_day_allowed(c.status, c.start_date, c.end_date, n.day)) THEN
    RAISE EXCEPTION 'attendance lies within the dates of a camp not cancelled, up to today'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attendance_within_camp', TABLE = 'attendance';
  END IF;
  UPDATE invitations SET status = 'attended'
   WHERE id IN (SELECT DISTINCT invitation_id FROM new_rows) AND status <> 'attended';
  PERFORM refresh_training(ARRAY(SELECT DISTINCT i.person_id FROM new_rows n JOIN invitations i ON i.id = n.invitation_id));
  RETURN NULL;
END
$$;

--
-- Name: attendance_day_allowed(public.camp_status, date, date, date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.attendance_day_allowed(p_status public.camp_status, p_start date, p_end date, p_day date) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT p_status <> 'cancelled' AND p_day BETWEEN p_start AND p_end AND p_day <= india_today()
$$;

--
-- Name: audit_log_publish_changes(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_log_publish_changes() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO changes (audit_id, type, entity_type, entity_id, unit_id, unit_path, unit_code_path, at, payload)
  SELECT n.id, change_type(n.entity_type, n.action), n.entity_type, n.entity_id, n.unit_id, n.unit_path,
         coalesce(u.code_path, n.after ->> 'codePath', n.before ->> 'codePath'),
         n.at, change_payload(n.before, n.after)
    FROM audit_rows n
    LEFT JOIN units u ON u.id = n.unit_id
   WHERE change_is_published(n.entity_type, n.action)
   ORDER BY n.id;
  RETURN NULL;
END
$$;

--
-- Name: audit_log_refuse_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_log_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only'
    USING ERRCODE = 'insufficient_privilege', HINT = 'audit records cannot be changed or deleted';
END
$$;

--
-- Name: booth_figures(uuid, text, text, date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.booth_figures(p_booth uuid, p_wing text, p_role text, p_since date) RETURNS TABLE(committee integer, with_handle integer, holders integer, active_members integer, new_members integer)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT t.committee, t.with_handle, t.holders,
         (SELECT count(*)::int FROM memberships m
           WHERE m.booth_id = p_booth AND m.status = 'current' AND m.grade = 'active'),
         (SELECT count(*)::int FROM memberships m
           WHERE m.booth_id = p_booth AND m.status = 'current' AND m.joined_on > p_since)
    FROM (SELECT count(*)::int AS committee,
                 count(*) FILTER (WHERE p.handle_platforms <> '{}')::int AS with_handle,
                 count(*) FILTER (WHERE a.role_code = p_role)::int AS holders
            FROM appointments a JOIN people p ON p.id = a.person_id
           WHERE a.unit_id = p_booth AND a.wing_code = p_wing AND a.end_date IS NULL) t
$$;

--
-- Name: bump_version(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.bump_version() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.version := OLD.version + 1;
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

--
-- Name: camp_audience(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.camp_audience(p_camp uuid) RETURNS TABLE(person_id uuid, qualified_by jsonb, post_level public.unit_level, post_wing text, post_role text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  -- levels: the levels some clause asks for, NULL when a clause takes every level.
  WITH camp AS (
    SELECT c.id, cu.path, c.audience,
           CASE WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(c.audience) e WHERE coalesce(jsonb_array_length(e -> 'levels'), 0) = 0) THEN NULL
                ELSE ARRAY(SELECT DISTINCT l::unit_level FROM jsonb_array_elements(c.audience) e, jsonb_array_elements_text(e -> 'levels') l) END AS levels
      FROM camps c JOIN units cu ON cu.id = c.unit_id WHERE c.id = p_camp),
  clauses AS (
    SELECT coalesce(r.levels, '{}') AS levels, coalesce(r.roles, '{}') AS roles, coalesce(r.wings, '{}') AS wings,
           coalesce(r."clusterKinds", '{}') AS kinds, r."assemblyId" AS assembly_id, coalesce(r.committee, false) AS committee
      FROM camp, jsonb_to_recordset(camp.audience) AS r(levels unit_level[], roles text[], wings text[], "clusterKinds" text[], "assemblyId" uuid, committee boolean)),
  -- The units under the camp's unit (its subtree, through the path index), at a level
  -- some clause asks for; their unended terms matching a clause (EXISTS: a term two
  -- clauses match is one row, with no DISTINCT to sort). MATERIALIZED: the clauses pick
  -- before the holders are looked up; inlined, the planner (which cannot estimate the
  -- clauses) looked up the holder of every term under the state first, 16,02,175 people
  -- for 2,17,798 kept (5.8 s against 3.5 s).
  posts AS MATERIALIZED (
    SELECT a.id, a.person_id, a.unit_id, u.level, a.wing_code, a.role_code, a.cluster_id
      FROM camp
      JOIN units u ON u.path <@ camp.path AND (camp.levels IS NULL OR u.level = ANY (camp.levels))
      JOIN appointments a ON a.unit_id = u.id AND a.end_date IS NULL
     WHERE EXISTS (
       SELECT 1 FROM clauses k
        WHERE (cardinality(k.levels) = 0 OR u.level = ANY (k.levels))
          AND (cardinality(k.roles) = 0 OR a.role_code = ANY (k.roles))
          AND (cardinality(k.wings) = 0 OR a.wing_code = ANY (k.wings))
          AND (k.committee OR training_counts_role(a.role_code) OR a.role_code = ANY (k.roles))
          AND (cardinality(k.kinds) = 0 OR EXISTS (SELECT 1 FROM clusters cl WHERE cl.id = a.cluster_id AND cl.kind_code = ANY (k.kinds)))
          -- Above a booth, the holder's home constituency: a scalar lookup, one probe per
          -- term. Written as EXISTS it became a hashed subplan that read all of people
          -- and their booths (1.4 s for a block camp of 88 on up, every time).
          AND (k.assembly_id IS NULL OR (CASE WHEN u.level = 'booth' THEN u.assembly_id = k.assembly_id
               ELSE (SELECT hb.assembly_id FROM people hp JOIN units hb ON hb.id = hp.home_booth_id WHERE hp.id = a.person_id) = k.assembly_id END))))
  SELECT ps.person_id,
         jsonb_agg(jsonb_build_object('appointmentId', ps.id, 'unitId', ps.unit_id, 'level', ps.level, 'wing', ps.wing_code, 'role', ps.role_code, 'clusterId', ps.cluster_id)
                   ORDER BY ps.level, ps.wing_code, ps.role_code, ps.id),
         (array_agg(ps.level ORDER BY ps.level, ps.wing_code, ps.role_code, ps.id))[1],
         (array_agg(ps.wing_code ORDER BY ps.level, ps.wing_code, ps.role_code, ps.id))[1],
         (array_agg(ps.role_code ORDER BY ps.level, ps.wing_code, ps.role_code, ps.id))[1]
    FROM posts ps
   -- The holder's home booth, probed per post: joined, the planner hashed every person
   -- under the camp's unit (17,26,019 under a state, 1.1 s) for a camp of 1,880.
   WHERE (SELECT h.path FROM people p JOIN units h ON h.id = p.home_booth_id WHERE p.id = ps.person_id) <@ (SELECT path FROM camp)
   GROUP BY ps.person_id
$$;

--
-- Name: camp_over_capacity(uuid, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.camp_over_capacity(p_camp uuid, p_capacity integer) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT p_capacity IS NOT NULL
     AND (SELECT count(*) FROM invitations i WHERE i.camp_id = p_camp AND invitation_holds_seat(i.source, i.status)) > p_capacity
$$;

--
-- Name: camp_topics_after_write(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.camp_topics_after_write() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS camp_topics_touched (camp_id uuid) ON COMMIT DROP;
  DELETE FROM camp_topics_touched;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO camp_topics_touched SELECT DISTINCT camp_id FROM new_rows;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO camp_topics_touched SELECT DISTINCT camp_id FROM old_rows;
  END IF;
  PERFORM assert_units_within_scope(ARRAY(SELECT c.unit_id FROM camps c WHERE c.id IN (SELECT camp_id FROM camp_topics_touched)));
  PERFORM refresh_training(ARRAY(
    SELECT DISTINCT i.person_id FROM invitations i
     WHERE i.camp_id IN (SELECT camp_id FROM camp_topics_touched)
       AND EXISTS (SELECT 1 FROM attendance a WHERE a.invitation_id = i.id)));
  RETURN NULL;
END
$$;

--
-- Name: camp_trainers_after_write(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.camp_trainers_after_write() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT c.unit_id FROM camps c WHERE c.id IN (SELECT camp_id FROM new_rows)));
  RETURN NULL;
END
$$;

--
-- Name: camp_violations(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.camp_violations() RETURNS TABLE(camp_id uuid, violation text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT DISTINCT i.camp_id, 'invitations_within_camp'
    FROM invitations i JOIN camps c ON c.id = i.camp_id JOIN units cu ON cu.id = c.unit_id
    JOIN people p ON p.id = i.person_id JOIN units h ON h.id = p.home_booth_id
   WHERE NOT h.path <@ cu.path
  UNION ALL
  SELECT DISTINCT i.camp_id, 'invitation_attendance'
    FROM invitations i
   WHERE (i.status = 'attended') <> EXISTS (SELECT 1 FROM attendance a WHERE a.invitation_id = i.id)
  UNION ALL
  SELECT DISTINCT c.id, 'attendance_within_camp'
    FROM attendance a JOIN invitations i ON i.id = a.invitation_id JOIN camps c ON c.id = i.camp_id
   WHERE NOT attendance_day_allowed(c.status, c.start_date, c.end_date, a.day)
  UNION ALL
  SELECT c.id, 'camp_capacity'
    FROM camps c
   WHERE camp_over_capacity(c.id, c.capacity)
$$;

--
-- Name: camps_after_write(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.camps_after_write() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  sign integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM assert_units_within_scope(ARRAY[OLD.unit_id]);
    RETURN OLD;
  END IF;
  PERFORM assert_units_within_scope(ARRAY[NEW.unit_id]);
  IF TG_OP = 'INSERT' AND NEW.status = 'held' THEN
    PERFORM apply_camps_held_delta(NEW.unit_id, 1);
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.status = 'held') <> (OLD.status = 'held') THEN
    sign := CASE WHEN NEW.status = 'held' THEN 1 ELSE -1 END;
    PERFORM apply_training_rate_deltas(array_agg(p.home_booth_id), array_agg(sign), array_agg(sign * (i.status = 'attended')::int))
       FROM invitations i JOIN people p ON p.id = i.person_id
      WHERE i.camp_id = NEW.id AND invitation_counted(i.source, i.status);
    PERFORM apply_camps_held_delta(NEW.unit_id, sign);
  END IF;
  RETURN NEW;
END
$$;

--
-- Name: camps_before_write(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.camps_before_write() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'held' OR EXISTS (SELECT 1 FROM invitations i JOIN attendance a ON a.invitation_id = i.id WHERE i.camp_id = OLD.id) THEN
      RAISE EXCEPTION 'a held or attended camp is kept'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'camps_kept', TABLE = 'camps';
    END IF;
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.unit_id <> OLD.unit_id THEN
      RAISE EXCEPTION 'a camp stays with its unit'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'camps_unit_fixed', TABLE = 'camps';
    END IF;
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    IF NEW.status = 'cancelled' AND OLD.status <> 'cancelled'
       AND EXISTS (SELECT 1 FROM invitations i JOIN attendance a ON a.invitation_id = i.id WHERE i.camp_id = NEW.id) THEN
      RAISE EXCEPTION 'a camp with attendance is not cancelled'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'camps_cancelled_attended', TABLE = 'camps';
    END IF;
    IF (NEW.start_date, NEW.end_date) IS DISTINCT FROM (OLD.start_date, OLD.end_date)
       AND EXISTS (SELECT 1 FROM invitations i JOIN attendance a ON a.invitation_id = i.id
                    WHERE i.camp_id = NEW.id AND a.day NOT BETWEEN NEW.start_date AND NEW.end_date) THEN
      RAISE EXCEPTION 'attendance lies within the camp''s dates'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'attendance_within_camp', TABLE = 'camps';
    END IF;
  END IF;
  RETURN NEW;
END
$$;

--
-- Name: canonical_handle(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.canonical_handle(p_platform text, p_raw text) RETURNS text
    LANGUAGE plpgsql STABLE
    AS $_$
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
$_$;

--
-- Name: change_field_is_personal(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.change_field_is_personal(p_key text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT p_key ~* '(phone|mobile|voter|epic)'
$$;

--
-- Name: change_is_published(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.change_is_published(p_entity_type text, p_action text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT p_action NOT IN ('export', 'read') AND p_entity_type NOT IN ('api_key', 'webhook')
$$;

--
-- Name: change_payload(jsonb, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.change_payload(p_before jsonb, p_after jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
  -- One pass over the fields with filtered aggregates (an import writes a change per row:
  -- three subqueries cost 4.6 times as much, ~115 against ~25 µs a record).
  SELECT jsonb_build_object(
    'ids', coalesce(jsonb_object_agg(f.key, f.value) FILTER (WHERE f.is_id), '{}'::jsonb),
    'changed', coalesce(jsonb_agg(f.key) FILTER (WHERE f.changed), '[]'::jsonb),
    'values', coalesce(jsonb_object_agg(f.key, f.value) FILTER (WHERE f.changed AND NOT f.personal AND f.thin), '{}'::jsonb))
  FROM (
    SELECT e.key, e.value, g.personal,
           NOT g.personal AND (e.key = 'id' OR e.key ~ '[a-z]Ids?$')
             AND (jsonb_typeof(e.value) IN ('string', 'null') OR (jsonb_typeof(e.value) = 'array' AND change_value_is_thin(e.value))) AS is_id,
           p_after ? e.key AND e.value IS DISTINCT FROM coalesce(p_before -> e.key, 'null'::jsonb) AS changed,
           jsonb_typeof(e.value) NOT IN ('array', 'object') OR change_value_is_thin(e.value) AS thin
      FROM jsonb_each(CASE WHEN jsonb_typeof(p_before) = 'object' THEN p_before ELSE '{}'::jsonb END
                   || CASE WHEN jsonb_typeof(p_after) = 'object' THEN p_after ELSE '{}'::jsonb END) e
      CROSS JOIN LATERAL (SELECT change_field_is_personal(e.key) AS personal) g
  ) f
$_$;

--
-- Name: change_type(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.change_type(p_entity_type text, p_action text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
  SELECT CASE
    -- An import's summary record is written only when it commits its rows.
    WHEN p_entity_type = 'import' AND p_action = 'import' THEN 'import.completed'
    ELSE p_entity_type || '.' || CASE p_action
      WHEN 'appoint' THEN 'created'
      WHEN 'add_booths' THEN 'booths_added'
      WHEN 'remove_booth' THEN 'booth_removed'
      WHEN 'check_in' THEN 'checked_in'
      WHEN 'import' THEN 'imported'
      WHEN 'transfer' THEN 'transferred'
      ELSE CASE
        WHEN p_action ~ 'e$' THEN p_action || 'd'  -- create, update, delete, move, lapse, revoke, invite
        ELSE p_action || 'ed'                       -- end, dismiss, seed
      END
    END
  END
$_$;

--
-- Name: change_value_is_thin(jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.change_value_is_thin(p_value jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE jsonb_typeof(p_value)
    WHEN 'array' THEN NOT EXISTS (SELECT 1 FROM jsonb_array_elements(p_value) e(v) WHERE jsonb_typeof(e.v) IN ('array', 'object'))
    WHEN 'object' THEN NOT EXISTS (SELECT 1 FROM jsonb_each(p_value) e(k, v) WHERE jsonb_typeof(e.v) IN ('array', 'object') OR change_field_is_personal(e.k))
    ELSE true
  END
$$;

--
-- Name: cluster_booth_violation(text, public.unit_level, public.ltree, public.ltree); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cluster_booth_violation(p_groups_kind text, p_booth_level public.unit_level, p_booth_path public.ltree, p_unit_path public.ltree) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE WHEN p_groups_kind IS NOT NULL THEN 'cluster_booths_kind_groups'
              WHEN p_booth_level <> 'booth' OR NOT (p_booth_path <@ p_unit_path) THEN 'cluster_booths_within_unit' END
$$;

--
-- Name: cluster_booth_violations(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cluster_booth_violations() RETURNS TABLE(booth_id uuid, cluster_id uuid, violation text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT cb.booth_id, cb.cluster_id, cluster_booth_violation(k.groups_kind, b.level, b.path, cu.path)
    FROM cluster_booths cb
    JOIN clusters c ON c.id = cb.cluster_id
    JOIN cluster_kinds k ON k.code = c.kind_code
    JOIN units cu ON cu.id = c.unit_id
    JOIN units b ON b.id = cb.booth_id
   WHERE cluster_booth_violation(k.groups_kind, b.level, b.path, cu.path) IS NOT NULL
$$;

--
-- Name: cluster_booth_violations(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cluster_booth_violations(p_booths uuid[]) RETURNS TABLE(booth_id uuid, cluster_id uuid, violation text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT cb.booth_id, cb.cluster_id, cluster_booth_violation(k.groups_kind, b.level, b.path, cu.path)
    FROM (SELECT DISTINCT x FROM unnest(p_booths) AS x) given
    JOIN cluster_booths cb ON cb.booth_id = given.x
    JOIN clusters c ON c.id = cb.cluster_id
    JOIN cluster_kinds k ON k.code = c.kind_code
    JOIN units cu ON cu.id = c.unit_id
    JOIN units b ON b.id = cb.booth_id
   WHERE cluster_booth_violation(k.groups_kind, b.level, b.path, cu.path) IS NOT NULL
$$;

--
-- Name: cluster_booths_after_delete(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cluster_booths_after_delete() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT booth_id FROM old_rows));
  RETURN NULL;
END
$$;

--
-- Name: cluster_booths_after_write(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cluster_booths_after_write() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT booth_id FROM new_rows UNION SELECT c.unit_id FROM new_rows n JOIN clusters c ON c.id = n.cluster_id));
  PERFORM assert_cluster_booths(ARRAY(SELECT booth_id FROM new_rows));
  RETURN NULL;
END
$$;

--
-- Name: clusters_after_move(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.clusters_after_move(p_booths uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: clusters_before_write(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.clusters_before_write() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: clusters_within_scope(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.clusters_within_scope() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM assert_units_within_scope(ARRAY[OLD.unit_id]);
    RETURN OLD;
  END IF;
  PERFORM assert_units_within_scope(ARRAY[NEW.unit_id]);
  RETURN NEW;
END
$$;

--
-- Name: committee_bucket(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.committee_bucket(size integer) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT least(greatest(size, 0), 32) + 1
$$;

--
-- Name: double_terms(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.double_terms() RETURNS TABLE(appointment_id uuid, person_id uuid, unit_id uuid, wing_code text, role_code text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT * FROM double_terms(ARRAY(SELECT a.person_id FROM appointments a GROUP BY a.person_id HAVING count(*) > 1))
$$;

--
-- Name: double_terms(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.double_terms(p_people uuid[]) RETURNS TABLE(appointment_id uuid, person_id uuid, unit_id uuid, wing_code text, role_code text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT t.id, t.person_id, t.unit_id, t.wing_code, t.role_code
    FROM appointments t
    JOIN appointments o ON o.person_id = t.person_id AND o.id <> t.id
                       AND o.unit_id = t.unit_id AND o.cluster_id IS NOT DISTINCT FROM t.cluster_id
                       AND o.wing_code = t.wing_code AND o.role_code = t.role_code
                       AND terms_overlap(o.start_date, o.end_date, t.start_date, t.end_date)
   WHERE t.person_id = ANY (p_people) AND o.person_id = ANY (p_people)
$$;

--
-- Name: duty_figures(uuid[], text, text, public.unit_level); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.duty_figures(p_units uuid[], p_wing text, p_role text, p_level public.unit_level) RETURNS TABLE(unit_id uuid, platform_code text, bound integer, met integer)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  -- A booth's bound terms, read once; other units find none without probing their terms.
  WITH booth_terms AS MATERIALIZED (
    SELECT b.unit_id, b.appointment_id, b.platform_code, b.held
      FROM bound_terms b
     WHERE b.unit_id IN (SELECT u.id FROM units u WHERE u.id = ANY (p_units) AND u.level = 'booth')
       AND (p_wing IS NULL OR b.wing_code = p_wing) AND (p_role IS NULL OR b.role_code = p_role) AND (p_level IS NULL OR b.level = p_level))
  SELECT s.unit_id, NULL::text, sum(s.bound)::int, sum(s.compliant)::int
    FROM duty_stats s
   WHERE s.unit_id = ANY (p_units)
     AND (p_wing IS NULL OR s.wing_code = p_wing) AND (p_role IS NULL OR s.role_code = p_role) AND (p_level IS NULL OR s.level = p_level)
   GROUP BY s.unit_id
  UNION ALL
  SELECT s.unit_id, s.platform_code, sum(s.bound)::int, sum(s.held)::int
    FROM duty_platform_stats s
   WHERE s.unit_id = ANY (p_units)
     AND (p_wing IS NULL OR s.wing_code = p_wing) AND (p_role IS NULL OR s.role_code = p_role) AND (p_level IS NULL OR s.level = p_level)
   GROUP BY s.unit_id, s.platform_code
  UNION ALL
  SELECT t.unit_id, NULL::text, count(*)::int, count(*) FILTER (WHERE t.ok)::int
    FROM (SELECT bt.unit_id, bool_and(bt.held) AS ok FROM booth_terms bt GROUP BY bt.unit_id, bt.appointment_id) t
   GROUP BY t.unit_id
  UNION ALL
  SELECT bt.unit_id, bt.platform_code, count(*)::int, count(*) FILTER (WHERE bt.held)::int
    FROM booth_terms bt
   GROUP BY bt.unit_id, bt.platform_code
$$;

--
-- Name: expire_changes(timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.expire_changes(p_before timestamp with time zone) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
  through bigint;
  deleted integer;
BEGIN
  PERFORM pg_advisory_xact_lock(7262023050);
  SELECT max(position) INTO through FROM changes WHERE position IS NOT NULL AND positioned_at < p_before;
  IF through IS NULL THEN
    RETURN 0;
  END IF;
  DELETE FROM changes WHERE position <= through;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  UPDATE change_feed_floor SET expired_through = greatest(expired_through, through);
  RETURN deleted;
END
$$;

--
-- Name: handle_duties_changed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.handle_duties_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM rebuild_duty_stats();
  RETURN NULL;
END
$$;

--
-- Name: histogram_delta(integer[], integer[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.histogram_delta(buckets integer[], signs integer[]) RETURNS integer[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT array_agg(coalesce(h.v, 0) ORDER BY g.b)
    FROM generate_series(1, 33) AS g(b)
    LEFT JOIN (SELECT x.b, sum(x.v)::int AS v FROM unnest(buckets, signs) AS x(b, v) GROUP BY x.b) h ON h.b = g.b
$$;

--
-- Name: india_today(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.india_today() RETURNS date
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT (now() AT TIME ZONE 'Asia/Kolkata')::date
$$;

--
-- Name: int_array_add(integer[], integer[], integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.int_array_add(a integer[], b integer[], sign integer) RETURNS integer[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT array_agg(x + sign * y ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;

--
-- Name: invitation_counted(public.invitation_source, public.invitation_status); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.invitation_counted(p_source public.invitation_source, p_status public.invitation_status) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT p_source <> 'walk_in' AND p_status <> 'cancelled'
$$;

--
-- Name: invitation_holds_seat(public.invitation_source, public.invitation_status); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.invitation_holds_seat(p_source public.invitation_source, p_status public.invitation_status) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT p_source <> 'walk_in' AND p_status IN ('confirmed', 'attended')
$$;

--
-- Name: invitations_after_delete(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.invitations_after_delete() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT DISTINCT c.unit_id FROM camps c WHERE c.id IN (SELECT camp_id FROM old_rows)));
  PERFORM apply_training_rate_deltas(array_agg(p.home_booth_id), array_agg(-1), array_agg(-(o.status = 'attended')::int))
     FROM old_rows o JOIN camps c ON c.id = o.camp_id AND c.status = 'held' JOIN people p ON p.id = o.person_id
    WHERE invitation_counted(o.source, o.status);
  PERFORM refresh_training(ARRAY(SELECT DISTINCT person_id FROM old_rows WHERE status = 'attended'));
  RETURN NULL;
END
$$;

--
-- Name: invitations_after_insert(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.invitations_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET work_mem TO '64MB'
    AS $$
DECLARE
  camp record;
  outside boolean;
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT DISTINCT c.unit_id FROM camps c WHERE c.id IN (SELECT camp_id FROM new_rows)));
  FOR camp IN
    SELECT k.camp_id AS id, cu.path, k.n, coalesce(s.total_booths, 0) AS booths
      FROM (SELECT camp_id, count(*) AS n FROM new_rows GROUP BY camp_id) k
      JOIN camps c ON c.id = k.camp_id JOIN units cu ON cu.id = c.unit_id
      LEFT JOIN unit_stats s ON s.unit_id = c.unit_id
  LOOP
    IF camp.n * 10 >= camp.booths THEN
      outside := EXISTS (
        SELECT 1 FROM new_rows i
         WHERE i.camp_id = camp.id
           AND (SELECT p.home_booth_id FROM people p WHERE p.id = i.person_id) NOT IN (SELECT u.id FROM units u WHERE u.path <@ camp.path));
    ELSE
      outside := EXISTS (
        SELECT 1 FROM new_rows i
         WHERE i.camp_id = camp.id
           AND NOT (SELECT h.path FROM people p JOIN units h ON h.id = p.home_booth_id WHERE p.id = i.person_id) <@ camp.path);
    END IF;
    IF outside THEN
      RAISE EXCEPTION 'a camp invites people whose home booth lies under its unit'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'invitations_within_camp', TABLE = 'invitations';
    END IF;
  END LOOP;
  PERFORM assert_camp_capacity(ARRAY(SELECT DISTINCT camp_id FROM new_rows WHERE status = 'confirmed'));
  PERFORM apply_training_rate_deltas(array_agg(p.home_booth_id), array_agg(1), array_agg((n.status = 'attended')::int))
     FROM new_rows n JOIN camps c ON c.id = n.camp_id AND c.status = 'held' JOIN people p ON p.id = n.person_id
    WHERE invitation_counted(n.source, n.status);
  RETURN NULL;
END
$$;

--
-- Name: invitations_after_update(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.invitations_after_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT DISTINCT c.unit_id FROM camps c WHERE c.id IN (SELECT camp_id FROM new_rows)));
  PERFORM assert_camp_capacity(ARRAY(SELECT DISTINCT camp_id FROM new_rows WHERE status = 'confirmed'));
  PERFORM apply_training_rate_deltas(array_agg(x.booth), array_agg(x.invited), array_agg(x.attended))
     FROM (SELECT p.home_booth_id AS booth, sum(x.invited)::int AS invited, sum(x.attended)::int AS attended
             FROM (SELECT o.person_id, o.camp_id, -1 AS invited, -(o.status = 'attended')::int AS attended
                     FROM old_rows o WHERE invitation_counted(o.source, o.status)
                   UNION ALL
                   SELECT n.person_id, n.camp_id, 1, (n.status = 'attended')::int
                     FROM new_rows n WHERE invitation_counted(n.source, n.status)) x
             JOIN camps c ON c.id = x.camp_id AND c.status = 'held'
             JOIN people p ON p.id = x.person_id
            GROUP BY p.home_booth_id
           HAVING sum(x.invited) <> 0 OR sum(x.attended) <> 0) x;
  RETURN NULL;
END
$$;

--
-- Name: invitations_before_write(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.invitations_before_write() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  attended boolean;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW.camp_id <> OLD.camp_id OR NEW.person_id <> OLD.person_id THEN
      RAISE EXCEPTION 'an invitation keeps its camp and person'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'invitations_fixed', TABLE = 'invitations';
    END IF;
    IF NEW.status = OLD.status AND NEW.qualified_by = OLD.qualified_by THEN
      RETURN NEW;
    END IF;
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    attended := EXISTS (SELECT 1 FROM attendance a WHERE a.invitation_id = NEW.id);
  ELSE
    attended := false;
  END IF;
  IF (NEW.status = 'attended') <> attended THEN
    RAISE EXCEPTION 'an invitation is attended exactly when a day of attendance is recorded'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invitation_attendance', TABLE = 'invitations';
  END IF;
  RETURN NEW;
END
$$;

--
-- Name: invite_audience(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.invite_audience(p_camp uuid) RETURNS integer
    LANGUAGE plpgsql
    SET work_mem TO '256MB'
    AS $$
DECLARE
  added integer;
BEGIN
  -- One writer of a camp's invitations at a time (check-ins hold the camp FOR SHARE): the
  -- people already invited are then left out by a hashed NOT IN (one read of the camp's
  -- invitations, then a hash probe per person), not ON CONFLICT, whose speculative
  -- insertion costs a quarter more per row (15.1 s against 11.9 s for 2,17,798), nor
  -- NOT EXISTS, which the planner turns into an index probe per person.
  PERFORM 1 FROM camps WHERE id = p_camp FOR NO KEY UPDATE;
  INSERT INTO invitations (id, camp_id, person_id, source, qualified_by, post_level, post_wing, post_role)
  SELECT time_ordered_uuid(), p_camp, a.person_id, 'rule', a.qualified_by, a.post_level, a.post_wing, a.post_role
    FROM camp_audience(p_camp) a
   WHERE a.person_id NOT IN (SELECT i.person_id FROM invitations i WHERE i.camp_id = p_camp)
   ORDER BY a.person_id;
  GET DIAGNOSTICS added = ROW_COUNT;
  RETURN added;
END
$$;

--
-- Name: lock_counters_for(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.lock_counters_for(p_units uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM 1 FROM unit_stats
    WHERE unit_id IN (
      SELECT a.id
        FROM (SELECT DISTINCT CASE WHEN u.level = 'booth' THEN u.parent_id ELSE u.id END AS counted
                FROM units u WHERE u.id = ANY (p_units)) c
        JOIN units cu ON cu.id = c.counted
        JOIN units a ON a.node = ANY (path_nodes(cu.path)))
    ORDER BY unit_id FOR UPDATE;
END
$$;

--
-- Name: lock_people(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.lock_people(p_people uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM 1 FROM people WHERE id = ANY (p_people) ORDER BY id FOR NO KEY UPDATE;
END
$$;

--
-- Name: lock_posts(uuid[], text[], text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.lock_posts(p_unit uuid[], p_wing text[], p_role text[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF cardinality(p_unit) > 1000 THEN
    LOCK TABLE appointments IN SHARE ROW EXCLUSIVE MODE;
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(k)
     FROM (SELECT DISTINCT post_key(t.unit_id, t.wing_code, t.role_code) AS k
             FROM unnest(p_unit, p_wing, p_role) AS t(unit_id, wing_code, role_code)
             JOIN roles r ON r.wing_code = t.wing_code AND r.code = t.role_code
            WHERE r.seats IS NOT NULL) posts
    ORDER BY k;
END
$$;

--
-- Name: memberships_after_delete(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.memberships_after_delete() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: memberships_after_insert(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.memberships_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: memberships_after_update(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.memberships_after_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: office_ineligibility(uuid, uuid, public.membership_grade); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.office_ineligibility(p_home_booth uuid, p_member_booth uuid, p_grade public.membership_grade) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE
    WHEN p_member_booth IS NULL THEN 'no_current_membership'
    WHEN p_grade <> 'active' THEN 'not_active_member'
    WHEN p_member_booth <> p_home_booth THEN 'member_away_from_home'
  END
$$;

--
-- Name: office_standing(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.office_standing(p_people uuid[]) RETURNS TABLE(person_id uuid, ineligibility text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT p.id, office_ineligibility(p.home_booth_id, m.booth_id, m.grade)
    FROM people p
    LEFT JOIN memberships m ON m.person_id = p.id AND m.status = 'current'
   WHERE p.id = ANY (p_people)
$$;

--
-- Name: own_booth_violations(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.own_booth_violations() RETURNS TABLE(appointment_id uuid, person_id uuid, ineligibility text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT s.appointment_id, s.person_id, s.ineligibility
    FROM open_terms_standing s
   WHERE s.ineligibility IS NOT NULL
$$;

--
-- Name: own_booth_violations(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.own_booth_violations(p_people uuid[]) RETURNS TABLE(appointment_id uuid, person_id uuid, ineligibility text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT s.appointment_id, s.person_id, s.ineligibility
    FROM open_terms_standing s
   WHERE s.person_id = ANY (p_people) AND s.ineligibility IS NOT NULL
$$;

--
-- Name: path_district_node(public.ltree); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.path_district_node(p public.ltree) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT (path_nodes(p))[2]
$$;

--
-- Name: path_nodes(public.ltree); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.path_nodes(p public.ltree) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT string_to_array(ltree2text(p), '.')::bigint[]
$$;

--
-- Name: path_state(public.ltree); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.path_state(p public.ltree) RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT u.id FROM units u WHERE u.node = (path_nodes(p))[1]
$$;

--
-- Name: pause_webhooks_of_expired_keys(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.pause_webhooks_of_expired_keys() RETURNS integer
    LANGUAGE sql
    AS $$
  WITH paused AS (
    UPDATE webhooks w SET status = 'paused', status_reason = 'key_expired', locked_by = NULL, locked_until = NULL
     WHERE w.status = 'active' AND NOT api_key_live(w.created_by)
    RETURNING 1)
  SELECT count(*)::int FROM paused
$$;

--
-- Name: people_after_delete(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.people_after_delete() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT DISTINCT home_booth_id FROM old_rows));
  RETURN NULL;
END
$$;

--
-- Name: people_after_insert(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.people_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM assert_units_within_scope(ARRAY(SELECT DISTINCT home_booth_id FROM new_rows));
  RETURN NULL;
END
$$;

--
-- Name: people_after_update(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.people_after_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: people_training(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.people_training() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM refresh_training(ARRAY[NEW.id]);
  PERFORM apply_training_rate_deltas(array_agg(x.booth), array_agg(x.invited), array_agg(x.attended))
     FROM (SELECT OLD.home_booth_id AS booth, -1 AS invited, -(i.status = 'attended')::int AS attended
             FROM invitations i JOIN camps c ON c.id = i.camp_id AND c.status = 'held'
            WHERE i.person_id = NEW.id AND invitation_counted(i.source, i.status)
           UNION ALL
           SELECT NEW.home_booth_id, 1, (i.status = 'attended')::int
             FROM invitations i JOIN camps c ON c.id = i.camp_id AND c.status = 'held'
            WHERE i.person_id = NEW.id AND invitation_counted(i.source, i.status)) x;
  RETURN NULL;
END
$$;

--
-- Name: person_handles_after_delete(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.person_handles_after_delete() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  -- A person being deleted takes their handles along (a cascade): nothing to refresh.
  PERFORM refresh_handle_platforms(ARRAY(SELECT o.person_id FROM old_rows o JOIN people p ON p.id = o.person_id));
  RETURN NULL;
END
$$;

--
-- Name: person_handles_after_insert(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.person_handles_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM refresh_handle_platforms(ARRAY(SELECT person_id FROM new_rows));
  RETURN NULL;
END
$$;

--
-- Name: person_handles_after_update(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.person_handles_after_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM refresh_handle_platforms(ARRAY(SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows));
  RETURN NULL;
END
$$;

--
-- Name: person_handles_canonical(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.person_handles_canonical() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: person_posts(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.person_posts(p_person uuid) RETURNS TABLE(qualified_by jsonb, post_level public.unit_level, post_wing text, post_role text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('appointmentId', a.id, 'unitId', a.unit_id, 'level', u.level, 'wing', a.wing_code, 'role', a.role_code, 'clusterId', a.cluster_id)
                   ORDER BY u.level, a.wing_code, a.role_code, a.id), '[]'),
         (array_agg(u.level ORDER BY u.level, a.wing_code, a.role_code, a.id))[1],
         (array_agg(a.wing_code ORDER BY u.level, a.wing_code, a.role_code, a.id))[1],
         (array_agg(a.role_code ORDER BY u.level, a.wing_code, a.role_code, a.id))[1]
    FROM appointments a JOIN units u ON u.id = a.unit_id
   WHERE a.person_id = ANY (ARRAY[p_person]) AND a.end_date IS NULL
$$;

--
-- Name: post_key(uuid, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.post_key(p_unit uuid, p_wing text, p_role text) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT hashtextextended(p_unit::text || '/' || p_wing || '/' || p_role, 0)
$$;

--
-- Name: post_steps(uuid[], text[], text[], date[], date[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.post_steps(p_booth uuid[], p_wing text[], p_role text[], p_start date[], p_end date[]) RETURNS TABLE(booth_id uuid, wing_code text, role_code text, day date, delta integer)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  WITH terms AS (
    SELECT t.* FROM unnest(p_booth, p_wing, p_role, p_start, p_end) AS t(booth_id, wing_code, role_code, start_date, end_date)
     WHERE t.start_date < coalesce(t.end_date, 'infinity')),
  events AS (
    SELECT t.booth_id, t.wing_code, t.role_code, e.day, sum(e.v)::int AS v
      FROM terms t CROSS JOIN LATERAL (VALUES (t.start_date, 1), (t.end_date, -1)) AS e(day, v)
     WHERE e.day IS NOT NULL
     GROUP BY 1, 2, 3, 4),
  filled AS (
    SELECT e.booth_id, e.wing_code, e.role_code, e.day,
           (sum(e.v) OVER (PARTITION BY e.booth_id, e.wing_code, e.role_code ORDER BY e.day) >= coalesce(r.seats, 1))::int AS f
      FROM events e JOIN roles r ON r.wing_code = e.wing_code AND r.code = e.role_code AND r.required AND 'booth' = ANY (r.levels)),
  steps AS (
    SELECT f.booth_id, f.wing_code, f.role_code, f.day,
           f.f - coalesce(lag(f.f) OVER (PARTITION BY f.booth_id, f.wing_code, f.role_code ORDER BY f.day), 0) AS delta
      FROM filled f)
  SELECT s.booth_id, s.wing_code, s.role_code, s.day, s.delta FROM steps s WHERE s.delta <> 0
$$;

--
-- Name: post_violations(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.post_violations() RETURNS TABLE(appointment_id uuid, unit_id uuid, wing_code text, role_code text, violation text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT t.id, t.unit_id, t.wing_code, t.role_code, 'role_not_at_level'
    FROM appointments t
    JOIN roles r ON r.wing_code = t.wing_code AND r.code = t.role_code
    JOIN units u ON u.id = t.unit_id
    LEFT JOIN clusters c ON c.id = t.cluster_id
   WHERE role_misplaced(r.levels, r.cluster_kind, u.level, t.cluster_id, c.kind_code)
  UNION ALL
  -- Both sides only the seated roles' terms (as `seated` above): the committees' crore of
  -- terms never reaches the join.
  SELECT t.id, t.unit_id, t.wing_code, t.role_code, 'no_free_seat'
    FROM (SELECT a.*, r.seats FROM appointments a JOIN roles r ON r.wing_code = a.wing_code AND r.code = a.role_code
           WHERE r.seats IS NOT NULL) t
    JOIN (SELECT a.* FROM appointments a JOIN roles r ON r.wing_code = a.wing_code AND r.code = a.role_code
           WHERE r.seats IS NOT NULL) o
      ON o.unit_id = t.unit_id AND o.wing_code = t.wing_code AND o.role_code = t.role_code AND o.id <> t.id
     AND o.cluster_id IS NOT DISTINCT FROM t.cluster_id
     AND terms_overlap(o.start_date, o.end_date, t.start_date, t.end_date)
   GROUP BY t.id, t.unit_id, t.wing_code, t.role_code, t.seats
  HAVING count(*) >= t.seats
$$;

--
-- Name: post_violations(uuid[], uuid[], uuid[], text[], text[], date[], date[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.post_violations(p_id uuid[], p_unit uuid[], p_cluster uuid[], p_wing text[], p_role text[], p_start date[], p_end date[]) RETURNS TABLE(appointment_id uuid, unit_id uuid, wing_code text, role_code text, violation text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  -- Only terms of roles with a fixed number of seats are counted: materialised first, so
  -- that however few rows the planner expects from the arrays, the open-ended roles (a
  -- booth committee: every member overlaps every other) never reach the join.
  WITH seated AS MATERIALIZED (
    SELECT t.id, t.unit_id, t.cluster_id, t.wing_code, t.role_code, t.start_date, t.end_date, r.seats
      FROM unnest(p_id, p_unit, p_cluster, p_wing, p_role, p_start, p_end) AS t(id, unit_id, cluster_id, wing_code, role_code, start_date, end_date)
      JOIN roles r ON r.wing_code = t.wing_code AND r.code = t.role_code
     WHERE r.seats IS NOT NULL)
  -- A unit's role at one of its levels; a cluster's role at a cluster of its kind.
  SELECT t.id, t.unit_id, t.wing_code, t.role_code, 'role_not_at_level'
    FROM unnest(p_id, p_unit, p_cluster, p_wing, p_role) AS t(id, unit_id, cluster_id, wing_code, role_code)
    JOIN roles r ON r.wing_code = t.wing_code AND r.code = t.role_code
    JOIN units u ON u.id = t.unit_id
    LEFT JOIN clusters c ON c.id = t.cluster_id
   WHERE role_misplaced(r.levels, r.cluster_kind, u.level, t.cluster_id, c.kind_code)
  UNION ALL
  SELECT t.id, t.unit_id, t.wing_code, t.role_code, 'no_free_seat'
    FROM seated t
    JOIN appointments o ON o.unit_id = t.unit_id AND o.wing_code = t.wing_code AND o.role_code = t.role_code AND o.id <> t.id
                       AND o.cluster_id IS NOT DISTINCT FROM t.cluster_id
                       AND terms_overlap(o.start_date, o.end_date, t.start_date, t.end_date)
   GROUP BY t.id, t.unit_id, t.wing_code, t.role_code, t.seats
  HAVING count(*) >= t.seats
$$;

--
-- Name: rebuild_coverage_stats(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rebuild_coverage_stats() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  DELETE FROM post_stats;
  DELETE FROM member_joins;
  DELETE FROM office_stats;
  DELETE FROM unit_stats;
  INSERT INTO unit_stats (unit_id) SELECT id FROM units WHERE level <> 'booth';
  CREATE TEMP TABLE booths_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, count(*)::int AS n FROM units b WHERE b.level = 'booth' GROUP BY 1;
  PERFORM roll_up_levels('booths_at', '{}', '{n}');
  UPDATE unit_stats s SET total_booths = t.n
    FROM (SELECT unit_id, sum(n)::int AS n FROM booths_at GROUP BY 1) t WHERE s.unit_id = t.unit_id;
  CREATE TEMP TABLE members_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, count(*)::int AS n
      FROM memberships m JOIN units b ON b.id = m.booth_id
     WHERE m.status = 'current' AND m.grade = 'active' GROUP BY 1;
  PERFORM roll_up_levels('members_at', '{}', '{n}');
  UPDATE unit_stats s SET active_members = t.n
    FROM (SELECT unit_id, sum(n)::int AS n FROM members_at GROUP BY 1) t WHERE s.unit_id = t.unit_id;
  -- Office-bearers: a booth's terms count from its ward up, any other unit's from itself.
  CREATE TEMP TABLE offices_at ON COMMIT DROP AS
    SELECT CASE WHEN u.level = 'booth' THEN u.parent_id ELSE u.id END AS unit_id, a.wing_code,
           count(*)::int AS n, count(*) FILTER (WHERE p.handle_platforms <> '{}')::int AS with_handle
      FROM appointments a JOIN people p ON p.id = a.person_id JOIN units u ON u.id = a.unit_id
     WHERE a.end_date IS NULL GROUP BY 1, 2;
  PERFORM roll_up_levels('offices_at', '{wing_code}', '{n,with_handle}');
  INSERT INTO office_stats (unit_id, wing_code, office_bearers, office_bearers_with_handle)
  SELECT unit_id, wing_code, sum(n)::int, sum(with_handle)::int FROM offices_at GROUP BY 1, 2 ORDER BY 1, 2;
  -- Booth committees (a wing's unended terms at a booth; none: no committee) by size
  -- bucket, per wing.
  -- Here and for the filled posts below, the terms are counted per unit in the order of
  -- appointments_open_idx, and the booths among those units joined after: joined first,
  -- india's crore of terms was hashed or sorted again (filled posts: 25 s against 7 s).
  CREATE TEMP TABLE committees_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, c.wing_code, committee_bucket(c.size) AS bucket, count(*)::int AS n
      FROM (SELECT a.unit_id, a.wing_code, count(*)::int AS size
              FROM appointments a WHERE a.end_date IS NULL GROUP BY 1, 2) c
      JOIN units b ON b.id = c.unit_id AND b.level = 'booth'
     GROUP BY 1, 2, 3;
  PERFORM roll_up_levels('committees_at', '{wing_code,bucket}', '{n}');
  UPDATE office_stats s SET committee_histogram = t.hist FROM (
    SELECT x.unit_id, x.wing_code, array_agg(coalesce(c.n, 0) ORDER BY g.b) AS hist
      FROM (SELECT DISTINCT unit_id, wing_code FROM committees_at) x
      CROSS JOIN generate_series(1, 33) g(b)
      LEFT JOIN (SELECT unit_id, wing_code, bucket, sum(n)::int AS n FROM committees_at GROUP BY 1, 2, 3) c
        ON c.unit_id = x.unit_id AND c.wing_code = x.wing_code AND c.bucket = g.b
     GROUP BY x.unit_id, x.wing_code) t
   WHERE s.unit_id = t.unit_id AND s.wing_code = t.wing_code;
  -- Booths whose post is filled (as many holders as seats), per wing and role.
  CREATE TEMP TABLE filled_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, h.wing_code, h.role_code, count(*)::int AS n
      FROM (SELECT a.unit_id, a.wing_code, a.role_code, count(*) AS holders
              FROM appointments a WHERE a.end_date IS NULL GROUP BY 1, 2, 3) h
      JOIN roles r ON r.wing_code = h.wing_code AND r.code = h.role_code
      JOIN units b ON b.id = h.unit_id AND b.level = 'booth'
     WHERE h.holders >= coalesce(r.seats, 1) GROUP BY 1, 2, 3;
  PERFORM roll_up_levels('filled_at', '{wing_code,role_code}', '{n}');
  INSERT INTO post_stats (unit_id, wing_code, role_code, filled_booths)
  SELECT unit_id, wing_code, role_code, n FROM filled_at;
  -- Members by the day they joined. In key order: "joined in the last N days" then reads
  -- a unit's rows from a page or two. Counted from the wards up: one row per unit and day
  -- already (roll_up_levels), so no grouping of india's 1.58 crore rows again (65 s to 26 s).
  CREATE TEMP TABLE joins ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, m.joined_on, count(*)::int AS members
      FROM memberships m JOIN units b ON b.id = m.booth_id
     WHERE m.status = 'current' GROUP BY 1, 2;
  PERFORM roll_up_levels('joins', '{joined_on}', '{members}');
  INSERT INTO member_joins (unit_id, joined_on, members)
  SELECT unit_id, joined_on, members FROM joins ORDER BY 1, 2;
  DROP TABLE joins, booths_at, members_at, offices_at, committees_at, filled_at;
  PERFORM rebuild_post_days();
  PERFORM rebuild_duty_stats();
  PERFORM recount_assembly_stats();
  PERFORM rebuild_training_stats();
END
$$;

--
-- Name: rebuild_duty_stats(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rebuild_duty_stats() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM 1 FROM unit_stats ORDER BY unit_id FOR UPDATE;
  DELETE FROM duty_platform_stats;
  DELETE FROM duty_stats;
  -- Each bound term's requirements at the lowest unit counting them (a booth's at its
  -- ward), then rolled up level by level (roll_up_levels, 30_counters.sql).
  CREATE TEMP TABLE duty_req ON COMMIT DROP AS
    SELECT b.appointment_id, b.wing_code, b.role_code, b.level, b.platform_code, b.held,
           CASE WHEN u.level = 'booth' THEN u.parent_id ELSE u.id END AS unit_id
      FROM bound_terms b JOIN units u ON u.id = b.unit_id;
  CREATE TEMP TABLE duty_terms_at ON COMMIT DROP AS
    SELECT unit_id, wing_code, role_code, level, count(*)::int AS bound, count(*) FILTER (WHERE compliant)::int AS compliant
      FROM (SELECT unit_id, wing_code, role_code, level, bool_and(held) AS compliant
              FROM duty_req GROUP BY unit_id, appointment_id, wing_code, role_code, level) t
     GROUP BY 1, 2, 3, 4;
  PERFORM roll_up_levels('duty_terms_at', '{wing_code,role_code,level}', '{bound,compliant}');
  INSERT INTO duty_stats (unit_id, wing_code, role_code, level, bound, compliant)
  SELECT unit_id, wing_code, role_code, level, sum(bound)::int, sum(compliant)::int
    FROM duty_terms_at GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
  CREATE TEMP TABLE duty_platforms_at ON COMMIT DROP AS
    SELECT unit_id, wing_code, role_code, level, platform_code, count(*)::int AS bound, count(*) FILTER (WHERE held)::int AS held
      FROM duty_req GROUP BY 1, 2, 3, 4, 5;
  PERFORM roll_up_levels('duty_platforms_at', '{wing_code,role_code,level,platform_code}', '{bound,held}');
  INSERT INTO duty_platform_stats (unit_id, wing_code, role_code, level, platform_code, bound, held)
  SELECT unit_id, wing_code, role_code, level, platform_code, sum(bound)::int, sum(held)::int
    FROM duty_platforms_at GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;
  DROP TABLE duty_req, duty_terms_at, duty_platforms_at;
END
$$;

--
-- Name: rebuild_post_days(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rebuild_post_days(p_wing text DEFAULT NULL::text, p_role text DEFAULT NULL::text) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  t_booth uuid[]; t_wing text[]; t_role text[]; t_start date[]; t_end date[];
BEGIN
  DELETE FROM post_days WHERE (p_wing IS NULL OR wing_code = p_wing) AND (p_role IS NULL OR role_code = p_role);
  SELECT array_agg(a.unit_id), array_agg(a.wing_code), array_agg(a.role_code), array_agg(a.start_date), array_agg(a.end_date)
    INTO t_booth, t_wing, t_role, t_start, t_end
    FROM appointments a
    JOIN roles r ON r.wing_code = a.wing_code AND r.code = a.role_code AND r.required AND 'booth' = ANY (r.levels)
    JOIN units b ON b.id = a.unit_id AND b.level = 'booth'
   WHERE (p_wing IS NULL OR a.wing_code = p_wing) AND (p_role IS NULL OR a.role_code = p_role);
  -- Each booth's steps at its ward, then rolled up level by level (roll_up_levels,
  -- 30_counters.sql), not once per ancestor.
  CREATE TEMP TABLE days_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, s.wing_code, s.role_code, s.day, sum(s.delta)::int AS delta
      FROM post_steps(t_booth, t_wing, t_role, t_start, t_end) s
      JOIN units b ON b.id = s.booth_id
     GROUP BY 1, 2, 3, 4;
  PERFORM roll_up_levels('days_at', '{wing_code,role_code,day}', '{delta}');
  -- Every step starts at a ward: one row per unit and key already (roll_up_levels).
  INSERT INTO post_days (unit_id, wing_code, role_code, day, delta)
  SELECT unit_id, wing_code, role_code, day, delta FROM days_at WHERE delta <> 0 ORDER BY 1, 2, 3, 4;
  DROP TABLE days_at;
END
$$;

--
-- Name: rebuild_training_stats(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rebuild_training_stats() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  DELETE FROM training_people;
  DELETE FROM training_stats;
  DELETE FROM training_rates;
  INSERT INTO training_people (person_id, booth_id, wings, topics, last_days)
  SELECT w.person_id, p.home_booth_id, w.wings,
         coalesce(t.topics, '{""}'), coalesce(t.last_days, '{-infinity}')
    -- Each person's wings from their distinct (person, wing) pairs: an aggregate with
    -- DISTINCT needs its input in person order, which the planner took from the index by
    -- person, visiting india's crore of terms in random order (33 s).
    FROM (SELECT pw.person_id, array_agg(pw.wing_code ORDER BY pw.wing_code) AS wings
            FROM (SELECT DISTINCT a.person_id, a.wing_code FROM appointments a
                   WHERE a.end_date IS NULL AND training_counts_role(a.role_code)) pw
           GROUP BY pw.person_id) w
    JOIN people p ON p.id = w.person_id
    LEFT JOIN (
      SELECT x.person_id, array_agg(x.topic ORDER BY x.topic) AS topics, array_agg(x.day ORDER BY x.topic) AS last_days
        FROM (SELECT i.person_id, ''::text AS topic, max(d.day) AS day
                FROM invitations i JOIN attendance d ON d.invitation_id = i.id GROUP BY i.person_id
              UNION ALL
              SELECT i.person_id, ct.topic_code, max(d.day)
                FROM invitations i JOIN attendance d ON d.invitation_id = i.id JOIN camp_topics ct ON ct.camp_id = i.camp_id
               GROUP BY i.person_id, ct.topic_code) x
       GROUP BY x.person_id) t ON t.person_id = w.person_id;
  -- The people counted at their home booth's ward, then rolled up level by level: each
  -- person's cells grouped once, not once per ancestor; one row per unit and key then.
  CREATE TEMP TABLE people_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, w.wing_key, x.topic_key, x.last_day, count(*)::int AS people
      FROM training_people tp
      JOIN units b ON b.id = tp.booth_id
      CROSS JOIN LATERAL unnest(array_prepend('', tp.wings)) AS w(wing_key)
      CROSS JOIN LATERAL unnest(tp.topics, tp.last_days) AS x(topic_key, last_day)
     GROUP BY 1, 2, 3, 4;
  PERFORM roll_up_levels('people_at', '{wing_key,topic_key,last_day}', '{people}');
  INSERT INTO training_stats (unit_id, wing_key, topic_key, last_day, people)
  SELECT unit_id, wing_key, topic_key, last_day, people FROM people_at ORDER BY 1, 2, 3, 4;
  DROP TABLE people_at;
  -- Rates: invitations at their invitee's ward, held camps at their unit (a booth's at
  -- its ward), rolled up level by level (roll_up_levels, 30_counters.sql).
  CREATE TEMP TABLE rates_at ON COMMIT DROP AS
    SELECT b.parent_id AS unit_id, count(*)::int AS invited, count(*) FILTER (WHERE i.status = 'attended')::int AS attended, 0 AS camps_held
      FROM invitations i JOIN camps c ON c.id = i.camp_id AND c.status = 'held'
      JOIN people p ON p.id = i.person_id
      JOIN units b ON b.id = p.home_booth_id
     WHERE invitation_counted(i.source, i.status)
     GROUP BY 1
    UNION ALL
    SELECT CASE WHEN cu.level = 'booth' THEN cu.parent_id ELSE cu.id END, 0, 0, count(*)::int
      FROM camps c JOIN units cu ON cu.id = c.unit_id
     WHERE c.status = 'held'
     GROUP BY 1;
  PERFORM roll_up_levels('rates_at', '{}', '{invited,attended,camps_held}');
  INSERT INTO training_rates (unit_id, invited, attended, camps_held)
  SELECT unit_id, sum(invited)::int, sum(attended)::int, sum(camps_held)::int FROM rates_at GROUP BY 1 ORDER BY 1;
  DROP TABLE rates_at;
END
$$;

--
-- Name: recount_assembly_posts(text, text, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recount_assembly_posts(p_wing text, p_role text, p_seats integer) RETURNS void
    LANGUAGE sql
    AS $$
  DELETE FROM assembly_post_stats WHERE wing_code = p_wing AND role_code = p_role;
  INSERT INTO assembly_post_stats (assembly_id, district_node, wing_code, role_code, filled_booths)
  SELECT b.assembly_id, path_district_node(b.path), p_wing, p_role, count(*)::int
    FROM (SELECT ap.unit_id FROM appointments ap
           WHERE ap.wing_code = p_wing AND ap.role_code = p_role AND ap.end_date IS NULL
           GROUP BY ap.unit_id HAVING count(*) >= coalesce(p_seats, 1)) f
    JOIN units b ON b.id = f.unit_id AND b.level = 'booth' AND b.assembly_id IS NOT NULL
   GROUP BY 1, 2;
$$;

--
-- Name: recount_assembly_stats(uuid[], bigint[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recount_assembly_stats(p_assembly uuid[] DEFAULT NULL::uuid[], p_district_node bigint[] DEFAULT NULL::bigint[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS pair_booths (booth_id uuid PRIMARY KEY, assembly_id uuid, district_node bigint) ON COMMIT DROP;
  DELETE FROM pair_booths;
  IF p_assembly IS NULL THEN
    DELETE FROM assembly_stats;
    INSERT INTO pair_booths
    SELECT b.id, b.assembly_id, path_district_node(b.path) FROM units b WHERE b.level = 'booth' AND b.assembly_id IS NOT NULL;
  ELSE
    DELETE FROM assembly_stats s USING unnest(p_assembly, p_district_node) AS p(a, d)
     WHERE s.assembly_id = p.a AND s.district_node = p.d;
    INSERT INTO pair_booths
    SELECT b.id, b.assembly_id, path_district_node(b.path)
      FROM units b JOIN unnest(p_assembly, p_district_node) AS p(a, d) ON b.assembly_id = p.a AND path_district_node(b.path) = p.d
     WHERE b.level = 'booth'
    ON CONFLICT DO NOTHING;
  END IF;
  ANALYZE pair_booths;
  INSERT INTO assembly_stats (assembly_id, district_node, total_booths, active_members)
  SELECT pb.assembly_id, pb.district_node, count(*)::int, coalesce(sum(m.n), 0)::int
    FROM pair_booths pb
    LEFT JOIN (SELECT booth_id, count(*) AS n FROM memberships WHERE status = 'current' AND grade = 'active' GROUP BY booth_id) m
      ON m.booth_id = pb.booth_id
   GROUP BY 1, 2 ORDER BY 1, 2;
  -- The wing's unended terms at each booth: its committee.
  WITH terms AS (
    SELECT pb.assembly_id, pb.district_node, a.unit_id, a.wing_code, count(*)::int AS size,
           count(*) FILTER (WHERE p.handle_platforms <> '{}')::int AS with_handle
      FROM pair_booths pb JOIN appointments a ON a.unit_id = pb.booth_id AND a.end_date IS NULL
      JOIN people p ON p.id = a.person_id
     GROUP BY 1, 2, 3, 4)
  INSERT INTO assembly_office_stats (assembly_id, district_node, wing_code, office_bearers, office_bearers_with_handle, committee_histogram)
  SELECT assembly_id, district_node, wing_code, sum(size)::int, sum(with_handle)::int,
         histogram_delta(array_agg(committee_bucket(size)), array_agg(1))
    FROM terms GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
  INSERT INTO assembly_post_stats (assembly_id, district_node, wing_code, role_code, filled_booths)
  SELECT h.assembly_id, h.district_node, h.wing_code, h.role_code, count(*)::int
    FROM (SELECT pb.assembly_id, pb.district_node, a.unit_id, a.wing_code, a.role_code, count(*) AS holders
            FROM pair_booths pb JOIN appointments a ON a.unit_id = pb.booth_id AND a.end_date IS NULL
           GROUP BY 1, 2, 3, 4, 5) h
    JOIN roles r ON r.wing_code = h.wing_code AND r.code = h.role_code
   WHERE h.holders >= coalesce(r.seats, 1)
   GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
  INSERT INTO assembly_member_joins (assembly_id, district_node, joined_on, members)
  SELECT pb.assembly_id, pb.district_node, m.joined_on, count(*)::int
    FROM pair_booths pb JOIN memberships m ON m.booth_id = pb.booth_id AND m.status = 'current'
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
  DELETE FROM pair_booths;
END
$$;

--
-- Name: refresh_handle_platforms(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.refresh_handle_platforms(p_people uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: refresh_training(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.refresh_training(p_people uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF coalesce(cardinality(p_people), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM lock_counters_for(ARRAY(
    SELECT booth_id FROM training_people WHERE person_id = ANY (p_people)
    UNION SELECT home_booth_id FROM people WHERE id = ANY (p_people)));
  CREATE TEMP TABLE IF NOT EXISTS training_now (person_id uuid, booth_id uuid, wings text[], topics text[], last_days date[]) ON COMMIT DROP;
  DELETE FROM training_now;
  INSERT INTO training_now SELECT * FROM training_summaries(p_people);
  CREATE TEMP TABLE IF NOT EXISTS training_diff (booth_id uuid, wings text[], topics text[], last_days date[], v integer) ON COMMIT DROP;
  DELETE FROM training_diff;
  -- Each changed summary leaves (-1, at its old booth) and comes back (+1, at its new).
  INSERT INTO training_diff
  SELECT x.*
    FROM (SELECT * FROM training_people WHERE person_id = ANY (p_people)) o
    FULL JOIN training_now n ON n.person_id = o.person_id
    CROSS JOIN LATERAL (
      SELECT o.booth_id, o.wings, o.topics, o.last_days, -1 WHERE o.person_id IS NOT NULL
      UNION ALL
      SELECT n.booth_id, n.wings, n.topics, n.last_days, 1 WHERE n.person_id IS NOT NULL) x
   WHERE (o.booth_id, o.wings, o.topics, o.last_days) IS DISTINCT FROM (n.booth_id, n.wings, n.topics, n.last_days);
  IF EXISTS (SELECT 1 FROM training_diff) THEN
    PERFORM apply_training_diff();
  END IF;
  DELETE FROM training_people WHERE person_id = ANY (p_people);
  INSERT INTO training_people SELECT * FROM training_now;
END
$$;

--
-- Name: role_misplaced(public.unit_level[], text, public.unit_level, uuid, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.role_misplaced(p_levels public.unit_level[], p_kind text, p_level public.unit_level, p_cluster uuid, p_cluster_kind text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE WHEN p_cluster IS NULL THEN p_kind IS NOT NULL OR NOT (p_level = ANY (p_levels))
              ELSE p_kind IS DISTINCT FROM p_cluster_kind END
$$;

--
-- Name: roles_post_days_changed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.roles_post_days_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM rebuild_post_days(NEW.wing_code, NEW.code);
  RETURN NULL;
END
$$;

--
-- Name: roles_seats_changed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.roles_seats_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  DELETE FROM post_stats WHERE wing_code = NEW.wing_code AND role_code = NEW.code;
  INSERT INTO post_stats (unit_id, wing_code, role_code, filled_booths)
  SELECT a.id, NEW.wing_code, NEW.code, count(*)::int
    FROM (SELECT ap.unit_id FROM appointments ap JOIN units b ON b.id = ap.unit_id AND b.level = 'booth'
           WHERE ap.wing_code = NEW.wing_code AND ap.role_code = NEW.code AND ap.end_date IS NULL
           GROUP BY ap.unit_id HAVING count(*) >= coalesce(NEW.seats, 1)) f
    JOIN units b ON b.id = f.unit_id
    JOIN units a ON a.node = ANY (path_nodes(b.path)) AND a.level <> 'booth'
   GROUP BY a.id;
  PERFORM recount_assembly_posts(NEW.wing_code, NEW.code, NEW.seats);
  RETURN NULL;
END
$$;

--
-- Name: roll_up_levels(text, text[], text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.roll_up_levels(p_table text, p_keys text[], p_sums text[]) RETURNS void
    LANGUAGE plpgsql
    AS $_$
DECLARE
  below unit_level;
  keys text := coalesce((SELECT string_agg(format(', t.%I', k), '') FROM unnest(p_keys) AS k), '');
  sums text := (SELECT string_agg(format(', sum(t.%I)', c), '') FROM unnest(p_sums) AS c);
BEGIN
  FOREACH below IN ARRAY ARRAY['ward', 'block', 'district']::unit_level[] LOOP
    EXECUTE format('INSERT INTO %I SELECT u.parent_id%s%s FROM %I t JOIN units u ON u.id = t.unit_id AND u.level = $1 GROUP BY u.parent_id%s',
                   p_table, keys, sums, p_table, keys) USING below;
  END LOOP;
END
$_$;

--
-- Name: sequence_changes(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.sequence_changes(p_batch integer DEFAULT 50000, OUT numbered integer, OUT top bigint) RETURNS record
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7262023050);
  WITH pending AS (
    SELECT c.id FROM changes c WHERE c.position IS NULL ORDER BY c.id LIMIT p_batch
  ), ordered AS (
    SELECT p.id, nextval('change_positions') AS position FROM (SELECT id FROM pending ORDER BY id) p
  ), done AS (
    UPDATE changes c SET position = o.position, positioned_at = clock_timestamp()
      FROM ordered o WHERE c.id = o.id
    RETURNING c.position
  )
  SELECT count(*)::integer, max(d.position) INTO numbered, top FROM done d;
  IF numbered > 0 THEN
    PERFORM pg_notify('sangathan_changes', top::text);
  END IF;
END
$$;

--
-- Name: term_is_current(date, date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.term_is_current(p_start date, p_end date) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT p_start <= india_today() AND (p_end IS NULL OR p_end > india_today())
$$;

--
-- Name: term_is_open(date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.term_is_open(p_end date) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT p_end IS NULL OR p_end > india_today()
$$;

--
-- Name: terms_overlap(date, date, date, date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.terms_overlap(a_start date, a_end date, b_start date, b_end date) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT a_start < coalesce(b_end, 'infinity') AND coalesce(a_end, 'infinity') > b_start
     AND a_start < coalesce(a_end, 'infinity') AND b_start < coalesce(b_end, 'infinity')
$$;

--
-- Name: time_ordered_uuid(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.time_ordered_uuid() RETURNS uuid
    LANGUAGE sql
    AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
           PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
         52, 1), 53, 1), 'hex')::uuid
$$;

--
-- Name: training_after_move(uuid, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.training_after_move(p_root uuid, p_is_booth boolean) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS training_touched (unit_id uuid, wing_key text, topic_key text, last_day date) ON COMMIT DROP;
  DELETE FROM training_touched;
  WITH totals AS (
    SELECT ts.wing_key, ts.topic_key, ts.last_day, ts.people FROM training_stats ts WHERE ts.unit_id = p_root AND NOT p_is_booth
    UNION ALL
    SELECT w.wing_key, x.topic_key, x.last_day, count(*)::int
      FROM training_people tp
      CROSS JOIN LATERAL unnest(array_prepend('', tp.wings)) AS w(wing_key)
      CROSS JOIN LATERAL unnest(tp.topics, tp.last_days) AS x(topic_key, last_day)
     WHERE p_is_booth AND tp.booth_id = p_root
     GROUP BY 1, 2, 3),
  upserted AS (
    INSERT INTO training_stats AS s (unit_id, wing_key, topic_key, last_day, people)
    SELECT l.unit_id, t.wing_key, t.topic_key, t.last_day, sum(l.v * t.people)::int
      FROM move_signs l, totals t
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (unit_id, wing_key, topic_key, last_day) DO UPDATE SET people = s.people + EXCLUDED.people
    RETURNING s.unit_id, s.wing_key, s.topic_key, s.last_day, s.people)
  INSERT INTO training_touched SELECT unit_id, wing_key, topic_key, last_day FROM upserted WHERE people = 0;
  DELETE FROM training_stats s USING training_touched t
   WHERE s.unit_id = t.unit_id AND s.wing_key = t.wing_key AND s.topic_key = t.topic_key AND s.last_day = t.last_day AND s.people = 0;
  INSERT INTO training_rates AS r (unit_id, invited, attended, camps_held)
  SELECT l.unit_id, sum(l.v * t.invited)::int, sum(l.v * t.attended)::int, sum(l.v * t.camps_held)::int
    FROM move_signs l, (
      SELECT tr.invited, tr.attended, tr.camps_held FROM training_rates tr WHERE tr.unit_id = p_root AND NOT p_is_booth
      UNION ALL
      SELECT count(*)::int, count(*) FILTER (WHERE i.status = 'attended')::int, 0
        FROM people p JOIN invitations i ON i.person_id = p.id JOIN camps c ON c.id = i.camp_id AND c.status = 'held'
       WHERE p_is_booth AND p.home_booth_id = p_root AND invitation_counted(i.source, i.status)
      UNION ALL
      SELECT 0, 0, count(*)::int FROM camps c WHERE p_is_booth AND c.unit_id = p_root AND c.status = 'held') t
   GROUP BY 1
   ORDER BY 1
  ON CONFLICT (unit_id) DO UPDATE SET invited = r.invited + EXCLUDED.invited, attended = r.attended + EXCLUDED.attended,
                                      camps_held = r.camps_held + EXCLUDED.camps_held;
END
$$;

--
-- Name: training_counts_role(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.training_counts_role(p_role text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT p_role <> 'committee_member'
$$;

--
-- Name: training_summaries(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.training_summaries(p_people uuid[]) RETURNS TABLE(person_id uuid, booth_id uuid, wings text[], topics text[], last_days date[])
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  WITH w AS (
    SELECT a.person_id, array_agg(DISTINCT a.wing_code ORDER BY a.wing_code) AS wings
      FROM appointments a
     WHERE a.person_id = ANY (p_people) AND a.end_date IS NULL AND training_counts_role(a.role_code)
     GROUP BY a.person_id),
  days AS (
    SELECT i.person_id, ''::text AS topic, max(d.day) AS day
      FROM invitations i JOIN attendance d ON d.invitation_id = i.id
     WHERE i.person_id = ANY (p_people)
     GROUP BY i.person_id
    UNION ALL
    SELECT i.person_id, ct.topic_code, max(d.day)
      FROM invitations i JOIN attendance d ON d.invitation_id = i.id JOIN camp_topics ct ON ct.camp_id = i.camp_id
     WHERE i.person_id = ANY (p_people)
     GROUP BY i.person_id, ct.topic_code),
  t AS (
    SELECT days.person_id, array_agg(days.topic ORDER BY days.topic) AS topics, array_agg(days.day ORDER BY days.topic) AS last_days
      FROM days GROUP BY days.person_id)
  SELECT w.person_id, p.home_booth_id, w.wings, coalesce(t.topics, '{""}'), coalesce(t.last_days, '{-infinity}')
    FROM w JOIN people p ON p.id = w.person_id
    LEFT JOIN t ON t.person_id = w.person_id
$$;

--
-- Name: unit_lineage(public.ltree); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.unit_lineage(p public.ltree) RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT coalesce(array_agg(u.id), '{}') FROM units u WHERE u.node = ANY (path_nodes(p))
$$;

--
-- Name: units_after_delete(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.units_after_delete() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: units_after_insert(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.units_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: units_after_update(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.units_after_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: units_cascade_paths(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.units_cascade_paths() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: units_derive_tree_columns(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.units_derive_tree_columns() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: units_join_assembly(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.units_join_assembly() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: units_stats_on_move(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.units_stats_on_move() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: webhooks_refuse_revoked_key(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.webhooks_refuse_revoked_key() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NOT api_key_live(NEW.created_by) THEN
    RAISE EXCEPTION 'the key that created this webhook is revoked or expired'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'webhooks_key_revoked';
  END IF;
  RETURN NEW;
END
$$;

--
-- Name: write_scope(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.write_scope() RETURNS public.ltree
    LANGUAGE plpgsql STABLE
    AS $$
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

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: __drizzle_migrations; Type: TABLE; Schema: drizzle; Owner: -
--

CREATE TABLE drizzle.__drizzle_migrations (
    id integer NOT NULL,
    hash text NOT NULL,
    created_at bigint
);

--
-- Name: __drizzle_migrations_id_seq; Type: SEQUENCE; Schema: drizzle; Owner: -
--

CREATE SEQUENCE drizzle.__drizzle_migrations_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: __drizzle_migrations_id_seq; Type: SEQUENCE OWNED BY; Schema: drizzle; Owner: -
--

ALTER SEQUENCE drizzle.__drizzle_migrations_id_seq OWNED BY drizzle.__drizzle_migrations.id;

--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    label text NOT NULL,
    role public.key_role NOT NULL,
    scope_unit_id uuid,
    secret_hash text NOT NULL,
    prefix text NOT NULL,
    mask_personal_data boolean DEFAULT false NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    expires_at timestamp with time zone,
    revoked_at timestamp with time zone,
    revoked_by uuid,
    CONSTRAINT api_keys_label_check CHECK (((length(btrim(label)) >= 1) AND (length(btrim(label)) <= 200))),
    CONSTRAINT api_keys_mask_check CHECK (((NOT mask_personal_data) OR (role = 'reader'::public.key_role)))
);

--
-- Name: appointments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.appointments (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    person_id uuid NOT NULL,
    unit_id uuid NOT NULL,
    role_code text NOT NULL,
    start_date date NOT NULL,
    end_date date,
    end_reason text,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    import_id uuid,
    wing_code text DEFAULT 'main'::text NOT NULL,
    cluster_id uuid,
    CONSTRAINT appointments_dates_check CHECK (((end_date IS NULL) OR (end_date >= start_date))),
    CONSTRAINT appointments_end_reason_check CHECK (((end_reason IS NULL) OR (end_date IS NOT NULL)))
);

--
-- Name: assemblies; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.assemblies (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    state_id uuid NOT NULL,
    state_level public.unit_level DEFAULT 'state'::public.unit_level NOT NULL,
    number integer NOT NULL,
    name text NOT NULL,
    named boolean DEFAULT true NOT NULL,
    local_name text,
    reserved text,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT assemblies_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT assemblies_number_check CHECK (((number >= 1) AND (number <= 9999))),
    CONSTRAINT assemblies_reserved_check CHECK ((reserved = ANY (ARRAY['SC'::text, 'ST'::text]))),
    CONSTRAINT assemblies_state_level_check CHECK ((state_level = 'state'::public.unit_level))
);

--
-- Name: assembly_member_joins; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.assembly_member_joins (
    assembly_id uuid NOT NULL,
    district_node bigint NOT NULL,
    joined_on date NOT NULL,
    members integer DEFAULT 0 NOT NULL
);

--
-- Name: assembly_office_stats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.assembly_office_stats (
    assembly_id uuid NOT NULL,
    district_node bigint NOT NULL,
    wing_code text NOT NULL,
    office_bearers integer DEFAULT 0 NOT NULL,
    office_bearers_with_handle integer DEFAULT 0 NOT NULL,
    committee_histogram integer[] DEFAULT array_fill(0, ARRAY[33]) NOT NULL
);

--
-- Name: assembly_post_stats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.assembly_post_stats (
    assembly_id uuid NOT NULL,
    district_node bigint NOT NULL,
    wing_code text NOT NULL,
    role_code text NOT NULL,
    filled_booths integer DEFAULT 0 NOT NULL
);

--
-- Name: assembly_stats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.assembly_stats (
    assembly_id uuid NOT NULL,
    district_node bigint NOT NULL,
    total_booths integer DEFAULT 0 NOT NULL,
    active_members integer DEFAULT 0 NOT NULL
);

--
-- Name: attendance; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.attendance (
    invitation_id uuid NOT NULL,
    day date NOT NULL,
    checked_in_at timestamp with time zone DEFAULT now() NOT NULL,
    import_id uuid
);

--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_log (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    key_id uuid,
    request_id text,
    action text NOT NULL,
    entity_type text NOT NULL,
    entity_id text NOT NULL,
    unit_id uuid,
    unit_path public.ltree,
    before jsonb,
    after jsonb
);

--
-- Name: audit_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.audit_log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: handle_duties; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.handle_duties (
    wing_code text NOT NULL,
    role_code text NOT NULL,
    level public.unit_level NOT NULL,
    platform_code text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: people; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.people (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    home_booth_id uuid NOT NULL,
    home_level public.unit_level DEFAULT 'booth'::public.unit_level NOT NULL,
    phone text,
    voter_id text,
    gender public.gender,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    import_id uuid,
    handle_platforms text[] DEFAULT '{}'::text[] NOT NULL,
    CONSTRAINT people_home_level_check CHECK ((home_level = 'booth'::public.unit_level)),
    CONSTRAINT people_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT people_phone_check CHECK ((phone ~ '^\+91[6-9][0-9]{9}$'::text)),
    CONSTRAINT people_voter_id_check CHECK ((voter_id ~ '^([A-Z]{3}[0-9]{7}|[A-Z]{2}/[0-9]{1,3}/[0-9]{1,4}/[0-9]{1,7})$'::text))
);

--
-- Name: units; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.units (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    node bigint NOT NULL,
    level public.unit_level NOT NULL,
    parent_id uuid,
    parent_level public.unit_level,
    path public.ltree NOT NULL,
    code text NOT NULL,
    code_path text NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL,
    local_name text,
    display_label text,
    ac_number integer,
    ac_name text,
    ps_number text,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    import_id uuid,
    assembly_id uuid,
    CONSTRAINT units_ac_number_check CHECK (((ac_number IS NULL) OR ((ac_number >= 1) AND (ac_number <= 9999)))),
    CONSTRAINT units_booth_fields_check CHECK (((level = 'booth'::public.unit_level) OR ((ac_number IS NULL) AND (ac_name IS NULL) AND (ps_number IS NULL)))),
    CONSTRAINT units_code_check CHECK ((code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'::text)),
    CONSTRAINT units_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT units_parent_level_check CHECK (
CASE level
    WHEN 'state'::public.unit_level THEN ((parent_id IS NULL) AND (parent_level IS NULL))
    WHEN 'district'::public.unit_level THEN ((parent_id IS NOT NULL) AND (NOT (parent_level IS DISTINCT FROM 'state'::public.unit_level)))
    WHEN 'block'::public.unit_level THEN ((parent_id IS NOT NULL) AND (NOT (parent_level IS DISTINCT FROM 'district'::public.unit_level)))
    WHEN 'ward'::public.unit_level THEN ((parent_id IS NOT NULL) AND (NOT (parent_level IS DISTINCT FROM 'block'::public.unit_level)))
    WHEN 'booth'::public.unit_level THEN ((parent_id IS NOT NULL) AND (NOT (parent_level IS DISTINCT FROM 'ward'::public.unit_level)))
    ELSE NULL::boolean
END)
);
ALTER TABLE ONLY public.units ALTER COLUMN code_path SET STATISTICS 2000;

--
-- Name: bound_terms; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.bound_terms AS
 SELECT a.id AS appointment_id,
    a.unit_id,
    a.wing_code,
    a.role_code,
    u.level,
    a.person_id,
    hd.platform_code,
    (hd.platform_code = ANY (p.handle_platforms)) AS held
   FROM (((public.appointments a
     JOIN public.units u ON ((u.id = a.unit_id)))
     JOIN public.handle_duties hd ON (((hd.wing_code = a.wing_code) AND (hd.role_code = a.role_code) AND (hd.level = u.level))))
     JOIN public.people p ON ((p.id = a.person_id)))
  WHERE (a.end_date IS NULL);

--
-- Name: camp_topics; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.camp_topics (
    camp_id uuid NOT NULL,
    topic_code text NOT NULL
);

--
-- Name: camp_trainers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.camp_trainers (
    camp_id uuid NOT NULL,
    "position" integer NOT NULL,
    person_id uuid,
    name text,
    CONSTRAINT camp_trainers_who_check CHECK (((person_id IS NULL) <> (name IS NULL)))
);

--
-- Name: camps; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.camps (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    unit_id uuid NOT NULL,
    title text NOT NULL,
    local_title text,
    venue text,
    start_date date NOT NULL,
    end_date date NOT NULL,
    capacity integer,
    status public.camp_status DEFAULT 'planned'::public.camp_status NOT NULL,
    notes text,
    audience jsonb DEFAULT '[]'::jsonb NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT camps_capacity_check CHECK (((capacity IS NULL) OR (capacity >= 1))),
    CONSTRAINT camps_dates_check CHECK (((end_date >= start_date) AND (end_date <= (start_date + 30)))),
    CONSTRAINT camps_title_check CHECK (((length(btrim(title)) >= 1) AND (length(btrim(title)) <= 200)))
);

--
-- Name: change_feed_floor; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.change_feed_floor (
    "only" boolean DEFAULT true NOT NULL,
    expired_through bigint DEFAULT 0 NOT NULL,
    CONSTRAINT change_feed_floor_only_check CHECK ("only")
);

--
-- Name: change_positions; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.change_positions
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: changes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.changes (
    id bigint NOT NULL,
    "position" bigint,
    positioned_at timestamp with time zone,
    audit_id bigint NOT NULL,
    type text NOT NULL,
    entity_type text NOT NULL,
    entity_id text NOT NULL,
    unit_id uuid,
    unit_path public.ltree,
    unit_code_path text COLLATE pg_catalog."C",
    at timestamp with time zone NOT NULL,
    payload jsonb NOT NULL,
    CONSTRAINT changes_positioned_check CHECK ((("position" IS NULL) = (positioned_at IS NULL)))
);

--
-- Name: changes_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.changes ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.changes_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: cluster_booths; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.cluster_booths (
    booth_id uuid NOT NULL,
    kind_code text NOT NULL,
    cluster_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: cluster_kinds; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.cluster_kinds (
    code text NOT NULL,
    name text NOT NULL,
    local_name text,
    groups_kind text,
    levels public.unit_level[] NOT NULL,
    sort_order integer DEFAULT 100 NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT cluster_kinds_code_check CHECK ((code ~ '^[a-z][a-z0-9_]{1,29}$'::text)),
    CONSTRAINT cluster_kinds_groups_check CHECK ((groups_kind IS DISTINCT FROM code)),
    CONSTRAINT cluster_kinds_levels_check CHECK (((cardinality(levels) >= 1) AND (NOT ('booth'::public.unit_level = ANY (levels))))),
    CONSTRAINT cluster_kinds_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100)))
);

--
-- Name: clusters; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.clusters (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    unit_id uuid NOT NULL,
    kind_code text NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    local_name text,
    parent_id uuid,
    version integer DEFAULT 1 NOT NULL,
    import_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT clusters_code_check CHECK ((code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'::text)),
    CONSTRAINT clusters_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200)))
);

--
-- Name: duty_platform_stats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.duty_platform_stats (
    unit_id uuid NOT NULL,
    wing_code text NOT NULL,
    role_code text NOT NULL,
    level public.unit_level NOT NULL,
    platform_code text NOT NULL,
    bound integer DEFAULT 0 NOT NULL,
    held integer DEFAULT 0 NOT NULL
);

--
-- Name: duty_stats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.duty_stats (
    unit_id uuid NOT NULL,
    wing_code text NOT NULL,
    role_code text NOT NULL,
    level public.unit_level NOT NULL,
    bound integer DEFAULT 0 NOT NULL,
    compliant integer DEFAULT 0 NOT NULL
);

--
-- Name: handle_issues; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.handle_issues (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    person_id uuid NOT NULL,
    platform_code text NOT NULL,
    raw_value text NOT NULL,
    reason text NOT NULL,
    taken_by uuid,
    source text DEFAULT 'migration'::text NOT NULL,
    dismissed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT handle_issues_reason_check CHECK ((reason = ANY (ARRAY['invalid_handle'::text, 'handle_taken'::text])))
);

--
-- Name: idempotency_requests; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_requests (
    principal text NOT NULL,
    key text NOT NULL,
    fingerprint text NOT NULL,
    status_code integer,
    headers text,
    body text,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: imports; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imports (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    kind public.import_kind NOT NULL,
    status public.import_status DEFAULT 'running'::public.import_status NOT NULL,
    mode text DEFAULT 'all_or_nothing'::text NOT NULL,
    dry_run boolean DEFAULT false NOT NULL,
    key_id uuid,
    scope_unit_id uuid,
    request_id text,
    counts jsonb DEFAULT '{"rows": 0, "failed": 0, "created": 0, "updated": 0, "unchanged": 0}'::jsonb NOT NULL,
    errors jsonb DEFAULT '[]'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone
);

--
-- Name: invitations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invitations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    camp_id uuid NOT NULL,
    person_id uuid NOT NULL,
    status public.invitation_status DEFAULT 'invited'::public.invitation_status NOT NULL,
    source public.invitation_source NOT NULL,
    qualified_by jsonb DEFAULT '[]'::jsonb NOT NULL,
    post_level public.unit_level,
    post_wing text,
    post_role text,
    import_id uuid,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: member_joins; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.member_joins (
    unit_id uuid NOT NULL,
    joined_on date NOT NULL,
    members integer DEFAULT 0 NOT NULL
);

--
-- Name: memberships; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.memberships (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    person_id uuid NOT NULL,
    booth_id uuid NOT NULL,
    booth_level public.unit_level DEFAULT 'booth'::public.unit_level NOT NULL,
    grade public.membership_grade NOT NULL,
    status public.membership_status DEFAULT 'current'::public.membership_status NOT NULL,
    joined_on date NOT NULL,
    lapsed_on date,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    import_id uuid,
    CONSTRAINT memberships_booth_level_check CHECK ((booth_level = 'booth'::public.unit_level)),
    CONSTRAINT memberships_dates_check CHECK (((lapsed_on IS NULL) OR (lapsed_on >= joined_on))),
    CONSTRAINT memberships_lapse_check CHECK (((status = 'lapsed'::public.membership_status) = (lapsed_on IS NOT NULL)))
);

--
-- Name: office_stats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.office_stats (
    unit_id uuid NOT NULL,
    wing_code text NOT NULL,
    office_bearers integer DEFAULT 0 NOT NULL,
    office_bearers_with_handle integer DEFAULT 0 NOT NULL,
    committee_histogram integer[] DEFAULT array_fill(0, ARRAY[33]) NOT NULL
);

--
-- Name: open_terms_standing; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.open_terms_standing AS
 SELECT a.id AS appointment_id,
    a.person_id,
    public.office_ineligibility(p.home_booth_id, m.booth_id, m.grade) AS ineligibility
   FROM ((public.appointments a
     JOIN public.people p ON ((p.id = a.person_id)))
     LEFT JOIN public.memberships m ON (((m.person_id = a.person_id) AND (m.status = 'current'::public.membership_status))))
  WHERE public.term_is_open(a.end_date);

--
-- Name: person_handles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.person_handles (
    person_id uuid NOT NULL,
    platform_code text NOT NULL,
    handle text NOT NULL,
    import_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: post_days; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.post_days (
    unit_id uuid NOT NULL,
    wing_code text NOT NULL,
    role_code text NOT NULL,
    day date NOT NULL,
    delta integer NOT NULL
);

--
-- Name: post_stats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.post_stats (
    unit_id uuid NOT NULL,
    role_code text NOT NULL,
    filled_booths integer DEFAULT 0 NOT NULL,
    wing_code text NOT NULL
);

--
-- Name: roles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.roles (
    code text NOT NULL,
    name text NOT NULL,
    levels public.unit_level[] NOT NULL,
    seats integer,
    required boolean DEFAULT false NOT NULL,
    sort_order integer DEFAULT 100 NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    wing_code text DEFAULT 'main'::text NOT NULL,
    cluster_kind text,
    CONSTRAINT roles_code_check CHECK ((code ~ '^[a-z][a-z0-9_]{1,49}$'::text)),
    CONSTRAINT roles_levels_check CHECK ((((cluster_kind IS NULL) AND (cardinality(levels) >= 1)) OR ((cluster_kind IS NOT NULL) AND (cardinality(levels) = 0)))),
    CONSTRAINT roles_seats_check CHECK (((seats IS NULL) OR (seats >= 1)))
);

--
-- Name: schema_routines; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_routines (
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: social_platforms; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.social_platforms (
    code text NOT NULL,
    name text NOT NULL,
    local_name text,
    handle_pattern text NOT NULL,
    url_hosts text[] DEFAULT '{}'::text[] NOT NULL,
    profile_url text NOT NULL,
    sort_order integer DEFAULT 100 NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT social_platforms_code_check CHECK ((code ~ '^[a-z][a-z0-9_]{1,29}$'::text)),
    CONSTRAINT social_platforms_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100))),
    CONSTRAINT social_platforms_profile_url_check CHECK ((profile_url ~ '^https://[^ ]*[{]handle[}]'::text))
);

--
-- Name: topics; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.topics (
    code text NOT NULL,
    name text NOT NULL,
    local_name text,
    sort_order integer DEFAULT 100 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT topics_code_check CHECK ((code ~ '^[a-z][a-z0-9_]{1,49}$'::text)),
    CONSTRAINT topics_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100)))
);

--
-- Name: training_people; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.training_people (
    person_id uuid NOT NULL,
    booth_id uuid NOT NULL,
    wings text[] NOT NULL,
    topics text[] NOT NULL,
    last_days date[] NOT NULL
);

--
-- Name: training_rates; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.training_rates (
    unit_id uuid NOT NULL,
    invited integer DEFAULT 0 NOT NULL,
    attended integer DEFAULT 0 NOT NULL,
    camps_held integer DEFAULT 0 NOT NULL
);

--
-- Name: training_stats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.training_stats (
    unit_id uuid NOT NULL,
    wing_key text NOT NULL,
    topic_key text NOT NULL,
    last_day date NOT NULL,
    people integer NOT NULL
);

--
-- Name: unit_stats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.unit_stats (
    unit_id uuid NOT NULL,
    total_booths integer DEFAULT 0 NOT NULL,
    active_members integer DEFAULT 0 NOT NULL
);

--
-- Name: units_node_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.units ALTER COLUMN node ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.units_node_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: webhook_deliveries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_deliveries (
    id bigint NOT NULL,
    webhook_id uuid NOT NULL,
    message_id text NOT NULL,
    kind text NOT NULL,
    type text NOT NULL,
    "position" bigint,
    attempt integer NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    status_code integer,
    duration_ms integer NOT NULL,
    ok boolean NOT NULL,
    error text,
    CONSTRAINT webhook_deliveries_kind_check CHECK ((kind = ANY (ARRAY['change'::text, 'retry'::text, 'ping'::text])))
);

--
-- Name: webhook_deliveries_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.webhook_deliveries ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.webhook_deliveries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: webhooks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhooks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    url text NOT NULL,
    types text[] NOT NULL,
    unit_id uuid,
    created_by uuid NOT NULL,
    status public.webhook_status DEFAULT 'active'::public.webhook_status NOT NULL,
    status_reason text,
    secret text NOT NULL,
    previous_secret text,
    previous_secret_until timestamp with time zone,
    cursor bigint DEFAULT 0 NOT NULL,
    locked_by text,
    locked_until timestamp with time zone,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    failing_since timestamp with time zone,
    attempts integer DEFAULT 0 NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhooks_previous_secret_check CHECK (((previous_secret IS NULL) = (previous_secret_until IS NULL))),
    CONSTRAINT webhooks_types_check CHECK (((cardinality(types) >= 1) AND (cardinality(types) <= 100))),
    CONSTRAINT webhooks_url_check CHECK (((url ~ '^https?://'::text) AND (length(url) <= 2000)))
);

--
-- Name: wings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.wings (
    code text NOT NULL,
    name text NOT NULL,
    local_name text,
    sort_order integer DEFAULT 100 NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT wings_code_check CHECK (((code ~ '^[a-z][a-z0-9_]{1,29}$'::text) AND (code <> 'all'::text))),
    CONSTRAINT wings_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100)))
);

--
-- Name: __drizzle_migrations id; Type: DEFAULT; Schema: drizzle; Owner: -
--

ALTER TABLE ONLY drizzle.__drizzle_migrations ALTER COLUMN id SET DEFAULT nextval('drizzle.__drizzle_migrations_id_seq'::regclass);

--
-- Name: __drizzle_migrations __drizzle_migrations_pkey; Type: CONSTRAINT; Schema: drizzle; Owner: -
--

ALTER TABLE ONLY drizzle.__drizzle_migrations
    ADD CONSTRAINT __drizzle_migrations_pkey PRIMARY KEY (id);

--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);

--
-- Name: api_keys api_keys_secret_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_secret_hash_key UNIQUE (secret_hash);

--
-- Name: appointments appointments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT appointments_pkey PRIMARY KEY (id);

--
-- Name: assemblies assemblies_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assemblies
    ADD CONSTRAINT assemblies_pkey PRIMARY KEY (id);

--
-- Name: assemblies assemblies_state_number_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assemblies
    ADD CONSTRAINT assemblies_state_number_key UNIQUE (state_id, number);

--
-- Name: assembly_member_joins assembly_member_joins_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assembly_member_joins
    ADD CONSTRAINT assembly_member_joins_pkey PRIMARY KEY (assembly_id, district_node, joined_on);

--
-- Name: assembly_office_stats assembly_office_stats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assembly_office_stats
    ADD CONSTRAINT assembly_office_stats_pkey PRIMARY KEY (assembly_id, district_node, wing_code);

--
-- Name: assembly_post_stats assembly_post_stats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assembly_post_stats
    ADD CONSTRAINT assembly_post_stats_pkey PRIMARY KEY (assembly_id, district_node, wing_code, role_code);

--
-- Name: assembly_stats assembly_stats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assembly_stats
    ADD CONSTRAINT assembly_stats_pkey PRIMARY KEY (assembly_id, district_node);

--
-- Name: attendance attendance_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attendance
    ADD CONSTRAINT attendance_pkey PRIMARY KEY (invitation_id, day);

--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);

--
-- Name: camp_topics camp_topics_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.camp_topics
    ADD CONSTRAINT camp_topics_pkey PRIMARY KEY (camp_id, topic_code);

--
-- Name: camp_trainers camp_trainers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.camp_trainers
    ADD CONSTRAINT camp_trainers_pkey PRIMARY KEY (camp_id, "position");

--
-- Name: camps camps_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.camps
    ADD CONSTRAINT camps_pkey PRIMARY KEY (id);

--
-- Name: change_feed_floor change_feed_floor_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.change_feed_floor
    ADD CONSTRAINT change_feed_floor_pkey PRIMARY KEY ("only");

--
-- Name: changes changes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.changes
    ADD CONSTRAINT changes_pkey PRIMARY KEY (id);

--
-- Name: cluster_booths cluster_booths_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cluster_booths
    ADD CONSTRAINT cluster_booths_pkey PRIMARY KEY (booth_id, kind_code);

--
-- Name: cluster_kinds cluster_kinds_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cluster_kinds
    ADD CONSTRAINT cluster_kinds_pkey PRIMARY KEY (code);

--
-- Name: clusters clusters_id_kind_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clusters
    ADD CONSTRAINT clusters_id_kind_key UNIQUE (id, kind_code);

--
-- Name: clusters clusters_id_unit_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clusters
    ADD CONSTRAINT clusters_id_unit_key UNIQUE (id, unit_id);

--
-- Name: clusters clusters_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clusters
    ADD CONSTRAINT clusters_pkey PRIMARY KEY (id);

--
-- Name: clusters clusters_unit_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clusters
    ADD CONSTRAINT clusters_unit_code_key UNIQUE (unit_id, code);

--
-- Name: duty_platform_stats duty_platform_stats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.duty_platform_stats
    ADD CONSTRAINT duty_platform_stats_pkey PRIMARY KEY (unit_id, wing_code, role_code, level, platform_code);

--
-- Name: duty_stats duty_stats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.duty_stats
    ADD CONSTRAINT duty_stats_pkey PRIMARY KEY (unit_id, wing_code, role_code, level);

--
-- Name: handle_duties handle_duties_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.handle_duties
    ADD CONSTRAINT handle_duties_pkey PRIMARY KEY (wing_code, role_code, level, platform_code);

--
-- Name: handle_issues handle_issues_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.handle_issues
    ADD CONSTRAINT handle_issues_pkey PRIMARY KEY (id);

--
-- Name: idempotency_requests idempotency_requests_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_requests
    ADD CONSTRAINT idempotency_requests_pkey PRIMARY KEY (principal, key);

--
-- Name: imports imports_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imports
    ADD CONSTRAINT imports_pkey PRIMARY KEY (id);

--
-- Name: invitations invitations_camp_person_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_camp_person_key UNIQUE (camp_id, person_id);

--
-- Name: invitations invitations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_pkey PRIMARY KEY (id);

--
-- Name: member_joins member_joins_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.member_joins
    ADD CONSTRAINT member_joins_pkey PRIMARY KEY (unit_id, joined_on);

--
-- Name: memberships memberships_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_pkey PRIMARY KEY (id);

--
-- Name: office_stats office_stats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.office_stats
    ADD CONSTRAINT office_stats_pkey PRIMARY KEY (unit_id, wing_code);

--
-- Name: people people_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.people
    ADD CONSTRAINT people_pkey PRIMARY KEY (id);

--
-- Name: people people_voter_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.people
    ADD CONSTRAINT people_voter_id_key UNIQUE (voter_id);

--
-- Name: person_handles person_handles_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.person_handles
    ADD CONSTRAINT person_handles_pkey PRIMARY KEY (person_id, platform_code);

--
-- Name: person_handles person_handles_platform_handle_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.person_handles
    ADD CONSTRAINT person_handles_platform_handle_key UNIQUE (platform_code, handle);

--
-- Name: post_days post_days_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.post_days
    ADD CONSTRAINT post_days_pkey PRIMARY KEY (unit_id, wing_code, role_code, day);

--
-- Name: post_stats post_stats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.post_stats
    ADD CONSTRAINT post_stats_pkey PRIMARY KEY (unit_id, wing_code, role_code);

--
-- Name: roles roles_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.roles
    ADD CONSTRAINT roles_pkey PRIMARY KEY (wing_code, code);

--
-- Name: schema_routines schema_routines_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_routines
    ADD CONSTRAINT schema_routines_pkey PRIMARY KEY (name);

--
-- Name: social_platforms social_platforms_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.social_platforms
    ADD CONSTRAINT social_platforms_pkey PRIMARY KEY (code);

--
-- Name: topics topics_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.topics
    ADD CONSTRAINT topics_pkey PRIMARY KEY (code);

--
-- Name: training_people training_people_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.training_people
    ADD CONSTRAINT training_people_pkey PRIMARY KEY (person_id);

--
-- Name: training_rates training_rates_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.training_rates
    ADD CONSTRAINT training_rates_pkey PRIMARY KEY (unit_id);

--
-- Name: training_stats training_stats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.training_stats
    ADD CONSTRAINT training_stats_pkey PRIMARY KEY (unit_id, wing_key, topic_key, last_day);

--
-- Name: unit_stats unit_stats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.unit_stats
    ADD CONSTRAINT unit_stats_pkey PRIMARY KEY (unit_id);

--
-- Name: units units_code_path_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.units
    ADD CONSTRAINT units_code_path_key UNIQUE (code_path);

--
-- Name: units units_id_level_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.units
    ADD CONSTRAINT units_id_level_key UNIQUE (id, level);

--
-- Name: units units_node_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.units
    ADD CONSTRAINT units_node_key UNIQUE (node);

--
-- Name: units units_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.units
    ADD CONSTRAINT units_pkey PRIMARY KEY (id);

--
-- Name: units units_sibling_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.units
    ADD CONSTRAINT units_sibling_code_key UNIQUE NULLS NOT DISTINCT (parent_id, code);

--
-- Name: webhook_deliveries webhook_deliveries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id);

--
-- Name: webhooks webhooks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhooks
    ADD CONSTRAINT webhooks_pkey PRIMARY KEY (id);

--
-- Name: wings wings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.wings
    ADD CONSTRAINT wings_pkey PRIMARY KEY (code);

--
-- Name: api_keys_scope_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_scope_idx ON public.api_keys USING btree (scope_unit_id);

--
-- Name: appointments_cluster_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX appointments_cluster_idx ON public.appointments USING btree (cluster_id, wing_code, role_code) WHERE (cluster_id IS NOT NULL);

--
-- Name: appointments_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX appointments_open_idx ON public.appointments USING btree (unit_id, wing_code, role_code) WHERE (end_date IS NULL);

--
-- Name: appointments_person_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX appointments_person_idx ON public.appointments USING btree (person_id);

--
-- Name: appointments_post_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX appointments_post_idx ON public.appointments USING btree (unit_id, wing_code, role_code, start_date);

--
-- Name: assembly_stats_district_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX assembly_stats_district_idx ON public.assembly_stats USING btree (district_node);

--
-- Name: audit_log_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_at_idx ON public.audit_log USING btree (at);

--
-- Name: audit_log_entity_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_entity_idx ON public.audit_log USING btree (entity_type, entity_id, id);

--
-- Name: audit_log_key_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_key_idx ON public.audit_log USING btree (key_id, id);

--
-- Name: audit_log_unit_path_gist; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_unit_path_gist ON public.audit_log USING gist (unit_path);

--
-- Name: camp_trainers_person_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX camp_trainers_person_idx ON public.camp_trainers USING btree (person_id) WHERE (person_id IS NOT NULL);

--
-- Name: camps_start_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX camps_start_idx ON public.camps USING btree (start_date, id);

--
-- Name: camps_unit_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX camps_unit_idx ON public.camps USING btree (unit_id);

--
-- Name: changes_pending_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX changes_pending_idx ON public.changes USING btree (id) WHERE ("position" IS NULL);

--
-- Name: changes_position_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX changes_position_key ON public.changes USING btree ("position");

--
-- Name: cluster_booths_cluster_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cluster_booths_cluster_idx ON public.cluster_booths USING btree (cluster_id);

--
-- Name: clusters_parent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX clusters_parent_idx ON public.clusters USING btree (parent_id) WHERE (parent_id IS NOT NULL);

--
-- Name: handle_issues_person_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX handle_issues_person_idx ON public.handle_issues USING btree (person_id);

--
-- Name: idempotency_requests_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotency_requests_created_idx ON public.idempotency_requests USING btree (created_at);

--
-- Name: imports_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX imports_created_idx ON public.imports USING btree (created_at, id);

--
-- Name: invitations_person_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invitations_person_idx ON public.invitations USING btree (person_id);

--
-- Name: memberships_booth_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memberships_booth_idx ON public.memberships USING btree (booth_id, status, grade);

--
-- Name: memberships_one_current_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX memberships_one_current_idx ON public.memberships USING btree (person_id) WHERE (status = 'current'::public.membership_status);

--
-- Name: memberships_person_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memberships_person_idx ON public.memberships USING btree (person_id);

--
-- Name: people_home_booth_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX people_home_booth_idx ON public.people USING btree (home_booth_id);

--
-- Name: people_name_order_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX people_name_order_idx ON public.people USING btree (name, id);

--
-- Name: people_name_trgm; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX people_name_trgm ON public.people USING gin (name public.gin_trgm_ops);

--
-- Name: people_phone_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX people_phone_idx ON public.people USING btree (phone);

--
-- Name: training_people_booth_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX training_people_booth_idx ON public.training_people USING btree (booth_id);

--
-- Name: units_assembly_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX units_assembly_idx ON public.units USING btree (assembly_id) WHERE (assembly_id IS NOT NULL);

--
-- Name: units_code_trgm; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX units_code_trgm ON public.units USING gin (code public.gin_trgm_ops);

--
-- Name: units_level_code_path_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX units_level_code_path_idx ON public.units USING btree (level, code_path);

--
-- Name: units_name_trgm; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX units_name_trgm ON public.units USING gin (name public.gin_trgm_ops);

--
-- Name: units_path_gist; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX units_path_gist ON public.units USING gist (path);

--
-- Name: webhook_deliveries_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_deliveries_at_idx ON public.webhook_deliveries USING btree (at);

--
-- Name: webhook_deliveries_webhook_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_deliveries_webhook_idx ON public.webhook_deliveries USING btree (webhook_id, id);

--
-- Name: webhooks_created_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhooks_created_by_idx ON public.webhooks USING btree (created_by);

--
-- Name: webhooks_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhooks_due_idx ON public.webhooks USING btree (next_attempt_at) WHERE (status = 'active'::public.webhook_status);

--
-- Name: webhooks_unit_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhooks_unit_idx ON public.webhooks USING btree (unit_id);

--
-- Name: api_keys api_keys_pause_webhooks; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER api_keys_pause_webhooks AFTER UPDATE OF revoked_at ON public.api_keys FOR EACH ROW WHEN (((old.revoked_at IS NULL) AND (new.revoked_at IS NOT NULL))) EXECUTE FUNCTION public.api_keys_pause_webhooks();

--
-- Name: appointments appointments_after_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER appointments_after_delete AFTER DELETE ON public.appointments REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.appointments_after_delete();

--
-- Name: appointments appointments_after_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER appointments_after_insert AFTER INSERT ON public.appointments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.appointments_after_insert();

--
-- Name: appointments appointments_after_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER appointments_after_update AFTER UPDATE ON public.appointments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.appointments_after_update();

--
-- Name: appointments appointments_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER appointments_bump_version BEFORE UPDATE ON public.appointments FOR EACH ROW EXECUTE FUNCTION public.bump_version();

--
-- Name: appointments appointments_training_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER appointments_training_delete AFTER DELETE ON public.appointments REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.appointments_training();

--
-- Name: appointments appointments_training_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER appointments_training_insert AFTER INSERT ON public.appointments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.appointments_training();

--
-- Name: appointments appointments_training_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER appointments_training_update AFTER UPDATE ON public.appointments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.appointments_training();

--
-- Name: assemblies assemblies_after_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER assemblies_after_update AFTER UPDATE ON public.assemblies FOR EACH ROW WHEN ((old.named AND (old.name IS DISTINCT FROM new.name))) EXECUTE FUNCTION public.assemblies_after_update();

--
-- Name: assemblies assemblies_before_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER assemblies_before_update BEFORE UPDATE ON public.assemblies FOR EACH ROW EXECUTE FUNCTION public.assemblies_before_update();

--
-- Name: attendance attendance_after_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER attendance_after_delete AFTER DELETE ON public.attendance REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.attendance_after_delete();

--
-- Name: attendance attendance_after_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER attendance_after_insert AFTER INSERT ON public.attendance REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.attendance_after_insert();

--
-- Name: audit_log audit_log_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_log_append_only BEFORE DELETE OR UPDATE ON public.audit_log FOR EACH ROW EXECUTE FUNCTION public.audit_log_refuse_change();

--
-- Name: audit_log audit_log_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON public.audit_log FOR EACH STATEMENT EXECUTE FUNCTION public.audit_log_refuse_change();

--
-- Name: audit_log audit_log_publish_changes; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_log_publish_changes AFTER INSERT ON public.audit_log REFERENCING NEW TABLE AS audit_rows FOR EACH STATEMENT EXECUTE FUNCTION public.audit_log_publish_changes();

--
-- Name: camp_topics camp_topics_after_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER camp_topics_after_delete AFTER DELETE ON public.camp_topics REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.camp_topics_after_write();

--
-- Name: camp_topics camp_topics_after_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER camp_topics_after_insert AFTER INSERT ON public.camp_topics REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.camp_topics_after_write();

--
-- Name: camp_trainers camp_trainers_after_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER camp_trainers_after_insert AFTER INSERT ON public.camp_trainers REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.camp_trainers_after_write();

--
-- Name: camps camps_after_write; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER camps_after_write AFTER INSERT OR DELETE OR UPDATE ON public.camps FOR EACH ROW EXECUTE FUNCTION public.camps_after_write();

--
-- Name: camps camps_before_write; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER camps_before_write BEFORE INSERT OR DELETE OR UPDATE ON public.camps FOR EACH ROW EXECUTE FUNCTION public.camps_before_write();

--
-- Name: cluster_booths cluster_booths_after_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER cluster_booths_after_delete AFTER DELETE ON public.cluster_booths REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cluster_booths_after_delete();

--
-- Name: cluster_booths cluster_booths_after_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER cluster_booths_after_insert AFTER INSERT ON public.cluster_booths REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cluster_booths_after_write();

--
-- Name: cluster_booths cluster_booths_after_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER cluster_booths_after_update AFTER UPDATE ON public.cluster_booths REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.cluster_booths_after_write();

--
-- Name: clusters clusters_before_write; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER clusters_before_write BEFORE INSERT OR UPDATE ON public.clusters FOR EACH ROW EXECUTE FUNCTION public.clusters_before_write();

--
-- Name: clusters clusters_within_scope; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER clusters_within_scope AFTER INSERT OR DELETE OR UPDATE ON public.clusters FOR EACH ROW EXECUTE FUNCTION public.clusters_within_scope();

--
-- Name: handle_duties handle_duties_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER handle_duties_changed AFTER INSERT OR DELETE OR UPDATE ON public.handle_duties FOR EACH STATEMENT EXECUTE FUNCTION public.handle_duties_changed();

--
-- Name: invitations invitations_after_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER invitations_after_delete AFTER DELETE ON public.invitations REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.invitations_after_delete();

--
-- Name: invitations invitations_after_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER invitations_after_insert AFTER INSERT ON public.invitations REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.invitations_after_insert();

--
-- Name: invitations invitations_after_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER invitations_after_update AFTER UPDATE ON public.invitations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.invitations_after_update();

--
-- Name: invitations invitations_before_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER invitations_before_insert BEFORE INSERT ON public.invitations FOR EACH ROW WHEN ((new.status = 'attended'::public.invitation_status)) EXECUTE FUNCTION public.invitations_before_write();

--
-- Name: invitations invitations_before_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER invitations_before_update BEFORE UPDATE ON public.invitations FOR EACH ROW EXECUTE FUNCTION public.invitations_before_write();

--
-- Name: memberships memberships_after_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER memberships_after_delete AFTER DELETE ON public.memberships REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.memberships_after_delete();

--
-- Name: memberships memberships_after_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER memberships_after_insert AFTER INSERT ON public.memberships REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.memberships_after_insert();

--
-- Name: memberships memberships_after_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER memberships_after_update AFTER UPDATE ON public.memberships REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.memberships_after_update();

--
-- Name: memberships memberships_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER memberships_bump_version BEFORE UPDATE ON public.memberships FOR EACH ROW EXECUTE FUNCTION public.bump_version();

--
-- Name: people people_after_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER people_after_delete AFTER DELETE ON public.people REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.people_after_delete();

--
-- Name: people people_after_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER people_after_insert AFTER INSERT ON public.people REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.people_after_insert();

--
-- Name: people people_after_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER people_after_update AFTER UPDATE ON public.people REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.people_after_update();

--
-- Name: people people_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER people_bump_version BEFORE UPDATE ON public.people FOR EACH ROW EXECUTE FUNCTION public.bump_version();

--
-- Name: people people_training; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER people_training AFTER UPDATE ON public.people FOR EACH ROW WHEN ((old.home_booth_id IS DISTINCT FROM new.home_booth_id)) EXECUTE FUNCTION public.people_training();

--
-- Name: person_handles person_handles_after_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER person_handles_after_delete AFTER DELETE ON public.person_handles REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.person_handles_after_delete();

--
-- Name: person_handles person_handles_after_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER person_handles_after_insert AFTER INSERT ON public.person_handles REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.person_handles_after_insert();

--
-- Name: person_handles person_handles_after_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER person_handles_after_update AFTER UPDATE ON public.person_handles REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.person_handles_after_update();

--
-- Name: person_handles person_handles_canonical; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER person_handles_canonical BEFORE INSERT OR UPDATE ON public.person_handles FOR EACH ROW EXECUTE FUNCTION public.person_handles_canonical();

--
-- Name: roles roles_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER roles_bump_version BEFORE UPDATE ON public.roles FOR EACH ROW EXECUTE FUNCTION public.bump_version();

--
-- Name: roles roles_post_days_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER roles_post_days_changed AFTER UPDATE OF seats, required, levels ON public.roles FOR EACH ROW WHEN (((old.seats IS DISTINCT FROM new.seats) OR (old.required IS DISTINCT FROM new.required) OR (old.levels IS DISTINCT FROM new.levels))) EXECUTE FUNCTION public.roles_post_days_changed();

--
-- Name: roles roles_seats_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER roles_seats_changed AFTER UPDATE OF seats ON public.roles FOR EACH ROW WHEN ((old.seats IS DISTINCT FROM new.seats)) EXECUTE FUNCTION public.roles_seats_changed();

--
-- Name: social_platforms social_platforms_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER social_platforms_bump_version BEFORE UPDATE ON public.social_platforms FOR EACH ROW EXECUTE FUNCTION public.bump_version();

--
-- Name: units units_after_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER units_after_delete AFTER DELETE ON public.units REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.units_after_delete();

--
-- Name: units units_after_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER units_after_insert AFTER INSERT ON public.units REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.units_after_insert();

--
-- Name: units units_after_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER units_after_update AFTER UPDATE ON public.units REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.units_after_update();

--
-- Name: units units_cascade_paths; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER units_cascade_paths AFTER UPDATE ON public.units FOR EACH ROW WHEN (((old.path IS DISTINCT FROM new.path) OR (old.code_path IS DISTINCT FROM new.code_path))) EXECUTE FUNCTION public.units_cascade_paths();

--
-- Name: units units_derive_tree_columns; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER units_derive_tree_columns BEFORE INSERT OR UPDATE ON public.units FOR EACH ROW EXECUTE FUNCTION public.units_derive_tree_columns();

--
-- Name: units units_join_assembly; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER units_join_assembly BEFORE INSERT OR UPDATE ON public.units FOR EACH ROW EXECUTE FUNCTION public.units_join_assembly();

--
-- Name: units units_stats_on_move; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER units_stats_on_move AFTER UPDATE ON public.units FOR EACH ROW WHEN ((old.path IS DISTINCT FROM new.path)) EXECUTE FUNCTION public.units_stats_on_move();

--
-- Name: webhooks webhooks_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER webhooks_bump_version BEFORE UPDATE OF url, types, unit_id, status, secret ON public.webhooks FOR EACH ROW EXECUTE FUNCTION public.bump_version();

--
-- Name: webhooks webhooks_refuse_revoked_key; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER webhooks_refuse_revoked_key BEFORE INSERT OR UPDATE OF status ON public.webhooks FOR EACH ROW WHEN ((new.status = 'active'::public.webhook_status)) EXECUTE FUNCTION public.webhooks_refuse_revoked_key();

--
-- Name: wings wings_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER wings_bump_version BEFORE UPDATE ON public.wings FOR EACH ROW EXECUTE FUNCTION public.bump_version();

--
-- Name: api_keys api_keys_scope_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_scope_unit_id_units_id_fk FOREIGN KEY (scope_unit_id) REFERENCES public.units(id);

--
-- Name: appointments appointments_cluster_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT appointments_cluster_fkey FOREIGN KEY (cluster_id, unit_id) REFERENCES public.clusters(id, unit_id);

--
-- Name: appointments appointments_person_id_people_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT appointments_person_id_people_id_fk FOREIGN KEY (person_id) REFERENCES public.people(id);

--
-- Name: appointments appointments_role_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT appointments_role_fkey FOREIGN KEY (wing_code, role_code) REFERENCES public.roles(wing_code, code) ON UPDATE CASCADE;

--
-- Name: appointments appointments_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT appointments_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id);

--
-- Name: assemblies assemblies_state_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assemblies
    ADD CONSTRAINT assemblies_state_fkey FOREIGN KEY (state_id, state_level) REFERENCES public.units(id, level) ON DELETE CASCADE;

--
-- Name: assembly_member_joins assembly_member_joins_pair_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assembly_member_joins
    ADD CONSTRAINT assembly_member_joins_pair_fkey FOREIGN KEY (assembly_id, district_node) REFERENCES public.assembly_stats(assembly_id, district_node) ON DELETE CASCADE;

--
-- Name: assembly_office_stats assembly_office_stats_pair_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assembly_office_stats
    ADD CONSTRAINT assembly_office_stats_pair_fkey FOREIGN KEY (assembly_id, district_node) REFERENCES public.assembly_stats(assembly_id, district_node) ON DELETE CASCADE;

--
-- Name: assembly_post_stats assembly_post_stats_pair_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assembly_post_stats
    ADD CONSTRAINT assembly_post_stats_pair_fkey FOREIGN KEY (assembly_id, district_node) REFERENCES public.assembly_stats(assembly_id, district_node) ON DELETE CASCADE;

--
-- Name: assembly_stats assembly_stats_assembly_id_assemblies_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assembly_stats
    ADD CONSTRAINT assembly_stats_assembly_id_assemblies_id_fk FOREIGN KEY (assembly_id) REFERENCES public.assemblies(id) ON DELETE CASCADE;

--
-- Name: assembly_stats assembly_stats_district_node_units_node_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assembly_stats
    ADD CONSTRAINT assembly_stats_district_node_units_node_fk FOREIGN KEY (district_node) REFERENCES public.units(node) ON DELETE CASCADE;

--
-- Name: attendance attendance_invitation_id_invitations_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attendance
    ADD CONSTRAINT attendance_invitation_id_invitations_id_fk FOREIGN KEY (invitation_id) REFERENCES public.invitations(id) ON DELETE CASCADE;

--
-- Name: camp_topics camp_topics_camp_id_camps_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.camp_topics
    ADD CONSTRAINT camp_topics_camp_id_camps_id_fk FOREIGN KEY (camp_id) REFERENCES public.camps(id) ON DELETE CASCADE;

--
-- Name: camp_topics camp_topics_topic_code_topics_code_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.camp_topics
    ADD CONSTRAINT camp_topics_topic_code_topics_code_fk FOREIGN KEY (topic_code) REFERENCES public.topics(code) ON UPDATE CASCADE;

--
-- Name: camp_trainers camp_trainers_camp_id_camps_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.camp_trainers
    ADD CONSTRAINT camp_trainers_camp_id_camps_id_fk FOREIGN KEY (camp_id) REFERENCES public.camps(id) ON DELETE CASCADE;

--
-- Name: camp_trainers camp_trainers_person_id_people_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.camp_trainers
    ADD CONSTRAINT camp_trainers_person_id_people_id_fk FOREIGN KEY (person_id) REFERENCES public.people(id);

--
-- Name: camps camps_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.camps
    ADD CONSTRAINT camps_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id);

--
-- Name: cluster_booths cluster_booths_booth_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cluster_booths
    ADD CONSTRAINT cluster_booths_booth_id_units_id_fk FOREIGN KEY (booth_id) REFERENCES public.units(id) ON DELETE CASCADE;

--
-- Name: cluster_booths cluster_booths_cluster_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cluster_booths
    ADD CONSTRAINT cluster_booths_cluster_fkey FOREIGN KEY (cluster_id, kind_code) REFERENCES public.clusters(id, kind_code) ON UPDATE CASCADE ON DELETE CASCADE;

--
-- Name: cluster_kinds cluster_kinds_groups_kind_cluster_kinds_code_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cluster_kinds
    ADD CONSTRAINT cluster_kinds_groups_kind_cluster_kinds_code_fk FOREIGN KEY (groups_kind) REFERENCES public.cluster_kinds(code) ON UPDATE CASCADE;

--
-- Name: clusters clusters_kind_code_cluster_kinds_code_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clusters
    ADD CONSTRAINT clusters_kind_code_cluster_kinds_code_fk FOREIGN KEY (kind_code) REFERENCES public.cluster_kinds(code) ON UPDATE CASCADE;

--
-- Name: clusters clusters_parent_id_clusters_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clusters
    ADD CONSTRAINT clusters_parent_id_clusters_id_fk FOREIGN KEY (parent_id) REFERENCES public.clusters(id) ON DELETE SET NULL;

--
-- Name: clusters clusters_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clusters
    ADD CONSTRAINT clusters_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id);

--
-- Name: duty_platform_stats duty_platform_stats_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.duty_platform_stats
    ADD CONSTRAINT duty_platform_stats_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id) ON DELETE CASCADE;

--
-- Name: duty_stats duty_stats_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.duty_stats
    ADD CONSTRAINT duty_stats_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id) ON DELETE CASCADE;

--
-- Name: handle_duties handle_duties_platform_code_social_platforms_code_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.handle_duties
    ADD CONSTRAINT handle_duties_platform_code_social_platforms_code_fk FOREIGN KEY (platform_code) REFERENCES public.social_platforms(code);

--
-- Name: handle_duties handle_duties_role_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.handle_duties
    ADD CONSTRAINT handle_duties_role_fkey FOREIGN KEY (wing_code, role_code) REFERENCES public.roles(wing_code, code) ON UPDATE CASCADE ON DELETE CASCADE;

--
-- Name: handle_issues handle_issues_person_id_people_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.handle_issues
    ADD CONSTRAINT handle_issues_person_id_people_id_fk FOREIGN KEY (person_id) REFERENCES public.people(id) ON DELETE CASCADE;

--
-- Name: handle_issues handle_issues_platform_code_social_platforms_code_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.handle_issues
    ADD CONSTRAINT handle_issues_platform_code_social_platforms_code_fk FOREIGN KEY (platform_code) REFERENCES public.social_platforms(code);

--
-- Name: handle_issues handle_issues_taken_by_people_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.handle_issues
    ADD CONSTRAINT handle_issues_taken_by_people_id_fk FOREIGN KEY (taken_by) REFERENCES public.people(id) ON DELETE SET NULL;

--
-- Name: invitations invitations_camp_id_camps_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_camp_id_camps_id_fk FOREIGN KEY (camp_id) REFERENCES public.camps(id) ON DELETE CASCADE;

--
-- Name: invitations invitations_person_id_people_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_person_id_people_id_fk FOREIGN KEY (person_id) REFERENCES public.people(id);

--
-- Name: member_joins member_joins_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.member_joins
    ADD CONSTRAINT member_joins_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id) ON DELETE CASCADE;

--
-- Name: memberships memberships_booth_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_booth_fkey FOREIGN KEY (booth_id, booth_level) REFERENCES public.units(id, level);

--
-- Name: memberships memberships_person_id_people_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_person_id_people_id_fk FOREIGN KEY (person_id) REFERENCES public.people(id);

--
-- Name: office_stats office_stats_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.office_stats
    ADD CONSTRAINT office_stats_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id) ON DELETE CASCADE;

--
-- Name: people people_home_booth_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.people
    ADD CONSTRAINT people_home_booth_fkey FOREIGN KEY (home_booth_id, home_level) REFERENCES public.units(id, level);

--
-- Name: person_handles person_handles_person_id_people_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.person_handles
    ADD CONSTRAINT person_handles_person_id_people_id_fk FOREIGN KEY (person_id) REFERENCES public.people(id) ON DELETE CASCADE;

--
-- Name: person_handles person_handles_platform_code_social_platforms_code_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.person_handles
    ADD CONSTRAINT person_handles_platform_code_social_platforms_code_fk FOREIGN KEY (platform_code) REFERENCES public.social_platforms(code);

--
-- Name: post_days post_days_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.post_days
    ADD CONSTRAINT post_days_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id) ON DELETE CASCADE;

--
-- Name: post_stats post_stats_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.post_stats
    ADD CONSTRAINT post_stats_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id) ON DELETE CASCADE;

--
-- Name: roles roles_cluster_kind_cluster_kinds_code_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.roles
    ADD CONSTRAINT roles_cluster_kind_cluster_kinds_code_fk FOREIGN KEY (cluster_kind) REFERENCES public.cluster_kinds(code) ON UPDATE CASCADE;

--
-- Name: roles roles_wing_code_wings_code_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.roles
    ADD CONSTRAINT roles_wing_code_wings_code_fk FOREIGN KEY (wing_code) REFERENCES public.wings(code) ON UPDATE CASCADE;

--
-- Name: training_rates training_rates_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.training_rates
    ADD CONSTRAINT training_rates_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id) ON DELETE CASCADE;

--
-- Name: training_stats training_stats_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.training_stats
    ADD CONSTRAINT training_stats_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id) ON DELETE CASCADE;

--
-- Name: unit_stats unit_stats_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.unit_stats
    ADD CONSTRAINT unit_stats_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id) ON DELETE CASCADE;

--
-- Name: units units_assembly_id_assemblies_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.units
    ADD CONSTRAINT units_assembly_id_assemblies_id_fk FOREIGN KEY (assembly_id) REFERENCES public.assemblies(id);

--
-- Name: units units_parent_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.units
    ADD CONSTRAINT units_parent_fkey FOREIGN KEY (parent_id, parent_level) REFERENCES public.units(id, level);

--
-- Name: webhook_deliveries webhook_deliveries_webhook_id_webhooks_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_webhook_id_webhooks_id_fk FOREIGN KEY (webhook_id) REFERENCES public.webhooks(id) ON DELETE CASCADE;

--
-- Name: webhooks webhooks_created_by_api_keys_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhooks
    ADD CONSTRAINT webhooks_created_by_api_keys_id_fk FOREIGN KEY (created_by) REFERENCES public.api_keys(id);

--
-- Name: webhooks webhooks_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhooks
    ADD CONSTRAINT webhooks_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id);

--
-- PostgreSQL database dump complete
--
