-- drizzle-kit does not emit CREATE EXTENSION; everything after this file relies on them.
-- ltree: materialised unit paths, so "descendants of X" is one GiST-indexed query.
CREATE EXTENSION IF NOT EXISTS ltree;
--> statement-breakpoint
-- pg_trgm: substring search on unit names and codes without a sequential scan.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
