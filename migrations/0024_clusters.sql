CREATE TABLE "cluster_booths" (
	"booth_id" uuid NOT NULL,
	"kind_code" text NOT NULL,
	"cluster_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cluster_booths_pkey" PRIMARY KEY("booth_id","kind_code")
);
--> statement-breakpoint
CREATE TABLE "cluster_kinds" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"local_name" text,
	"groups_kind" text,
	"levels" "unit_level"[] NOT NULL,
	"sort_order" integer DEFAULT 100 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cluster_kinds_code_check" CHECK ("cluster_kinds"."code" ~ '^[a-z][a-z0-9_]{1,29}$'),
	CONSTRAINT "cluster_kinds_name_check" CHECK (length(btrim("cluster_kinds"."name")) BETWEEN 1 AND 100),
	CONSTRAINT "cluster_kinds_levels_check" CHECK (cardinality("cluster_kinds"."levels") >= 1 AND NOT ('booth' = ANY ("cluster_kinds"."levels"))),
	CONSTRAINT "cluster_kinds_groups_check" CHECK ("cluster_kinds"."groups_kind" IS DISTINCT FROM "cluster_kinds"."code")
);
--> statement-breakpoint
CREATE TABLE "clusters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"kind_code" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"local_name" text,
	"parent_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"import_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "clusters_unit_code_key" UNIQUE("unit_id","code"),
	CONSTRAINT "clusters_id_unit_key" UNIQUE("id","unit_id"),
	CONSTRAINT "clusters_id_kind_key" UNIQUE("id","kind_code"),
	CONSTRAINT "clusters_code_check" CHECK ("clusters"."code" ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'),
	CONSTRAINT "clusters_name_check" CHECK (length(btrim("clusters"."name")) BETWEEN 1 AND 200)
);
--> statement-breakpoint
ALTER TABLE "roles" DROP CONSTRAINT "roles_levels_check";--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "cluster_id" uuid;--> statement-breakpoint
ALTER TABLE "roles" ADD COLUMN "cluster_kind" text;--> statement-breakpoint
ALTER TABLE "cluster_booths" ADD CONSTRAINT "cluster_booths_booth_id_units_id_fk" FOREIGN KEY ("booth_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cluster_booths" ADD CONSTRAINT "cluster_booths_cluster_fkey" FOREIGN KEY ("cluster_id","kind_code") REFERENCES "public"."clusters"("id","kind_code") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "cluster_kinds" ADD CONSTRAINT "cluster_kinds_groups_kind_cluster_kinds_code_fk" FOREIGN KEY ("groups_kind") REFERENCES "public"."cluster_kinds"("code") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_kind_code_cluster_kinds_code_fk" FOREIGN KEY ("kind_code") REFERENCES "public"."cluster_kinds"("code") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_parent_id_clusters_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."clusters"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cluster_booths_cluster_idx" ON "cluster_booths" USING btree ("cluster_id");--> statement-breakpoint
CREATE INDEX "clusters_parent_idx" ON "clusters" USING btree ("parent_id") WHERE "clusters"."parent_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_cluster_fkey" FOREIGN KEY ("cluster_id","unit_id") REFERENCES "public"."clusters"("id","unit_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roles" ADD CONSTRAINT "roles_cluster_kind_cluster_kinds_code_fk" FOREIGN KEY ("cluster_kind") REFERENCES "public"."cluster_kinds"("code") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
CREATE INDEX "appointments_cluster_idx" ON "appointments" USING btree ("cluster_id","wing_code","role_code") WHERE "appointments"."cluster_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "roles" ADD CONSTRAINT "roles_levels_check" CHECK (("roles"."cluster_kind" IS NULL AND cardinality("roles"."levels") >= 1) OR ("roles"."cluster_kind" IS NOT NULL AND cardinality("roles"."levels") = 0));--> statement-breakpoint
-- A cluster's post is (cluster, wing, role): no person twice in it over overlapping dates.
ALTER TABLE appointments DROP CONSTRAINT appointments_no_double_term;
--> statement-breakpoint
ALTER TABLE appointments ADD CONSTRAINT appointments_no_double_term
  EXCLUDE USING gist (unit_id WITH =, (coalesce(cluster_id, '00000000-0000-0000-0000-000000000000'::uuid)) WITH =, wing_code WITH =, role_code WITH =, person_id WITH =, daterange(start_date, end_date, '[)') WITH &&);
--> statement-breakpoint
-- The post checks take the terms' clusters (21_posts.sql defines the new signatures).
DROP FUNCTION IF EXISTS assert_posts(uuid[], uuid[], text[], text[], date[], date[]);
--> statement-breakpoint
DROP FUNCTION IF EXISTS post_violations(uuid[], uuid[], text[], text[], date[], date[]);
--> statement-breakpoint
-- The kinds the parties use: sectors (and zones of sectors) in Chhattisgarh's Congress,
-- shakti kendras elsewhere; and a post of each.
INSERT INTO cluster_kinds (code, name, local_name, groups_kind, levels, sort_order) VALUES
  ('sector', 'Sector', 'सेक्टर', NULL, '{block,ward}', 10),
  ('zone', 'Zone', 'ज़ोन', 'sector', '{block,ward}', 20),
  ('shakti_kendra', 'Shakti kendra', 'शक्ति केंद्र', NULL, '{block,ward}', 30);
--> statement-breakpoint
INSERT INTO roles (wing_code, code, name, levels, cluster_kind, seats, required, sort_order) VALUES
  ('main', 'sector_incharge', 'Sector in-charge', '{}', 'sector', 1, true, 200),
  ('main', 'sector_president', 'Sector president', '{}', 'sector', 1, false, 201),
  ('main', 'zone_incharge', 'Zone in-charge', '{}', 'zone', 1, true, 210),
  ('main', 'shakti_kendra_incharge', 'Shakti kendra in-charge', '{}', 'shakti_kendra', 1, true, 220);
