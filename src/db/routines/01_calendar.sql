-- Calendar dates in this service are India dates (Asia/Kolkata).
CREATE OR REPLACE FUNCTION india_today() RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (now() AT TIME ZONE 'Asia/Kolkata')::date
$$;

-- A term of office covers [start_date, end_date): end_date is the first day out of office.
-- It is open, and the own-booth rule covers it, until it ends (whether or not it has begun);
-- it is current while today lies inside it. Inlined by the planner wherever it is called.
CREATE OR REPLACE FUNCTION term_is_open(p_end date) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p_end IS NULL OR p_end > india_today()
$$;

CREATE OR REPLACE FUNCTION term_is_current(p_start date, p_end date) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p_start <= india_today() AND (p_end IS NULL OR p_end > india_today())
$$;

-- Two terms overlap. An unended term runs to infinity; an empty one (ended on its start
-- date) overlaps nothing. Spelled with comparisons rather than daterange &&, so that a
-- join on a post walks its B-tree (unit_id, role_code, start_date).
CREATE OR REPLACE FUNCTION terms_overlap(a_start date, a_end date, b_start date, b_end date)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT a_start < coalesce(b_end, 'infinity') AND coalesce(a_end, 'infinity') > b_start
     AND a_start < coalesce(a_end, 'infinity') AND b_start < coalesce(b_end, 'infinity')
$$;
