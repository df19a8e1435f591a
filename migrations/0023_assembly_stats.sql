CREATE TABLE "assembly_member_joins" (
	"assembly_id" uuid NOT NULL,
	"district_node" bigint NOT NULL,
	"joined_on" date NOT NULL,
	"members" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "assembly_member_joins_pkey" PRIMARY KEY("assembly_id","district_node","joined_on")
);
--> statement-breakpoint
CREATE TABLE "assembly_office_stats" (
	"assembly_id" uuid NOT NULL,
	"district_node" bigint NOT NULL,
	"wing_code" text NOT NULL,
	"office_bearers" integer DEFAULT 0 NOT NULL,
	"office_bearers_with_handle" integer DEFAULT 0 NOT NULL,
	"committee_histogram" integer[] DEFAULT array_fill(0, ARRAY[33]) NOT NULL,
	CONSTRAINT "assembly_office_stats_pkey" PRIMARY KEY("assembly_id","district_node","wing_code")
);
--> statement-breakpoint
CREATE TABLE "assembly_post_stats" (
	"assembly_id" uuid NOT NULL,
	"district_node" bigint NOT NULL,
	"wing_code" text NOT NULL,
	"role_code" text NOT NULL,
	"filled_booths" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "assembly_post_stats_pkey" PRIMARY KEY("assembly_id","district_node","wing_code","role_code")
);
--> statement-breakpoint
CREATE TABLE "assembly_stats" (
	"assembly_id" uuid NOT NULL,
	"district_node" bigint NOT NULL,
	"total_booths" integer DEFAULT 0 NOT NULL,
	"active_members" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "assembly_stats_pkey" PRIMARY KEY("assembly_id","district_node")
);
--> statement-breakpoint
ALTER TABLE "assembly_member_joins" ADD CONSTRAINT "assembly_member_joins_pair_fkey" FOREIGN KEY ("assembly_id","district_node") REFERENCES "public"."assembly_stats"("assembly_id","district_node") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assembly_office_stats" ADD CONSTRAINT "assembly_office_stats_pair_fkey" FOREIGN KEY ("assembly_id","district_node") REFERENCES "public"."assembly_stats"("assembly_id","district_node") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assembly_post_stats" ADD CONSTRAINT "assembly_post_stats_pair_fkey" FOREIGN KEY ("assembly_id","district_node") REFERENCES "public"."assembly_stats"("assembly_id","district_node") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assembly_stats" ADD CONSTRAINT "assembly_stats_assembly_id_assemblies_id_fk" FOREIGN KEY ("assembly_id") REFERENCES "public"."assemblies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assembly_stats" ADD CONSTRAINT "assembly_stats_district_node_units_node_fk" FOREIGN KEY ("district_node") REFERENCES "public"."units"("node") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assembly_stats_district_idx" ON "assembly_stats" USING btree ("district_node");