-- Voter IDs take their real forms only (src/people/identity.ts): the current EPIC card,
-- three letters and seven digits, or an older card's state code and numbers,
-- UP/12/123/456789. The old check (^[A-Z0-9/]{6,20}$) also let unit code paths through.
-- Added NOT VALID so that a database holding a voter ID of another form still upgrades;
-- validated at once where every row already passes (a fresh or a clean database), and
-- otherwise left for an admin: the notice says how many rows need correcting.
ALTER TABLE "people" DROP CONSTRAINT "people_voter_id_check";--> statement-breakpoint
ALTER TABLE "people" ADD CONSTRAINT "people_voter_id_check" CHECK ("people"."voter_id" ~ '^([A-Z]{3}[0-9]{7}|[A-Z]{2}/[0-9]{1,3}/[0-9]{1,4}/[0-9]{1,7})$') NOT VALID;--> statement-breakpoint
DO $$
DECLARE
  odd integer;
BEGIN
  SELECT count(*) INTO odd FROM people
   WHERE voter_id !~ '^([A-Z]{3}[0-9]{7}|[A-Z]{2}/[0-9]{1,3}/[0-9]{1,4}/[0-9]{1,7})$';
  IF odd = 0 THEN
    ALTER TABLE people VALIDATE CONSTRAINT people_voter_id_check;
  ELSE
    RAISE NOTICE '% people have a voter ID in neither accepted form; people_voter_id_check stays NOT VALID until they are corrected', odd;
  END IF;
END
$$;
