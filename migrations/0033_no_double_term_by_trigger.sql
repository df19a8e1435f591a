-- The same person twice in one post over overlapping dates is now refused by the
-- appointments triggers (double_terms and assert_single_terms, src/db/routines/21_posts.sql),
-- under the person's lock, with the same constraint name in the error. The exclusion's
-- GiST index cost ~22 µs for every term written (300 s of the country's load) and
-- answered no query; the person's B-tree serves the check.
ALTER TABLE appointments DROP CONSTRAINT appointments_no_double_term;
