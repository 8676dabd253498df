-- The webhook outbox. The "webhooks" event processor inserts one delivery per (endpoint, event) in the transaction
-- that stores its token; senders claim due deliveries with a lease (lease_until), send them outside any
-- transaction, and record every attempt. A sender that dies mid-send leaves its lease to expire, after which the
-- delivery is due again: at least once.
CREATE TABLE webhook_deliveries (
    id              VARCHAR(64)  NOT NULL,
    endpoint_id     VARCHAR(64)  NOT NULL,
    account_id      VARCHAR(64)  NOT NULL,
    event_id        VARCHAR(64)  NOT NULL,
    event_type      VARCHAR(100) NOT NULL,
    created_at      TIMESTAMPTZ  NOT NULL,
    -- pending (to be sent at next_attempt_at), succeeded (a 2xx answer), failed (retries given up)
    state           VARCHAR(16)  NOT NULL,
    attempt_count   INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    -- while a sender holds the delivery: no other sender takes it before this moment
    lease_until     TIMESTAMPTZ,
    lease_token     VARCHAR(36),
    -- the next attempt was asked for by POST .../retry
    manual_retry    BOOLEAN      NOT NULL DEFAULT FALSE,
    CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id),
    CONSTRAINT webhook_deliveries_endpoint FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints (id)
        ON DELETE CASCADE,
    -- an event handled twice by the processor (a batch retried after a lost token claim) is delivered once
    CONSTRAINT webhook_deliveries_once UNIQUE (endpoint_id, event_id),
    CONSTRAINT webhook_deliveries_state CHECK (state IN ('pending', 'succeeded', 'failed')),
    CONSTRAINT webhook_deliveries_due CHECK ((state = 'pending') = (next_attempt_at IS NOT NULL))
);

-- the senders' search for due deliveries
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
-- one endpoint's due deliveries and those in flight (its concurrency bound)
CREATE INDEX webhook_deliveries_endpoint_pending ON webhook_deliveries (endpoint_id, next_attempt_at)
    WHERE state = 'pending';
-- one endpoint's deliveries, newest first (GET /v1/webhook_endpoints/{id}/deliveries)
CREATE INDEX webhook_deliveries_endpoint_created ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
-- pruning of finished deliveries by age
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (created_at) WHERE state <> 'pending';

CREATE TABLE webhook_delivery_attempts (
    delivery_id  VARCHAR(64)  NOT NULL,
    attempt      INTEGER      NOT NULL,
    attempted_at TIMESTAMPTZ  NOT NULL,
    manual       BOOLEAN      NOT NULL,
    -- the receiver's HTTP status; NULL when there was none (connection refused, timeout, interrupted)
    status_code  INTEGER,
    -- NULL when unknown: an attempt interrupted by the end of its sender (see lease_until)
    latency_ms   BIGINT,
    error        VARCHAR(500),
    CONSTRAINT webhook_delivery_attempts_pkey PRIMARY KEY (delivery_id, attempt),
    CONSTRAINT webhook_delivery_attempts_delivery FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries (id)
        ON DELETE CASCADE
);
