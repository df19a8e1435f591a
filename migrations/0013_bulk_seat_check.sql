-- assert_posts took one advisory lock per post: a bulk import of 100,000 terms ran out of
-- the lock table ("out of shared memory"), and its per-term count was near quadratic.
-- Large statements now lock the table against concurrent writers instead, and count
-- seats with one grouped join.
CREATE OR REPLACE FUNCTION assert_posts(p_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  IF coalesce(cardinality(p_ids), 0) = 0 THEN
    RETURN;
  END IF;
  SELECT a.role_code, u.level INTO bad
    FROM appointments a JOIN roles r ON r.code = a.role_code JOIN units u ON u.id = a.unit_id
   WHERE a.id = ANY (p_ids) AND NOT (u.level = ANY (r.levels))
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'role % does not exist at level %', bad.role_code, bad.level
      USING ERRCODE = 'check_violation', CONSTRAINT = 'appointments_role_level', TABLE = 'appointments';
  END IF;
  IF cardinality(p_ids) > 1000 THEN
    -- One lock for the whole table: no concurrent writer can take a seat this statement counts.
    LOCK TABLE appointments IN SHARE ROW EXCLUSIVE MODE;
  ELSE
    -- One writer per post at a time (in a fixed order), so two transactions cannot both
    -- take the last seat; the count below then sees the previous writer's commit.
    PERFORM pg_advisory_xact_lock(k)
       FROM (SELECT DISTINCT hashtextextended(a.unit_id::text || '/' || a.role_code, 0) AS k
               FROM appointments a JOIN roles r ON r.code = a.role_code
              WHERE a.id = ANY (p_ids) AND r.seats IS NOT NULL) posts
      ORDER BY k;
  END IF;
  SELECT a.role_code, a.unit_id INTO bad
    FROM appointments a
    JOIN roles r ON r.code = a.role_code AND r.seats IS NOT NULL
    JOIN appointments o ON o.unit_id = a.unit_id AND o.role_code = a.role_code AND o.id <> a.id
                       AND daterange(o.start_date, o.end_date, '[)') && daterange(a.start_date, a.end_date, '[)')
   WHERE a.id = ANY (p_ids)
   GROUP BY a.id, a.role_code, a.unit_id, r.seats
  HAVING count(*) >= r.seats
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'post % at unit % has no free seat', bad.role_code, bad.unit_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'appointments_seats', TABLE = 'appointments';
  END IF;
END
$$;
