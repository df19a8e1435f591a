CREATE TABLE "post_days" (
	"unit_id" uuid NOT NULL,
	"wing_code" text NOT NULL,
	"role_code" text NOT NULL,
	"day" date NOT NULL,
	"delta" integer NOT NULL,
	CONSTRAINT "post_days_pkey" PRIMARY KEY("unit_id","wing_code","role_code","day")
);
--> statement-breakpoint
ALTER TABLE "post_days" ADD CONSTRAINT "post_days_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;