-- btree_gist: exclusion constraints mixing equality (person, unit, role) with date-range overlap.
CREATE EXTENSION IF NOT EXISTS btree_gist;
