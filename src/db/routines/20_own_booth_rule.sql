-- THE OWN-BOOTH RULE
--
-- "Whether a state, national or district office-bearer, each must be an active member at
-- their own booth": every open term of office (not ended, whether or not begun) is held
-- by someone with a current membership, of grade active, at their own home booth.
--
-- This file is the rule. The triggers (40_appointments.sql, 41_memberships.sql,
-- 42_people.sql) call assert_own_booth_rule after every statement that could break it;
-- the API's checks (src/rules/own-booth.ts) ask office_standing or let a write fail here
-- and name the reason; the presidents import asks office_ineligibility; the seed's
-- verification counts own_booth_violations().

-- Why a person with this home booth and this current membership may not hold office;
-- NULL when they may. A person without a current membership passes NULLs.
CREATE OR REPLACE FUNCTION office_ineligibility(p_home_booth uuid, p_member_booth uuid, p_grade membership_grade)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p_member_booth IS NULL THEN 'no_current_membership'
    WHEN p_grade <> 'active' THEN 'not_active_member'
    WHEN p_member_booth <> p_home_booth THEN 'member_away_from_home'
  END
$$;

-- Every change that can break the rule locks its people first (in id order, against
-- deadlocks), so concurrent changes to one person queue up and each check made after the
-- lock sees the others' committed result. The API takes it before its own checks.
CREATE OR REPLACE FUNCTION lock_people(p_people uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM people WHERE id = ANY (p_people) ORDER BY id FOR NO KEY UPDATE;
END
$$;

-- Each person's standing: why they may not hold office (NULL: they may).
CREATE OR REPLACE FUNCTION office_standing(p_people uuid[])
RETURNS TABLE (person_id uuid, ineligibility text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p.id, office_ineligibility(p.home_booth_id, m.booth_id, m.grade)
    FROM people p
    LEFT JOIN memberships m ON m.person_id = p.id AND m.status = 'current'
   WHERE p.id = ANY (p_people)
$$;

-- Every open term with its holder's standing. A view, so that a filter on person_id is
-- pushed down to the appointments_person_idx probe.
CREATE OR REPLACE VIEW open_terms_standing AS
  SELECT a.id AS appointment_id, a.person_id, office_ineligibility(p.home_booth_id, m.booth_id, m.grade) AS ineligibility
    FROM appointments a
    JOIN people p ON p.id = a.person_id
    LEFT JOIN memberships m ON m.person_id = a.person_id AND m.status = 'current'
   WHERE term_is_open(a.end_date);

-- The open terms of these people that the rule forbids.
CREATE OR REPLACE FUNCTION own_booth_violations(p_people uuid[])
RETURNS TABLE (appointment_id uuid, person_id uuid, ineligibility text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT s.appointment_id, s.person_id, s.ineligibility
    FROM open_terms_standing s
   WHERE s.person_id = ANY (p_people) AND s.ineligibility IS NOT NULL
$$;

-- Every open term the rule forbids, anywhere (the seed's verification).
CREATE OR REPLACE FUNCTION own_booth_violations()
RETURNS TABLE (appointment_id uuid, person_id uuid, ineligibility text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT s.appointment_id, s.person_id, s.ineligibility
    FROM open_terms_standing s
   WHERE s.ineligibility IS NOT NULL
$$;

-- Refuses (check_violation, constraint own_booth_rule) when any of these people holds an
-- open term the rule forbids. Called once per statement, over its transition tables.
CREATE OR REPLACE FUNCTION assert_own_booth_rule(p_people uuid[]) RETURNS void LANGUAGE plpgsql AS $$
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
