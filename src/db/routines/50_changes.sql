-- THE CHANGE FEED (GET /v1/changes). Every change the service makes already writes audit
-- records in its own transaction (API and imports alike, set-based); a statement-level
-- trigger turns each published record into a row of `changes`, the feed's outbox, in that
-- same transaction. The audit trail stays append-only and kept forever; the outbox is
-- pruned (retention) and carries only a thin payload.
--
-- Positions are assigned at commit time, not at insert time: a row is born with position
-- NULL, and sequence_changes() numbers the committed rows under one advisory lock. Runs are
-- serialised and each sees every earlier run committed, so positions become visible in
-- increasing order and no smaller position ever appears later: a reader resuming after
-- position p misses nothing (an identity or a timestamp would not do: a transaction that
-- began earlier may commit later). A long transaction's rows are invisible until it
-- commits and are then numbered by the next run; it holds nobody else up.

-- The feed's name for an audited change: <entity type>.<action in the past tense>.
CREATE OR REPLACE FUNCTION change_type(p_entity_type text, p_action text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    -- An import's summary record is written only when it commits its rows.
    WHEN p_entity_type = 'import' AND p_action = 'import' THEN 'import.completed'
    ELSE p_entity_type || '.' || CASE p_action
      WHEN 'appoint' THEN 'created'
      WHEN 'add_booths' THEN 'booths_added'
      WHEN 'remove_booth' THEN 'booth_removed'
      WHEN 'check_in' THEN 'checked_in'
      WHEN 'import' THEN 'imported'
      WHEN 'transfer' THEN 'transferred'
      ELSE CASE
        WHEN p_action ~ 'e$' THEN p_action || 'd'  -- create, update, delete, move, lapse, revoke, invite
        ELSE p_action || 'ed'                       -- end, dismiss, seed
      END
    END
  END
$$;

-- Which audit records are changes others may be told of: not downloads (an export is a
-- read) nor keys and webhooks (their records are about credentials and integrations, not
-- the organisation: a webhook's URL may carry a receiver's token).
CREATE OR REPLACE FUNCTION change_is_published(p_entity_type text, p_action text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_action NOT IN ('export', 'read') AND p_entity_type NOT IN ('api_key', 'webhook')
$$;

-- A field that holds a phone number or a voter ID, under whatever name.
CREATE OR REPLACE FUNCTION change_field_is_personal(p_key text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_key ~* '(phone|mobile|voter|epic)'
$$;

-- A value thin enough to travel in the feed: a scalar, a list of scalars, or a flat object
-- of scalars none of whose keys is personal. Anything else is named, not given.
CREATE OR REPLACE FUNCTION change_value_is_thin(p_value jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(p_value)
    WHEN 'array' THEN NOT EXISTS (SELECT 1 FROM jsonb_array_elements(p_value) e(v) WHERE jsonb_typeof(e.v) IN ('array', 'object'))
    WHEN 'object' THEN NOT EXISTS (SELECT 1 FROM jsonb_each(p_value) e(k, v) WHERE jsonb_typeof(e.v) IN ('array', 'object') OR change_field_is_personal(e.k))
    ELSE true
  END
$$;

-- The thin payload of a change, from the audit record's before and after:
--   ids:     every id the entity names (id, personId, unitId, boothIds...), after over before;
--   changed: the names of the fields whose value changed (on creation: those set), in
--            the record's key order (jsonb's: shorter names first);
--   values:  their new values, for thin, non-personal fields only.
-- Phone numbers and voter IDs are never stored here, masked or not: a change to one is
-- only named in `changed`. Nothing to mask per key later, nothing to leak from the table.
CREATE OR REPLACE FUNCTION change_payload(p_before jsonb, p_after jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  -- One pass over the fields with filtered aggregates (an import writes a change per row:
  -- three subqueries cost 4.6 times as much, ~115 against ~25 µs a record).
  SELECT jsonb_build_object(
    'ids', coalesce(jsonb_object_agg(f.key, f.value) FILTER (WHERE f.is_id), '{}'::jsonb),
    'changed', coalesce(jsonb_agg(f.key) FILTER (WHERE f.changed), '[]'::jsonb),
    'values', coalesce(jsonb_object_agg(f.key, f.value) FILTER (WHERE f.changed AND NOT f.personal AND f.thin), '{}'::jsonb))
  FROM (
    SELECT e.key, e.value, g.personal,
           NOT g.personal AND (e.key = 'id' OR e.key ~ '[a-z]Ids?$')
             AND (jsonb_typeof(e.value) IN ('string', 'null') OR (jsonb_typeof(e.value) = 'array' AND change_value_is_thin(e.value))) AS is_id,
           p_after ? e.key AND e.value IS DISTINCT FROM coalesce(p_before -> e.key, 'null'::jsonb) AS changed,
           jsonb_typeof(e.value) NOT IN ('array', 'object') OR change_value_is_thin(e.value) AS thin
      FROM jsonb_each(CASE WHEN jsonb_typeof(p_before) = 'object' THEN p_before ELSE '{}'::jsonb END
                   || CASE WHEN jsonb_typeof(p_after) = 'object' THEN p_after ELSE '{}'::jsonb END) e
      CROSS JOIN LATERAL (SELECT change_field_is_personal(e.key) AS personal) g
  ) f
$$;

-- One feed row per published audit record of the statement, in the statement's order,
-- with the unit's code path as it stands in this transaction (a deleted unit: as its
-- record last knew it).
CREATE OR REPLACE FUNCTION audit_log_publish_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (audit_id, type, entity_type, entity_id, unit_id, unit_path, unit_code_path, at, payload)
  SELECT n.id, change_type(n.entity_type, n.action), n.entity_type, n.entity_id, n.unit_id, n.unit_path,
         coalesce(u.code_path, n.after ->> 'codePath', n.before ->> 'codePath'),
         n.at, change_payload(n.before, n.after)
    FROM audit_rows n
    LEFT JOIN units u ON u.id = n.unit_id
   WHERE change_is_published(n.entity_type, n.action)
   ORDER BY n.id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER audit_log_publish_changes
  AFTER INSERT ON audit_log
  REFERENCING NEW TABLE AS audit_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_publish_changes();

-- THE SEQUENCER: numbers up to p_batch committed, unnumbered rows, in id order, and tells
-- listeners the highest position (NOTIFY is delivered at commit). The transaction-scoped
-- advisory lock serialises every caller, in any process, and is released only once the
-- run's positions are visible; each run's statement takes its snapshot after acquiring
-- it, so it sees every earlier run and numbers above it. Safe behind a transaction-mode
-- pooler. Returns how many rows it numbered (a full batch: call again) and the highest
-- position (NULL when it numbered none).
CREATE OR REPLACE FUNCTION sequence_changes(p_batch integer DEFAULT 50000, OUT numbered integer, OUT top bigint)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7262023050);
  WITH pending AS (
    SELECT c.id FROM changes c WHERE c.position IS NULL ORDER BY c.id LIMIT p_batch
  ), ordered AS (
    SELECT p.id, nextval('change_positions') AS position FROM (SELECT id FROM pending ORDER BY id) p
  ), done AS (
    UPDATE changes c SET position = o.position, positioned_at = clock_timestamp()
      FROM ordered o WHERE c.id = o.id
    RETURNING c.position
  )
  SELECT count(*)::integer, max(d.position) INTO numbered, top FROM done d;
  IF numbered > 0 THEN
    PERFORM pg_notify('sangathan_changes', top::text);
  END IF;
END
$$;

-- RETENTION: deletes the numbered rows that became visible before p_before, and raises
-- the floor below which a cursor is expired. Under the sequencer's lock, so the floor and
-- the positions move together. Returns the rows deleted.
CREATE OR REPLACE FUNCTION expire_changes(p_before timestamptz) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  through bigint;
  deleted integer;
BEGIN
  PERFORM pg_advisory_xact_lock(7262023050);
  SELECT max(position) INTO through FROM changes WHERE position IS NOT NULL AND positioned_at < p_before;
  IF through IS NULL THEN
    RETURN 0;
  END IF;
  DELETE FROM changes WHERE position <= through;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  UPDATE change_feed_floor SET expired_through = greatest(expired_through, through);
  RETURN deleted;
END
$$;
