-- Idempotency keys, Stripe's semantics: scoped to the account, the first response stored once execution starts and
-- replayed for every retry with the same parameters. A key is claimed (in_progress) before the command is sent;
-- a claim left by a crashed process goes stale after a while and may be taken over: the write side's own
-- idempotency makes the re-execution safe.
CREATE TABLE idempotency_keys (
    account_id      VARCHAR(64)  NOT NULL,
    idempotency_key VARCHAR(255) NOT NULL,
    endpoint        VARCHAR(300) NOT NULL,
    request_hash    VARCHAR(64)  NOT NULL,
    state           VARCHAR(16)  NOT NULL,
    response_status INTEGER,
    response_body   TEXT,
    created_at      TIMESTAMPTZ  NOT NULL,
    claimed_at      TIMESTAMPTZ  NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (account_id, idempotency_key),
    CONSTRAINT idempotency_keys_state CHECK (state IN ('in_progress', 'complete'))
);

-- the pruning job deletes by age
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
