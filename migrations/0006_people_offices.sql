CREATE TYPE "public"."gender" AS ENUM('female', 'male', 'other');--> statement-breakpoint
CREATE TYPE "public"."membership_grade" AS ENUM('primary', 'active');--> statement-breakpoint
CREATE TYPE "public"."membership_status" AS ENUM('current', 'lapsed');--> statement-breakpoint
CREATE TABLE "appointments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"role_code" text NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"end_reason" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appointments_dates_check" CHECK ("appointments"."end_date" IS NULL OR "appointments"."end_date" >= "appointments"."start_date"),
	CONSTRAINT "appointments_end_reason_check" CHECK ("appointments"."end_reason" IS NULL OR "appointments"."end_date" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"booth_id" uuid NOT NULL,
	"booth_level" "unit_level" DEFAULT 'booth' NOT NULL,
	"grade" "membership_grade" NOT NULL,
	"status" "membership_status" DEFAULT 'current' NOT NULL,
	"joined_on" date NOT NULL,
	"lapsed_on" date,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_booth_level_check" CHECK ("memberships"."booth_level" = 'booth'),
	CONSTRAINT "memberships_lapse_check" CHECK (("memberships"."status" = 'lapsed') = ("memberships"."lapsed_on" IS NOT NULL)),
	CONSTRAINT "memberships_dates_check" CHECK ("memberships"."lapsed_on" IS NULL OR "memberships"."lapsed_on" >= "memberships"."joined_on")
);
--> statement-breakpoint
CREATE TABLE "people" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"home_booth_id" uuid NOT NULL,
	"home_level" "unit_level" DEFAULT 'booth' NOT NULL,
	"phone" text,
	"voter_id" text,
	"gender" "gender",
	"twitter" text,
	"facebook" text,
	"instagram" text,
	"youtube" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "people_voter_id_key" UNIQUE("voter_id"),
	CONSTRAINT "people_home_level_check" CHECK ("people"."home_level" = 'booth'),
	CONSTRAINT "people_name_check" CHECK (length(btrim("people"."name")) BETWEEN 1 AND 200),
	CONSTRAINT "people_phone_check" CHECK ("people"."phone" ~ '^\+91[6-9][0-9]{9}$'),
	CONSTRAINT "people_voter_id_check" CHECK ("people"."voter_id" ~ '^[A-Z0-9/]{6,20}$')
);
--> statement-breakpoint
CREATE TABLE "roles" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"levels" "unit_level"[] NOT NULL,
	"seats" integer,
	"required" boolean DEFAULT false NOT NULL,
	"sort_order" integer DEFAULT 100 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "roles_code_check" CHECK ("roles"."code" ~ '^[a-z][a-z0-9_]{1,49}$'),
	CONSTRAINT "roles_seats_check" CHECK ("roles"."seats" IS NULL OR "roles"."seats" >= 1),
	CONSTRAINT "roles_levels_check" CHECK (cardinality("roles"."levels") >= 1)
);
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_role_code_roles_code_fk" FOREIGN KEY ("role_code") REFERENCES "public"."roles"("code") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_booth_fkey" FOREIGN KEY ("booth_id","booth_level") REFERENCES "public"."units"("id","level") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "people" ADD CONSTRAINT "people_home_booth_fkey" FOREIGN KEY ("home_booth_id","home_level") REFERENCES "public"."units"("id","level") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "appointments_post_idx" ON "appointments" USING btree ("unit_id","role_code","start_date");--> statement-breakpoint
CREATE INDEX "appointments_person_idx" ON "appointments" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "appointments_open_idx" ON "appointments" USING btree ("unit_id","role_code") WHERE "appointments"."end_date" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "memberships_one_current_idx" ON "memberships" USING btree ("person_id") WHERE "memberships"."status" = 'current';--> statement-breakpoint
CREATE INDEX "memberships_booth_idx" ON "memberships" USING btree ("booth_id","status","grade");--> statement-breakpoint
CREATE INDEX "memberships_person_idx" ON "memberships" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "people_home_booth_idx" ON "people" USING btree ("home_booth_id");--> statement-breakpoint
CREATE INDEX "people_phone_idx" ON "people" USING btree ("phone");--> statement-breakpoint
CREATE INDEX "people_name_trgm" ON "people" USING gin ("name" gin_trgm_ops);