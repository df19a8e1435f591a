CREATE TYPE "public"."camp_status" AS ENUM('planned', 'held', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."invitation_source" AS ENUM('rule', 'manual', 'walk_in');--> statement-breakpoint
CREATE TYPE "public"."invitation_status" AS ENUM('invited', 'confirmed', 'declined', 'attended', 'no_show', 'cancelled');--> statement-breakpoint
ALTER TYPE "public"."import_kind" ADD VALUE 'sign_in_sheet';--> statement-breakpoint
CREATE TABLE "attendance" (
	"invitation_id" uuid NOT NULL,
	"day" date NOT NULL,
	"checked_in_at" timestamp with time zone DEFAULT now() NOT NULL,
	"import_id" uuid,
	CONSTRAINT "attendance_pkey" PRIMARY KEY("invitation_id","day")
);
--> statement-breakpoint
CREATE TABLE "camp_topics" (
	"camp_id" uuid NOT NULL,
	"topic_code" text NOT NULL,
	CONSTRAINT "camp_topics_pkey" PRIMARY KEY("camp_id","topic_code")
);
--> statement-breakpoint
CREATE TABLE "camp_trainers" (
	"camp_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"person_id" uuid,
	"name" text,
	CONSTRAINT "camp_trainers_pkey" PRIMARY KEY("camp_id","position"),
	CONSTRAINT "camp_trainers_who_check" CHECK (("camp_trainers"."person_id" IS NULL) <> ("camp_trainers"."name" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "camps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"title" text NOT NULL,
	"local_title" text,
	"venue" text,
	"start_date" date NOT NULL,
	"end_date" date NOT NULL,
	"capacity" integer,
	"status" "camp_status" DEFAULT 'planned' NOT NULL,
	"notes" text,
	"audience" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "camps_dates_check" CHECK ("camps"."end_date" >= "camps"."start_date" AND "camps"."end_date" <= "camps"."start_date" + 30),
	CONSTRAINT "camps_capacity_check" CHECK ("camps"."capacity" IS NULL OR "camps"."capacity" >= 1),
	CONSTRAINT "camps_title_check" CHECK (length(btrim("camps"."title")) BETWEEN 1 AND 200)
);
--> statement-breakpoint
CREATE TABLE "invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"camp_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"status" "invitation_status" DEFAULT 'invited' NOT NULL,
	"source" "invitation_source" NOT NULL,
	"qualified_by" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"post_level" "unit_level",
	"post_wing" text,
	"post_role" text,
	"import_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invitations_camp_person_key" UNIQUE("camp_id","person_id")
);
--> statement-breakpoint
CREATE TABLE "topics" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"local_name" text,
	"sort_order" integer DEFAULT 100 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "topics_code_check" CHECK ("topics"."code" ~ '^[a-z][a-z0-9_]{1,49}$'),
	CONSTRAINT "topics_name_check" CHECK (length(btrim("topics"."name")) BETWEEN 1 AND 100)
);
--> statement-breakpoint
CREATE TABLE "training_people" (
	"person_id" uuid PRIMARY KEY NOT NULL,
	"booth_id" uuid NOT NULL,
	"wings" text[] NOT NULL,
	"topics" text[] NOT NULL,
	"last_days" date[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_rates" (
	"unit_id" uuid PRIMARY KEY NOT NULL,
	"invited" integer DEFAULT 0 NOT NULL,
	"attended" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_stats" (
	"unit_id" uuid NOT NULL,
	"wing_key" text NOT NULL,
	"topic_key" text NOT NULL,
	"last_day" date NOT NULL,
	"people" integer NOT NULL,
	CONSTRAINT "training_stats_pkey" PRIMARY KEY("unit_id","wing_key","topic_key","last_day")
);
--> statement-breakpoint
ALTER TABLE "attendance" ADD CONSTRAINT "attendance_invitation_id_invitations_id_fk" FOREIGN KEY ("invitation_id") REFERENCES "public"."invitations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "camp_topics" ADD CONSTRAINT "camp_topics_camp_id_camps_id_fk" FOREIGN KEY ("camp_id") REFERENCES "public"."camps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "camp_topics" ADD CONSTRAINT "camp_topics_topic_code_topics_code_fk" FOREIGN KEY ("topic_code") REFERENCES "public"."topics"("code") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "camp_trainers" ADD CONSTRAINT "camp_trainers_camp_id_camps_id_fk" FOREIGN KEY ("camp_id") REFERENCES "public"."camps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "camp_trainers" ADD CONSTRAINT "camp_trainers_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "camps" ADD CONSTRAINT "camps_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_camp_id_camps_id_fk" FOREIGN KEY ("camp_id") REFERENCES "public"."camps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_rates" ADD CONSTRAINT "training_rates_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_stats" ADD CONSTRAINT "training_stats_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "camp_trainers_person_idx" ON "camp_trainers" USING btree ("person_id") WHERE "camp_trainers"."person_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "camps_unit_idx" ON "camps" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "camps_start_idx" ON "camps" USING btree ("start_date","id");--> statement-breakpoint
CREATE INDEX "invitations_person_idx" ON "invitations" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "training_people_booth_idx" ON "training_people" USING btree ("booth_id");--> statement-breakpoint
INSERT INTO "topics" ("code", "name", "local_name", "sort_order") VALUES
  ('booth_committee', 'Building the booth committee', 'बूथ समिति का गठन', 10),
  ('member_enrolment', 'Enrolling new members', 'नए सदस्यों का नामांकन', 20),
  ('social_media', 'Running the party''s social media', 'सोशल मीडिया का संचालन', 30),
  ('electoral_roll', 'Electoral roll work', 'मतदाता सूची का काम', 40)
ON CONFLICT DO NOTHING;
