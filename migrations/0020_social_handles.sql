CREATE TABLE "duty_platform_stats" (
	"unit_id" uuid NOT NULL,
	"wing_code" text NOT NULL,
	"role_code" text NOT NULL,
	"level" "unit_level" NOT NULL,
	"platform_code" text NOT NULL,
	"bound" integer DEFAULT 0 NOT NULL,
	"held" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "duty_platform_stats_pkey" PRIMARY KEY("unit_id","wing_code","role_code","level","platform_code")
);
--> statement-breakpoint
CREATE TABLE "duty_stats" (
	"unit_id" uuid NOT NULL,
	"wing_code" text NOT NULL,
	"role_code" text NOT NULL,
	"level" "unit_level" NOT NULL,
	"bound" integer DEFAULT 0 NOT NULL,
	"compliant" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "duty_stats_pkey" PRIMARY KEY("unit_id","wing_code","role_code","level")
);
--> statement-breakpoint
CREATE TABLE "handle_duties" (
	"wing_code" text NOT NULL,
	"role_code" text NOT NULL,
	"level" "unit_level" NOT NULL,
	"platform_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "handle_duties_pkey" PRIMARY KEY("wing_code","role_code","level","platform_code")
);
--> statement-breakpoint
CREATE TABLE "handle_issues" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"platform_code" text NOT NULL,
	"raw_value" text NOT NULL,
	"reason" text NOT NULL,
	"taken_by" uuid,
	"source" text DEFAULT 'migration' NOT NULL,
	"dismissed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "handle_issues_reason_check" CHECK ("handle_issues"."reason" IN ('invalid_handle', 'handle_taken'))
);
--> statement-breakpoint
CREATE TABLE "person_handles" (
	"person_id" uuid NOT NULL,
	"platform_code" text NOT NULL,
	"handle" text NOT NULL,
	"import_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "person_handles_pkey" PRIMARY KEY("person_id","platform_code"),
	CONSTRAINT "person_handles_platform_handle_key" UNIQUE("platform_code","handle")
);
--> statement-breakpoint
CREATE TABLE "social_platforms" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"local_name" text,
	"handle_pattern" text NOT NULL,
	"url_hosts" text[] DEFAULT '{}'::text[] NOT NULL,
	"profile_url" text NOT NULL,
	"sort_order" integer DEFAULT 100 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "social_platforms_code_check" CHECK ("social_platforms"."code" ~ '^[a-z][a-z0-9_]{1,29}$'),
	CONSTRAINT "social_platforms_name_check" CHECK (length(btrim("social_platforms"."name")) BETWEEN 1 AND 100),
	CONSTRAINT "social_platforms_profile_url_check" CHECK ("social_platforms"."profile_url" ~ '^https://[^ ]*[{]handle[}]')
);
--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "handle_platforms" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "duty_platform_stats" ADD CONSTRAINT "duty_platform_stats_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "duty_stats" ADD CONSTRAINT "duty_stats_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handle_duties" ADD CONSTRAINT "handle_duties_platform_code_social_platforms_code_fk" FOREIGN KEY ("platform_code") REFERENCES "public"."social_platforms"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handle_duties" ADD CONSTRAINT "handle_duties_role_fkey" FOREIGN KEY ("wing_code","role_code") REFERENCES "public"."roles"("wing_code","code") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "handle_issues" ADD CONSTRAINT "handle_issues_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handle_issues" ADD CONSTRAINT "handle_issues_platform_code_social_platforms_code_fk" FOREIGN KEY ("platform_code") REFERENCES "public"."social_platforms"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handle_issues" ADD CONSTRAINT "handle_issues_taken_by_people_id_fk" FOREIGN KEY ("taken_by") REFERENCES "public"."people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_handles" ADD CONSTRAINT "person_handles_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_handles" ADD CONSTRAINT "person_handles_platform_code_social_platforms_code_fk" FOREIGN KEY ("platform_code") REFERENCES "public"."social_platforms"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "handle_issues_person_idx" ON "handle_issues" USING btree ("person_id");--> statement-breakpoint
-- The catalogue, seeded with the platforms the training camps order office-bearers to run.
INSERT INTO "social_platforms" ("code", "name", "local_name", "handle_pattern", "url_hosts", "profile_url", "sort_order") VALUES
  ('twitter', 'X (Twitter)', 'एक्स (ट्विटर)', '[a-z0-9_]{1,15}', '{x.com,twitter.com}', 'https://x.com/{handle}', 10),
  ('youtube', 'YouTube', 'यूट्यूब', '[a-z0-9._-]{3,30}', '{youtube.com}', 'https://www.youtube.com/@{handle}', 20),
  ('facebook', 'Facebook', 'फ़ेसबुक', '[a-z0-9.]{5,50}', '{facebook.com,fb.com}', 'https://www.facebook.com/{handle}', 30),
  ('instagram', 'Instagram', 'इंस्टाग्राम', '[a-z0-9._]{1,30}', '{instagram.com}', 'https://www.instagram.com/{handle}', 40);
