CREATE SEQUENCE "public"."change_positions" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "change_feed_floor" (
	"only" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"expired_through" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "change_feed_floor_only_check" CHECK ("change_feed_floor"."only")
);
--> statement-breakpoint
CREATE TABLE "changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"position" bigint,
	"positioned_at" timestamp with time zone,
	"audit_id" bigint NOT NULL,
	"type" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"unit_id" uuid,
	"unit_path" "ltree",
	"unit_code_path" text COLLATE "C",
	"at" timestamp with time zone NOT NULL,
	"payload" jsonb NOT NULL,
	CONSTRAINT "changes_positioned_check" CHECK (("changes"."position" IS NULL) = ("changes"."positioned_at" IS NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "changes_position_key" ON "changes" USING btree ("position");--> statement-breakpoint
CREATE INDEX "changes_pending_idx" ON "changes" USING btree ("id") WHERE "changes"."position" IS NULL;--> statement-breakpoint
-- The feed starts here: nothing has expired yet. (The trail written before this migration is not replayed into the feed.)
INSERT INTO "change_feed_floor" ("only", "expired_through") VALUES (true, 0);