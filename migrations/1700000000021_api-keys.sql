-- Up Migration
-- The API keys as the authentication middleware reads them (apps/api/authentication.ts): a projection of the
-- `api-keys` stream (ApiKeyCreated, ApiKeyRevoked), written by the keys command right after its append
-- (application/auth/api-keys.ts), plus last_used_at, which is operational and kept by the API (throttled).
-- Only the SHA-256 of a key is stored: the key itself is printed once and never kept.
CREATE TABLE api_keys (
  id           text PRIMARY KEY,
  name         text NOT NULL UNIQUE,
  role         text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  secret_hash  text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
  created_at   timestamptz NOT NULL,
  created_by   text NOT NULL,
  revoked_at   timestamptz,
  revoked_by   text,
  revoke_reason text,
  last_used_at timestamptz
);

-- Down Migration
DROP TABLE api_keys;