--> statement-breakpoint
-- The duty the reports give: ward, booth and block presidents (a block covers the city and
-- nagar committees) run all four platforms.
INSERT INTO "handle_duties" ("wing_code", "role_code", "level", "platform_code")
SELECT 'main', 'president', l.level, p.code
  FROM unnest(ARRAY['block', 'ward', 'booth']::unit_level[]) AS l(level)
 CROSS JOIN social_platforms p
 WHERE EXISTS (SELECT 1 FROM roles r WHERE r.wing_code = 'main' AND r.code = 'president' AND l.level = ANY (r.levels));
--> statement-breakpoint
-- The handle normaliser as it stands at this migration (its current definition lives in
-- src/db/routines/22_handles.sql): the existing handles are migrated with it.
CREATE OR REPLACE FUNCTION canonical_handle(p_platform text, p_raw text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  pattern text;
  hosts text[];
  v text := btrim(p_raw);
  parts text[];
  host text;
  i integer := 2;
BEGIN
  SELECT handle_pattern, url_hosts INTO pattern, hosts FROM social_platforms WHERE code = p_platform;
  IF pattern IS NULL OR v IS NULL OR v = '' THEN
    RETURN NULL;
  END IF;
  -- A profile address: with its scheme, or a host and a path ("full.one" alone is a handle).
  IF v ~* '^https?://' OR v ~* '^([a-z0-9-]+[.])+[a-z]{2,}/' THEN
    parts := string_to_array(regexp_replace(regexp_replace(v, '^https?://', '', 'i'), '[?#].*$', ''), '/');
    host := regexp_replace(lower(parts[1]), '^(www|m|mobile)[.]', '');
    IF NOT host = ANY (hosts) THEN
      RETURN NULL;
    END IF;
    IF lower(parts[2]) IN ('c', 'user') THEN
      i := 3;
    END IF;
    v := parts[i];
    IF v IS NULL OR lower(v) IN ('profile.php', 'channel', 'watch', 'share', 'home', 'intent', 'hashtag', 'groups', 'pages', 'search', 'p', 'reel', 'i') THEN
      RETURN NULL;
    END IF;
  END IF;
  v := lower(regexp_replace(v, '^@', ''));
  IF v !~ ('^(' || pattern || ')$') THEN
    RETURN NULL;
  END IF;
  RETURN v;
END
$$;
--> statement-breakpoint
-- The four handle columns move to person_handles. A value that fails its platform's
-- checks, or a handle already kept for someone else (the earliest-created person keeps
-- it), becomes a handle issue for an admin: nothing is lost.
CREATE TEMP TABLE "handle_migration" ON COMMIT DROP AS
SELECT p.id AS person_id, v.platform_code, v.raw_value, canonical_handle(v.platform_code, v.raw_value) AS handle, p.created_at
  FROM people p
 CROSS JOIN LATERAL (VALUES ('twitter', p.twitter), ('youtube', p.youtube), ('facebook', p.facebook), ('instagram', p.instagram)) AS v(platform_code, raw_value)
 WHERE nullif(btrim(v.raw_value), '') IS NOT NULL;
--> statement-breakpoint
CREATE TEMP TABLE "handle_ranked" ON COMMIT DROP AS
SELECT m.*, row_number() OVER w AS rank, first_value(m.person_id) OVER w AS keeper
  FROM handle_migration m WHERE m.handle IS NOT NULL
WINDOW w AS (PARTITION BY m.platform_code, m.handle ORDER BY m.created_at, m.person_id);
--> statement-breakpoint
INSERT INTO "person_handles" ("person_id", "platform_code", "handle", "created_at", "updated_at")
SELECT person_id, platform_code, handle, created_at, created_at FROM handle_ranked WHERE rank = 1;
--> statement-breakpoint
INSERT INTO "handle_issues" ("person_id", "platform_code", "raw_value", "reason", "taken_by")
SELECT person_id, platform_code, raw_value, 'invalid_handle', NULL FROM handle_migration WHERE handle IS NULL
UNION ALL
SELECT person_id, platform_code, raw_value, 'handle_taken', keeper FROM handle_ranked WHERE rank > 1;
--> statement-breakpoint
UPDATE "people" p SET "handle_platforms" = h.platforms
  FROM (SELECT person_id, array_agg(platform_code ORDER BY platform_code) AS platforms FROM person_handles GROUP BY person_id) h
 WHERE p.id = h.person_id;
--> statement-breakpoint
-- "Office-bearers with a handle" now means a handle kept in person_handles: someone whose
-- every handle became an issue no longer counts. Recounted where it changed (ancestors by
-- the path operator: the routines' helpers are applied after the migrations).
UPDATE "office_stats" s SET "office_bearers_with_handle" = coalesce(x.n, 0)
  FROM "office_stats" o
  LEFT JOIN (
    SELECT anc.id AS unit_id, ap.wing_code, count(*)::int AS n
      FROM appointments ap
      JOIN people p ON p.id = ap.person_id AND p.handle_platforms <> '{}'
      JOIN units u ON u.id = ap.unit_id
      JOIN units anc ON anc.path @> u.path AND anc.level <> 'booth'
     WHERE ap.end_date IS NULL
     GROUP BY anc.id, ap.wing_code) x ON x.unit_id = o.unit_id AND x.wing_code = o.wing_code
 WHERE s.unit_id = o.unit_id AND s.wing_code = o.wing_code
   AND s.office_bearers_with_handle IS DISTINCT FROM coalesce(x.n, 0);
