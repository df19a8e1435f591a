-- WEBHOOKS (src/webhooks). The configuration is versioned for ETags; the worker's own
-- columns (cursor, lease, backoff) are not, or every delivery would change the ETag.
CREATE OR REPLACE TRIGGER webhooks_bump_version
  BEFORE UPDATE OF url, types, unit_id, status, secret ON webhooks
  FOR EACH ROW EXECUTE FUNCTION bump_version();

-- A webhook speaks with its creating key's authority: once that key is revoked, its
-- webhooks are paused, whatever path revoked it (API, CLI, raw SQL).
CREATE OR REPLACE FUNCTION api_keys_pause_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE webhooks SET status = 'paused', status_reason = 'key_revoked', locked_by = NULL, locked_until = NULL
   WHERE created_by = NEW.id AND status = 'active';
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER api_keys_pause_webhooks
  AFTER UPDATE OF revoked_at ON api_keys
  FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION api_keys_pause_webhooks();

-- A key that still speaks: not revoked, not expired. An expired key's webhooks are paused
-- by the worker (pause_webhooks_of_expired_keys) before it claims any: expiry is a time,
-- not a write a trigger could see.
CREATE OR REPLACE FUNCTION api_key_live(p_key uuid) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = p_key AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()))
$$;

CREATE OR REPLACE FUNCTION pause_webhooks_of_expired_keys() RETURNS integer LANGUAGE sql AS $$
  WITH paused AS (
    UPDATE webhooks w SET status = 'paused', status_reason = 'key_expired', locked_by = NULL, locked_until = NULL
     WHERE w.status = 'active' AND NOT api_key_live(w.created_by)
    RETURNING 1)
  SELECT count(*)::int FROM paused
$$;

-- ...and stays paused: no webhook whose creating key is revoked or expired may deliver again.
CREATE OR REPLACE FUNCTION webhooks_refuse_revoked_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT api_key_live(NEW.created_by) THEN
    RAISE EXCEPTION 'the key that created this webhook is revoked or expired'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'webhooks_key_revoked';
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER webhooks_refuse_revoked_key
  BEFORE INSERT OR UPDATE OF status ON webhooks
  FOR EACH ROW WHEN (NEW.status = 'active')
  EXECUTE FUNCTION webhooks_refuse_revoked_key();
