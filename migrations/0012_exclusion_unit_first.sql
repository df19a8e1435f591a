-- The exclusion constraint's GiST index led with person_id, and the planner still chose
-- it for "terms at this unit in this role", scanning the whole index per probe. Leading
-- with the unit makes that lookup a narrow descent; the person check is unchanged.
ALTER TABLE appointments DROP CONSTRAINT appointments_no_double_term;
--> statement-breakpoint
ALTER TABLE appointments ADD CONSTRAINT appointments_no_double_term
  EXCLUDE USING gist (unit_id WITH =, role_code WITH =, person_id WITH =, daterange(start_date, end_date, '[)') WITH &&);
