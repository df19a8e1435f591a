CREATE TABLE "assemblies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"state_id" uuid NOT NULL,
	"state_level" "unit_level" DEFAULT 'state' NOT NULL,
	"number" integer NOT NULL,
	"name" text NOT NULL,
	"named" boolean DEFAULT true NOT NULL,
	"local_name" text,
	"reserved" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assemblies_state_number_key" UNIQUE("state_id","number"),
	CONSTRAINT "assemblies_state_level_check" CHECK ("assemblies"."state_level" = 'state'),
	CONSTRAINT "assemblies_number_check" CHECK ("assemblies"."number" BETWEEN 1 AND 9999),
	CONSTRAINT "assemblies_name_check" CHECK (length(btrim("assemblies"."name")) BETWEEN 1 AND 200),
	CONSTRAINT "assemblies_reserved_check" CHECK ("assemblies"."reserved" IN ('SC', 'ST'))
);
--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "assembly_id" uuid;--> statement-breakpoint
ALTER TABLE "assemblies" ADD CONSTRAINT "assemblies_state_fkey" FOREIGN KEY ("state_id","state_level") REFERENCES "public"."units"("id","level") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_assembly_id_assemblies_id_fk" FOREIGN KEY ("assembly_id") REFERENCES "public"."assemblies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "units_assembly_idx" ON "units" USING btree ("assembly_id") WHERE "units"."assembly_id" IS NOT NULL;--> statement-breakpoint
-- Constituencies for the booths already here: one per (state, ac_number), named by its
-- booths (the first name in byte order when they disagree; from now on they may not).
INSERT INTO assemblies (state_id, number, name, named)
SELECT s.id, b.ac_number, coalesce(min(b.ac_name COLLATE "C"), 'AC ' || b.ac_number), bool_or(b.ac_name IS NOT NULL)
  FROM units b
  JOIN units s ON s.node = (string_to_array(ltree2text(b.path), '.')::bigint[])[1]
 WHERE b.level = 'booth' AND b.ac_number IS NOT NULL
 GROUP BY s.id, b.ac_number;
--> statement-breakpoint
-- Without the user triggers: joining a constituency is not an edit of the booth (no new
-- version, no counters to move).
ALTER TABLE units DISABLE TRIGGER USER;
--> statement-breakpoint
UPDATE units b SET assembly_id = a.id
  FROM assemblies a JOIN units s ON s.id = a.state_id
 WHERE b.level = 'booth' AND b.ac_number = a.number AND b.path <@ s.path;
--> statement-breakpoint
ALTER TABLE units ENABLE TRIGGER USER;
