CREATE TABLE "schema_routines" (
	"name" text PRIMARY KEY NOT NULL,
	"checksum" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- From here on, trigger functions, triggers, views and the rule functions are defined in
-- src/db/routines/*.sql and applied after the migrations (src/db/routines.ts); migrations
-- keep only what happens once: tables, constraints, indexes, data, and dropping the dead.
-- has_social_handle(uuid) has been unused since 0010; 30_counters.sql defines the
-- predicate anew over the four handle columns.
DROP FUNCTION IF EXISTS has_social_handle(uuid);
