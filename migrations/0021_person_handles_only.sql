ALTER TABLE "people" DROP COLUMN "twitter";--> statement-breakpoint
ALTER TABLE "people" DROP COLUMN "facebook";--> statement-breakpoint
ALTER TABLE "people" DROP COLUMN "instagram";--> statement-breakpoint
ALTER TABLE "people" DROP COLUMN "youtube";--> statement-breakpoint
-- "Has a handle" is now people.handle_platforms <> '{}' (30_counters.sql).
DROP FUNCTION IF EXISTS has_social_handle(text, text, text, text);
