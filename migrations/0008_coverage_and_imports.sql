CREATE TYPE "public"."import_kind" AS ENUM('units', 'booth_presidents');--> statement-breakpoint
CREATE TYPE "public"."import_status" AS ENUM('running', 'succeeded', 'failed', 'partial', 'dry_run');--> statement-breakpoint
CREATE TABLE "booth_posts" (
	"booth_id" uuid NOT NULL,
	"role_code" text NOT NULL,
	"holders" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "booth_posts_pkey" PRIMARY KEY("booth_id","role_code")
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "import_kind" NOT NULL,
	"status" "import_status" DEFAULT 'running' NOT NULL,
	"mode" text DEFAULT 'all_or_nothing' NOT NULL,
	"dry_run" boolean DEFAULT false NOT NULL,
	"key_id" uuid,
	"scope_unit_id" uuid,
	"request_id" text,
	"counts" jsonb DEFAULT '{"rows":0,"created":0,"updated":0,"unchanged":0,"failed":0}'::jsonb NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "member_joins" (
	"unit_id" uuid NOT NULL,
	"joined_on" date NOT NULL,
	"members" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "member_joins_pkey" PRIMARY KEY("unit_id","joined_on")
);
--> statement-breakpoint
CREATE TABLE "post_stats" (
	"unit_id" uuid NOT NULL,
	"role_code" text NOT NULL,
	"filled_booths" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "post_stats_pkey" PRIMARY KEY("unit_id","role_code")
);
--> statement-breakpoint
CREATE TABLE "unit_stats" (
	"unit_id" uuid PRIMARY KEY NOT NULL,
	"total_booths" integer DEFAULT 0 NOT NULL,
	"active_members" integer DEFAULT 0 NOT NULL,
	"office_bearers" integer DEFAULT 0 NOT NULL,
	"office_bearers_with_handle" integer DEFAULT 0 NOT NULL,
	"committee_histogram" integer[] DEFAULT array_fill(0, ARRAY[33]) NOT NULL
);
--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "import_id" uuid;--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "import_id" uuid;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "import_id" uuid;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "import_id" uuid;--> statement-breakpoint
ALTER TABLE "booth_posts" ADD CONSTRAINT "booth_posts_booth_id_units_id_fk" FOREIGN KEY ("booth_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_joins" ADD CONSTRAINT "member_joins_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "post_stats" ADD CONSTRAINT "post_stats_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_stats" ADD CONSTRAINT "unit_stats_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "imports_created_idx" ON "imports" USING btree ("created_at","id");