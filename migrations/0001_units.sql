CREATE TYPE "public"."unit_level" AS ENUM('state', 'district', 'block', 'ward', 'booth');--> statement-breakpoint
CREATE TABLE "idempotency_requests" (
	"principal" text NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"status_code" integer,
	"headers" text,
	"body" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_requests_pkey" PRIMARY KEY("principal","key")
);
--> statement-breakpoint
CREATE TABLE "units" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"node" bigint GENERATED ALWAYS AS IDENTITY (sequence name "units_node_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"level" "unit_level" NOT NULL,
	"parent_id" uuid,
	"parent_level" "unit_level",
	"path" "ltree" NOT NULL,
	"code" text NOT NULL,
	"code_path" text COLLATE "C" NOT NULL,
	"name" text NOT NULL,
	"local_name" text,
	"display_label" text,
	"ac_number" integer,
	"ac_name" text,
	"ps_number" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "units_node_key" UNIQUE("node"),
	CONSTRAINT "units_id_level_key" UNIQUE("id","level"),
	CONSTRAINT "units_sibling_code_key" UNIQUE NULLS NOT DISTINCT("parent_id","code"),
	CONSTRAINT "units_code_path_key" UNIQUE("code_path"),
	CONSTRAINT "units_parent_level_check" CHECK (CASE "units"."level"
    WHEN 'state' THEN "units"."parent_id" IS NULL AND "units"."parent_level" IS NULL
    WHEN 'district' THEN "units"."parent_id" IS NOT NULL AND "units"."parent_level" IS NOT DISTINCT FROM 'state'
    WHEN 'block' THEN "units"."parent_id" IS NOT NULL AND "units"."parent_level" IS NOT DISTINCT FROM 'district'
    WHEN 'ward' THEN "units"."parent_id" IS NOT NULL AND "units"."parent_level" IS NOT DISTINCT FROM 'block'
    WHEN 'booth' THEN "units"."parent_id" IS NOT NULL AND "units"."parent_level" IS NOT DISTINCT FROM 'ward'
  END),
	CONSTRAINT "units_code_check" CHECK ("units"."code" ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'),
	CONSTRAINT "units_name_check" CHECK (length(btrim("units"."name")) BETWEEN 1 AND 200),
	CONSTRAINT "units_booth_fields_check" CHECK ("units"."level" = 'booth' OR ("units"."ac_number" IS NULL AND "units"."ac_name" IS NULL AND "units"."ps_number" IS NULL)),
	CONSTRAINT "units_ac_number_check" CHECK ("units"."ac_number" IS NULL OR "units"."ac_number" BETWEEN 1 AND 9999)
);
--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_parent_fkey" FOREIGN KEY ("parent_id","parent_level") REFERENCES "public"."units"("id","level") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_requests_created_idx" ON "idempotency_requests" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "units_path_gist" ON "units" USING gist ("path");--> statement-breakpoint
CREATE INDEX "units_level_code_path_idx" ON "units" USING btree ("level","code_path");--> statement-breakpoint
CREATE INDEX "units_name_trgm" ON "units" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "units_code_trgm" ON "units" USING gin ("code" gin_trgm_ops);