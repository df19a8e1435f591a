-- POSTS: a post is a role of a wing at a unit, (unit, wing, role), or at a booth cluster
-- (unit, cluster, wing, role: a cluster's terms carry its unit, 46_clusters.sql). A term
-- of office fills one seat of its post; a wing's role exists only at the levels the roles
-- catalogue names (a cluster role: at clusters of its kind), with at most `seats` terms at
-- once (NULL seats: no fixed number), and never the same person twice over overlapping
-- dates (double_terms; refused as appointments_no_double_term).
--
-- A post's lock is taken per (unit, wing, role): the posts of a unit's clusters share
-- their unit's lock (coarser, never wrong). A person's terms are checked under the
-- person's lock (lock_people, 20_own_booth_rule.sql), taken before the posts' locks, as
-- the API takes them. Called by the appointments triggers (40_appointments.sql), the
-- API (src/rules/posts.ts) and the seed's verification.

CREATE OR REPLACE FUNCTION post_key(p_unit uuid, p_wing text, p_role text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT hashtextextended(p_unit::text || '/' || p_wing || '/' || p_role, 0)
$$;

-- One writer per post at a time (in a fixed order, against deadlocks), so two
-- transactions cannot both take the last seat: whoever counts seats after this lock sees
-- the previous writer's commit. A statement writing more than 1,000 terms (an import)
-- locks the table against concurrent writers instead of taking one lock per post.
CREATE OR REPLACE FUNCTION lock_posts(p_unit uuid[], p_wing text[], p_role text[]) RETURNS void LANGUAGE plpgsql AS $$
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

-- Whether a term's role does not exist where the term is held: a unit's role at one of its
-- levels, a cluster's role at a cluster of its kind (the role's levels and cluster kind;
-- the term's unit level, cluster and that cluster's kind).
CREATE OR REPLACE FUNCTION role_misplaced(p_levels unit_level[], p_kind text, p_level unit_level, p_cluster uuid, p_cluster_kind text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_cluster IS NULL THEN p_kind IS NOT NULL OR NOT (p_level = ANY (p_levels))
              ELSE p_kind IS DISTINCT FROM p_cluster_kind END
$$;

-- The terms (given by their values, the way a statement's transition table has them)
-- that break their post: held at a level where the wing's role does not exist
-- ('role_not_at_level'), or overlapping as many other terms of the post as it has seats
-- ('no_free_seat'). Seats are counted through the post's B-tree (appointments_post_idx).
CREATE OR REPLACE FUNCTION post_violations(p_id uuid[], p_unit uuid[], p_cluster uuid[], p_wing text[], p_role text[], p_start date[], p_end date[])
RETURNS TABLE (appointment_id uuid, unit_id uuid, wing_code text, role_code text, violation text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
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

-- Every term that breaks its post, anywhere (the seed's verification): the same two
-- rules (role_misplaced, and as many overlapping terms as seats) over the whole table by
-- joins, not through the arrays above (india's 1 crore terms as seven arrays: 43 s).
CREATE OR REPLACE FUNCTION post_violations()
RETURNS TABLE (appointment_id uuid, unit_id uuid, wing_code text, role_code text, violation text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
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

-- The terms of these people that overlap another term of the same person in the same post
-- (unit, cluster, wing, role). Both sides are read by appointments_person_idx: a person
-- holds a handful of terms. This was an exclusion constraint (GiST over a hash of the post
-- and the dates) until migration 0033: ~22 µs for every term written, 300 s of the
-- country's load, where this probe costs a few µs per person of the statement.
CREATE OR REPLACE FUNCTION double_terms(p_people uuid[])
RETURNS TABLE (appointment_id uuid, person_id uuid, unit_id uuid, wing_code text, role_code text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT t.id, t.person_id, t.unit_id, t.wing_code, t.role_code
    FROM appointments t
    JOIN appointments o ON o.person_id = t.person_id AND o.id <> t.id
                       AND o.unit_id = t.unit_id AND o.cluster_id IS NOT DISTINCT FROM t.cluster_id
                       AND o.wing_code = t.wing_code AND o.role_code = t.role_code
                       AND terms_overlap(o.start_date, o.end_date, t.start_date, t.end_date)
   WHERE t.person_id = ANY (p_people) AND o.person_id = ANY (p_people)
$$;

-- Every term that overlaps another of the same person in the same post, anywhere (the
-- seed's verification): the same check, of the people with two terms or more (india:
-- 2,67,599 of 1.1 crore, 5.7 s).
CREATE OR REPLACE FUNCTION double_terms()
RETURNS TABLE (appointment_id uuid, person_id uuid, unit_id uuid, wing_code text, role_code text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT * FROM double_terms(ARRAY(SELECT a.person_id FROM appointments a GROUP BY a.person_id HAVING count(*) > 1))
$$;

-- Refuses (exclusion_violation, constraint appointments_no_double_term) when any of these
-- people would hold one post twice at once, after locking them: of two transactions giving
-- one person the same post, the second waits for the first and then sees its term.
CREATE OR REPLACE FUNCTION assert_single_terms(p_people uuid[]) RETURNS void LANGUAGE plpgsql AS $$
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

-- Refuses (check_violation, constraint appointments_role_level or appointments_seats)
-- when any of these terms breaks its post, after locking the posts.
CREATE OR REPLACE FUNCTION assert_posts(p_id uuid[], p_unit uuid[], p_cluster uuid[], p_wing text[], p_role text[], p_start date[], p_end date[])
RETURNS void LANGUAGE plpgsql AS $$
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
