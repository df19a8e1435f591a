-- Wings: a post becomes (unit, wing, role). The main body is the wing 'main': every
-- existing role and term becomes a main-body one in place, and the main body's counters
-- move to office_stats unchanged. The functions whose signatures gain the wing are
-- dropped here and defined anew in src/db/routines (21_posts.sql, 30_counters.sql).
CREATE TABLE "wings" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"local_name" text,
	"sort_order" integer DEFAULT 100 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wings_code_check" CHECK ("wings"."code" ~ '^[a-z][a-z0-9_]{1,29}$' AND "wings"."code" <> 'all'),
	CONSTRAINT "wings_name_check" CHECK (length(btrim("wings"."name")) BETWEEN 1 AND 100)
);
--> statement-breakpoint
INSERT INTO wings (code, name, local_name, sort_order) VALUES
  ('main', 'Main body', 'मुख्य संगठन', 10),
  ('youth', 'Youth wing', 'युवा मोर्चा', 20),
  ('women', 'Women''s wing', 'महिला मोर्चा', 30),
  ('students', 'Students'' wing', 'छात्र संगठन', 40),
  ('seva_dal', 'Seva Dal', 'सेवा दल', 50),
  ('it_cell', 'IT and social media cell', 'आईटी एवं सोशल मीडिया प्रकोष्ठ', 60);
--> statement-breakpoint
ALTER TABLE "appointments" DROP CONSTRAINT "appointments_role_code_roles_code_fk";--> statement-breakpoint
ALTER TABLE "appointments" DROP CONSTRAINT "appointments_no_double_term";--> statement-breakpoint
DROP INDEX "appointments_post_idx";--> statement-breakpoint
DROP INDEX "appointments_open_idx";--> statement-breakpoint
ALTER TABLE "roles" DROP CONSTRAINT "roles_pkey";--> statement-breakpoint
ALTER TABLE "roles" ADD COLUMN "wing_code" text DEFAULT 'main' NOT NULL;--> statement-breakpoint
ALTER TABLE "roles" ADD CONSTRAINT "roles_pkey" PRIMARY KEY("wing_code","code");--> statement-breakpoint
ALTER TABLE "roles" ADD CONSTRAINT "roles_wing_code_wings_code_fk" FOREIGN KEY ("wing_code") REFERENCES "public"."wings"("code") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
-- A constant default: PostgreSQL adds the column without rewriting the table.
ALTER TABLE "appointments" ADD COLUMN "wing_code" text DEFAULT 'main' NOT NULL;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_role_fkey" FOREIGN KEY ("wing_code","role_code") REFERENCES "public"."roles"("wing_code","code") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
CREATE INDEX "appointments_post_idx" ON "appointments" USING btree ("unit_id","wing_code","role_code","start_date");--> statement-breakpoint
CREATE INDEX "appointments_open_idx" ON "appointments" USING btree ("unit_id","wing_code","role_code") WHERE "appointments"."end_date" IS NULL;--> statement-breakpoint
-- No person twice in one post over overlapping dates, in every wing.
ALTER TABLE appointments ADD CONSTRAINT appointments_no_double_term
  EXCLUDE USING gist (unit_id WITH =, wing_code WITH =, role_code WITH =, person_id WITH =, daterange(start_date, end_date, '[)') WITH &&);
--> statement-breakpoint
-- Wing posts: a president and secretaries at every level in each frontal organisation.
INSERT INTO roles (wing_code, code, name, levels, seats, required, sort_order)
SELECT w.code, r.code, r.name, r.levels::unit_level[], r.seats, r.required, r.sort_order
  FROM wings w
 CROSS JOIN (VALUES
   ('president', 'President', '{state,district,block,ward,booth}', 1, true, 10),
   ('vice_president', 'Vice President', '{state,district,block,ward}', 2, false, 20),
   ('general_secretary', 'General Secretary', '{state,district,block}', 2, false, 30),
   ('secretary', 'Secretary', '{state,district,block,ward,booth}', 2, false, 40)
 ) AS r(code, name, levels, seats, required, sort_order)
 WHERE w.code <> 'main';
--> statement-breakpoint
-- Counters per wing: the main body's figures move over as they are.
CREATE TABLE "office_stats" (
	"unit_id" uuid NOT NULL,
	"wing_code" text NOT NULL,
	"office_bearers" integer DEFAULT 0 NOT NULL,
	"office_bearers_with_handle" integer DEFAULT 0 NOT NULL,
	"committee_histogram" integer[] DEFAULT array_fill(0, ARRAY[33]) NOT NULL,
	CONSTRAINT "office_stats_pkey" PRIMARY KEY("unit_id","wing_code")
);
--> statement-breakpoint
ALTER TABLE "office_stats" ADD CONSTRAINT "office_stats_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
INSERT INTO office_stats (unit_id, wing_code, office_bearers, office_bearers_with_handle, committee_histogram)
SELECT unit_id, 'main', office_bearers, office_bearers_with_handle, ARRAY[0] || committee_histogram[2:33]
  FROM unit_stats
 ORDER BY unit_id;
--> statement-breakpoint
ALTER TABLE "unit_stats" DROP COLUMN "office_bearers";--> statement-breakpoint
ALTER TABLE "unit_stats" DROP COLUMN "office_bearers_with_handle";--> statement-breakpoint
ALTER TABLE "unit_stats" DROP COLUMN "committee_histogram";--> statement-breakpoint
ALTER TABLE "post_stats" DROP CONSTRAINT "post_stats_pkey";--> statement-breakpoint
ALTER TABLE "post_stats" ADD COLUMN "wing_code" text DEFAULT 'main' NOT NULL;--> statement-breakpoint
ALTER TABLE "post_stats" ALTER COLUMN "wing_code" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "post_stats" ADD CONSTRAINT "post_stats_pkey" PRIMARY KEY("unit_id","wing_code","role_code");--> statement-breakpoint
DROP FUNCTION IF EXISTS post_key(uuid, text);--> statement-breakpoint
DROP FUNCTION IF EXISTS lock_posts(uuid[], text[]);--> statement-breakpoint
DROP FUNCTION IF EXISTS post_violations(uuid[], uuid[], text[], date[], date[]);--> statement-breakpoint
DROP FUNCTION IF EXISTS assert_posts(uuid[], uuid[], text[], date[], date[]);--> statement-breakpoint
DROP FUNCTION IF EXISTS post_violations();--> statement-breakpoint
DROP FUNCTION IF EXISTS booth_figures(uuid, text, date);--> statement-breakpoint
DROP FUNCTION IF EXISTS apply_appointment_deltas(uuid[], text[], uuid[], integer[]);
