ALTER TABLE "training_rates" ADD COLUMN "camps_held" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- The held camps already recorded, counted at their unit and every unit above it but
-- booths (47_camps.sql keeps them from here on; rebuild_training_stats() recounts them).
INSERT INTO training_rates AS r (unit_id, invited, attended, camps_held)
SELECT a.id, 0, 0, count(*)::int
  FROM camps c JOIN units cu ON cu.id = c.unit_id
  JOIN units a ON a.path @> cu.path AND a.level <> 'booth'
 WHERE c.status = 'held'
 GROUP BY a.id
ON CONFLICT (unit_id) DO UPDATE SET camps_held = EXCLUDED.camps_held;
