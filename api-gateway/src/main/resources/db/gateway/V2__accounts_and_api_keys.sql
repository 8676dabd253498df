-- Accounts and their API keys. A key is stored only as the SHA-256 digest of its text (lower-case hex) and its last
-- four characters (to recognise it in a listing); the key itself is shown once, when it is issued, and never again.
CREATE TABLE accounts (
    id         VARCHAR(64)  NOT NULL,
    name       VARCHAR(255) NOT NULL,
    created_at TIMESTAMPTZ  NOT NULL,
    CONSTRAINT accounts_pkey PRIMARY KEY (id)
);

CREATE TABLE api_keys (
    id         VARCHAR(64) NOT NULL,
    account_id VARCHAR(64) NOT NULL,
    kind       VARCHAR(16) NOT NULL,
    key_hash   VARCHAR(64) NOT NULL,
    last4      VARCHAR(4)  NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    -- NULL: no expiry. Set when the key is rolled: it keeps working until then (the grace period).
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    CONSTRAINT api_keys_pkey PRIMARY KEY (id),
    CONSTRAINT api_keys_account FOREIGN KEY (account_id) REFERENCES accounts (id),
    CONSTRAINT api_keys_kind CHECK (kind IN ('secret', 'publishable')),
    CONSTRAINT api_keys_key_hash_format CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    -- every authentication looks a key up by its digest
    CONSTRAINT api_keys_key_hash UNIQUE (key_hash)
);

CREATE INDEX api_keys_account_id ON api_keys (account_id);
